# caption: TCP 滑动窗口与定时器模拟：窗口受 cwnd 和 rwnd 共同限制，RFC 6298 计算 RTO（含 1 s 下限、指数退避、Karn 算法），零窗口时坚持定时器探测
# point: 重传定时器,坚持定时器,time_wait定时器,keepalive定时器
# timeout: 20
"""A discrete-event model of one TCP sender, one receiver and a link.

Part 1 checks the RFC 6298 estimator on a fixed RTT trace (exact fractions).
Part 2 runs a transfer of 60 segments (1 segment = 1 MSS, seq counts
segments) over a link with 50 ms one-way delay and scripted losses:
  * data segment 10 is lost once      -> 3 duplicate ACKs -> fast retransmit
  * the receiving app stalls          -> rwnd falls to 0, the window update
    that reopens it is lost           -> only the persist timer saves us
  * the last segment is lost twice    -> RTO expires, backs off 1 s -> 2 s -> 4 s,
    and by Karn's rule the ACK of the retransmission gives no RTT sample
"""
import heapq
import math
from fractions import Fraction as F

# ---------------- RFC 6298 ----------------
ALPHA, BETA, K = F(1, 8), F(1, 4), 4
G = F(1, 1000)            # clock granularity: 1 ms
RTO_MIN, RTO_MAX = F(1), F(60)


class RtoEstimator:
    def __init__(self):
        self.srtt = self.rttvar = None
        self.rto = F(1)                         # (2.1) initial RTO = 1 s

    def sample(self, r):
        if self.srtt is None:                   # (2.2) first measurement
            self.srtt, self.rttvar = r, r / 2
        else:                                   # (2.3) RTTVAR first, then SRTT
            self.rttvar = (1 - BETA) * self.rttvar + BETA * abs(self.srtt - r)
            self.srtt = (1 - ALPHA) * self.srtt + ALPHA * r
        rto = self.srtt + max(G, K * self.rttvar)
        self.rto = min(max(rto, RTO_MIN), RTO_MAX)   # (2.4) 1 s floor, (2.5) cap

    def backoff(self):                          # (5.5) double on expiry
        self.rto = min(self.rto * 2, RTO_MAX)


def part1():
    est = RtoEstimator()
    print("part 1: RFC 6298 on an RTT trace (seconds)")
    trace = [F(3, 2), F(2), F(1), F(1, 10), F(1, 10)]
    # by hand: R=1.5: SRTT=3/2, RTTVAR=3/4, RTO=3/2+4*3/4=9/2
    #          R=2:   RTTVAR=3/4*3/4+1/4*1/2=11/16, SRTT=7/8*3/2+1/8*2=25/16,
    #                 RTO=25/16+44/16=69/16
    #          R=1:   RTTVAR=3/4*11/16+1/4*9/16=21/32, SRTT=7/8*25/16+1/8=191/128,
    #                 RTO=191/128+336/128=527/128
    # then two fast samples of 0.1 s: the jump raises RTTVAR, so RTO goes UP
    want_srtt = [F(3, 2), F(25, 16), F(191, 128), F(6749, 5120), F(9551, 8192)]
    want_rto = [F(9, 2), F(69, 16), F(527, 128), F(23957, 5120), F(200899, 40960)]
    for r, ws, wr in zip(trace, want_srtt, want_rto):
        est.sample(r)
        print(f"  R={float(r):4.2f}  SRTT={float(est.srtt):.4f}  "
              f"RTTVAR={float(est.rttvar):.4f}  RTO={float(est.rto):.4f}")
        assert est.srtt == ws and est.rto == wr
    small = RtoEstimator()
    small.sample(F(1, 10))               # 0.1 + 4 * 0.05 = 0.3 s -> floor 1 s
    assert small.rto == 1
    small.backoff(), small.backoff()
    assert small.rto == 4
    print("  R=0.1 alone gives 0.3 s -> clamped to 1 s; two expiries -> 4 s")


# ---------------- Part 2: the simulation ----------------
ONE_WAY = 50              # ms
TOTAL = 60                # segments to send
RCV_BUF = 8               # receiver buffer, segments
IW = 2                    # initial cwnd (segments)


class Sim:
    def __init__(self):
        self.now = 0
        self.events = []
        self.n = 0
        self.log = []

    def at(self, t, fn, *args):
        self.n += 1
        heapq.heappush(self.events, (t, self.n, fn, args))

    def run(self, limit_ms=120_000):
        while self.events:
            t, _, fn, args = heapq.heappop(self.events)
            assert t <= limit_ms, "simulation did not finish"
            self.now = t
            fn(*args)

    def note(self, msg):
        self.log.append(f"  t={self.now:5d}ms {msg}")


class Receiver:
    def __init__(self, sim):
        self.sim, self.sender = sim, None
        self.rcv_nxt = 0
        self.ooo = set()          # out-of-order segments held in the buffer
        self.buffered = 0         # in-order bytes the app has not read yet
        self.delivered = []
        self.lost_updates = 0
        self.drop_update_once = True

    def rwnd(self):
        # right edge = rcv_nxt + free space; out-of-order data sits inside the
        # window, so it does not shrink what we advertise
        return RCV_BUF - self.buffered

    def on_segment(self, seq, probe):
        if not probe and self.rcv_nxt <= seq < self.rcv_nxt + self.rwnd():
            self.ooo.add(seq)
            while self.rcv_nxt in self.ooo:
                self.ooo.remove(self.rcv_nxt)
                self.delivered.append(self.rcv_nxt)
                self.rcv_nxt += 1
                self.buffered += 1
        self.send_ack()

    def send_ack(self, window_update=False):
        if window_update and self.drop_update_once:
            self.drop_update_once = False
            self.lost_updates += 1
            self.sim.note(f"rcv: app read, window update rwnd={self.rwnd()} LOST")
            return
        self.sim.at(self.sim.now + ONE_WAY, self.sender.on_ack, self.rcv_nxt, self.rwnd())

    def app_read(self):
        stalled = 1000 <= self.sim.now < 2000         # the app is busy
        if not stalled and self.buffered:
            was_zero = self.rwnd() == 0
            self.buffered -= 1
            if was_zero:
                self.send_ack(window_update=True)
        if len(self.delivered) < TOTAL or self.buffered:
            self.sim.at(self.sim.now + 10, self.app_read)


class Sender:
    def __init__(self, sim, net_drop):
        self.sim, self.rcv, self.net_drop = sim, None, net_drop
        self.una = self.nxt = 0
        self.cwnd, self.ssthresh, self.rwnd = IW, 64, RCV_BUF
        self.dupacks = 0
        self.in_recovery = False
        self.est = RtoEstimator()
        self.rto_deadline = None          # one retransmission timer
        self.persist_deadline = None
        self.persist_backoff = 0
        self.timed = None                 # (seq, send_time) being timed
        self.retransmitted = set()
        self.stats = dict(fast=0, timeouts=0, probes=0, karn_skips=0, max_flight=0)
        self.rto_history = []

    # -- transmission -------------------------------------------------------
    def xmit(self, seq, retrans=False):
        if retrans:
            self.retransmitted.add(seq)
            if self.timed and self.timed[0] == seq:
                self.timed = None           # Karn: never time a retransmission
        elif self.timed is None:
            self.timed = (seq, self.sim.now)
        if self.net_drop(seq, retrans):
            self.sim.note(f"net: seg {seq} {'(retrans) ' if retrans else ''}LOST")
        else:
            self.sim.at(self.sim.now + ONE_WAY, self.rcv.on_segment, seq, False)
        if self.rto_deadline is None:
            self.arm_rto()

    def arm_rto(self):
        self.rto_deadline = self.sim.now + math.ceil(self.est.rto * 1000)
        self.sim.at(self.rto_deadline, self.on_rto, self.rto_deadline)

    def try_send(self):
        wnd = min(int(self.cwnd), self.rwnd)      # usable window
        sent = 0
        while self.nxt < TOTAL and self.nxt < self.una + wnd:
            self.xmit(self.nxt)
            self.nxt += 1
            sent += 1
        if sent:   # new data never goes beyond min(cwnd, rwnd) past snd_una
            assert self.nxt - self.una <= wnd
            self.stats["max_flight"] = max(self.stats["max_flight"], self.nxt - self.una)
        # zero window, nothing in flight, data waiting: persist timer
        if self.rwnd == 0 and self.una == self.nxt < TOTAL and self.persist_deadline is None:
            self.arm_persist()

    # -- persist timer ------------------------------------------------------------
    def arm_persist(self):
        delay = math.ceil(self.est.rto * 1000) << self.persist_backoff
        self.persist_deadline = self.sim.now + delay
        self.sim.at(self.persist_deadline, self.on_persist, self.persist_deadline)

    def on_persist(self, deadline):
        if deadline != self.persist_deadline:
            return                                   # cancelled
        self.persist_deadline = None
        if self.rwnd > 0:
            return
        self.stats["probes"] += 1
        self.sim.note(f"snd: persist timer fired, zero-window probe #{self.stats['probes']}")
        self.sim.at(self.sim.now + ONE_WAY, self.rcv.on_segment, self.una, True)
        self.persist_backoff += 1
        self.arm_persist()

    # -- ACK processing -------------------------------------------------------------
    def on_ack(self, ack, rwnd):
        old_rwnd, self.rwnd = self.rwnd, rwnd
        if rwnd > 0 and self.persist_deadline is not None:
            self.persist_deadline, self.persist_backoff = None, 0
            self.sim.note(f"snd: window reopened (rwnd={rwnd}), persist timer cancelled")
        if rwnd == 0 and old_rwnd > 0:
            self.sim.note("snd: peer advertised rwnd=0")
        if ack > self.una:
            if self.timed and ack > self.timed[0]:
                if self.timed[0] in self.retransmitted:
                    self.stats["karn_skips"] += 1
                else:
                    self.est.sample(F(self.sim.now - self.timed[1], 1000))
                self.timed = None
            elif self.timed is None and (ack - 1) in self.retransmitted:
                self.stats["karn_skips"] += 1     # ACK of a retransmission: no sample
            newly = ack - self.una
            self.una = ack
            self.dupacks = 0
            if self.in_recovery:
                self.cwnd, self.in_recovery = self.ssthresh, False
            elif self.cwnd < self.ssthresh:
                self.cwnd += newly                    # slow start
            else:
                self.cwnd += newly / self.cwnd        # congestion avoidance
            self.rto_deadline = None                  # (5.2)/(5.3)
            if self.una < self.nxt:
                self.arm_rto()
        elif ack == self.una and self.una < self.nxt and rwnd == old_rwnd:
            self.dupacks += 1
            if self.dupacks == 3:                     # fast retransmit
                self.stats["fast"] += 1
                self.ssthresh = max((self.nxt - self.una) // 2, 2)
                self.cwnd, self.in_recovery = self.ssthresh + 3, True
                self.sim.note(f"snd: 3 dup ACKs for {ack}: fast retransmit, "
                              f"ssthresh={self.ssthresh}")
                self.xmit(self.una, retrans=True)
            elif self.dupacks > 3:
                self.cwnd += 1                        # window inflation
        self.try_send()

    def on_rto(self, deadline):
        if deadline != self.rto_deadline:
            return                                    # timer was restarted
        self.stats["timeouts"] += 1
        self.ssthresh = max((self.nxt - self.una) // 2, 2)
        self.cwnd, self.in_recovery, self.dupacks = 1, False, 0
        self.est.backoff()                            # (5.5)
        self.rto_history.append(self.est.rto)
        self.sim.note(f"snd: RTO expired for seg {self.una}: cwnd=1, RTO backs off to "
                      f"{float(self.est.rto):g}s")
        self.rto_deadline = None
        self.xmit(self.una, retrans=True)             # (5.4), (5.6) re-arm


def part2():
    print("part 2: transfer of 60 segments")
    losses = {(10, False): 1, (TOTAL - 1, False): 1, (TOTAL - 1, True): 1}

    def net_drop(seq, retrans):
        key = (seq, retrans)
        if losses.get(key, 0) > 0:
            losses[key] -= 1
            return True
        return False

    sim = Sim()
    snd, rcv = Sender(sim, net_drop), Receiver(sim)
    snd.rcv, rcv.sender = rcv, snd
    sim.at(0, snd.try_send)
    sim.at(0, rcv.app_read)
    sim.run()
    for line in sim.log:
        print(line)
    s = snd.stats
    print(f"  delivered {len(rcv.delivered)} segments in order; fast retransmits "
          f"{s['fast']}, timeouts {s['timeouts']}, probes {s['probes']}, "
          f"Karn skips {s['karn_skips']}")
    print(f"  SRTT={float(snd.est.srtt) * 1000:.1f}ms, RTO after back-offs "
          f"{[float(r) for r in snd.rto_history]}, final RTO {float(snd.est.rto):g}s")
    assert rcv.delivered == list(range(TOTAL))
    assert s["fast"] == 1 and s["timeouts"] == 2
    assert rcv.lost_updates == 1 and s["probes"] >= 1
    assert snd.rto_history == [2, 4]       # floor 1 s, then doubled twice
    assert snd.est.rto == 4                # Karn: no sample from the retransmission
    assert s["karn_skips"] >= 1
    assert snd.est.srtt == F(1, 10)        # every clean sample was exactly 100 ms
    assert s["max_flight"] <= RCV_BUF


if __name__ == "__main__":
    part1()
    part2()
    print("all checks passed")
