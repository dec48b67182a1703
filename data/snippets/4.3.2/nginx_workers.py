# caption: 真实 Nginx 的 master/worker：从 /proc 读出 master 与 4 个 worker 进程，对照各进程持有的监听套接字 inode；reuseport 关时所有 worker 共用一个监听套接字，开时每个 worker 一个，再用 200 个新连接看 $pid 是哪些 worker 接的
# point: 如何解决"惊群"问题
# timeout: 60
# needs: nginx
import collections
import os
import signal
import socket
import subprocess
import time

NGINX = os.environ.get("ATLAS_NGINX", "nginx")
WORKERS = 4
N = 200


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_conf(port, reuseport, mutex):
    os.makedirs("tmp", exist_ok=True)
    temps = "".join(f"    {k}_temp_path tmp/{k};\n" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    with open("nginx.conf", "w") as f:
        f.write(f"""worker_processes {WORKERS};
pid nginx.pid;
error_log error.log notice;
events {{ worker_connections 256; accept_mutex {'on' if mutex else 'off'}; }}
http {{
    access_log off;
{temps}    server {{
        listen 127.0.0.1:{port}{' reuseport' if reuseport else ''};
        location / {{ return 200 "$pid\\n"; }}
    }}
}}
""")


def children(ppid):
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == ppid:                  # field 4 of stat: the parent pid
                    out.append(int(d))
            except OSError:
                pass
    return sorted(out)


def cmdline(pid):
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return f.read().replace(b"\0", b" ").decode().strip()


def listen_inodes(port):
    """Inodes of LISTEN sockets (state 0A) on the port, from /proc/net/tcp."""
    inodes = set()
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            p = line.split()
            if p[3] == "0A" and int(p[1].split(":")[1], 16) == port:
                inodes.add(p[9])
    return inodes


def socket_inodes(pid):
    out = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            out.add(target[8:-1])
    return out


def polled(pid):
    """Socket inodes registered in the process's epoll instances, from /proc/PID/fdinfo (tfd = target fd)."""
    out = {}
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") != "anon_inode:[eventpoll]":
                continue
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                for line in f:
                    if line.startswith("tfd:"):
                        p = line.split()
                        target = os.readlink(f"/proc/{pid}/fd/{p[1]}")
                        if target.startswith("socket:["):
                            out[target[8:-1]] = int(p[3], 16)
        except OSError:
            continue
    return out


def get(port):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := s.recv(4096):
            data += chunk
    assert data.startswith(b"HTTP/1.1 200"), data[:80]
    return int(data.split(b"\r\n\r\n", 1)[1])


def run(reuseport, mutex=False):
    port = free_port()
    write_conf(port, reuseport, mutex)
    proc = subprocess.Popen([NGINX, "-p", os.getcwd(), "-c", os.path.abspath("nginx.conf"), "-g", "daemon off;"],
                            stderr=subprocess.PIPE)
    try:
        workers = []
        for _ in range(100):                                # wait for 4 workers and a listening port
            workers = children(proc.pid)
            if len(workers) == WORKERS and listen_inodes(port):
                break
            time.sleep(0.05)
        assert len(workers) == WORKERS, workers
        time.sleep(0.3)                                     # let the workers settle in epoll_wait
        print(f"\nreuseport {'on' if reuseport else 'off'}, accept_mutex {'on' if mutex else 'off'}: master {proc.pid} '{cmdline(proc.pid)}'")
        print(f"  workers {workers} '{cmdline(workers[0])}'")
        listeners = listen_inodes(port)
        held = {w: socket_inodes(w) & listeners for w in workers}
        polls = {w: {i: ev for i, ev in polled(w).items() if i in listeners} for w in workers}
        print(f"  LISTEN sockets on :{port}: {len(listeners)}; master holds {len(socket_inodes(proc.pid) & listeners)}")
        for w in workers:
            print(f"    worker {w}: holds {len(held[w])}, its epoll watches "
                  + (", ".join(f"inode {i} events {ev:#x}" for i, ev in sorted(polls[w].items()))
                     or "no listening socket"))
        served = collections.Counter(get(port) for _ in range(N))
        print(f"  {N} new connections accepted by: " + ", ".join(f"{p}: {n}" for p, n in sorted(served.items())))
        assert set(served) <= set(workers) and sum(served.values()) == N   # only workers accept, never the master
        return listeners, held, polls, served
    finally:
        proc.send_signal(signal.SIGQUIT)                    # graceful shutdown
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stderr.close()


EPOLLEXCLUSIVE = 1 << 28
listeners, held, polls, served = run(reuseport=False)
assert len(listeners) == 1                                  # one socket, inherited through fork()
assert all(h == listeners and set(polls[w]) == listeners for w, h in held.items())   # one shared queue
# accept_mutex is off by default (1.11.3+): nginx registers the socket with EPOLLEXCLUSIVE instead
assert all(ev & EPOLLEXCLUSIVE for p in polls.values() for ev in p.values())
listeners, held, polls, served = run(reuseport=False, mutex=True)
watching = [w for w, p in polls.items() if p]
assert 1 <= len(watching) < WORKERS                         # only the mutex holder(s) register the socket
assert all(ev & EPOLLEXCLUSIVE == 0 for p in polls.values() for ev in p.values())
listeners, held, polls, served = run(reuseport=True)
assert len(listeners) == WORKERS                            # SO_REUSEPORT: one socket per worker
assert all(h == listeners for h in held.values())           # every worker inherits all four fds ...
assert all(len(p) == 1 for p in polls.values())             # ... but polls only its own
assert len(set().union(*polls.values())) == WORKERS
assert len(served) >= 2                                     # the kernel hashes connections across them
print("\nshared socket: in all 4 epolls with EPOLLEXCLUSIVE, or (accept_mutex on) only in the holder's; "
      "reuseport: 4 sockets, one per worker's epoll")
