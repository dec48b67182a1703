# caption: fork 之后的文件锁：fcntl 记录锁按进程互斥（nginx 无原子操作时 ngx_shmtx 的做法），flock 锁跟着继承的 fd 走起不到互斥；持锁进程退出时内核自动释放；关闭任意一个 fd 就丢掉 fcntl 锁
# point: 文件锁,互斥锁
import errno
import fcntl
import os
import sys


def fork_run(fn):
    """Run fn() in a child; its return value (0 = expected result) becomes the exit code."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            code = fn()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def fcntl_try(fd):
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)      # fcntl(F_SETLK, F_WRLCK)
        return True
    except OSError as e:
        if e.errno in (errno.EAGAIN, errno.EACCES):
            return False
        raise


def flock_try(fd):
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def main():
    if not sys.platform.startswith("linux"):
        print("this demo needs Linux")
        return

    # like ngx_shmtx_create(): open the lock file, then delete it; only the fd remains
    fd = os.open("mutex.lock", os.O_RDWR | os.O_CREAT, 0o600)
    os.unlink("mutex.lock")

    assert fcntl_try(fd)
    rc = fork_run(lambda: 0 if not fcntl_try(fd) else 1)
    print(f"fcntl: parent holds the lock; child (same inherited fd) trylock -> "
          f"{'EAGAIN, excluded' if rc == 0 else 'got it!'}")
    assert rc == 0, "fcntl locks belong to the process: the child must be excluded"
    fcntl.lockf(fd, fcntl.LOCK_UN)

    # flock: the lock belongs to the open file description, which fork shares
    open("flock.lock", "w").close()
    ffd = os.open("flock.lock", os.O_RDWR)
    assert flock_try(ffd)
    rc = fork_run(lambda: 0 if flock_try(ffd) else 1)
    print(f"flock: parent holds the lock; child with the inherited fd -> "
          f"{'also gets it: no mutual exclusion' if rc == 0 else 'excluded'}")
    assert rc == 0, "an inherited fd shares the flock() lock"

    def child_reopens():
        own = os.open("flock.lock", os.O_RDWR)                # a new open file description
        return 0 if not flock_try(own) else 1
    rc = fork_run(child_reopens)
    print(f"flock: child that open()s the file itself -> "
          f"{'EWOULDBLOCK, excluded' if rc == 0 else 'got it!'}")
    assert rc == 0
    os.close(ffd)
    os.unlink("flock.lock")

    # the holder dies without unlocking: the kernel releases fcntl locks at exit
    def die_holding():
        assert fcntl_try(fd)
        os._exit(0)                                           # no unlock, no cleanup
    assert fork_run(die_holding) == 0
    got = fcntl_try(fd)
    print(f"fcntl: child exited while holding the lock; parent trylock -> "
          f"{'free again' if got else 'still locked'}")
    assert got, "no force-unlock needed: the kernel dropped the dead process's lock"

    # pitfall: closing ANY descriptor of the file drops all of this process's fcntl locks
    other = os.open(f"/proc/self/fd/{fd}", os.O_RDWR)         # second fd, same file
    os.close(other)
    rc = fork_run(lambda: 0 if fcntl_try(fd) else 1)
    print(f"fcntl: parent still 'holds' it, but closed another fd of the file; "
          f"child trylock -> {'got it: the lock was silently lost' if rc == 0 else 'excluded'}")
    assert rc == 0
    os.close(fd)
    print("OK")


if __name__ == "__main__":
    main()
