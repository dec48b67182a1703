# caption: 手写 Reactor：按 fd 注册 accept/recv/send 回调，连接自带发送缓冲处理部分写；同一套代码跑在 epoll、poll、select 三种后端上服务 200 个并发客户端
# point: epoll封装send_cb/recv_cb/accept_cb
# timeout: 40
import hashlib
import random
import select
import socket
import threading
import time

READ, WRITE = 1, 2
N_CLIENTS = 200
PAYLOAD = 32 * 1024          # per echo client; larger than the shrunken send buffer
SERVER_SNDBUF = 4096         # tiny kernel send buffer -> send() returns short counts


# ---------------------------------------------------------------- pollers
# One tiny interface, several kernel mechanisms: this is the whole
# "cross-platform" layer of libevent / Redis ae / Python selectors.
class EpollPoller:
    name = "epoll"

    def __init__(self):
        self.ep = select.epoll()

    @staticmethod
    def _ev(mask):
        return (select.EPOLLIN if mask & READ else 0) | (select.EPOLLOUT if mask & WRITE else 0)

    def register(self, fd, mask):
        self.ep.register(fd, self._ev(mask))

    def modify(self, fd, mask):
        self.ep.modify(fd, self._ev(mask))

    def unregister(self, fd):
        self.ep.unregister(fd)

    def poll(self, timeout):
        out = []
        for fd, ev in self.ep.poll(timeout):
            m = 0
            if ev & (select.EPOLLIN | select.EPOLLHUP | select.EPOLLERR):
                m |= READ
            if ev & select.EPOLLOUT:
                m |= WRITE
            out.append((fd, m))
        return out


class PollPoller:
    name = "poll"

    def __init__(self):
        self.p = select.poll()

    @staticmethod
    def _ev(mask):
        return (select.POLLIN if mask & READ else 0) | (select.POLLOUT if mask & WRITE else 0)

    def register(self, fd, mask):
        self.p.register(fd, self._ev(mask))

    modify = register  # poll.register on a known fd modifies it

    def unregister(self, fd):
        self.p.unregister(fd)

    def poll(self, timeout):
        out = []
        for fd, ev in self.p.poll(timeout * 1000):
            m = (READ if ev & (select.POLLIN | select.POLLHUP | select.POLLERR) else 0)
            m |= WRITE if ev & select.POLLOUT else 0
            out.append((fd, m))
        return out


class SelectPoller:
    name = "select"

    def __init__(self):
        self.masks = {}

    def register(self, fd, mask):
        self.masks[fd] = mask

    modify = register

    def unregister(self, fd):
        del self.masks[fd]

    def poll(self, timeout):
        rl = [fd for fd, m in self.masks.items() if m & READ]
        wl = [fd for fd, m in self.masks.items() if m & WRITE]
        r, w, _ = select.select(rl, wl, [], timeout)
        res = {}
        for fd in r:
            res[fd] = res.get(fd, 0) | READ
        for fd in w:
            res[fd] = res.get(fd, 0) | WRITE
        return list(res.items())


class KqueuePoller:  # BSD / macOS; read and write are separate filters
    name = "kqueue"

    def __init__(self):
        self.kq = select.kqueue()
        self.masks = {}

    def _change(self, fd, old, new):
        ch = []
        for bit, filt in ((READ, select.KQ_FILTER_READ), (WRITE, select.KQ_FILTER_WRITE)):
            if new & bit and not old & bit:
                ch.append(select.kevent(fd, filt, select.KQ_EV_ADD))
            elif old & bit and not new & bit:
                ch.append(select.kevent(fd, filt, select.KQ_EV_DELETE))
        if ch:
            self.kq.control(ch, 0, 0)
        self.masks[fd] = new

    def register(self, fd, mask):
        self._change(fd, 0, mask)

    def modify(self, fd, mask):
        self._change(fd, self.masks[fd], mask)

    def unregister(self, fd):
        self._change(fd, self.masks[fd], 0)
        del self.masks[fd]

    def poll(self, timeout):
        res = {}
        for ev in self.kq.control(None, 2 * len(self.masks) + 1, timeout):
            bit = READ if ev.filter == select.KQ_FILTER_READ else WRITE
            res[ev.ident] = res.get(ev.ident, 0) | bit
        return list(res.items())


# ---------------------------------------------------------------- reactor
class Reactor:
    def __init__(self, poller):
        self.poller = poller
        self.handlers = {}      # fd -> [mask, read_cb, write_cb]
        self.stats = {"partial_writes": 0, "send_cb_calls": 0, "accepts": 0}

    def add(self, fd, mask, read_cb, write_cb=None):
        self.handlers[fd] = [mask, read_cb, write_cb]
        self.poller.register(fd, mask)

    def set_mask(self, fd, mask):
        h = self.handlers[fd]
        if h[0] != mask:
            h[0] = mask
            self.poller.modify(fd, mask)

    def remove(self, fd):
        self.poller.unregister(fd)
        del self.handlers[fd]

    def run(self, done, deadline):
        while not done() and time.monotonic() < deadline:
            for fd, mask in self.poller.poll(0.2):
                h = self.handlers.get(fd)
                if h is None:
                    continue  # closed by an earlier callback in this batch
                if mask & READ and h[1]:
                    h[1]()
                if mask & WRITE and fd in self.handlers and h[2]:
                    h[2]()


class Connection:
    """Per-connection state: kernel socket + user-space recv/send buffers."""

    def __init__(self, reactor, sock, protocol):
        self.r, self.sock, self.protocol = reactor, sock, protocol
        self.fd = sock.fileno()
        self.rbuf = bytearray()   # bytes received but not yet a full message
        self.wbuf = bytearray()   # bytes the kernel has not accepted yet
        self.closing = False
        reactor.add(self.fd, READ, self.recv_cb, self.send_cb)

    def recv_cb(self):
        try:
            data = self.sock.recv(65536)
        except BlockingIOError:
            return
        except ConnectionError:
            data = b""
        if not data:
            self.closing = True
            if not self.wbuf:
                self.close()
            return
        self.rbuf += data
        self.protocol(self)       # business logic sees only buffers

    def send(self, data):
        if not self.wbuf:         # fast path: try the kernel directly
            try:
                n = self.sock.send(data)
            except BlockingIOError:
                n = 0
            if n == len(data):
                return
            self.r.stats["partial_writes"] += 1
            data = data[n:]
        self.wbuf += data
        self.r.set_mask(self.fd, READ | WRITE)   # ask to be told when writable

    def send_cb(self):
        self.r.stats["send_cb_calls"] += 1
        try:
            n = self.sock.send(self.wbuf)
        except BlockingIOError:
            return
        del self.wbuf[:n]
        if not self.wbuf:
            self.r.set_mask(self.fd, READ)       # stop EPOLLOUT or LT spins
            if self.closing:
                self.close()

    def close(self):
        self.r.remove(self.fd)
        self.sock.close()


def listen(reactor, protocol):
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(1024)
    lst.setblocking(False)

    def accept_cb():
        for _ in range(64):                       # bounded batch per wakeup
            try:
                s, _ = lst.accept()
            except BlockingIOError:
                return
            s.setblocking(False)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SERVER_SNDBUF)
            reactor.stats["accepts"] += 1
            Connection(reactor, s, protocol)

    reactor.add(lst.fileno(), READ, accept_cb)
    return lst


# ---------------------------------------------------------------- business
def echo_protocol(conn):
    data = bytes(conn.rbuf)
    conn.rbuf.clear()
    conn.send(data)


def upper_line_protocol(conn):
    while b"\n" in conn.rbuf:
        line, _, rest = bytes(conn.rbuf).partition(b"\n")
        conn.rbuf[:] = rest
        conn.send(line.upper() + b"\n")


# ---------------------------------------------------------------- clients
def run_backend(poller_cls):
    reactor = Reactor(poller_cls())
    echo_l = listen(reactor, echo_protocol)
    line_l = listen(reactor, upper_line_protocol)
    ok = []
    lock = threading.Lock()

    def echo_client(i):
        payload = random.Random(i).randbytes(PAYLOAD)
        with socket.socket() as c:
            # small client receive window + small server send buffer: the echo
            # cannot fit in the kernel, so the server's send() returns short
            c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            c.settimeout(20)
            c.connect(echo_l.getsockname())
            c.sendall(payload)          # not reading yet: server must buffer
            got = bytearray()
            while len(got) < PAYLOAD:
                chunk = c.recv(65536)
                assert chunk
                got += chunk
        good = hashlib.sha256(got).digest() == hashlib.sha256(payload).digest()
        with lock:
            ok.append(good)

    def line_client(i):
        with socket.create_connection(line_l.getsockname(), timeout=20) as c:
            # one message split across two sends: the protocol's rbuf glues it
            c.sendall(b"hello from ")
            time.sleep(0.01)
            c.sendall(b"client %d\nbye\n" % i)
            buf = b""
            while buf.count(b"\n") < 2:
                chunk = c.recv(4096)
                assert chunk
                buf += chunk
        with lock:
            ok.append(buf == b"HELLO FROM CLIENT %d\nBYE\n" % i)

    threads = [threading.Thread(target=echo_client if i % 4 else line_client, args=(i,))
               for i in range(N_CLIENTS)]
    for t in threads:
        t.start()
    reactor.run(lambda: len(ok) == N_CLIENTS and len(reactor.handlers) == 2,
                deadline=time.monotonic() + 30)
    for t in threads:
        t.join(5)
    echo_l.close()
    line_l.close()
    return ok, reactor.stats


def main():
    backends = [EpollPoller, PollPoller, SelectPoller]
    if hasattr(select, "kqueue"):
        backends.append(KqueuePoller)
    for cls in backends:
        ok, st = run_backend(cls)
        print(f"{cls.name:6s}: {sum(ok)}/{N_CLIENTS} clients verified "
              f"(150 echo x {PAYLOAD // 1024} KiB, 50 line); accepts={st['accepts']}, "
              f"partial writes>0: {st['partial_writes'] > 0}, send_cb used: {st['send_cb_calls'] > 0}")
        assert len(ok) == N_CLIENTS and all(ok)
        assert st["accepts"] == N_CLIENTS
        assert st["partial_writes"] > 0 and st["send_cb_calls"] > 0
    print("OK")


if __name__ == "__main__":
    main()
