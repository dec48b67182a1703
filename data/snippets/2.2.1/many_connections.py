# caption: 在本机开几千个并发回环连接：读取并提升 RLIMIT_NOFILE，报告 file-max、nr_open 与本地端口范围，单线程 epoll 完成全部回显并逐个校验
# point: ulimit的fd的百万级别支持
# timeout: 60
import errno
import resource
import select
import socket
import struct
import time

TARGET = 5000          # connections; each costs 2 fds here (client end + server end)


def read_proc(path):
    try:
        with open(path) as f:
            return f.read().split()
    except OSError:
        return None


def main():
    file_max = read_proc("/proc/sys/fs/file-max")
    nr_open = read_proc("/proc/sys/fs/nr_open")
    port_range = read_proc("/proc/sys/net/ipv4/ip_local_port_range")
    print(f"fs.file-max = {file_max[0] if file_max else '?'}   (system-wide open files)")
    print(f"fs.nr_open  = {nr_open[0] if nr_open else '?'}   (ceiling for RLIMIT_NOFILE)")
    if port_range:
        lo, hi = map(int, port_range)
        print(f"ip_local_port_range = {lo} {hi} -> {hi - lo + 1} ephemeral ports per "
              f"(src IP, dst IP, dst port)")

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 2 * TARGET + 64
    new_soft = want if hard == resource.RLIM_INFINITY else min(max(soft, want), hard)
    if new_soft > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (new_soft, hard))
    soft2, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    n = min(TARGET, (soft2 - 64) // 2)
    if port_range:
        n = min(n, hi - lo + 1 - 100)     # never exhaust the ephemeral ports
    print(f"RLIMIT_NOFILE soft {soft} -> {soft2} (hard {hard}); running {n} connections")
    assert n >= 100, "fd limit too low to demonstrate anything"

    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(4096)              # capped by net.core.somaxconn
    lst.setblocking(False)
    addr = lst.getsockname()

    ep = select.epoll()
    ep.register(lst.fileno(), select.EPOLLIN)
    clients = {}                  # fd -> [sock, id, state, received]
    servers = {}                  # fd -> [sock, pending_out]
    next_id = 0
    connected = echoed = 0
    t0 = time.monotonic()
    deadline = t0 + 45

    def start_client():
        nonlocal next_id
        c = socket.socket()
        c.setblocking(False)
        err = c.connect_ex(addr)          # non-blocking connect
        assert err in (0, errno.EINPROGRESS), err
        clients[c.fileno()] = [c, next_id, "connecting", b""]
        ep.register(c.fileno(), select.EPOLLOUT)
        next_id += 1

    while echoed < n and time.monotonic() < deadline:
        # keep at most 500 handshakes in flight so the accept queue never overflows
        while next_id < n and next_id - connected < 500:
            start_client()
        for fd, ev in ep.poll(1.0):
            if fd == lst.fileno():
                for _ in range(256):
                    try:
                        s, _ = lst.accept()
                    except BlockingIOError:
                        break
                    s.setblocking(False)
                    servers[s.fileno()] = [s, b""]
                    ep.register(s.fileno(), select.EPOLLIN)
            elif fd in servers:                     # server side: echo 4 bytes back
                s = servers[fd][0]
                data = s.recv(64)
                if data:
                    s.send(data)                    # 4 bytes always fit an empty send buffer
            else:                                   # client side
                rec = clients[fd]
                c = rec[0]
                if rec[2] == "connecting":
                    assert c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0
                    connected += 1
                    c.send(struct.pack("!I", rec[1]))
                    rec[2] = "waiting"
                    ep.modify(fd, select.EPOLLIN)
                else:
                    rec[3] += c.recv(64)
                    if len(rec[3]) == 4:
                        assert struct.unpack("!I", rec[3])[0] == rec[1], "echo mismatch"
                        rec[2] = "done"
                        echoed += 1
                        ep.unregister(fd)           # keep the connection open, stop watching
    elapsed = time.monotonic() - t0

    open_fds = len(clients) + len(servers)
    print(f"established {connected}, echoed and verified {echoed}; "
          f"{open_fds} sockets open at once")
    print(f"(took {elapsed:.1f}s on this machine)")
    assert connected == n and echoed == n and len(servers) == n
    assert all(r[2] == "done" for r in clients.values())
    # every client used its own ephemeral port towards the same destination
    ports = {r[0].getsockname()[1] for r in clients.values()}
    assert len(ports) == n
    print(f"{len(ports)} distinct local ports used towards the one listening address")

    for r in clients.values():
        r[0].close()
    for r in servers.values():
        r[0].close()
    ep.close()
    lst.close()
    print("OK")


if __name__ == "__main__":
    main()
