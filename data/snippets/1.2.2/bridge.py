# caption: 桥接模式：指标“种类”（计数器、计时器）与“上报后端”（StatsD over UDP、Prometheus 文本、内存）两个维度独立扩展
# point: 桥接模式
# timeout: 15
"""Bridge: split one class hierarchy into two that vary independently.

Abstraction: what the application records (Counter, Timer).
Implementation: where it goes (MetricSink): StatsD line protocol over UDP to
a listener on 127.0.0.1, Prometheus text exposition, or memory for tests.
Two kinds x three sinks needs 2 + 3 classes, not 2 * 3; a fourth sink or a
third kind adds one class.  The stdlib logging module is built this way:
Logger (what to log) holds Handlers (where it goes).
"""
import socket
from abc import ABC, abstractmethod


# ------------------------------------------------------------- implementation
class MetricSink(ABC):
    @abstractmethod
    def emit(self, name: str, value: float, kind: str) -> None: ...


class MemorySink(MetricSink):
    def __init__(self):
        self.points = []

    def emit(self, name, value, kind):
        self.points.append((name, value, kind))


class StatsdSink(MetricSink):
    """StatsD line protocol: '<name>:<value>|c' for counters, '|ms' for timers."""

    TYPE = {"counter": "c", "timer": "ms"}

    def __init__(self, addr):
        self.addr = addr
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

    def emit(self, name, value, kind):
        line = f"{name}:{value:g}|{self.TYPE[kind]}"
        self.sock.sendto(line.encode(), self.addr)

    def close(self):
        self.sock.close()


class PrometheusTextSink(MetricSink):
    """Keeps state and renders the text exposition format on scrape."""

    def __init__(self):
        self.counters = {}
        self.summaries = {}

    def emit(self, name, value, kind):
        name = name.replace(".", "_")
        if kind == "counter":
            key = name + "_total"
            self.counters[key] = self.counters.get(key, 0) + value
        else:
            count, total = self.summaries.get(name, (0, 0.0))
            self.summaries[name] = (count + 1, total + value / 1000.0)

    def scrape(self):
        out = []
        for key, v in sorted(self.counters.items()):
            out += [f"# TYPE {key} counter", f"{key} {v:g}"]
        for key, (count, total) in sorted(self.summaries.items()):
            out += [f"# TYPE {key}_seconds summary",
                    f"{key}_seconds_count {count}", f"{key}_seconds_sum {total:g}"]
        return "\n".join(out)


# ---------------------------------------------------------------- abstraction
class Metric:
    kind = ""

    def __init__(self, name: str, sink: MetricSink):
        self.name = name
        self.sink = sink                    # the bridge: has-a, not is-a


class Counter(Metric):
    kind = "counter"

    def inc(self, n=1):
        if n < 0:
            raise ValueError("counters only go up")
        self.sink.emit(self.name, n, self.kind)


class Timer(Metric):
    kind = "timer"

    def observe_ms(self, ms):
        self.sink.emit(self.name, ms, self.kind)


def handle_requests(requests: Counter, latency: Timer):
    for ms in (12, 30, 18):
        requests.inc()
        latency.observe_ms(ms)


# 1. memory sink (tests)
mem = MemorySink()
handle_requests(Counter("http.requests", mem), Timer("http.latency", mem))
assert [p[2] for p in mem.points] == ["counter", "timer"] * 3
print(f"MemorySink got {len(mem.points)} points, first {mem.points[0]}")

# 2. StatsD over real UDP on loopback
listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
listener.bind(("127.0.0.1", 0))
listener.settimeout(2)
statsd = StatsdSink(listener.getsockname())
handle_requests(Counter("http.requests", statsd), Timer("http.latency", statsd))
lines = [listener.recv(512).decode() for _ in range(6)]
statsd.close()
listener.close()
assert lines[:2] == ["http.requests:1|c", "http.latency:12|ms"], lines
print(f"StatsdSink datagrams: {lines}")

# 3. Prometheus text format
prom = PrometheusTextSink()
handle_requests(Counter("http.requests", prom), Timer("http.latency", prom))
text = prom.scrape()
assert "http_requests_total 3" in text and "http_latency_seconds_count 3" in text
assert "http_latency_seconds_sum 0.06" in text
print("PrometheusTextSink scrape:")
for line in text.splitlines():
    print("   " + line)
print(f"classes written: {len([Counter, Timer])} kinds + "
      f"{len([MemorySink, StatsdSink, PrometheusTextSink])} sinks = 5 (not 2 x 3 = 6)")
print("all bridge checks passed")
