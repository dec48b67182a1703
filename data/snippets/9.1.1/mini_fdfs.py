# caption: FastDFS 的模型（不是 FastDFS 本身）：1 个 tracker、2 个组各 2 台 storage，走 FastDFS 的 10 字节包头与真实命令号完成“问 tracker → 传 storage → 拿文件 ID → 问 tracker → 下载”
# point: 上传文件逻辑分析
# timeout: 30
import base64
import hashlib
import os
import shutil
import socket
import socketserver
import struct
import tempfile
import threading
import time
import zlib

HDR = struct.Struct(">QBB")            # pkg_len (body only), cmd, status: 10 bytes, as TrackerHeader
JOIN, QUERY_STORE, QUERY_FETCH, UPLOAD, DOWNLOAD, RESP = 81, 101, 102, 11, 14, 100


def send(sock, cmd, body=b"", status=0):
    sock.sendall(HDR.pack(len(body), cmd, status) + body)


def recv(sock):
    def exact(n):
        buf = b""
        while len(buf) < n:
            chunk = sock.recv(n - len(buf))
            assert chunk, "peer closed"
            buf += chunk
        return buf
    length, cmd, status = HDR.unpack(exact(HDR.size))
    return cmd, status, exact(length)


def rpc(addr, cmd, body):
    with socket.create_connection(addr) as s:
        send(s, cmd, body)
        _, status, reply = recv(s)
        assert status == 0, status
        return reply


def pad(s, n):
    return s.encode().ljust(n, b"\0")


class Tracker(socketserver.BaseRequestHandler):
    groups = {}                                   # group -> {storage id: (port, free MB)}
    lock = threading.Lock()

    def handle(self):
        cmd, _, body = recv(self.request)
        with self.lock:
            if cmd == JOIN:                          # group(16) id(8) port(8) free_mb(8)
                sid, port, free = struct.unpack(">QQQ", body[16:])
                self.groups.setdefault(body[:16].rstrip(b"\0").decode(), {})[sid] = (port, free)
                return send(self.request, RESP)
            if cmd == QUERY_STORE:                   # store_lookup=2: the group with the most free space
                g = max(self.groups, key=lambda k: sum(f for _, f in self.groups[k].values()))
                sid = min(self.groups[g])            # store_server=0 would rotate; keep it simple
                port = self.groups[g][sid][0]
                return send(self.request, RESP, pad(g, 16) + pad("127.0.0.1", 15) + struct.pack(">Q", port) + b"\0")
            if cmd == QUERY_FETCH:                   # group(16) + filename: the source id is in the name
                g, name = body[:16].rstrip(b"\0").decode(), body[16:].decode()
                sid = decode_name(name)["source_id"]
                return send(self.request, RESP, pad(g, 16) + pad("127.0.0.1", 15) +
                            struct.pack(">Q", self.groups[g][sid][0]))


def decode_name(name):
    raw = base64.urlsafe_b64decode(name.split("/")[3][:27] + "=")
    sid, ts, size, crc = struct.unpack(">IiQI", raw)
    return {"source_id": sid, "created": ts, "size": size & 0xFFFFFFFF, "crc32": crc}


def make_storage(group, sid, root):
    class Storage(socketserver.BaseRequestHandler):
        def handle(self):
            cmd, _, body = recv(self.request)
            if cmd == UPLOAD:                        # path index(1) size(8) ext(6) content
                size, ext, data = struct.unpack(">Q", body[1:9])[0], body[9:15].rstrip(b"\0").decode(), body[15:]
                assert len(data) == size
                rand = int.from_bytes(os.urandom(4), "big") << 32   # high bits of the size field are random
                raw = struct.pack(">IiQI", sid, int(time.time()), rand | size, zlib.crc32(data))
                b64 = base64.urlsafe_b64encode(raw).decode().rstrip("=")      # 27 chars, '-' and '_'
                h = int(hashlib.md5(b64.encode()).hexdigest(), 16)
                rel = f"{h >> 8 & 0xFF:02X}/{h & 0xFF:02X}/{b64}.{ext}"       # 256 x 256 sub-directories
                os.makedirs(os.path.dirname(f"{root}/data/{rel}"), exist_ok=True)
                with open(f"{root}/data/{rel}", "wb") as f:
                    f.write(data)
                send(self.request, RESP, pad(group, 16) + f"M00/{rel}".encode())
            elif cmd == DOWNLOAD:                    # offset(8) bytes(8) group(16) filename
                off, n = struct.unpack(">QQ", body[:16])
                with open(f"{root}/data/{body[32:].decode()[4:]}", "rb") as f:
                    f.seek(off)
                    send(self.request, RESP, f.read(n) if n else f.read())
    return Storage


servers = []
scratch = tempfile.mkdtemp()
tracker = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Tracker)
servers.append(tracker)
threading.Thread(target=tracker.serve_forever, daemon=True).start()
TRACKER = tracker.server_address
for group, sid, free in (("group1", 1001, 500), ("group1", 1002, 500), ("group2", 2001, 900), ("group2", 2002, 900)):
    srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), make_storage(group, sid, f"{scratch}/{sid}"))
    servers.append(srv)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    rpc(TRACKER, JOIN, pad(group, 16) + struct.pack(">QQQ", sid, srv.server_address[1], free))

data = os.urandom(100_000)
print("request header bytes (query store):", HDR.pack(0, QUERY_STORE, 0).hex(" "))
r = rpc(TRACKER, QUERY_STORE, b"")                                   # 1. ask the tracker where to store
group, port = r[:16].rstrip(b"\0").decode(), struct.unpack(">Q", r[31:39])[0]
print(f"tracker -> store on {group} storage 127.0.0.1:{port} path index {r[39]}")
assert group == "group2"                                             # more free space
r = rpc(("127.0.0.1", port), UPLOAD, b"\0" + struct.pack(">Q", len(data)) + pad("jpg", 6) + data)
file_id = r[:16].rstrip(b"\0").decode() + "/" + r[16:].decode()      # 2. the storage names the file
info = decode_name(file_id.split("/", 1)[1])
print("file id:", file_id)
print("decoded:", info)
assert info["size"] == len(data) and info["crc32"] == zlib.crc32(data) and info["source_id"] in (2001, 2002)
g, name = file_id.split("/", 1)
r = rpc(TRACKER, QUERY_FETCH, pad(g, 16) + name.encode())           # 3. ask the tracker where to read
port = struct.unpack(">Q", r[31:39])[0]
got = rpc(("127.0.0.1", port), DOWNLOAD, struct.pack(">QQ", 0, 0) + pad(g, 16) + name.encode())
part = rpc(("127.0.0.1", port), DOWNLOAD, struct.pack(">QQ", 1000, 16) + pad(g, 16) + name.encode())
print(f"downloaded {len(got)} bytes from 127.0.0.1:{port}; range [1000,1016) ok={part == data[1000:1016]}")
assert got == data and part == data[1000:1016]
for s in servers:
    s.shutdown()
    s.server_close()
shutil.rmtree(scratch)
