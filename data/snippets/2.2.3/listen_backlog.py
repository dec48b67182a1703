# caption: listen(fd, 2) 且从不 accept：数一数有几个 connect 能完成握手，并从 /proc/net/tcp 读出全连接队列长度
# point: listen参数backlog
# timeout: 15
"""What listen()'s backlog really limits on Linux.

The backlog caps the accept queue: connections whose handshake is complete
but which the application has not accept()ed yet. For a LISTEN socket the
rx_queue column of /proc/net/tcp is the current accept-queue length.
"""
import socket
import sys

# include/net/tcp_states.h
STATES = {
    0x01: "ESTABLISHED", 0x02: "SYN_SENT", 0x03: "SYN_RECV",
    0x04: "FIN_WAIT1", 0x05: "FIN_WAIT2", 0x06: "TIME_WAIT",
    0x07: "CLOSE", 0x08: "CLOSE_WAIT", 0x09: "LAST_ACK",
    0x0A: "LISTEN", 0x0B: "CLOSING", 0x0C: "NEW_SYN_RECV",
}


def parse_addr(hex_addr):
    ip_hex, port_hex = hex_addr.split(":")
    # the IPv4 address is printed as a host-order (little-endian here) u32
    ip = socket.inet_ntoa(int(ip_hex, 16).to_bytes(4, sys.byteorder))
    return ip, int(port_hex, 16)


def tcp_table():
    rows = []
    with open("/proc/net/tcp") as f:
        next(f)  # header line
        for line in f:
            cols = line.split()
            local, remote = parse_addr(cols[1]), parse_addr(cols[2])
            tx, rx = (int(x, 16) for x in cols[4].split(":"))
            rows.append((local, remote, STATES[int(cols[3], 16)], rx))
    return rows


def state_of(local, remote):
    for l, r, st, _ in tcp_table():
        if l == local and r == remote:
            return st
    return None


print("listen(2) and a server that never calls accept()")
BACKLOG = 2
lsock = socket.socket()
lsock.bind(("127.0.0.1", 0))
lsock.listen(BACKLOG)
srv_addr = lsock.getsockname()
clients, completed = [], 0
for i in range(6):
    c = socket.socket()
    c.settimeout(0.3)       # a dropped SYN is retried only after 1 s
    try:
        c.connect(srv_addr)
        completed += 1
        result = "connected"
    except (socket.timeout, OSError):
        st = state_of(c.getsockname(), srv_addr)
        assert st == "SYN_SENT", st
        result = f"SYN dropped (queue full), client still {st}"
    clients.append(c)
    print(f"  connect #{i + 1}: {result}")
queued = [rx for l, r, st, rx in tcp_table() if l == srv_addr and st == "LISTEN"][0]
print(f"  completed handshakes = {completed}, accept queue length = {queued}")
# Linux lets the accept queue hold backlog+1 entries (sk_acceptq_is_full uses >)
assert completed == queued == BACKLOG + 1
for c in clients:
    c.close()
lsock.close()
print("backlog check passed")
