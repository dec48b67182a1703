# caption: 多进程共享一个监听 socket 时的 epoll 惊群：普通注册每个新连接唤醒全部 4 个进程，EPOLLEXCLUSIVE 只唤醒一个（且总是同一个），SO_REUSEPORT 让内核把连接分给各进程
# point: 多进程reactor的坑点,惊群,共享内存
# timeout: 30
import json
import os
import select
import socket
import time

N_PROC = 4
K_CONN = 20


def child_herd(lst, flags, ready_w, stop_r, result_w):
    """Wait on the shared listener; never accept, just count wakeups."""
    ep = select.epoll()                      # created AFTER fork: one epoll per process
    ep.register(lst.fileno(), flags)
    ep.register(stop_r, select.EPOLLIN)
    os.write(ready_w, b"r")
    wakeups = 0
    for _ in range(10000):
        events = ep.poll(5.0)
        if any(fd == stop_r for fd, _ in events):
            break
        wakeups += sum(1 for fd, _ in events if fd == lst.fileno())
    os.write(result_w, json.dumps({"pid": os.getpid(), "wakeups": wakeups}).encode() + b"\n")


def child_reuseport(port, ready_w, stop_r, result_w):
    """Own listening socket on the same port; accept what the kernel gives us."""
    lst = socket.socket()
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    lst.bind(("127.0.0.1", port))
    lst.listen(128)
    lst.setblocking(False)
    ep = select.epoll()
    ep.register(lst.fileno(), select.EPOLLIN)
    ep.register(stop_r, select.EPOLLIN)
    os.write(ready_w, b"r")
    wakeups = accepted = 0
    for _ in range(10000):
        events = ep.poll(5.0)
        if any(fd == stop_r for fd, _ in events):
            break
        for fd, _ in events:
            if fd == lst.fileno():
                wakeups += 1
                while True:
                    try:
                        c, _ = lst.accept()
                    except BlockingIOError:
                        break
                    accepted += 1
                    c.close()
    os.write(result_w, json.dumps({"pid": os.getpid(), "wakeups": wakeups,
                                   "accepted": accepted}).encode() + b"\n")


def run(mode):
    ready_r, ready_w = os.pipe()
    result_r, result_w = os.pipe()
    stops = []
    shared = None
    if mode == "reuseport":
        probe = socket.socket()                 # find a free port, then release it
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    else:
        shared = socket.socket()
        shared.bind(("127.0.0.1", 0))
        shared.listen(128)
        shared.setblocking(False)
        port = shared.getsockname()[1]
    pids = []
    for _ in range(N_PROC):
        stop_r, stop_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                if mode == "reuseport":
                    child_reuseport(port, ready_w, stop_r, result_w)
                else:
                    flags = select.EPOLLIN | select.EPOLLET
                    if mode == "exclusive":
                        flags |= select.EPOLLEXCLUSIVE
                    child_herd(shared, flags, ready_w, stop_r, result_w)
            finally:
                os._exit(0)
        os.close(stop_r)
        stops.append(stop_w)
        pids.append(pid)
    for _ in range(N_PROC):
        os.read(ready_r, 1)
    if mode == "reuseport":
        probe.close()
    time.sleep(0.2)                             # let every child block in epoll_wait
    clients = []
    n = K_CONN * 2 if mode == "reuseport" else K_CONN
    for _ in range(n):
        clients.append(socket.create_connection(("127.0.0.1", port)))
        time.sleep(0.03)                        # one connection at a time
    time.sleep(0.2)
    for w in stops:
        os.write(w, b"s")
    for pid in pids:
        os.waitpid(pid, 0)
    os.close(result_w)
    raw = b""
    while True:
        chunk = os.read(result_r, 65536)
        if not chunk:
            break
        raw += chunk
    for c in clients:
        c.close()
    if shared:
        shared.close()
    for fd in (ready_r, ready_w, result_r, *stops):
        os.close(fd)
    return n, [json.loads(line) for line in raw.splitlines()]


def main():
    n, res = run("shared")
    herd = sum(r["wakeups"] for r in res)
    print(f"shared listener, plain EPOLLIN|EPOLLET : {n} connections -> {herd} wakeups "
          f"(per process {sorted(r['wakeups'] for r in res)})")
    n2, res2 = run("exclusive")
    excl = sum(r["wakeups"] for r in res2)
    busy = sorted((r["wakeups"] for r in res2), reverse=True)
    print(f"shared listener, + EPOLLEXCLUSIVE       : {n2} connections -> {excl} wakeups "
          f"(per process {busy})")
    n3, res3 = run("reuseport")
    acc = [r["accepted"] for r in res3]
    print(f"SO_REUSEPORT, one listener per process  : {n3} connections -> accepted "
          f"{sum(acc)}, every process got some: {all(a > 0 for a in acc)}")

    assert len(res) == len(res2) == len(res3) == N_PROC
    assert herd >= 2 * n, "without EPOLLEXCLUSIVE every waiter is woken (ideally N x K)"
    assert n2 <= excl <= n2 + n2 // 4, "EPOLLEXCLUSIVE wakes one waiter per event"
    assert busy[0] >= n2 // 2, "the first exclusive waiter in the queue gets most events"
    assert sum(acc) == n3 and all(a > 0 for a in acc), "reuseport spreads connections by hash"
    print("OK")


if __name__ == "__main__":
    main()
