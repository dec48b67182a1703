# caption: Tars 式 RPC 全链路模型：请求包用 TARS 编码、4 字节长度分帧；节点向 Registry 心跳，Registry 按存活和 Set 分组返回地址；客户端轮询、超时重试，连续超时的节点被暂时屏蔽
# point: 路由管理Registry
# timeout: 30
import socket, socketserver, struct, threading, time

def head(tag, typ):
    return bytes([tag << 4 | typ]) if tag < 15 else bytes([0xF0 | typ, tag])
def enc_int(tag, v):
    if v == 0:
        return head(tag, 12)
    for typ, fmt in ((0, ">b"), (1, ">h"), (2, ">i"), (3, ">q")):
        try:
            return head(tag, typ) + struct.pack(fmt, v)
        except struct.error:
            pass
def enc_str(tag, s):
    b = s.encode()
    return head(tag, 6) + bytes([len(b)]) + b if len(b) < 256 else head(tag, 7) + struct.pack(">I", len(b)) + b
def enc_bytes(tag, b):              # vector<byte>: SimpleList head, a char head, the length, raw bytes
    return head(tag, 13) + head(0, 0) + enc_int(0, len(b)) + b
def decode(b):                      # flat struct of ints, strings, byte vectors -> {tag: value}
    out, i = {}, 0
    def field(i):                   # read one head + value at i -> (tag, value, next i)
        tag, typ = b[i] >> 4, b[i] & 15
        i += 1
        if tag == 15:
            tag, i = b[i], i + 1
        if typ == 12:
            return tag, 0, i
        if typ <= 3:
            n = (1, 2, 4, 8)[typ]
            return tag, int.from_bytes(b[i:i + n], "big", signed=True), i + n
        if typ == 6:
            return tag, b[i + 1:i + 1 + b[i]].decode(), i + 1 + b[i]
        if typ == 13:               # skip the char head, read the tag-0 length, then the raw bytes
            _, n, i = field(i + 1)
            return tag, b[i:i + n], i + n
        raise ValueError(f"type {typ} not in this model")
    while i < len(b):
        tag, value, i = field(i)
        out[tag] = value
    return out
# RequestPacket (tars/RequestF.tars): 1 iVersion, 4 iRequestId, 5 sServantName, 6 sFuncName, 7 sBuffer, 8 iTimeout
# ResponsePacket: 1 iVersion, 3 iRequestId, 5 iRet, 6 sBuffer. Required fields left out here (context, status) keep
# the model short; real Tars would reject such a packet.
def frame(body):
    return struct.pack(">I", len(body) + 4) + body      # the length counts its own 4 bytes
def recv_frame(sock):
    hdr = sock.recv(4, socket.MSG_WAITALL)
    if len(hdr) < 4:
        return None
    return sock.recv(struct.unpack(">I", hdr)[0] - 4, socket.MSG_WAITALL)
def call(addr, servant, func, arg, timeout, req_id=1):
    with socket.create_connection(addr, timeout=timeout) as s:
        s.sendall(frame(enc_int(1, 1) + enc_int(4, req_id) + enc_str(5, servant) + enc_str(6, func)
                        + enc_bytes(7, arg.encode()) + enc_int(8, int(timeout * 1000))))
        rsp = decode(recv_frame(s))
    assert rsp[3] == req_id and rsp[5] == 0
    return rsp[6].decode()

class Servant(socketserver.BaseRequestHandler):
    def handle(self):
        while (body := recv_frame(self.request)) is not None:
            req = decode(body)
            ret = self.server.dispatch(req[6], req[7].decode())
            self.request.sendall(frame(enc_int(1, 1) + enc_int(3, req[4]) + enc_int(5, 0) + enc_bytes(6, ret.encode())))
def serve(dispatch):
    srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Servant)
    srv.daemon_threads, srv.dispatch = True, dispatch
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv

TTL, OBJ = 1.0, "Atlas.HelloServer.HelloObj"
nodes = {}                                                 # registry state: "host:port" -> (set, last heartbeat)
def registry(func, arg):
    if func == "keepAlive":                                # arg "ep|set"
        ep, grp = arg.split("|")
        nodes[ep] = (grp, time.monotonic())
        return "ok"
    if func == "findObjectById":                           # arg "obj|set": only live nodes, same set if any
        live = {ep: g for ep, (g, t) in nodes.items() if time.monotonic() - t < TTL}
        same = [ep for ep, g in live.items() if g == arg.split("|")[1]]
        return ",".join(sorted(same or live))
reg = serve(registry)
REG = reg.server_address

def start_node(name, grp, delay):
    srv = serve(lambda f, a: (time.sleep(delay), f"hello {a} from {name}")[1])
    ep = "%s:%d" % srv.server_address
    srv.alive = True
    def beat():
        while srv.alive:
            call(REG, "tars.tarsregistry.QueryObj", "keepAlive", f"{ep}|{grp}", 1.0)
            time.sleep(0.1)
    threading.Thread(target=beat, daemon=True).start()
    return srv, ep

class Proxy:                                               # client side: route, time out, retry, mask
    def __init__(self, grp):
        self.grp, self.rr, self.timeouts, self.blocked = grp, 0, {}, {}
    def invoke(self, arg):
        eps = call(REG, "tars.tarsregistry.QueryObj", "findObjectById", f"{OBJ}|{self.grp}", 1.0).split(",")
        for _ in range(len(eps)):
            ep = eps[self.rr % len(eps)]
            self.rr += 1
            if self.blocked.get(ep, 0) > time.monotonic():
                continue
            host, port = ep.split(":")
            try:
                r = call((host, int(port)), OBJ, "hello", arg, 0.4, self.rr)
                self.timeouts[ep] = 0
                return r
            except socket.timeout:
                self.timeouts[ep] = self.timeouts.get(ep, 0) + 1
                print(f"  timeout on {names[ep]} ({self.timeouts[ep]} in a row)")
                if self.timeouts[ep] >= 2:                 # mask the node for a while
                    self.blocked[ep] = time.monotonic() + 5
        raise RuntimeError("no endpoint answered")

servers = {n: start_node(n, g, d) for n, g, d in
           (("A", "sz", 0), ("B", "sz", 0), ("C", "sz", 1.5), ("D", "sh", 0))}
names = {ep: n for n, (_, ep) in servers.items()}
time.sleep(0.3)
sz = Proxy("sz")
got = [sz.invoke(f"u{i}").split()[-1] for i in range(9)]
print("set sz, 9 calls served by:", "".join(got))
assert set(got) == {"A", "B"} and sz.timeouts[servers["C"][1]] == 2    # C timed out twice, then masked
print("set sh, 3 calls served by:", "".join(Proxy("sh").invoke("x").split()[-1] for _ in range(3)))
srv_b, ep_b = servers["B"]
srv_b.alive = False                                        # B dies: heartbeats stop
srv_b.shutdown(); srv_b.server_close()
time.sleep(TTL + 0.3)
listed = call(REG, "tars.tarsregistry.QueryObj", "findObjectById", f"{OBJ}|sz", 1.0).split(",")
print("registry after B stopped heartbeating:", sorted(names[e] for e in listed))
assert ep_b not in listed
got = [sz.invoke(f"v{i}").split()[-1] for i in range(4)]
print("set sz, 4 more calls served by:", "".join(got))
assert got == ["A"] * 4
for srv, _ in servers.values():
    srv.alive = False
    srv.shutdown()
reg.shutdown()
print("OK: registry routes by liveness and set; timeouts are retried elsewhere and the slow node is masked")
