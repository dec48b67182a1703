# caption: 两台“主机”（网络命名空间）各有网桥和一个容器（veth 一端进容器的命名空间），主机之间用 VXLAN 隧道把两个网桥连成一个二层网段，跨主机容器互 ping；这台内核没有 GRE，ip link add type gre 会失败
# point: 网络管理与GRE实现跨网络通信
# timeout: 40
# needs: root
import json, os, subprocess, sys

tag = f"a{os.getpid() % 100000}"
H1, H2, C1, C2 = (f"{tag}{n}" for n in ("h1", "h2", "c1", "c2"))
def ip(*args, ns=None, check=True):
    cmd = ["ip"] + (["-n", ns] if ns else []) + list(args)
    return subprocess.run(cmd, check=check, capture_output=True, text=True)
def tx_packets(ns, dev):
    return json.loads(ip("-s", "-j", "link", "show", dev, ns=ns).stdout)[0]["stats64"]["tx"]["packets"]

SERVER = """import socket
s = socket.create_server(("10.244.0.3", 7000)); s.settimeout(10); print("listening", flush=True)
c, _ = s.accept(); c.sendall(b"echo: " + c.recv(100)); c.close()"""
CLIENT = """import socket
c = socket.create_connection(("10.244.0.3", 7000), timeout=10); c.sendall(b"hello over vxlan"); print(c.recv(100).decode())"""

try:
    for ns in (H1, H2, C1, C2):
        subprocess.run(["ip", "netns", "add", ns], check=True)
    ip("link", "add", "u1", "netns", H1, "type", "veth", "peer", "name", "u2", "netns", H2)   # the "physical" wire
    for h, c, me, peer, cip in ((H1, C1, "10.99.0.1", "10.99.0.2", "10.244.0.2"),
                                (H2, C2, "10.99.0.2", "10.99.0.1", "10.244.0.3")):
        up = "u1" if h == H1 else "u2"
        ip("addr", "add", f"{me}/24", "dev", up, ns=h)
        ip("link", "set", up, "up", ns=h)
        ip("link", "set", "lo", "up", ns=h)
        ip("link", "add", "br0", "type", "bridge", ns=h)                 # docker0-like bridge
        ip("link", "add", "vx0", "type", "vxlan", "id", "42", "remote", peer, "local", me,
           "dstport", "4789", "dev", up, ns=h)                            # VNI 42 over UDP 4789
        ip("link", "add", "veth0", "type", "veth", "peer", "name", "eth0", "netns", c, ns=h)
        for dev in ("vx0", "veth0"):
            ip("link", "set", dev, "master", "br0", ns=h)
            ip("link", "set", dev, "up", ns=h)
        ip("link", "set", "br0", "up", ns=h)
        ip("addr", "add", f"{cip}/24", "dev", "eth0", ns=c)               # one IP per container
        ip("link", "set", "eth0", "up", ns=c)
        ip("link", "set", "lo", "up", ns=c)
    mtu = json.loads(ip("-j", "link", "show", "vx0", ns=H1).stdout)[0]["mtu"]
    before = tx_packets(H1, "vx0")
    server = subprocess.Popen(["ip", "netns", "exec", C2, sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True)
    assert server.stdout.readline().strip() == "listening"
    reply = subprocess.run(["ip", "netns", "exec", C1, sys.executable, "-c", CLIENT],
                           capture_output=True, text=True, timeout=15).stdout.strip()
    server.wait(timeout=10)
    sent = tx_packets(H1, "vx0") - before
    print(f"container {C1} 10.244.0.2 -> {C2} 10.244.0.3: {reply!r}; vx0 on host 1 sent {sent} packets, mtu {mtu}")
    assert reply == "echo: hello over vxlan" and sent >= 3
    assert mtu == 1450                          # 1500 minus 50 bytes of outer Ethernet+IP+UDP+VXLAN headers
    gre = ip("link", "add", "gre1", "type", "gre", "remote", "10.99.0.2", "local", "10.99.0.1", ns=H1, check=False)
    print("ip link add gre1 type gre ... ->", gre.returncode, gre.stderr.strip().splitlines()[-1][:70])
    assert gre.returncode != 0                  # no GRE in this kernel, and modules cannot be loaded
finally:
    for ns in (C1, C2, H1, H2):                 # deleting a namespace removes its veths, bridge and vxlan
        subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)
print("OK: bridge + veth per container, VXLAN joins two hosts' bridges into one L2 segment")
