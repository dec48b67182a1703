# caption: 同步处理与“网络线程 + 业务线程池”异步处理的对比：同一个事件循环、同样 20 ms 的阻塞后端调用，结果经队列和唤醒管道交回网络线程发送
# point: 网络io线程池异步处理
# timeout: 30
import queue
import selectors
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

N_CLIENTS = 40
BACKEND_MS = 20          # pretend every request does a 20 ms blocking DB/RPC call
WORKERS = 16


def backend(payload):
    time.sleep(BACKEND_MS / 1000)          # blocking call: must not run on the I/O thread
    return payload.upper()


def run(mode):
    sel = selectors.DefaultSelector()
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(256)
    lst.setblocking(False)
    sel.register(lst, selectors.EVENT_READ, "accept")
    wake_r, wake_w = socket.socketpair()   # workers poke the loop through this
    wake_r.setblocking(False)
    sel.register(wake_r, selectors.EVENT_READ, "wake")
    done_q = queue.Queue()                 # (conn, response) from workers
    pool = ThreadPoolExecutor(WORKERS) if mode == "async" else None
    io_thread = threading.get_ident()
    sent_from = set()
    state = {"answered": 0}

    def finish(conn, resp):
        sent_from.add(threading.get_ident())   # must always be the I/O thread
        conn.sendall(resp)                     # tiny reply, fits the send buffer
        state["answered"] += 1

    def worker_job(conn, payload):
        done_q.put((conn, backend(payload)))
        wake_w.send(b"x")

    results = {}

    def client(i):
        with socket.create_connection(lst.getsockname(), timeout=20) as c:
            c.sendall(b"req-%03d" % i)
            results[i] = c.recv(64)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(N_CLIENTS)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    conns = []
    deadline = time.monotonic() + 20
    while state["answered"] < N_CLIENTS and time.monotonic() < deadline:
        for key, _ in sel.select(0.1):
            if key.data == "accept":
                c, _ = lst.accept()
                c.setblocking(True)
                conns.append(c)
                sel.register(c, selectors.EVENT_READ, "conn")
            elif key.data == "wake":
                wake_r.recv(4096)
                while not done_q.empty():
                    finish(*done_q.get())
            else:
                c = key.fileobj
                data = c.recv(64)
                sel.unregister(c)
                if mode == "sync":
                    finish(c, backend(data))            # the loop is stuck for 20 ms
                else:
                    pool.submit(worker_job, c, data)    # loop continues immediately
    elapsed = time.monotonic() - t0
    for t in threads:
        t.join(5)
    if pool:
        pool.shutdown()
    for c in conns:
        c.close()
    sel.close()
    lst.close()
    wake_r.close()
    wake_w.close()
    ok = all(results.get(i) == b"REQ-%03d" % i for i in range(N_CLIENTS))
    return elapsed, ok, sent_from == {io_thread}


def main():
    ts, ok_s, io_s = run("sync")
    ta, ok_a, io_a = run("async")
    print(f"{N_CLIENTS} concurrent requests, each needing a {BACKEND_MS} ms blocking call")
    print(f"  sync  (handler on the I/O thread):        {ts * 1000:6.0f} ms  "
          f"(~{N_CLIENTS} x {BACKEND_MS} ms = {N_CLIENTS * BACKEND_MS} ms expected)")
    print(f"  async (I/O thread + {WORKERS} worker threads):  {ta * 1000:6.0f} ms  "
          f"(~{-(-N_CLIENTS // WORKERS)} x {BACKEND_MS} ms expected)")
    assert ok_s and ok_a, "every client must get its own answer"
    assert io_s and io_a, "replies must be written by the I/O thread only"
    assert ts >= N_CLIENTS * BACKEND_MS / 1000 * 0.9     # serial: the sum of all waits
    assert ta * 2 < ts, "the pool must overlap the blocking calls"
    print("all answers correct; every reply written by the I/O thread; async is several times faster")
    print("OK")


if __name__ == "__main__":
    main()
