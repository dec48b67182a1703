# caption: 在真实的回环连接上读 /proc/net/tcp，依次看到 LISTEN、ESTABLISHED、FIN_WAIT2/CLOSE_WAIT、TIME_WAIT
# point: 11个状态迁移
# timeout: 15
"""Watch a real TCP connection walk through its states.

Linux exposes every IPv4 TCP socket in /proc/net/tcp; the 'st' column is the
state number from include/net/tcp_states.h. We open a loopback connection,
close it step by step and check the state the kernel reports at each step.
"""
import socket
import sys
import time

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


def wait_state(local, remote, want, limit=2.0):
    """Poll (bounded) until the socket reaches `want`; return what we saw."""
    deadline = time.monotonic() + limit
    st = state_of(local, remote)
    while st != want and time.monotonic() < deadline:
        time.sleep(0.01)
        st = state_of(local, remote)
    return st


def show(who, st):
    print(f"  {who:<28} {st}")


print("one connection, closed by the client (the active closer)")
lsock = socket.socket()
lsock.bind(("127.0.0.1", 0))
lsock.listen(8)
srv_addr = lsock.getsockname()
st = wait_state(srv_addr, ("0.0.0.0", 0), "LISTEN")
show(f"listener {srv_addr[1]}", st)
assert st == "LISTEN"

cli = socket.create_connection(srv_addr)
conn, _ = lsock.accept()
cli_addr = cli.getsockname()
st_c = wait_state(cli_addr, srv_addr, "ESTABLISHED")
st_s = wait_state(srv_addr, cli_addr, "ESTABLISHED")
show("client after handshake", st_c)
show("server after accept", st_s)
assert st_c == st_s == "ESTABLISHED"

cli.close()          # client sends FIN; server's kernel ACKs it at once
st_c = wait_state(cli_addr, srv_addr, "FIN_WAIT2")
st_s = wait_state(srv_addr, cli_addr, "CLOSE_WAIT")
show("client after close()", st_c)
show("server, app not closed yet", st_s)
assert st_c == "FIN_WAIT2" and st_s == "CLOSE_WAIT"
assert conn.recv(100) == b""   # the app sees EOF: its cue to close()

conn.close()         # server sends its FIN -> LAST_ACK -> gone when ACKed
st_c = wait_state(cli_addr, srv_addr, "TIME_WAIT")
st_s = wait_state(srv_addr, cli_addr, None)
show("client after peer's FIN", st_c)
show("server after its close()", st_s or "gone (LAST_ACK -> CLOSED)")
assert st_c == "TIME_WAIT"     # only the active closer waits 2*MSL (60 s)
assert st_s is None            # passive closer is fully gone
lsock.close()

print("all state checks passed")
