# caption: 一个 Pod 一个 IP：pause 式进程只负责持有网络/UTS/IPC 命名空间，CNI 式步骤给它接上网桥和 IP，业务容器用 nsenter 加入；同 Pod 容器走 localhost，Pod 之间无 NAT 直连，容器重启 IP 不变，再用 nftables DNAT 模拟 kube-proxy 的 Service
# point: 网络核心原理单pod单ip,pod和网络容器
# timeout: 60
# needs: root
import json, os, subprocess, sys, time

NODE = f"k{os.getpid() % 100000}node"
SERVER = """import socket, sys
s = socket.create_server(("0.0.0.0", 8080)); print("ready", flush=True)
while True:
    c, peer = s.accept(); c.sendall(f"{socket.gethostname()} saw {peer[0]}".encode()); c.close()"""
CLIENT = """import socket, sys
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5); print(c.recv(100).decode())"""
def sh(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip()
procs = []
def start(cmd):
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    procs.append(p)
    return p
def pause_pod(name, ip, idx):                        # what the kubelet + CNI plugin do for a new pod
    pause = start(["unshare", "--net", "--uts", "--ipc", "sleep", "120"])
    for _ in range(100):                             # wait until the sandbox namespaces exist
        if os.readlink(f"/proc/{pause.pid}/ns/net") != os.readlink("/proc/self/ns/net"):
            break
        time.sleep(0.02)
    pid = str(pause.pid)
    sh("nsenter", "-t", pid, "-u", sys.executable, "-c", f"import socket; socket.sethostname('{name}')")
    sh("ip", "-n", NODE, "link", "add", f"veth{idx}", "type", "veth", "peer", "name", "eth0", "netns", pid)
    sh("ip", "-n", NODE, "link", "set", f"veth{idx}", "master", "cni0", "up")
    for args in (["addr", "add", f"{ip}/24", "dev", "eth0"], ["link", "set", "eth0", "up"], ["link", "set", "lo", "up"],
                 ["route", "add", "default", "via", "10.244.1.1"]):
        sh("nsenter", "-t", pid, "-n", "ip", *args)
    return pid
def container(pid, code, *args):                     # a container joins the pod's namespaces
    return ["nsenter", "-t", pid, "-n", "-u", "-i", sys.executable, "-c", code, *args]
def run_server(pid):
    p = start(container(pid, SERVER))
    assert p.stdout.readline().strip() == "ready"
    return p
def pod_ip(pid):
    addrs = json.loads(sh("nsenter", "-t", pid, "-n", "ip", "-j", "-4", "addr", "show", "eth0"))
    return addrs[0]["addr_info"][0]["local"]

try:
    sh("ip", "netns", "add", NODE)
    for cmd in (["link", "add", "cni0", "type", "bridge"], ["addr", "add", "10.244.1.1/24", "dev", "cni0"],
                ["link", "set", "cni0", "up"], ["link", "set", "lo", "up"], ["route", "add", "10.96.0.0/12", "dev", "cni0"]):
        sh("ip", "-n", NODE, *cmd)
    a, b = pause_pod("pod-a", "10.244.1.2", 1), pause_pod("pod-b", "10.244.1.3", 2)
    web_a, web_b = run_server(a), run_server(b)
    r1 = sh(*container(a, CLIENT, "127.0.0.1", "8080"))          # sidecar in the same pod
    r2 = sh(*container(b, CLIENT, "10.244.1.2", "8080"))         # pod b -> pod a
    print("sidecar in pod-a -> localhost:8080 :", r1)
    print("pod-b -> 10.244.1.2:8080            :", r2)
    assert r1 == "pod-a saw 127.0.0.1" and r2 == "pod-a saw 10.244.1.3"   # shared localhost; no NAT between pods
    ip_before = pod_ip(a)
    web_a.kill(); web_a.wait()                                    # the container crashes and restarts
    web_a = run_server(a)
    r3 = sh(*container(b, CLIENT, "10.244.1.2", "8080"))
    print(f"after restarting pod-a's container: ip {ip_before} -> {pod_ip(a)}, reply {r3!r}")
    assert pod_ip(a) == ip_before and r3 == r2
    rules = """table ip kubeproxy {
  chain out {
    type nat hook output priority -100;
    ip daddr 10.96.0.10 tcp dport 80 dnat to numgen inc mod 2 map { 0 : 10.244.1.2, 1 : 10.244.1.3 } : 8080
  }
}"""
    subprocess.run(["ip", "netns", "exec", NODE, "nft", "-f", "-"], input=rules, text=True, check=True)
    seen = [sh("ip", "netns", "exec", NODE, sys.executable, "-c", CLIENT, "10.96.0.10", "80").split()[0] for _ in range(4)]
    print("node -> Service 10.96.0.10:80, 4 connections:", seen)
    assert sorted(seen) == ["pod-a", "pod-a", "pod-b", "pod-b"]
finally:
    for p in procs:
        p.kill()
        p.wait()
    subprocess.run(["ip", "netns", "del", NODE], stderr=subprocess.DEVNULL)   # takes cni0, veths and nft rules along
print("OK: the pod's IP lives in the pause process's namespace; containers come and go, the IP stays")
