# caption: 4 个 fork 出来的 worker 共享一个监听套接字：无锁时的惊群、accept_mutex（fcntl 文件锁 + 共享内存里的持有者 pid）加 ngx_accept_disabled 均衡、SO_REUSEPORT 每 worker 一个队列
# point: 如何解决"惊群"问题
# timeout: 40
import errno
import fcntl
import mmap
import os
import selectors
import signal
import socket
import struct
import sys
import time
import traceback

NWORKERS = 4
WORKER_CONNECTIONS = 16     # per-worker connection pool, like worker_connections
N_CONN = 56                 # > 3 * 16, so no worker can be left with nothing
ACCEPT_MUTEX_DELAY = 0.02   # nginx default is 500ms; scaled down for the demo
WORKER_DEADLINE = 25.0      # every loop is bounded

NGX_CMD_QUIT = 3            # same value as in src/os/unix/ngx_process_cycle.h
CHANNEL_FMT = "iiii"        # ngx_channel_t: command, pid, slot, fd
CHANNEL_SIZE = struct.calcsize(CHANNEL_FMT)

# Layout of the anonymous shared mapping (MAP_SHARED|MAP_ANONYMOUS, created before fork).
OWNER_OFF = 0               # pid of the accept mutex holder (ngx_shmtx keeps ngx_pid in the lock word)
VIOLATION_OFF = 8           # times a worker got the lock but found another owner recorded
STATS_OFF = 64              # one 64-byte record per worker
STAT_FMT = "6q"             # served, max_active, lock_acquired, skipped_disabled, wasted_accepts, ok
SERVED_OFF = STATS_OFF + 64 * NWORKERS   # served[slot][conn_id] = 1, written only by its worker
SHM_SIZE = 4096


def u64_get(shm, off):
    return struct.unpack_from("q", shm, off)[0]


def u64_set(shm, off, value):
    struct.pack_into("q", shm, off, value)


def try_lock(fd):
    """ngx_shmtx_trylock() over a file lock: fcntl(F_SETLK, F_WRLCK), never blocks."""
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError as e:
        if e.errno in (errno.EAGAIN, errno.EACCES):
            return False
        raise


def worker(slot, mode, lsock, lockfd, shm, chan, capacity):
    pid = os.getpid()
    sel = selectors.DefaultSelector()          # epoll on Linux, level-triggered
    sel.register(chan, selectors.EVENT_READ, "channel")
    conns = {}
    registered = False
    held = False
    exiting = False
    accept_disabled = 0
    served = max_active = lock_acquired = skipped = wasted = 0

    def listen_events(on):
        nonlocal registered
        if on and not registered:
            sel.register(lsock, selectors.EVENT_READ, "listen")
            registered = True
        elif not on and registered:
            sel.unregister(lsock)
            registered = False

    deadline = time.monotonic() + WORKER_DEADLINE
    while time.monotonic() < deadline:
        free = capacity - len(conns)
        if exiting:
            listen_events(False)
        elif mode == "accept_mutex":
            # ngx_process_events_and_timers(): a loaded worker skips the mutex this round
            if accept_disabled > 0 or free == 0:
                if accept_disabled > 0:
                    accept_disabled -= 1
                skipped += 1
                listen_events(False)
            elif try_lock(lockfd):
                if u64_get(shm, OWNER_OFF) != 0:
                    u64_set(shm, VIOLATION_OFF, u64_get(shm, VIOLATION_OFF) + 1)
                u64_set(shm, OWNER_OFF, pid)
                held = True
                lock_acquired += 1
                listen_events(True)            # ngx_enable_accept_events()
            else:
                listen_events(False)           # ngx_disable_accept_events()
        else:
            listen_events(free > 0)            # herd / reuseport: always watching

        events = sel.select(ACCEPT_MUTEX_DELAY)
        accept_ready = [k for k, _ in events if k.data == "listen"]
        others = [k for k, _ in events if k.data != "listen"]

        # posted accept events first, then release the mutex, then ordinary events
        if accept_ready:
            try:
                c, _ = lsock.accept()
            except BlockingIOError:
                wasted += 1                    # woken up, but another worker took it
            else:
                c.setblocking(False)
                conns[c] = b""
                sel.register(c, selectors.EVENT_READ, "conn")
                max_active = max(max_active, len(conns))
                free = capacity - len(conns)
                accept_disabled = capacity // 8 - free    # ngx_event_accept()
        if held:
            u64_set(shm, OWNER_OFF, 0)
            fcntl.lockf(lockfd, fcntl.LOCK_UN)
            held = False

        for key in others:
            if key.data == "channel":
                msg = chan.recv(CHANNEL_SIZE)
                if msg and struct.unpack(CHANNEL_FMT, msg)[0] == NGX_CMD_QUIT:
                    exiting = True             # graceful: stop accepting, drain
                continue
            c = key.fileobj
            data = c.recv(64)
            if not data:
                sel.unregister(c)
                c.close()
                del conns[c]
                continue
            conns[c] += data
            if conns[c].endswith(b"\n"):
                conn_id = int(conns[c])
                shm[SERVED_OFF + slot * N_CONN + conn_id] = 1
                served += 1
                c.sendall(b"w%d\n" % slot)     # keep the connection open (keepalive)
        if exiting and not conns:
            break

    ok = int(exiting and not conns)
    struct.pack_into(STAT_FMT, shm, STATS_OFF + 64 * slot,
                     served, max_active, lock_acquired, skipped, wasted, ok)
    return 0 if ok else 1


def make_listener(reuseport=False, port=0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuseport:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind(("127.0.0.1", port))
    s.listen(128)
    s.setblocking(False)
    return s


def run_clients(addr):
    socks, who = [], []
    for i in range(N_CONN):
        s = socket.create_connection(addr, timeout=5)
        s.sendall(b"%d\n" % i)
        reply = b""
        while not reply.endswith(b"\n"):
            chunk = s.recv(16)
            assert chunk, "worker closed the connection without a reply"
            reply += chunk
        who.append(int(reply[1:-1]))
        socks.append(s)                        # held open: this is what fills workers up
    for s in socks:
        s.close()
    return who


def run_mode(mode):
    shm = mmap.mmap(-1, SHM_SIZE)              # shared with children after fork
    capacity = N_CONN if mode == "reuseport" else WORKER_CONNECTIONS
    lockfd = None
    if mode == "accept_mutex":
        # like ngx_shmtx_create() without atomics: open the lock file, then unlink it
        lockfd = os.open("accept_mutex.lock", os.O_RDWR | os.O_CREAT, 0o600)
        os.unlink("accept_mutex.lock")
    if mode == "reuseport":
        first = make_listener(reuseport=True)
        port = first.getsockname()[1]
        listeners = [first] + [make_listener(True, port) for _ in range(NWORKERS - 1)]
    else:
        listeners = [make_listener()] * NWORKERS
    addr = listeners[0].getsockname()
    channels = [socket.socketpair() for _ in range(NWORKERS)]   # ngx_processes[s].channel

    pids = []
    try:
        for slot in range(NWORKERS):
            pid = os.fork()
            if pid == 0:
                code = 1
                try:
                    for s, (m_end, w_end) in enumerate(channels):
                        m_end.close()
                        if s != slot:
                            w_end.close()
                    code = worker(slot, mode, listeners[slot], lockfd, shm,
                                  channels[slot][1], capacity)
                except BaseException:
                    traceback.print_exc()
                finally:
                    os._exit(code)
            pids.append(pid)
        for _, w_end in channels:
            w_end.close()

        who = run_clients(addr)

        for slot, (m_end, _) in enumerate(channels):   # like ngx_signal_worker_processes()
            m_end.sendall(struct.pack(CHANNEL_FMT, NGX_CMD_QUIT, os.getpid(), slot, -1))
        deadline = time.monotonic() + 10
        alive = set(pids)
        while alive and time.monotonic() < deadline:
            for pid in list(alive):
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    alive.discard(pid)
                    assert os.waitstatus_to_exitcode(status) == 0, f"worker {pid} failed"
            time.sleep(0.01)
        assert not alive, "workers did not exit"
    finally:
        for pid in pids:
            try:
                if os.waitpid(pid, os.WNOHANG) == (0, 0):
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
            except ChildProcessError:
                pass

    stats = [struct.unpack_from(STAT_FMT, shm, STATS_OFF + 64 * s) for s in range(NWORKERS)]
    served = [st[0] for st in stats]
    # exactly once: each connection id was marked by one worker, and the client agrees
    for i in range(N_CONN):
        marks = [shm[SERVED_OFF + s * N_CONN + i] for s in range(NWORKERS)]
        assert sum(marks) == 1, f"connection {i} served {sum(marks)} times"
        assert marks[who[i]] == 1, f"connection {i}: client and worker disagree"
    assert sum(served) == N_CONN
    assert all(st[5] == 1 for st in stats)
    assert all(st[1] <= capacity for st in stats), "a worker exceeded its connection pool"
    violations = u64_get(shm, VIOLATION_OFF)
    for s in (*listeners, *(m for m, _ in channels)):
        s.close()
    if lockfd is not None:
        os.close(lockfd)
    return served, stats, violations


def main():
    if not sys.platform.startswith("linux"):
        print("this demo needs Linux (fork, epoll, SO_REUSEPORT)")
        return
    print(f"{NWORKERS} workers, worker_connections={WORKER_CONNECTIONS}, "
          f"{N_CONN} client connections held open")
    print(f"ngx_accept_disabled = {WORKER_CONNECTIONS}/8 - free  -> > 0 once free < "
          f"{WORKER_CONNECTIONS // 8}, i.e. active >= {WORKER_CONNECTIONS - WORKER_CONNECTIONS // 8 + 1}")
    print("(counts depend on scheduling and vary from run to run)")

    served, stats, _ = run_mode("herd")
    wasted = sum(st[4] for st in stats)
    print(f"\n[1] no lock, every worker polls the shared socket (thundering herd)")
    print(f"    served per worker {served}; wake-ups whose accept() hit EAGAIN: {wasted}")

    served, stats, violations = run_mode("accept_mutex")
    print(f"\n[2] accept_mutex on + ngx_accept_disabled")
    print(f"    served per worker {served}")
    print(f"    max active per worker {[st[1] for st in stats]} (pool {WORKER_CONNECTIONS})")
    print(f"    mutex acquisitions {[st[2] for st in stats]}")
    print(f"    rounds skipped because accept_disabled > 0 or pool full {[st[3] for st in stats]}")
    print(f"    wasted accept() calls {sum(st[4] for st in stats)}, "
          f"two holders at once: {violations}")
    assert violations == 0, "file lock did not exclude"
    assert sum(st[4] for st in stats) == 0, "only the holder may poll the listen socket"
    assert all(n >= 1 for n in served), "accept_disabled must hand work to every worker"
    assert max(served) <= WORKER_CONNECTIONS

    served, stats, _ = run_mode("reuseport")
    print(f"\n[3] SO_REUSEPORT: one listening socket per worker, the kernel hashes the 4-tuple")
    print(f"    served per worker {served}; wasted accept() calls {sum(st[4] for st in stats)}")
    assert sum(st[4] for st in stats) == 0, "with reuseport nobody shares an accept queue"

    print("\nOK: every connection served exactly once in all three modes")


if __name__ == "__main__":
    main()
