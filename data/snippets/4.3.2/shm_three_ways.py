# caption: nginx ngx_shm_alloc() 的三种共享内存：mmap(MAP_ANON|MAP_SHARED)、mmap /dev/zero、SysV shmget/shmat（ctypes），fork 后子进程写、父进程读；对照 MAP_PRIVATE 写时复制看不到
# point: shmem的三种实现方式
import ctypes
import mmap
import os
import struct
import sys

SIZE = 4096


def in_child(write):
    """fork, let the child write through its inherited mapping, reap it."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            write(os.getpid())
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    return pid


def check_mmap(name, m):
    struct.pack_into("q", m, 0, 0)
    pid = in_child(lambda p: struct.pack_into("q", m, 0, p))
    seen = struct.unpack_from("q", m, 0)[0]
    print(f"{name:<34} child {pid} wrote its pid, parent reads {seen}")
    return pid, seen


def sysv_shm():
    libc = ctypes.CDLL(None, use_errno=True)    # symbols of the running process: libc
    libc.shmget.argtypes = [ctypes.c_int, ctypes.c_size_t, ctypes.c_int]
    libc.shmat.restype = ctypes.c_void_p
    libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
    libc.shmdt.argtypes = [ctypes.c_void_p]
    libc.shmctl.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_void_p]
    IPC_PRIVATE, IPC_CREAT, IPC_RMID = 0, 0o1000, 0
    shmid = libc.shmget(IPC_PRIVATE, SIZE, IPC_CREAT | 0o600)
    if shmid == -1:
        return None, f"shmget failed: {os.strerror(ctypes.get_errno())}"
    addr = libc.shmat(shmid, None, 0)
    # like ngx_shm_alloc(): mark for removal at once; it lives until the last detach
    libc.shmctl(shmid, IPC_RMID, None)
    if addr in (None, ctypes.c_void_p(-1).value):
        return None, f"shmat failed: {os.strerror(ctypes.get_errno())}"
    return (libc, addr), None


def main():
    if not sys.platform.startswith("linux"):
        print("this demo needs Linux")
        return

    # 1. NGX_HAVE_MAP_ANON: mmap(NULL, size, PROT_READ|PROT_WRITE, MAP_ANON|MAP_SHARED, -1, 0)
    anon = mmap.mmap(-1, SIZE)                  # Python uses MAP_SHARED|MAP_ANONYMOUS for fd -1
    pid, seen = check_mmap("mmap(MAP_ANON|MAP_SHARED)", anon)
    assert seen == pid

    # 2. NGX_HAVE_MAP_DEVZERO: open("/dev/zero"), mmap(MAP_SHARED), close(fd)
    fd = os.open("/dev/zero", os.O_RDWR)
    devzero = mmap.mmap(fd, SIZE, flags=mmap.MAP_SHARED)
    os.close(fd)                                # the mapping stays valid after close
    pid, seen = check_mmap("mmap(\"/dev/zero\", MAP_SHARED)", devzero)
    assert seen == pid

    # 3. NGX_HAVE_SYSVSHM: shmget(IPC_PRIVATE) + shmat + shmctl(IPC_RMID)
    seg, err = sysv_shm()
    if seg is None:
        print(f"{'shmget/shmat (System V)':<34} skipped: {err}")
    else:
        libc, addr = seg
        cell = ctypes.c_int64.from_address(addr)
        cell.value = 0
        pid = in_child(lambda p: setattr(ctypes.c_int64.from_address(addr), "value", p))
        print(f"{'shmget/shmat (System V)':<34} child {pid} wrote its pid, parent reads {cell.value}")
        assert cell.value == pid
        libc.shmdt(ctypes.c_void_p(addr))

    # Contrast: a private anonymous mapping is copy-on-write after fork.
    private = mmap.mmap(-1, SIZE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    pid, seen = check_mmap("mmap(MAP_ANON|MAP_PRIVATE)", private)
    assert seen == 0, "a private mapping must not show the child's write"
    print("-> shared mappings are the same physical pages in both processes;")
    print("   the private one was copied on the child's first write (copy-on-write)")
    print("OK")


if __name__ == "__main__":
    main()
