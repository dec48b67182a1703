# caption: 在会丢包、重复、乱序的模拟信道上用 UDP 实现可靠有序传输（序号、选择确认、超时重传、快速重传、按序交付）
# point: udp可靠传输原理
# timeout: 20
"""Reliable, in-order delivery on top of UDP over a lossy channel.

Both endpoints are real UDP sockets on 127.0.0.1. Every datagram goes through
LossyChannel, which (with a seeded RNG) drops, duplicates or delays it; delayed
datagrams overtake later ones, so the receiver sees reordering too.

Time is a logical tick counter, so a run is fully deterministic: loopback UDP
puts a datagram in the peer's queue before sendto() returns, and each tick
drains the sockets without blocking.

Protocol (a small selective-repeat ARQ, similar in spirit to KCP):
  DATA  = type 'D', seq (u32), payload
  ACK   = type 'A', cumulative ack "una" (u32: all seq < una received), seq (u32)
Sender: window of WINDOW packets, per-packet retransmission timer (RTO ticks,
doubled on each timeout, capped), fast retransmit when later seqs were
acknowledged FAST_RESEND times. Receiver: buffers out-of-order packets,
delivers in order, discards duplicates, acknowledges every DATA.
"""
import random
import socket
import struct

SEED = 7
N_PACKETS = 300
PAYLOAD = 64
WINDOW = 16
RTO = 8            # ticks
RTO_MAX = 64
FAST_RESEND = 2    # like KCP's resend=2
MAX_TICKS = 5000

DATA = struct.Struct("!cI")
ACK = struct.Struct("!cII")


class LossyChannel:
    """Drops, duplicates and delays datagrams with a seeded RNG."""

    def __init__(self, rng, drop=0.15, dup=0.05, delay=0.15):
        self.rng, self.drop, self.dup, self.delay = rng, drop, dup, delay
        self.held = []          # (release_tick, order, sock, data, dst)
        self.stats = {"sent": 0, "dropped": 0, "duplicated": 0, "delayed": 0}
        self.data_dropped = 0   # dropped DATA datagrams (the rest are ACKs)
        self.order = 0

    def send(self, sock, data, dst, now):
        self.stats["sent"] += 1
        r = self.rng.random()
        if r < self.drop:
            self.stats["dropped"] += 1
            self.data_dropped += data[:1] == b"D"
            return
        copies = 1
        if r < self.drop + self.dup:
            self.stats["duplicated"] += 1
            copies = 2
        for _ in range(copies):
            if self.rng.random() < self.delay:
                self.stats["delayed"] += 1
                self.order += 1
                self.held.append((now + self.rng.randint(1, 6), self.order, sock, data, dst))
            else:
                sock.sendto(data, dst)

    def tick(self, now):
        due = sorted(h for h in self.held if h[0] <= now)
        self.held = [h for h in self.held if h[0] > now]
        for _, _, sock, data, dst in due:
            sock.sendto(data, dst)


def drain(sock):
    out = []
    while True:
        try:
            out.append(sock.recvfrom(2048)[0])
        except BlockingIOError:
            return out


class Sender:
    def __init__(self, chunks):
        self.chunks = chunks
        self.una = 0                 # oldest unacknowledged seq
        self.next_seq = 0
        self.inflight = {}           # seq -> [deadline, rto, skipped]
        self.acked = set()
        self.retrans_timeout = 0
        self.retrans_fast = 0

    def on_ack(self, una, seq):
        if seq in self.inflight:
            self.acked.add(seq)
            del self.inflight[seq]
            # every in-flight packet older than seq was "skipped" once
            for s, st in self.inflight.items():
                if s < seq:
                    st[2] += 1
        for s in [s for s in self.inflight if s < una]:
            self.acked.add(s)
            del self.inflight[s]
        while self.una in self.acked:
            self.una += 1

    def to_send(self, now):
        out = []
        for s, st in sorted(self.inflight.items()):
            if st[2] >= FAST_RESEND:               # fast retransmit
                self.retrans_fast += 1
                st[0], st[2] = now + st[1], 0
                out.append(s)
            elif now >= st[0]:                     # timeout: back off
                self.retrans_timeout += 1
                st[1] = min(st[1] * 2, RTO_MAX)
                st[0] = now + st[1]
                out.append(s)
        while self.next_seq < len(self.chunks) and self.next_seq < self.una + WINDOW:
            self.inflight[self.next_seq] = [now + RTO, RTO, 0]
            out.append(self.next_seq)
            self.next_seq += 1
        return out

    def done(self):
        return self.una == len(self.chunks)


class Receiver:
    def __init__(self):
        self.expected = 0
        self.buffer = {}
        self.delivered = []
        self.duplicates = 0
        self.out_of_order = 0

    def on_data(self, seq, payload):
        if seq < self.expected or seq in self.buffer:
            self.duplicates += 1
        else:
            if seq != self.expected:
                self.out_of_order += 1
            self.buffer[seq] = payload
            while self.expected in self.buffer:          # in-order delivery
                self.delivered.append(self.buffer.pop(self.expected))
                self.expected += 1
        return self.expected, seq


def main():
    rng = random.Random(SEED)
    message = bytes(rng.randrange(256) for _ in range(N_PACKETS * PAYLOAD - 17))
    chunks = [message[i:i + PAYLOAD] for i in range(0, len(message), PAYLOAD)]

    a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for s in (a, b):
        s.bind(("127.0.0.1", 0))
        s.setblocking(False)
    chan = LossyChannel(rng)
    snd, rcv = Sender(chunks), Receiver()

    now = 0
    while not snd.done() and now < MAX_TICKS:
        now += 1
        chan.tick(now)
        for pkt in drain(b):                               # receiver side
            kind, seq = DATA.unpack_from(pkt)
            assert kind == b"D"
            una, s = rcv.on_data(seq, pkt[DATA.size:])
            chan.send(b, ACK.pack(b"A", una, s), a.getsockname(), now)
        for pkt in drain(a):                               # sender side
            kind, una, seq = ACK.unpack(pkt)
            assert kind == b"A"
            snd.on_ack(una, seq)
        for seq in snd.to_send(now):
            chan.send(a, DATA.pack(b"D", seq) + chunks[seq], b.getsockname(), now)
        if now % 10 == 0:
            print(f"tick {now:4d}: acked below {snd.una:3d}, "
                  f"delivered {len(rcv.delivered):3d}, in flight {len(snd.inflight):2d}")

    received = b"".join(rcv.delivered)
    print(f"finished at tick {now}: {len(chunks)} packets, {len(received)} bytes")
    print("channel:", chan.stats)
    print(f"receiver: duplicates discarded {rcv.duplicates}, "
          f"arrived out of order {rcv.out_of_order}")
    print(f"sender: timeout retransmits {snd.retrans_timeout}, "
          f"fast retransmits {snd.retrans_fast}; DATA datagrams really lost {chan.data_dropped}")

    assert snd.done(), "transfer did not finish"
    assert received == message, "received data differs from sent data"
    # the channel really was hostile, and the protocol really had to work
    assert chan.stats["dropped"] > 0 and chan.stats["duplicated"] > 0
    assert rcv.duplicates > 0 and rcv.out_of_order > 0
    assert snd.retrans_timeout > 0 and snd.retrans_fast > 0
    # reordering fools fast retransmit: more fast retransmits than real losses,
    # i.e. some bandwidth is spent on redundant copies to cut latency
    assert snd.retrans_fast > chan.data_dropped
    a.close()
    b.close()
    print("OK: data delivered complete and in order")


if __name__ == "__main__":
    main()
