# caption: 信号驱动 I/O：F_SETOWN + O_ASYNC 后，数据到达时内核向进程发送 SIGIO
# point: sigio的异步通知
# timeout: 10
import fcntl
import os
import signal
import socket
import time

received = []


def on_sigio(signum, frame):
    received.append(signum)


def main():
    a, b = socket.socketpair()
    b.setblocking(False)
    signal.signal(signal.SIGIO, on_sigio)
    # 1) tell the kernel which process owns the fd (who gets the signal)
    fcntl.fcntl(b.fileno(), fcntl.F_SETOWN, os.getpid())
    # 2) switch on signal-driven I/O for this fd
    flags = fcntl.fcntl(b.fileno(), fcntl.F_GETFL)
    fcntl.fcntl(b.fileno(), fcntl.F_SETFL, flags | os.O_ASYNC | os.O_NONBLOCK)

    for i, msg in enumerate((b"first", b"second", b"third"), 1):
        before = len(received)
        a.sendall(msg)
        deadline = time.monotonic() + 2
        while len(received) == before and time.monotonic() < deadline:
            time.sleep(0.001)  # the Python-level handler runs between bytecodes
        assert len(received) > before, "no SIGIO arrived"
        # the signal only says "something happened on some owned fd";
        # the handler must still find out which fd and read until EAGAIN
        data = b""
        while True:
            try:
                data += b.recv(4096)
            except BlockingIOError:
                break
        print(f"send #{i} {msg!r}: SIGIO delivered, drained {data!r}")
        assert data == msg

    # switch O_ASYNC off before closing: the peer's close is also an event, and
    # the default action of SIGIO is to terminate the process
    fcntl.fcntl(b.fileno(), fcntl.F_SETFL, flags)
    a.close()
    b.close()
    signal.signal(signal.SIGIO, signal.SIG_DFL)
    assert len(received) >= 3 and all(s == signal.SIGIO for s in received)
    print("every notification was SIGIO; O_ASYNC switched off before close")
    print("OK")


if __name__ == "__main__":
    main()
