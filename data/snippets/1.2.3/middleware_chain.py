# caption: 责任链模式：HTTP 中间件链（请求 ID、访问日志、鉴权、令牌桶限流），任一环节可短路返回；ChainMap 作为查找链
# point: 责任链模式
"""Chain of responsibility as request middleware (the "onion").

Each middleware gets (request, next_handler).  It may pass the request on,
act before and after the rest of the chain, or answer by itself (401, 429)
so nothing further down runs.  collections.ChainMap is the lookup flavour:
the first mapping that has the key answers.
"""
import functools
import itertools
from collections import ChainMap
from dataclasses import dataclass, field

trace = []


@dataclass
class Request:
    path: str
    headers: dict = field(default_factory=dict)
    ctx: dict = field(default_factory=dict)


@dataclass
class Response:
    status: int
    body: str = ""
    headers: dict = field(default_factory=dict)


_ids = itertools.count(1)


def request_id(req, nxt):
    req.ctx["rid"] = req.headers.get("X-Request-Id") or f"r{next(_ids)}"
    resp = nxt(req)
    resp.headers["X-Request-Id"] = req.ctx["rid"]        # runs on the way out
    return resp


access_log = []


def logging_mw(req, nxt):
    trace.append("log>")
    resp = nxt(req)
    access_log.append(f"{req.ctx['rid']} {req.path} {resp.status}")
    trace.append("<log")
    return resp


TOKENS = {"secret-a": "alice", "secret-b": "bob"}


def auth(req, nxt):
    user = TOKENS.get(req.headers.get("Authorization", ""))
    if user is None:
        trace.append("auth:401")
        return Response(401, "unauthorized")               # short-circuit
    req.ctx["user"] = user
    trace.append("auth:ok")
    return nxt(req)


class TokenBucket:
    """Per-user bucket: `rate` tokens per second, at most `burst` stored."""

    def __init__(self, rate, burst, clock):
        self.rate, self.burst, self.clock = rate, burst, clock
        self.state = {}                                     # user -> (tokens, last)

    def __call__(self, req, nxt):
        now = self.clock()
        tokens, last = self.state.get(req.ctx["user"], (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens < 1:
            self.state[req.ctx["user"]] = (tokens, now)
            trace.append("limit:429")
            return Response(429, "slow down", {"Retry-After": "1"})
        self.state[req.ctx["user"]] = (tokens - 1, now)
        trace.append("limit:ok")
        return nxt(req)


def app(req):
    trace.append("app")
    return Response(200, f"hello {req.ctx['user']}")


def build_chain(handler, middlewares):
    for mw in reversed(middlewares):                        # first listed = outermost
        handler = functools.partial(mw, nxt=handler)
    return handler


now = [0.0]
limiter = TokenBucket(rate=1.0, burst=2, clock=lambda: now[0])
handle = build_chain(app, [request_id, logging_mw, auth, limiter])

resp = handle(Request("/orders", {"Authorization": "secret-a", "X-Request-Id": "abc"}))
assert resp.status == 200 and resp.headers["X-Request-Id"] == "abc"
assert trace == ["log>", "auth:ok", "limit:ok", "app", "<log"]
print(f"200 path: {' -> '.join(trace)}")

trace.clear()
resp = handle(Request("/orders"))
assert resp.status == 401 and "app" not in trace and "limit:ok" not in trace
print(f"401 path: {' -> '.join(trace)}   (limiter and app never ran)")

statuses = []
for _ in range(3):                                          # burst 2, then empty
    statuses.append(handle(Request("/orders", {"Authorization": "secret-b"})).status)
now[0] += 1.0                                               # one token refills
statuses.append(handle(Request("/orders", {"Authorization": "secret-b"})).status)
assert statuses == [200, 200, 429, 200], statuses
print(f"bob: 3 requests at t=0 then 1 at t=1 -> {statuses}")
assert access_log[1].endswith("/orders 401") and len(access_log) == 6
print(f"access log (outer middleware still sees short-circuits): {access_log[:3]}")

# Lookup chain: the first mapping holding the key answers the request.
defaults = {"pool_size": 10, "timeout_s": 3, "log_level": "INFO"}
file_cfg = {"pool_size": 32}
env_cfg = {"log_level": "DEBUG"}
cfg = ChainMap(env_cfg, file_cfg, defaults)
assert (cfg["log_level"], cfg["pool_size"], cfg["timeout_s"]) == ("DEBUG", 32, 3)
print(f"ChainMap(env, file, defaults): log_level={cfg['log_level']}, "
      f"pool_size={cfg['pool_size']}, timeout_s={cfg['timeout_s']}")
print("all chain-of-responsibility checks passed")
