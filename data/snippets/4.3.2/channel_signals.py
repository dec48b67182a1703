# caption: 仿 nginx 的 master/worker：socketpair 通道传 ngx_channel_t，OPEN_CHANNEL 用 SCM_RIGHTS 把 fd 交给另一个 worker；master 屏蔽信号后同步等待，USR1 切日志、HUP 换一代 worker、QUIT 优雅退出，SIGCHLD 回收
# point: nginx channel
# timeout: 30
import os
import select
import signal
import socket
import struct
import sys
import time

OPEN_CHANNEL, CLOSE_CHANNEL, QUIT, TERMINATE, REOPEN = 1, 2, 3, 4, 5   # ngx_process_cycle.h
LOG, PING_PEER, PING, ACK = 100, 101, 102, 200                         # demo-only commands
FMT = "iiii"                                                            # command, pid, slot, fd
SIZE = struct.calcsize(FMT)
WATCHED = {signal.SIGHUP, signal.SIGUSR1, signal.SIGQUIT, signal.SIGTERM, signal.SIGCHLD}

procs = {}      # slot -> {"pid", "chan" (master end, channel[0]), "gen"}


def worker(gen, slot, chan, peers):
    signal.pthread_sigmask(signal.SIG_SETMASK, [])      # workers run with signals unblocked
    log = open("access.log", "a", buffering=1)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if not select.select([chan], [], [], 0.5)[0]:
            continue
        msg, fds, _, _ = socket.recv_fds(chan, SIZE, 1)   # ngx_read_channel(): recvmsg()
        if not msg:
            return 1
        cmd, pid, s, fd = struct.unpack(FMT, msg)
        if cmd == OPEN_CHANNEL:
            peers[s] = fds[0]           # a new descriptor for worker s's channel[0]
        elif cmd == CLOSE_CHANNEL:
            os.close(peers.pop(s))
        elif cmd == REOPEN:
            log.close()
            log = open("access.log", "a", buffering=1)
        elif cmd == LOG:
            log.write(f"gen{gen} worker{slot} request\n")
        elif cmd == PING_PEER:          # talk to a sibling without the master
            os.write(peers[s], struct.pack(FMT, PING, os.getpid(), slot, -1))
        elif cmd == PING:
            log.write(f"gen{gen} worker{slot} ping from worker{s}\n")
        elif cmd in (QUIT, TERMINATE):
            log.close()
            return 0                    # graceful: nothing in flight in this toy
        chan.sendall(struct.pack(FMT, ACK, os.getpid(), slot, cmd))
    return 1


def spawn(slot, gen):
    """ngx_spawn_process() + ngx_pass_open_channel()."""
    master_end, worker_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            master_end.close()
            peers = {s: p["chan"].detach() for s, p in procs.items()}   # siblings' channel[0]
            code = worker(gen, slot, worker_end, peers)
        finally:
            os._exit(code)
    worker_end.close()
    master_end.settimeout(5)
    for s, p in procs.items():          # tell every existing worker about the new one
        socket.send_fds(p["chan"], [struct.pack(FMT, OPEN_CHANNEL, pid, slot, master_end.fileno())],
                        [master_end.fileno()])
        wait_ack(s, OPEN_CHANNEL)
    procs[slot] = {"pid": pid, "chan": master_end, "gen": gen}


def wait_ack(slot, cmd):
    msg = procs[slot]["chan"].recv(SIZE)
    got = struct.unpack(FMT, msg)
    assert got[0] == ACK and got[3] == cmd, f"unexpected reply {got}"


def command(slot, cmd, arg_slot=-1):
    """ngx_write_channel(): the master's way to talk to one worker."""
    procs[slot]["chan"].sendall(struct.pack(FMT, cmd, os.getpid(), arg_slot, -1))
    if cmd not in (QUIT, TERMINATE):
        wait_ack(slot, cmd)


def reap(expected):
    """SIGCHLD -> waitpid(-1, WNOHANG) until the expected children are gone."""
    codes = {}
    deadline = time.monotonic() + 10
    while len(codes) < len(expected) and time.monotonic() < deadline:
        signal.sigtimedwait({signal.SIGCHLD}, 0.2)
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            codes[pid] = os.waitstatus_to_exitcode(status)
    assert set(codes) == set(expected), "children did not exit"
    return codes


def next_signal():
    info = signal.sigtimedwait(WATCHED - {signal.SIGCHLD}, 5)   # like sigsuspend() in the master
    assert info is not None, "no signal arrived"
    return info.si_signo


def lines(path):
    with open(path) as f:
        return f.read().splitlines()


def main():
    if not sys.platform.startswith("linux"):
        print("this demo needs Linux")
        return
    for name in ("access.log", "access.log.1"):        # leftovers of a previous run
        if os.path.exists(name):
            os.remove(name)
    signal.pthread_sigmask(signal.SIG_BLOCK, WATCHED)   # sigprocmask(SIG_BLOCK) before the loop
    master = os.getpid()
    try:
        spawn(0, gen=1)
        spawn(1, gen=1)
        print("gen 1: worker0 and worker1 started; worker0 received worker1's channel "
              "fd via SCM_RIGHTS (NGX_CMD_OPEN_CHANNEL)")
        command(0, PING_PEER, arg_slot=1)   # worker0 writes straight into worker1's channel
        wait_ack(1, PING)
        for s in (0, 1):
            command(s, LOG)
        assert "gen1 worker1 ping from worker0" in lines("access.log")
        print("worker0 -> worker1 over the passed fd: ping logged by worker1")

        os.rename("access.log", "access.log.1")         # logrotate moves the file ...
        os.kill(master, signal.SIGUSR1)                 # ... and signals the master
        assert next_signal() == signal.SIGUSR1
        for s in (0, 1):
            command(s, LOG)                             # still writes to the renamed file
        for s in (0, 1):
            command(s, REOPEN)                          # ngx_signal_worker_processes(USR1)
            command(s, LOG)
        old, new = lines("access.log.1"), lines("access.log")
        print(f"USR1: after mv, {len(old)} lines still went to access.log.1; "
              f"after NGX_CMD_REOPEN, {len(new)} lines in the new access.log")
        assert len(new) == 2 and all(x.endswith("request") for x in new)
        assert len(old) == 5

        os.kill(master, signal.SIGHUP)
        assert next_signal() == signal.SIGHUP
        old_pids = [procs[s]["pid"] for s in (0, 1)]
        old_chans = [procs.pop(s)["chan"] for s in (0, 1)]
        for s in (0, 1):
            spawn(s + 2, gen=2)                         # new generation first ...
        for ch in old_chans:                            # ... then QUIT the old one
            ch.sendall(struct.pack(FMT, QUIT, master, -1, -1))
        codes = reap(old_pids)
        print(f"HUP: generation 2 started, generation 1 sent NGX_CMD_QUIT and reaped "
              f"on SIGCHLD, exit codes {sorted(codes.values())}")
        assert all(c == 0 for c in codes.values())
        for ch in old_chans:
            ch.close()
        for s in (2, 3):
            command(s, LOG)
        assert lines("access.log")[-2:] == ["gen2 worker2 request", "gen2 worker3 request"]

        os.kill(master, signal.SIGQUIT)
        assert next_signal() == signal.SIGQUIT
        pids = [p["pid"] for p in procs.values()]
        for s in list(procs):
            command(s, QUIT)
        codes = reap(pids)
        print(f"QUIT: generation 2 exited gracefully, exit codes {sorted(codes.values())}")
        assert all(c == 0 for c in codes.values())
        for p in procs.values():
            p["chan"].close()
        procs.clear()
        print("OK")
    finally:
        for p in procs.values():                        # only on failure
            try:
                os.kill(p["pid"], signal.SIGKILL)
                os.waitpid(p["pid"], 0)
            except (ProcessLookupError, ChildProcessError):
                pass


if __name__ == "__main__":
    main()
