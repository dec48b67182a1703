# caption: 状态模式：TCP 连接状态机，每个状态一个对象，只处理本状态合法的事件；两个端点互发报文走完握手、挥手和同时关闭
# point: 状态模式
"""State pattern with TCP connection states (RFC 9293, section 3.3.2).

The connection (context) delegates every event to its current state object;
each state implements only the events that are legal in it and decides the
next state.  Illegal events raise instead of silently corrupting the
connection.  Two endpoints exchange segments through a tiny in-order "wire".
Simplified: segments are just "SYN", "SYN+ACK", "ACK", "FIN"; an "ACK"
received while waiting for the ACK of our SYN or FIN is taken to be that ACK.
"""


class InvalidTransition(Exception):
    pass


class State:
    name = "?"

    def _bad(self, conn, event):
        raise InvalidTransition(f"{self.name} cannot handle {event}")

    def passive_open(self, conn): self._bad(conn, "passive_open")
    def active_open(self, conn): self._bad(conn, "active_open")
    def close(self, conn): self._bad(conn, "close")
    def timeout(self, conn): self._bad(conn, "timeout")

    def recv(self, conn, seg):
        handler = getattr(self, "on_" + seg.replace("+", "_"), None)
        if handler is None:
            self._bad(conn, f"recv {seg}")
        handler(conn)

    def __repr__(self):
        return self.name


class Closed(State):
    name = "CLOSED"
    def passive_open(self, conn): conn.goto(LISTEN)
    def active_open(self, conn): conn.send("SYN"); conn.goto(SYN_SENT)


class Listen(State):
    name = "LISTEN"
    def on_SYN(self, conn): conn.send("SYN+ACK"); conn.goto(SYN_RCVD)
    def close(self, conn): conn.goto(CLOSED)


class SynSent(State):
    name = "SYN_SENT"
    def on_SYN_ACK(self, conn): conn.send("ACK"); conn.goto(ESTABLISHED)
    def close(self, conn): conn.goto(CLOSED)


class SynRcvd(State):
    name = "SYN_RCVD"
    def on_ACK(self, conn): conn.goto(ESTABLISHED)
    def close(self, conn): conn.send("FIN"); conn.goto(FIN_WAIT_1)


class Established(State):
    name = "ESTABLISHED"
    def close(self, conn): conn.send("FIN"); conn.goto(FIN_WAIT_1)
    def on_FIN(self, conn): conn.send("ACK"); conn.goto(CLOSE_WAIT)
    def on_ACK(self, conn): pass                     # data ACKs: stay


class FinWait1(State):
    name = "FIN_WAIT_1"
    def on_ACK(self, conn): conn.goto(FIN_WAIT_2)
    def on_FIN(self, conn): conn.send("ACK"); conn.goto(CLOSING)   # simultaneous close


class FinWait2(State):
    name = "FIN_WAIT_2"
    def on_FIN(self, conn): conn.send("ACK"); conn.goto(TIME_WAIT)


class Closing(State):
    name = "CLOSING"
    def on_ACK(self, conn): conn.goto(TIME_WAIT)


class TimeWait(State):
    name = "TIME_WAIT"
    def timeout(self, conn): conn.goto(CLOSED)        # after 2*MSL
    def on_FIN(self, conn): conn.send("ACK")          # peer lost our ACK: re-ACK


class CloseWait(State):
    name = "CLOSE_WAIT"
    def close(self, conn): conn.send("FIN"); conn.goto(LAST_ACK)


class LastAck(State):
    name = "LAST_ACK"
    def on_ACK(self, conn): conn.goto(CLOSED)


# States carry no per-connection data, so one shared instance each is enough.
CLOSED, LISTEN, SYN_SENT, SYN_RCVD = Closed(), Listen(), SynSent(), SynRcvd()
ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2 = Established(), FinWait1(), FinWait2()
CLOSING, TIME_WAIT, CLOSE_WAIT, LAST_ACK = Closing(), TimeWait(), CloseWait(), LastAck()


class Connection:
    def __init__(self, name):
        self.name, self.state, self.outbox = name, CLOSED, []
        self.history = [CLOSED.name]

    def goto(self, state):
        self.state = state
        self.history.append(state.name)

    def send(self, seg):
        self.outbox.append(seg)

    # the public API just delegates to the current state
    def passive_open(self): self.state.passive_open(self)
    def active_open(self): self.state.active_open(self)
    def close(self): self.state.close(self)
    def timeout(self): self.state.timeout(self)
    def recv(self, seg): self.state.recv(self, seg)


def pump(a, b):
    """Deliver queued segments in order until both outboxes are empty."""
    for _ in range(20):                               # bounded
        if not a.outbox and not b.outbox:
            return
        for src, dst in ((a, b), (b, a)):
            segs, src.outbox = src.outbox, []
            for seg in segs:
                dst.recv(seg)
    raise RuntimeError("wire did not settle")


# 1. handshake + client-initiated close
client, server = Connection("client"), Connection("server")
server.passive_open()
client.active_open()
pump(client, server)
assert client.state is ESTABLISHED and server.state is ESTABLISHED
client.close()
pump(client, server)
assert client.state is FIN_WAIT_2 and server.state is CLOSE_WAIT
server.close()                                        # app finally calls close()
pump(client, server)
assert client.state is TIME_WAIT and server.state is CLOSED
client.timeout()
assert client.history == ["CLOSED", "SYN_SENT", "ESTABLISHED", "FIN_WAIT_1",
                          "FIN_WAIT_2", "TIME_WAIT", "CLOSED"]
assert server.history == ["CLOSED", "LISTEN", "SYN_RCVD", "ESTABLISHED",
                          "CLOSE_WAIT", "LAST_ACK", "CLOSED"]
print("active close  client:", " > ".join(client.history))
print("passive close server:", " > ".join(server.history))

# 2. simultaneous close: both FINs cross on the wire
a, b = Connection("a"), Connection("b")
b.passive_open(); a.active_open(); pump(a, b)
a.close(); b.close()
pump(a, b)
assert a.state is TIME_WAIT and b.state is TIME_WAIT
assert a.history[-3:] == ["FIN_WAIT_1", "CLOSING", "TIME_WAIT"]
print("simultaneous close a:", " > ".join(a.history[2:]))

# 3. the state object rejects events that are illegal in it
for conn, event in ((a, "active_open"), (server, "close")):
    try:
        getattr(conn, event)()
        raise AssertionError("must raise")
    except InvalidTransition as e:
        print(f"{conn.name}.{event}() in {conn.state} -> InvalidTransition: {e}")
try:
    Connection("x").recv("FIN")
    raise AssertionError("must raise")
except InvalidTransition as e:
    print(f"FIN arriving in CLOSED -> InvalidTransition: {e}")
print("all state checks passed")
