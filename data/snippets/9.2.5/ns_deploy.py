# caption: 不用 Docker 手工“docker run -p”：msg_server 跑在自己的 pid/uts/mount/网络命名空间里（容器内 pid 1），veth 接到“宿主”命名空间，nftables DNAT 把宿主 18000 端口发布给外部用户
# point: docker制作与部署
# timeout: 40
# needs: root
import os
import subprocess
import sys
import time

tag = str(os.getpid() % 100000)
HOST, CTR, USER = f"imh{tag}", f"imc{tag}", f"imu{tag}"    # three network namespaces made here
SERVER = r'''
import os, socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 8000))
s.listen(8)
sys.stdout.write("ready\n"); sys.stdout.flush()
for _ in range(2):
    c, peer = s.accept()
    c.sendall(f"{socket.gethostname()} pid={os.getpid()} peer={peer[0]}".encode())
    c.close()
'''
CLIENT = r'''
import socket, sys
try:
    c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
    print(c.recv(200).decode())
except OSError as e:
    print("error:", e.strerror)
'''


def sh(*cmds):
    for cmd in cmds:
        r = subprocess.run(cmd, shell=True, capture_output=True, text=True)
        assert r.returncode == 0, f"{cmd}: {r.stderr}"


def client(ns, ip, port):
    return subprocess.run(["ip", "netns", "exec", ns, sys.executable, "-c", CLIENT, ip, str(port)],
                          capture_output=True, text=True, timeout=10).stdout.strip()


server = None
try:
    sh(f"ip netns add {HOST}", f"ip netns add {CTR}", f"ip netns add {USER}")
    # user <-> host on 10.250.1.0/24, host <-> container on 10.250.2.0/24 (docker0 would be a bridge here)
    sh(f"ip link add uh{tag} netns {USER} type veth peer name hu{tag} netns {HOST}",
       f"ip link add hc{tag} netns {HOST} type veth peer name ch{tag} netns {CTR}")
    for ns, dev, addr in ((USER, f"uh{tag}", "10.250.1.2/24"), (HOST, f"hu{tag}", "10.250.1.1/24"),
                          (HOST, f"hc{tag}", "10.250.2.1/24"), (CTR, f"ch{tag}", "10.250.2.2/24")):
        sh(f"ip -n {ns} addr add {addr} dev {dev}", f"ip -n {ns} link set {dev} up", f"ip -n {ns} link set lo up")
    sh(f"ip -n {CTR} route add default via 10.250.2.1",
       f"ip netns exec {HOST} sysctl -qw net.ipv4.ip_forward=1")
    # "-p 18000:8000": destination NAT in the host namespace, like Docker's DOCKER chain
    sh(f"ip netns exec {HOST} nft add table ip nat",
       f"ip netns exec {HOST} nft 'add chain ip nat prerouting {{ type nat hook prerouting priority -100; }}'",
       f"ip netns exec {HOST} nft add rule ip nat prerouting tcp dport 18000 dnat to 10.250.2.2:8000")
    with open("server.py", "w") as f:
        f.write(SERVER)
    # the container: its own pid, uts and mount namespaces inside its network namespace
    server = subprocess.Popen(["ip", "netns", "exec", CTR, "unshare", "--pid", "--fork", "--mount-proc", "--uts",
                               "--mount", "sh", "-c", f"hostname im-msg-server && exec {sys.executable} server.py"],
                              stdout=subprocess.PIPE, text=True)
    assert server.stdout.readline().strip() == "ready"
    assert os.uname().nodename != "im-msg-server"   # the container's hostname stays in its UTS namespace

    inside = client(HOST, "10.250.2.2", 8000)
    print("host -> container 10.250.2.2:8000  :", inside)
    published = client(USER, "10.250.1.1", 18000)
    print("user -> host 10.250.1.1:18000 (DNAT):", published)
    direct = client(USER, "10.250.2.2", 8000)
    print("user -> container address directly  :", direct)
    assert inside.startswith("im-msg-server pid=1 ") and published.startswith("im-msg-server pid=1 ")
    assert published.endswith("peer=10.250.1.2")     # DNAT keeps the caller's address
    assert direct.startswith("error")                 # the container network is private to the host
    assert server.wait(timeout=10) == 0
    server = None
finally:
    if server:
        server.kill()
        server.wait()
    for ns in (USER, CTR, HOST):                      # deleting a namespace deletes its veth ends
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)
    if os.path.exists("server.py"):
        os.unlink("server.py")
left = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
assert tag not in left
print("namespaces, veths and NAT rules removed")
