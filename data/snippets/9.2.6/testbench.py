# caption: 测试台（testbench）：脚本化的收发机器人 + 在回环上按固定随机种子掐断连接的故障注入代理 + 按“恰好一次、按序”判定的 oracle；它抓出“推了就算送达”的服务器丢消息，放过“等 ack、重连补发”的服务器
# point: testbench如何设计
# timeout: 40
import asyncio
import json
import random

SENDERS, RECEIVERS, PER_SENDER, SEED = 3, 3, 40, 9206


class Server:
    """Tiny push server. reliable=False forgets a message once written to the socket;
    reliable=True keeps it until the client acks and resends everything newer on login."""

    def __init__(self, reliable):
        self.reliable = reliable
        self.inbox = {}      # uid -> {msg id: payload}, not yet acknowledged
        self.next_id = {}    # uid -> last id given out
        self.online = {}     # uid -> writer
        self.conns = []      # every writer, closed at the end of the run

    async def handle(self, reader, writer):
        uid = None
        self.conns.append(writer)
        try:
            while line := await reader.readline():
                m = json.loads(line)
                if m["t"] == "login":
                    uid = m["uid"]
                    self.online[uid] = writer
                    for mid, payload in sorted(self.inbox.get(uid, {}).items()):
                        if mid > m["last"]:
                            self.push(uid, mid, payload)
                elif m["t"] == "msg":
                    to = m["to"]
                    mid = self.next_id[to] = self.next_id.get(to, 0) + 1
                    self.inbox.setdefault(to, {})[mid] = m["text"]
                    if to in self.online:
                        self.push(to, mid, m["text"])
                    writer.write(b'{"t":"sent"}\n')
                elif m["t"] == "ack":
                    self.inbox[uid].pop(m["id"], None)
        except ConnectionError:
            pass
        finally:
            if uid is not None and self.online.get(uid) is writer:
                del self.online[uid]
            writer.close()

    def push(self, uid, mid, text):
        self.online[uid].write(json.dumps({"t": "push", "id": mid, "text": text}).encode() + b"\n")
        if not self.reliable:
            del self.inbox[uid][mid]   # "written to the socket" is taken for "delivered"


async def chaos_proxy(server_port, rng, cuts, conns):
    """Forwards bytes; for each new connection, cuts it after a random number of server->client bytes."""
    async def pipe(r, w, budget):
        sent = 0
        while data := await r.read(512):
            if budget is not None and sent + len(data) > budget:
                w.write(data[:budget - sent])   # part of a packet gets through, then the line dies
                cuts.append(1)
                break
            w.write(data)
            sent += len(data)
        w.close()

    async def handle(cr, cw):
        sr, sw = await asyncio.open_connection("127.0.0.1", server_port)
        conns.extend((cw, sw))
        budget = rng.randint(150, 900) if len(cuts) < 6 else None
        await asyncio.gather(pipe(cr, sw, None), pipe(sr, cw, budget), return_exceptions=True)
    return await asyncio.start_server(handle, "127.0.0.1", 0)


async def receiver(uid, port, got, stats):
    last = 0
    for _ in range(30):                         # bounded reconnects
        try:
            r, w = await asyncio.open_connection("127.0.0.1", port)
            w.write(json.dumps({"t": "login", "uid": uid, "last": last}).encode() + b"\n")
            while line := await r.readline():
                m = json.loads(line)
                if m["id"] <= last:
                    stats["duplicates dropped"] += 1   # resent after a lost ack: dedup by id
                    continue
                got[uid].append(m["text"])
                last = m["id"]
                w.write(json.dumps({"t": "ack", "id": m["id"]}).encode() + b"\n")
        except (ConnectionError, json.JSONDecodeError):
            pass                                # a torn line: reconnect and ask again
        stats["reconnects"] += 1
        await asyncio.sleep(0.02)


async def scenario(reliable):
    rng = random.Random(SEED)                   # same script, same faults, every run
    srv = Server(reliable)
    server = await asyncio.start_server(srv.handle, "127.0.0.1", 0)
    cuts, pconns = [], []
    proxy = await chaos_proxy(server.sockets[0].getsockname()[1], rng, cuts, pconns)
    pport = proxy.sockets[0].getsockname()[1]
    got = {100 + i: [] for i in range(RECEIVERS)}
    stats = {"duplicates dropped": 0, "reconnects": 0}
    recv_tasks = [asyncio.create_task(receiver(u, pport, got, stats)) for u in got]
    await asyncio.sleep(0.1)
    expected = {u: [] for u in got}
    for s in range(SENDERS):                    # senders talk to the server directly
        r, w = await asyncio.open_connection("127.0.0.1", server.sockets[0].getsockname()[1])
        for i in range(PER_SENDER):
            to = rng.choice(sorted(got))
            text = f"s{s}-{i}"
            expected[to].append(text)
            w.write(json.dumps({"t": "msg", "to": to, "text": text}).encode() + b"\n")
            assert json.loads(await r.readline())["t"] == "sent"
            await asyncio.sleep(0.001)
        w.close()
    for _ in range(100):                        # wait up to ~2 s for the receivers to settle
        if all(got[u] == expected[u] for u in got):
            break
        await asyncio.sleep(0.02)
    for t in recv_tasks:
        t.cancel()
    await asyncio.gather(*recv_tasks, return_exceptions=True)
    for w in pconns + srv.conns:                # end every connection so all handlers return
        w.close()
    await asyncio.sleep(0.1)
    proxy.close()
    server.close()
    await proxy.wait_closed()
    await server.wait_closed()
    missing = sum(len(set(expected[u]) - set(got[u])) for u in got)
    in_order = all([x for x in expected[u] if x in got[u]] == got[u] for u in got)
    exact = all(len(got[u]) == len(set(got[u])) for u in got)
    return missing, in_order, exact, len(cuts), stats


for reliable in (False, True):
    missing, in_order, exact, cuts, stats = asyncio.run(scenario(reliable))
    name = "ack + resend on login" if reliable else "fire-and-forget push"
    print(f"{name:22}: {SENDERS * PER_SENDER} messages, {cuts} connections cut, {stats['reconnects']} reconnects, "
          f"missing {missing}, duplicates dropped {stats['duplicates dropped']}, in order {in_order}, no dups {exact}")
    if reliable:
        assert missing == 0 and in_order and exact
    else:
        assert missing > 0, "the fault injector should expose the lossy server"
