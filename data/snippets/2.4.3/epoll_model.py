# caption: 用 Python 复刻 epoll 的内部结构（兴趣集合 + 就绪链表 + 协议栈唤醒回调），并与真实 epoll 在 socketpair 上逐步比对 LT/ET 的返回结果
# point: LT/ET的实现
# timeout: 10
"""A model of fs/eventpoll.c, checked step by step against the real epoll.

Model                         Linux (fs/eventpoll.c)
-----                         ----------------------
EventPoll.items (dict)        ep->rbr, a red-black tree of epitems keyed by
                              (struct file *, fd)
EventPoll.ready (list)        ep->rdllist, the ready list
Item.on_wakeup()              ep_poll_callback(), hung on the socket's wait
                              queue by ep_ptable_queue_proc() at EPOLL_CTL_ADD
EventPoll.wait()              ep_poll() + ep_send_events(): for each ready item
                              call the file's poll (ep_item_poll) to get the
                              *current* mask; drop it if nothing is ready; a
                              level-triggered item is put back on the ready
                              list, an edge-triggered one is not.
ModelSocket.wake()            the protocol stack: sk_data_ready / sk_write_space
                              -> wake_up_poll(&wq, EPOLLIN or EPOLLOUT)

The same sequence of operations runs on a real AF_UNIX socketpair under a
real epoll instance (one fd level-triggered, one edge-triggered) and on the
model; after every step both epoll_wait results must be identical.
"""
import select
import socket

IN, OUT, ET = select.EPOLLIN, select.EPOLLOUT, select.EPOLLET


class ModelSocket:
    """Just enough of an AF_UNIX stream socket: bytes queued, wait queue."""

    def __init__(self, name):
        self.name, self.rx, self.peer, self.waitq = name, b"", None, []

    def poll(self):                     # f_op->poll: current readiness
        mask = OUT                      # small writes: always writable here
        if self.rx:
            mask |= IN
        return mask

    def wake(self, key):                # wake_up_poll(&sk->sk_wq, key)
        for callback in list(self.waitq):
            callback(key)

    # "system calls"
    def send(self, data):
        self.peer.rx += data
        self.peer.wake(IN)              # peer's sk_data_ready

    def recv(self, n):
        data, self.rx = self.rx[:n], self.rx[n:]
        self.peer.wake(OUT)             # sender's buffer space freed: write_space
        return data


class Item:                             # struct epitem
    def __init__(self, ep, fd, sock, events):
        self.ep, self.fd, self.sock, self.events = ep, fd, sock, events
        self.on_ready_list = False
        sock.waitq.append(self.on_wakeup)       # ep_ptable_queue_proc

    def on_wakeup(self, key):                   # ep_poll_callback
        if key and not key & self.events:
            return                              # not an event we wait for
        if not self.on_ready_list:
            self.ep.ready.append(self)
            self.on_ready_list = True


class EventPoll:                                # struct eventpoll
    def __init__(self):
        self.items = {}                         # rbr: fd -> epitem
        self.ready = []                         # rdllist

    def ctl_add(self, fd, sock, events):        # ep_insert
        assert fd not in self.items, "EEXIST"
        item = self.items[fd] = Item(self, fd, sock, events)
        if sock.poll() & events:                # already ready: queue it now
            item.on_wakeup(0)

    def ctl_mod(self, fd, events):              # ep_modify
        item = self.items[fd]
        item.events = events
        if item.sock.poll() & events:
            item.on_wakeup(0)

    def wait(self, maxevents=16):               # ep_send_events
        txlist, self.ready = self.ready, []
        out = {}
        for item in txlist:
            item.on_ready_list = False
            revents = item.sock.poll() & item.events
            if not revents or len(out) >= maxevents:
                continue
            out[item.fd] = revents
            if not item.events & ET:            # level-triggered: back on list
                self.ready.append(item)
                item.on_ready_list = True
        return out


def flags(mask):
    return "+".join(n for n, b in (("IN", IN), ("OUT", OUT)) if mask & b) or "-"


def main():
    # real sockets: a = LT pair, b = ET pair; index 0 is watched, 1 is the peer
    a0, a1 = socket.socketpair()
    b0, b1 = socket.socketpair()
    for s in (a0, a1, b0, b1):
        s.setblocking(False)
    ep = select.epoll()

    # model sockets mirror them
    ma0, ma1, mb0, mb1 = (ModelSocket(n) for n in ("a0", "a1", "b0", "b1"))
    ma0.peer, ma1.peer, mb0.peer, mb1.peer = ma1, ma0, mb1, mb0
    mep = EventPoll()
    LT_FD, ET_FD = a0.fileno(), b0.fileno()

    def both_ctl_add():
        ep.register(a0, IN | OUT)
        ep.register(b0, IN | OUT | ET)
        mep.ctl_add(LT_FD, ma0, IN | OUT)
        mep.ctl_add(ET_FD, mb0, IN | OUT | ET)

    def peer_sends(data):
        a1.send(data), b1.send(data)
        ma1.send(data), mb1.send(data)

    def watched_reads(n):
        ra, rb = a0.recv(n), b0.recv(n)
        assert ra == rb == ma0.recv(n) == mb0.recv(n)

    def watched_sends(data):
        a0.send(data), b0.send(data)
        ma0.send(data), mb0.send(data)

    def peer_reads(n):
        a1.recv(n), b1.recv(n)
        ma1.recv(n), mb1.recv(n)

    def both_ctl_mod():
        ep.modify(b0, IN | OUT | ET)
        mep.ctl_mod(ET_FD, IN | OUT | ET)

    steps = [
        ("EPOLL_CTL_ADD (already writable)", both_ctl_add,
         {"LT": "OUT", "ET": "OUT"}),
        ("nothing happened", lambda: None, {"LT": "OUT", "ET": "-"}),
        ("peer writes 5 bytes", lambda: peer_sends(b"hello"), {"LT": "IN+OUT", "ET": "IN+OUT"}),
        ("nothing happened", lambda: None, {"LT": "IN+OUT", "ET": "-"}),
        ("read 2 of 5 bytes", lambda: watched_reads(2), {"LT": "IN+OUT", "ET": "-"}),
        ("peer writes 1 more byte", lambda: peer_sends(b"!"), {"LT": "IN+OUT", "ET": "IN+OUT"}),
        ("read everything", lambda: watched_reads(100), {"LT": "OUT", "ET": "-"}),
        ("we write; peer has not read", lambda: watched_sends(b"ping"), {"LT": "OUT", "ET": "-"}),
        ("peer reads (frees our send space)", lambda: peer_reads(100), {"LT": "OUT", "ET": "OUT"}),
        ("EPOLL_CTL_MOD re-arms the ET fd", both_ctl_mod, {"LT": "OUT", "ET": "OUT"}),
    ]

    print(f"{'step':<36} {'real LT':>8} {'real ET':>8} {'model':>7}")
    name = {LT_FD: "LT", ET_FD: "ET"}
    for desc, action, expect in steps:
        action()
        real = {name[fd]: flags(ev) for fd, ev in ep.poll(0)}
        model = {name[fd]: flags(ev) for fd, ev in mep.wait().items()}
        real = {k: real.get(k, "-") for k in ("LT", "ET")}
        model = {k: model.get(k, "-") for k in ("LT", "ET")}
        same = "same" if real == model else "DIFF"
        print(f"{desc:<36} {real['LT']:>8} {real['ET']:>8} {same:>7}")
        assert real == model, (desc, real, model)
        assert real == expect, (desc, real, expect)
    for s in (a0, a1, b0, b1):
        s.close()
    ep.close()
    print("model matches real epoll at every step")


if __name__ == "__main__":
    main()
