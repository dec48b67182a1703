# caption: 仿 libevent 的迷你 reactor（event_base_new/event_new/event_add/event_del/event_base_loop，最小堆超时、EV_PERSIST、EV_TIMEOUT），单线程驱动回环上的回显服务与客户端
# point: libevent接口分析event_base_new,event_add,event_del,event_base_loop
# timeout: 20
import heapq
import itertools
import selectors
import socket
import time

EV_TIMEOUT, EV_READ, EV_WRITE, EV_PERSIST = 0x01, 0x02, 0x04, 0x10
EVLOOP_ONCE, EVLOOP_NONBLOCK = 0x01, 0x02


class Event:
    def __init__(self, base, fd, what, cb, arg):
        self.base, self.fd, self.what, self.cb, self.arg = base, fd, what, cb, arg
        self.timeout = None          # seconds, as passed to event_add
        self.deadline = None         # absolute monotonic time, None if no timer
        self.pending = False


class EventBase:
    def __init__(self):
        self.sel = selectors.DefaultSelector()
        self.io = {}                 # fd -> {EV_READ: ev, EV_WRITE: ev}
        self.timers = []             # min-heap of (deadline, seq, ev)
        self.seq = itertools.count()
        self.npending = 0
        self.iterations = 0
        self.method = type(self.sel).__name__

    # -- event_add / event_del ------------------------------------------
    def _sync_fd(self, fd):
        mask = 0
        for flag, sflag in ((EV_READ, selectors.EVENT_READ), (EV_WRITE, selectors.EVENT_WRITE)):
            if flag in self.io.get(fd, {}):
                mask |= sflag
        registered = fd in self.sel.get_map()
        if mask and registered:
            self.sel.modify(fd, mask)
        elif mask:
            self.sel.register(fd, mask)
        elif registered:
            self.sel.unregister(fd)

    def add(self, ev, timeout=None):
        if not ev.pending:
            ev.pending = True
            self.npending += 1
        if ev.fd is not None:
            for flag in (EV_READ, EV_WRITE):
                if ev.what & flag:
                    self.io.setdefault(ev.fd, {})[flag] = ev
            self._sync_fd(ev.fd)
        ev.timeout = timeout
        ev.deadline = None
        if timeout is not None:      # re-adding resets the timer (lazy delete)
            ev.deadline = time.monotonic() + timeout
            heapq.heappush(self.timers, (ev.deadline, next(self.seq), ev))

    def delete(self, ev):
        if not ev.pending:
            return
        ev.pending = False
        self.npending -= 1
        ev.deadline = None           # stale heap entries are skipped later
        if ev.fd is not None:
            slots = self.io.get(ev.fd, {})
            for flag in (EV_READ, EV_WRITE):
                if slots.get(flag) is ev:
                    del slots[flag]
            if not slots:
                self.io.pop(ev.fd, None)
            self._sync_fd(ev.fd)

    # -- event_base_loop -------------------------------------------------
    def loop(self, flags=0):
        """Returns 1 when no events are pending (libevent's 'nothing to do')."""
        while True:
            if self.npending == 0:
                return 1
            self.iterations += 1
            wait = None
            while self.timers and self.timers[0][2].deadline != self.timers[0][0]:
                heapq.heappop(self.timers)           # drop deleted/re-armed
            if flags & EVLOOP_NONBLOCK:
                wait = 0
            elif self.timers:
                wait = max(0.0, self.timers[0][0] - time.monotonic())
            active = {}                              # ev -> what (the "active queue")
            for key, mask in self.sel.select(wait):
                slots = self.io.get(key.fd, {})
                if mask & selectors.EVENT_READ and EV_READ in slots:
                    active[slots[EV_READ]] = active.get(slots[EV_READ], 0) | EV_READ
                if mask & selectors.EVENT_WRITE and EV_WRITE in slots:
                    active[slots[EV_WRITE]] = active.get(slots[EV_WRITE], 0) | EV_WRITE
            now = time.monotonic()
            while self.timers and self.timers[0][0] <= now:
                deadline, _, ev = heapq.heappop(self.timers)
                if ev.deadline == deadline:
                    active[ev] = active.get(ev, 0) | EV_TIMEOUT
            for ev, what in active.items():
                if not ev.pending:                   # deleted by an earlier callback
                    continue
                if ev.what & EV_PERSIST:
                    if ev.timeout is not None:       # persistent: re-arm the timer
                        self.add(ev, ev.timeout)
                else:
                    self.delete(ev)                  # one-shot: no longer pending
                ev.cb(ev.fd, what, ev.arg)
            if flags & (EVLOOP_ONCE | EVLOOP_NONBLOCK):
                return 0


# libevent-style free functions
def event_base_new():
    return EventBase()


def event_new(base, fd, what, cb, arg=None):
    return Event(base, fd, what, cb, arg)


def event_add(ev, timeout=None):
    ev.base.add(ev, timeout)


def event_del(ev):
    ev.base.delete(ev)


def event_base_loop(base, flags=0):
    return base.loop(flags)


# ----------------------------------------------------------------- demo
base = event_base_new()
stats = {"echoed": 0, "idle_closed": 0, "ticks": 0, "never": 0, "done": 0}
N_CLIENTS, IDLE_TIMEOUT = 20, 0.3

lsock = socket.socket()
lsock.bind(("127.0.0.1", 0))
lsock.listen(64)
lsock.setblocking(False)
port = lsock.getsockname()[1]


def on_conn_readable(fd, what, conn):
    if what & EV_TIMEOUT:                        # idle for IDLE_TIMEOUT seconds
        stats["idle_closed"] += 1
        event_del(conn["ev"])
        conn["sock"].close()
        return
    data = conn["sock"].recv(4096)
    if not data:                                 # peer closed
        event_del(conn["ev"])
        conn["sock"].close()
        return
    conn["sock"].sendall(data.upper())


def on_accept(fd, what, arg):
    while True:
        try:
            s, _ = lsock.accept()
        except BlockingIOError:
            return
        s.setblocking(False)
        conn = {"sock": s}
        conn["ev"] = event_new(base, s.fileno(), EV_READ | EV_PERSIST, on_conn_readable, conn)
        event_add(conn["ev"], IDLE_TIMEOUT)      # idle timeout, reset on each read


listener = event_new(base, lsock.fileno(), EV_READ | EV_PERSIST, on_accept)
event_add(listener)


def client_writable(fd, what, c):                # connect finished -> send request
    c["sock"].sendall(c["msg"])
    event_add(event_new(base, fd, EV_READ, client_readable, c), 2.0)


def client_readable(fd, what, c):
    assert not what & EV_TIMEOUT, "server did not answer"
    c["got"] += c["sock"].recv(4096)
    if len(c["got"]) < len(c["msg"]):
        event_add(event_new(base, fd, EV_READ, client_readable, c), 2.0)
        return
    assert c["got"] == c["msg"].upper()
    stats["echoed"] += 1
    c["sock"].close()
    finish()


def idle_client_readable(fd, what, c):
    assert c["sock"].recv(10) == b""             # EOF: the server timed us out
    c["sock"].close()
    finish()


def finish():
    stats["done"] += 1
    if stats["done"] == N_CLIENTS + 1:           # everyone done: stop listening
        event_del(listener)
        event_del(ticker)


for i in range(N_CLIENTS + 1):
    s = socket.socket()
    s.setblocking(False)
    s.connect_ex(("127.0.0.1", port))
    c = {"sock": s, "msg": b"hello reactor %d" % i, "got": b""}
    if i < N_CLIENTS:
        event_add(event_new(base, s.fileno(), EV_WRITE, client_writable, c))
    else:                                        # connects but never sends
        event_add(event_new(base, s.fileno(), EV_READ, idle_client_readable, c), 5.0)


def on_tick(fd, what, arg):
    assert what == EV_TIMEOUT
    stats["ticks"] += 1


ticker = event_new(base, None, EV_PERSIST, on_tick)
event_add(ticker, 0.05)

cancelled = event_new(base, None, 0, lambda fd, what, arg: stats.__setitem__("never", 1))
event_add(cancelled, 0.1)
event_del(cancelled)                             # deleted before it fires

t0 = time.monotonic()
assert event_base_loop(base, EVLOOP_NONBLOCK) == 0   # one non-blocking pass
rc = event_base_loop(base)                            # run until nothing pending
elapsed = time.monotonic() - t0
lsock.close()

print("backend: %s, loop iterations: %d" % (base.method, base.iterations))
print("echo clients answered: %d/%d" % (stats["echoed"], N_CLIENTS))
print("idle connections closed by EV_TIMEOUT: %d (after ~%.1f s)" % (stats["idle_closed"], elapsed))
print("persistent 50 ms timer fired %d times; deleted timer fired %d times"
      % (stats["ticks"], stats["never"]))
print("event_base_loop returned %d: no events left" % rc)
assert rc == 1 and stats["echoed"] == N_CLIENTS and stats["idle_closed"] == 1
assert stats["never"] == 0 and stats["ticks"] >= 3
assert IDLE_TIMEOUT <= elapsed < 5
print("all checks passed")
