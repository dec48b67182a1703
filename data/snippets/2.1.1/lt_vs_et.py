# caption: LT 与 ET 的通知次数对比：ET 下只读一半不会再被通知，必须读到 EAGAIN（BlockingIOError）
# point: 代码实现LT/ET的区别
# timeout: 10
import select
import socket

CHUNK = 1024


def count_wakeups(edge, total=2048, read_per_wakeup=CHUNK, rounds=5):
    """Write `total` bytes once, then loop: epoll_wait(0) and read one chunk per wakeup.

    Returns (number of wakeups, bytes actually read)."""
    a, b = socket.socketpair()
    b.setblocking(False)
    ep = select.epoll()
    ep.register(b.fileno(), select.EPOLLIN | (select.EPOLLET if edge else 0))
    a.sendall(b"x" * total)
    wakeups = got = 0
    for _ in range(rounds):  # bounded loop
        events = ep.poll(0)
        if not events:
            break
        wakeups += 1
        got += len(b.recv(read_per_wakeup))  # deliberately a partial read
    ep.close()
    a.close()
    b.close()
    return wakeups, got


def et_drain_demo():
    """The correct ET pattern: on each wakeup read until BlockingIOError."""
    a, b = socket.socketpair()
    b.setblocking(False)
    ep = select.epoll()
    ep.register(b.fileno(), select.EPOLLIN | select.EPOLLET)
    trace = []
    total = 0
    for burst in (3000, 10, 700):
        a.sendall(b"y" * burst)
        events = ep.poll(1.0)
        assert len(events) == 1, events
        reads = 0
        while True:  # drain: ends at EAGAIN because the buffer is finite
            try:
                data = b.recv(CHUNK)
            except BlockingIOError:
                break
            if not data:
                break
            reads += 1
            total += len(data)
        trace.append((burst, reads))
        assert ep.poll(0) == [], "nothing new arrived, ET must stay silent"
    ep.close()
    a.close()
    b.close()
    return trace, total


def et_new_data_rearms():
    """A partial read under ET gets a second wakeup only when NEW data arrives."""
    a, b = socket.socketpair()
    b.setblocking(False)
    ep = select.epoll()
    ep.register(b.fileno(), select.EPOLLIN | select.EPOLLET)
    a.sendall(b"z" * 2048)
    assert len(ep.poll(1.0)) == 1
    b.recv(CHUNK)                 # leave 1024 bytes unread
    silent = ep.poll(0)           # no new edge -> no event
    a.sendall(b"!")               # new data -> new edge
    again = ep.poll(1.0)
    left = 0
    while True:
        try:
            chunk = b.recv(4096)
        except BlockingIOError:
            break
        left += len(chunk)
    ep.close()
    a.close()
    b.close()
    return silent, len(again), left


def main():
    lt = count_wakeups(edge=False)
    et = count_wakeups(edge=True)
    print(f"LT: 2048 bytes written, 1024 read per wakeup -> wakeups={lt[0]}, read={lt[1]}")
    print(f"ET: 2048 bytes written, 1024 read per wakeup -> wakeups={et[0]}, read={et[1]}")
    assert lt == (2, 2048), lt   # LT reports again while data remains
    assert et == (1, 1024), et   # ET reported once; 1024 bytes are stranded

    silent, again, left = et_new_data_rearms()
    print(f"ET after partial read: poll(0) -> {silent}; after 1 new byte -> {again} event, "
          f"then drained {left} bytes")
    assert silent == [] and again == 1 and left == 1024 + 1

    trace, total = et_drain_demo()
    for burst, reads in trace:
        print(f"ET drain loop: burst of {burst:4d} bytes -> 1 wakeup, {reads} recv() calls until EAGAIN")
    assert [r for _, r in trace] == [3, 1, 1]
    assert total == 3710
    print("OK")


if __name__ == "__main__":
    main()
