# caption: 两个 NAT 后的客户端经会合服务器交换公网映射后同时互发 UDP（打洞）：锥型对锥型、完全锥型对对称型成功，端口限制锥型对对称型、对称型对对称型失败；顺带读出 NAT 网关的 conntrack 表
# point: 网络穿透的3种情况
# timeout: 45
# needs: root
import ctypes
import os
import select
import socket
import subprocess
import time

TAG = f"hp{os.getpid()}"
NS = {k: f"{TAG}-{k}" for k in ("la", "na", "lb", "nb", "wan")}
SERVER = ("10.0.0.100", 3478)
libc = ctypes.CDLL(None, use_errno=True)
RULES = {  # postrouting (+ prerouting) statements of the NAT box, as in nat_detect.c
    "full": "oifname out0 masquerade; }; chain pre { type nat hook prerouting priority -100;"
            " iifname out0 udp dport 1024-65535 dnat to {lan};",
    "port-restricted": "oifname out0 masquerade;",
    "symmetric": "oifname out0 masquerade fully-random;",
}


def sh(cmd):
    subprocess.run(cmd, shell=True, check=True)


def in_ns(name, fn, *args):
    """run fn in a child process inside netns `name`; return its exit code"""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
            assert libc.setns(fd, 0x40000000) == 0          # CLONE_NEWNET
            code = fn(*args)
        finally:
            os._exit(code)
    return pid


def rendezvous():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(SERVER)
    seen = {}
    while len(seen) < 2 and select.select([s], [], [], 5)[0]:
        data, addr = s.recvfrom(64)
        seen[data] = addr                                    # the public (mapped) endpoint of that client
    for me, addr in seen.items():
        other = [a for k, a in seen.items() if k != me][0]
        s.sendto(f"{other[0]}:{other[1]}".encode(), addr)
    return 0


def client(name, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", port))                               # a fresh port per case: no stale NAT state
    s.settimeout(3)
    s.sendto(name.encode(), SERVER)
    ip, port = s.recv(64).decode().split(":")
    peer, got, deadline = (ip, int(port)), None, time.monotonic() + 2.5
    while time.monotonic() < deadline:                      # bounded: at most 50 rounds of 50 ms
        s.sendto(b"punch " + name.encode(), got or peer)     # answer to where the peer really came from
        if select.select([s], [], [], 0.05)[0]:
            data, addr = s.recvfrom(64)
            got = addr
    print(f"    {name}: peer advertised {peer[0]}:{peer[1]}, received from {got and '%s:%d' % got}", flush=True)
    return 0 if got else 3


def nat_box(ns, kind, lan):
    sh(f"ip netns exec {ns} nft 'flush ruleset; table ip box {{ chain input {{ type filter hook input priority 0;"
       f" policy drop; }}; chain post {{ type nat hook postrouting priority 100; "
       f"{RULES[kind].replace('{lan}', lan)} }}; }}'")


try:
    for ns in NS.values():
        sh(f"ip netns add {ns}; ip -n {ns} link set lo up")
    for side, net in (("a", 1), ("b", 2)):
        lan, nat, wan = NS["l" + side], NS["n" + side], NS["wan"]
        sh(f"ip -n {lan} link add eth0 type veth peer name in0 netns {nat};"
           f"ip -n {nat} link add out0 type veth peer name {side}0 netns {wan};"
           f"ip -n {lan} addr add 192.168.{net}.2/24 dev eth0; ip -n {lan} link set eth0 up;"
           f"ip -n {lan} route add default via 192.168.{net}.1;"
           f"ip -n {nat} addr add 192.168.{net}.1/24 dev in0; ip -n {nat} addr add 10.0.{net}.1/24 dev out0;"
           f"ip -n {nat} link set in0 up; ip -n {nat} link set out0 up;"
           f"ip -n {nat} route add default via 10.0.{net}.254; ip netns exec {nat} sysctl -qw net.ipv4.ip_forward=1;"
           f"ip -n {wan} addr add 10.0.{net}.254/24 dev {side}0; ip -n {wan} link set {side}0 up")
    sh(f"ip -n {NS['wan']} addr add {SERVER[0]}/32 dev lo; ip netns exec {NS['wan']} sysctl -qw net.ipv4.ip_forward=1")
    cases = [("port-restricted", "port-restricted", True), ("full", "symmetric", True),
             ("port-restricted", "symmetric", False), ("symmetric", "symmetric", False)]
    for i, (ka, kb, expect) in enumerate(cases):
        nat_box(NS["na"], ka, "192.168.1.2")
        nat_box(NS["nb"], kb, "192.168.2.2")
        srv = in_ns(NS["wan"], rendezvous)
        time.sleep(0.2)
        print(f"A behind {ka}, B behind {kb}:", flush=True)
        ca, cb = in_ns(NS["la"], client, "A", 5000 + i), in_ns(NS["lb"], client, "B", 6000 + i)
        ok = [os.waitpid(p, 0)[1] == 0 for p in (ca, cb)]
        os.waitpid(srv, 0)
        print(f"  => {'direct path punched' if all(ok) else 'no direct path: needs a relay (TURN)'}")
        assert all(ok) == expect, (ka, kb, ok)
        if i == 0:                                           # NAT table of gateway A after a success
            table = subprocess.run(["ip", "netns", "exec", NS["na"], "cat", "/proc/net/nf_conntrack"],
                                   capture_output=True, text=True).stdout
            for line in table.splitlines():
                if " udp " in line:
                    f = [w for w in line.split() if "=" in w][:8]
                    print("    conntrack: orig", " ".join(f[:4]), "| reply", " ".join(f[4:8]))
finally:
    for ns in NS.values():
        subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)
