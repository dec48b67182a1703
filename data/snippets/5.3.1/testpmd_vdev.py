# caption: 真 dpdk-testpmd（Debian dpdk-dev 22.11）跑在两块 net_null 虚拟网卡上：EAL 参数与应用参数以 -- 分隔，解析转发统计、流（stream）分配，按转发线程的 CPU 时间比较 --burst=1 与 --burst=32
# exclusive: yes
# point: DPDK环境参数讲解
# timeout: 90
import glob, os, re, shutil, subprocess, time

PREFIX = "atlas531pmd"
TICK = os.sysconf("SC_CLK_TCK")

def worker_cpu(pid):
    """CPU seconds used so far by testpmd's forwarding thread (EAL names it rte-worker-1)."""
    for task in glob.glob(f"/proc/{pid}/task/*"):
        try:
            if open(f"{task}/comm").read().strip() == "rte-worker-1":
                fields = open(f"{task}/stat").read().rsplit(")", 1)[1].split()
                return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime
        except OSError:
            pass
    return 0.0

def testpmd(burst, queues, cpu_wanted=0.25):
    eal = ["dpdk-testpmd", "--no-huge", "-m", "512", "--no-pci", "--no-shconf", "--file-prefix", PREFIX,
           "-l", "0-1", "--log-level=*:warning", "--vdev=net_null0", "--vdev=net_null1"]
    app = ["--forward-mode=io", "-a", "--total-num-mbufs=8192", f"--burst={burst}",
           f"--rxq={queues}", f"--txq={queues}"]
    p = subprocess.Popen(eal + ["--"] + app, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 6  # let lcore 1 forward until it has used cpu_wanted of CPU (bounded)
    while worker_cpu(p.pid) < cpu_wanted and time.monotonic() < deadline:
        time.sleep(0.05)
    cpu = worker_cpu(p.pid)
    out, _ = p.communicate("\n", timeout=20)  # "Press enter to exit" -> stop, print stats
    assert p.returncode == 0, out[-500:]
    return out, cpu

def port_stats(out):
    # "Forward statistics for port N" blocks: RX-total and TX-total per port
    blocks = re.findall(r"Forward statistics for port (\d+).*?RX-total: (\d+).*?TX-total: (\d+)", out, re.S)
    return {int(p): (int(rx), int(tx)) for p, rx, tx in blocks}

try:
    out, _ = testpmd(32, 2, 0.1)
    streams = re.findall(r"RX P=(\d)/Q=(\d) .*?-> TX P=(\d)/Q=(\d)", out)
    print(re.search(r"io packet forwarding - .*streams=\d+", out).group(0))
    for s in streams:
        print("  stream: rx port %s queue %s -> tx port %s queue %s" % s)
    assert len(streams) == 4  # 2 ports x 2 rx queues, all on the one forwarding lcore (lcore 1)
    assert all(s[0] != s[2] and s[1] == s[3] for s in streams)  # io mode: port 0 <-> port 1, same queue id
    st = port_stats(out)
    for p, (rx, tx) in sorted(st.items()):
        print(f"  port {p}: RX-total {rx:>11,}  TX-total {tx:>11,}")
        assert rx > 0 and rx == tx  # io forwarding drops nothing on net_null
    best = {1: 0, 32: 0}  # packets per CPU-second of the forwarding thread: other jobs may share the CPU
    for _ in range(2):
        for b in (1, 32):
            out, cpu = testpmd(b, 1)
            assert cpu >= 0.1, "the forwarding thread hardly ran"
            best[b] = max(best[b], sum(v[0] for v in port_stats(out).values()) / cpu)
    print(f"packets per CPU-second of lcore 1: burst 1 -> {best[1] / 1e6:.0f} M, burst 32 -> {best[32] / 1e6:.0f} M"
          f" ({best[32] / best[1]:.1f}x)")
    assert best[32] > 1.2 * best[1]
finally:
    shutil.rmtree(f"/var/run/dpdk/{PREFIX}", ignore_errors=True)
