# caption: 同一组回环 TCP 连接上，select、poll、epoll 报告的可读集合完全一致；并演示 select 的 FD_SETSIZE 上限
# point: 多路复用select/poll
# timeout: 15
import os
import resource
import select
import socket

N_CONN = 8
READY = {1, 3, 4, 6}  # connections whose peer will send data


def make_pairs(n):
    """Return n connected (client, server) TCP socket pairs on 127.0.0.1."""
    lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lst.bind(("127.0.0.1", 0))  # port chosen by the OS
    lst.listen(n)
    pairs = []
    for _ in range(n):
        c = socket.create_connection(lst.getsockname())
        s, _ = lst.accept()
        pairs.append((c, s))
    lst.close()
    return pairs


def with_select(servers):
    r, _, _ = select.select(servers, [], [], 1.0)
    return {servers.index(s) for s in r}


def with_poll(servers):
    p = select.poll()
    by_fd = {}
    for i, s in enumerate(servers):
        p.register(s.fileno(), select.POLLIN)
        by_fd[s.fileno()] = i
    return {by_fd[fd] for fd, ev in p.poll(1000) if ev & select.POLLIN}


def with_epoll(servers):
    ep = select.epoll()
    by_fd = {}
    for i, s in enumerate(servers):
        ep.register(s.fileno(), select.EPOLLIN)  # level-triggered by default
        by_fd[s.fileno()] = i
    got = {by_fd[fd] for fd, ev in ep.poll(1.0) if ev & select.EPOLLIN}
    ep.close()
    return got


def main():
    pairs = make_pairs(N_CONN)
    servers = [s for _, s in pairs]
    print(f"{N_CONN} loopback connections; peers of {sorted(READY)} send one message each")

    for i in sorted(READY):
        pairs[i][0].sendall(b"ping %d" % i)

    # nothing is read in between, so all three must see the same ready set
    a, b, c = with_select(servers), with_poll(servers), with_epoll(servers)
    print(f"select ready: {sorted(a)}")
    print(f"poll   ready: {sorted(b)}")
    print(f"epoll  ready: {sorted(c)}")
    assert a == b == c == READY

    # the three APIs differ in cost, not in answer: select/poll copy the whole
    # interest set into the kernel on every call and scan it; epoll keeps the
    # interest set in the kernel and returns only the ready entries.
    for i in READY:
        assert servers[i].recv(100) == b"ping %d" % i
    p = select.poll()
    for s in servers:
        p.register(s.fileno(), select.POLLIN)
    assert p.poll(0) == [], "all data consumed, nothing should be readable"
    print("after reading: poll(0) returns [] -> level triggered, nothing pending")

    # FD_SETSIZE: select() uses a fixed bitmap of 1024 bits.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    big = 1500
    if soft <= big and hard > big:
        resource.setrlimit(resource.RLIMIT_NOFILE, (big + 100, hard))
        soft = big + 100
    if soft > big:
        os.dup2(servers[0].fileno(), big)
        try:
            select.select([big], [], [], 0)
            raised = False
        except ValueError as e:
            raised = True
            print(f"select() on fd {big}: ValueError: {e}")
        assert raised, "select must refuse fds >= FD_SETSIZE (1024)"
        p = select.poll()
        p.register(big, select.POLLIN)
        pairs[0][0].sendall(b"x")
        ev = p.poll(1000)
        assert ev and ev[0][0] == big
        print(f"poll() on fd {big}: {ev} -> poll has no FD_SETSIZE limit")
        os.close(big)
    else:
        print(f"RLIMIT_NOFILE {soft} too low to show the FD_SETSIZE limit; skipped")

    for c_, s_ in pairs:
        c_.close()
        s_.close()
    print("OK")


if __name__ == "__main__":
    main()
