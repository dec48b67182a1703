# caption: memcached 式主从 Reactor 模型：一个 accept 线程按轮询把连接经“队列 + 通知管道”分给 N 个各自带 epoll 的 worker 线程，连接终身归属一个 worker
# point: memcached的多线程master-worker的reactor实现
# timeout: 30
import os
import queue
import select
import socket
import threading

N_WORKERS = 4
N_CLIENTS = 120
REQS_PER_CLIENT = 3


class Worker(threading.Thread):
    """One event loop per thread (like memcached's LIBEVENT_THREAD)."""

    def __init__(self, wid):
        super().__init__(daemon=True)
        self.wid = wid
        self.new_conns = queue.Queue()            # memcached: new_conn_queue (CQ)
        self.notify_r, self.notify_w = os.pipe()  # memcached: notify_receive_fd / notify_send_fd
        self.ep = select.epoll()
        self.ep.register(self.notify_r, select.EPOLLIN)
        self.conns = {}
        self.served_conns = 0
        self.requests = 0
        self.stop = False

    def run(self):
        for _ in range(100000):                   # bounded loop
            if self.stop:
                break
            for fd, _ in self.ep.poll(0.2):
                if fd == self.notify_r:
                    for _ in os.read(self.notify_r, 256):     # one byte per dispatched conn
                        c = self.new_conns.get_nowait()
                        c.setblocking(False)
                        self.conns[c.fileno()] = c
                        self.ep.register(c.fileno(), select.EPOLLIN)
                        self.served_conns += 1
                    continue
                c = self.conns[fd]
                try:
                    data = c.recv(4096)
                except BlockingIOError:
                    continue
                if not data:
                    self.ep.unregister(fd)
                    del self.conns[fd]
                    c.close()
                    continue
                # text protocol: one request per line, reply names the worker thread
                for line in data.split(b"\n"):
                    if line:
                        self.requests += 1
                        c.sendall(b"worker-%d %s\n" % (self.wid, line))
        self.ep.close()


def dispatcher(lst, workers, expected):
    """The main thread's only job: accept and hand off round-robin (memcached: dispatch_conn_new)."""
    last = -1
    for _ in range(expected):
        c, _ = lst.accept()                       # blocking accept is fine: this thread does nothing else
        last = (last + 1) % len(workers)
        w = workers[last]
        w.new_conns.put(c)                        # 1) enqueue the connection
        os.write(w.notify_w, b"c")                # 2) wake that worker's event loop


def main():
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(256)
    workers = [Worker(i) for i in range(N_WORKERS)]
    for w in workers:
        w.start()
    d = threading.Thread(target=dispatcher, args=(lst, workers, N_CLIENTS))
    d.start()

    owner = {}
    socks = [socket.create_connection(lst.getsockname(), timeout=10) for _ in range(N_CLIENTS)]
    for rnd in range(REQS_PER_CLIENT):            # several requests per connection
        for i, s in enumerate(socks):
            s.sendall(b"get key-%d-%d\n" % (i, rnd))
        for i, s in enumerate(socks):
            buf = b""
            while not buf.endswith(b"\n"):
                chunk = s.recv(4096)
                assert chunk
                buf += chunk
            wid, echo = buf.rstrip(b"\n").split(b" ", 1)
            assert echo == b"get key-%d-%d" % (i, rnd)
            owner.setdefault(i, set()).add(wid)
    for s in socks:
        s.close()
    d.join(10)

    for _ in range(200):                           # wait until workers saw every close
        if all(not w.conns for w in workers):
            break
        threading.Event().wait(0.02)
    for w in workers:
        w.stop = True
    for w in workers:
        w.join(5)
    lst.close()

    per_worker = [w.served_conns for w in workers]
    reqs = [w.requests for w in workers]
    print(f"{N_CLIENTS} connections, {N_WORKERS} workers, {REQS_PER_CLIENT} requests per connection")
    print(f"connections per worker (round robin): {per_worker}")
    print(f"requests per worker:                  {reqs}")
    sticky = all(len(v) == 1 for v in owner.values())
    print(f"each connection always served by the same worker thread: {sticky}")
    assert per_worker == [N_CLIENTS // N_WORKERS] * N_WORKERS
    assert reqs == [N_CLIENTS // N_WORKERS * REQS_PER_CLIENT] * N_WORKERS
    assert sticky and len(owner) == N_CLIENTS
    # round robin: client i (accepted i-th) lands on worker i % N
    assert all(owner[i] == {b"worker-%d" % (i % N_WORKERS)} for i in range(N_CLIENTS))
    print("OK")


if __name__ == "__main__":
    main()
