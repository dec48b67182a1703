# caption: 仿 ngx_http_init_phase_handlers/ngx_http_core_run_phases 的阶段引擎：checker + handler 扁平数组，跑通 rewrite 回跳、access 拒绝、satisfy any、content handler 与 404
# point: http请求的11个处理阶段
# timeout: 10
OK, DECLINED, AGAIN, DONE = 0, -5, -2, -4          # NGX_OK, NGX_DECLINED, NGX_AGAIN, NGX_DONE
PHASES = ["POST_READ", "SERVER_REWRITE", "FIND_CONFIG", "REWRITE", "POST_REWRITE",
          "PREACCESS", "ACCESS", "POST_ACCESS", "PRECONTENT", "CONTENT", "LOG"]
NO_HANDLERS = {"FIND_CONFIG", "POST_REWRITE", "POST_ACCESS"}   # framework-only phases


class Request:
    def __init__(self, uri, ip, user=None):
        self.uri, self.ip, self.user = uri, ip, user
        self.phase_handler = 0
        self.uri_changed = False
        self.uri_changes = 11                      # NGX_HTTP_MAX_URI_CHANGES + 1
        self.loc = None
        self.content_handler = None
        self.access_code = 0
        self.status = None
        self.trace = []

    def finalize(self, status):
        self.status = status
        return OK


# ---------------- checkers (ngx_http_core_*_phase) -----------------------------------
def generic_checker(r, ph):
    rc = ph["handler"](r)
    if rc == OK:                                   # this phase is done: jump to next phase
        r.phase_handler = ph["next"]
        return AGAIN
    if rc == DECLINED:                             # let the next handler of this phase try
        r.phase_handler += 1
        return AGAIN
    if rc in (AGAIN, DONE):                        # wait for an event (e.g. limit_req delay)
        return OK
    return r.finalize(rc)


def rewrite_checker(r, ph):
    rc = ph["handler"](r)
    if rc == DECLINED:
        r.phase_handler += 1
        return AGAIN
    if rc == DONE:
        return OK
    return r.finalize(rc)


def find_config_checker(r, ph):
    r.loc = next(loc for prefix, loc in LOCATIONS if r.uri.startswith(prefix))
    r.content_handler = r.loc.get("content_handler")
    r.trace.append("FIND_CONFIG -> location %s" % r.loc["name"])
    r.phase_handler += 1
    return AGAIN


def post_rewrite_checker(r, ph):
    if not r.uri_changed:
        r.phase_handler += 1
        return AGAIN
    r.uri_changes -= 1
    if r.uri_changes == 0:                         # "rewrite or internal redirection cycle"
        r.trace.append("POST_REWRITE: too many URI changes")
        return r.finalize(500)
    r.uri_changed = False
    r.trace.append("POST_REWRITE: uri changed -> back to FIND_CONFIG")
    r.phase_handler = ph["next"]                   # index of FIND_CONFIG
    return AGAIN


def access_checker(r, ph):
    rc = ph["handler"](r)
    if rc == DECLINED:
        r.phase_handler += 1
        return AGAIN
    satisfy_all = r.loc.get("satisfy", "all") == "all"
    if satisfy_all:
        if rc == OK:                               # passed this check, run the next one
            r.phase_handler += 1
            return AGAIN
        return r.finalize(rc)
    if rc == OK:                                   # satisfy any: one pass is enough,
        r.access_code = 0                          # jump past POST_ACCESS
        r.phase_handler = ph["next"]
        return AGAIN
    if rc in (403, 401):
        if r.access_code != 401:
            r.access_code = rc                     # remember the failure, try the others
        r.phase_handler += 1
        return AGAIN
    return r.finalize(rc)


def post_access_checker(r, ph):
    if r.access_code:                              # every access handler refused
        return r.finalize(r.access_code)
    r.phase_handler += 1
    return AGAIN


def content_checker(r, ph):
    if r.content_handler:                          # location handler (proxy_pass, ...) wins
        r.trace.append("CONTENT: location content_handler")
        return r.finalize(r.content_handler(r))
    rc = ph["handler"](r)
    if rc != DECLINED:
        return r.finalize(rc)
    r.phase_handler += 1
    if ENGINE[r.phase_handler]["checker"] is not None:
        return AGAIN
    return r.finalize(403 if r.uri.endswith("/") else 404)   # nobody produced content


# ---------------- module handlers ---------------------------------------------------
def traced(phase, name, fn):
    def h(r):
        rc = fn(r)
        r.trace.append("%s: %s -> %s" % (phase, name, {OK: "OK", DECLINED: "DECLINED"}.get(rc, rc)))
        return rc
    return h


def realip(r):
    return DECLINED


def rewrite(r):
    rule = r.loc.get("rewrite") if r.loc else SERVER_REWRITES.get(r.uri)
    if rule and r.uri.startswith(rule[0]):
        r.uri = rule[1] + r.uri[len(rule[0]):]
        r.uri_changed = True
    return DECLINED


def limit_req(r):
    return DECLINED


def access(r):
    return 403 if r.ip.startswith("10.") else OK      # "deny 10.0.0.0/8; allow all;"


def auth_basic(r):
    if not r.loc.get("auth"):
        return DECLINED
    return OK if r.user == "alice" else 401


def try_files(r):
    return DECLINED


def index(r):
    if r.uri.endswith("/") and r.uri + "index.html" in FILES:
        return 200                                 # (nginx does an internal redirect here)
    return DECLINED


def static(r):
    return 200 if r.uri in FILES else DECLINED


def access_log(r):
    r.trace.append("LOG: access_log writes '%s %s'" % (r.uri, r.status))
    return OK


SERVER_REWRITES = {}
LOCATIONS = [("/old/", {"name": "/old/", "rewrite": ("/old/", "/new/")}),
             ("/loop", {"name": "/loop", "rewrite": ("/loop", "/loop")}),
             ("/admin/", {"name": "/admin/", "satisfy": "any", "auth": True}),
             ("/api/", {"name": "/api/", "content_handler": lambda r: 502 if r.uri == "/api/down" else 200}),
             ("/", {"name": "/"})]
FILES = {"/new/page.html", "/index.html", "/admin/panel.html"}

# postconfiguration of each module pushes into cmcf->phases[...].handlers (module order)
registered = {p: [] for p in PHASES}
for phase, name, fn in [("POST_READ", "realip", realip), ("SERVER_REWRITE", "rewrite", rewrite),
                        ("REWRITE", "rewrite", rewrite), ("PREACCESS", "limit_req", limit_req),
                        ("ACCESS", "access", access), ("ACCESS", "auth_basic", auth_basic),
                        ("PRECONTENT", "try_files", try_files),
                        ("CONTENT", "static", static), ("CONTENT", "index", index),
                        ("LOG", "log", access_log)]:
    assert phase not in NO_HANDLERS
    registered[phase].append(fn if phase == "LOG" else traced(phase, name, fn))

CHECKER = {"REWRITE": rewrite_checker, "SERVER_REWRITE": rewrite_checker,
           "ACCESS": access_checker, "CONTENT": content_checker}


def init_phase_handlers():
    """Flatten phases into one array; each entry knows the index of the next phase."""
    engine, find_config_index = [], None
    for phase in PHASES[:-1]:                      # LOG handlers run at finalization
        if phase == "FIND_CONFIG":
            find_config_index = len(engine)
            engine.append({"phase": phase, "checker": find_config_checker})
            continue
        if phase == "POST_REWRITE":
            engine.append({"phase": phase, "checker": post_rewrite_checker, "next": find_config_index})
            continue
        if phase == "POST_ACCESS":
            engine.append({"phase": phase, "checker": post_access_checker})
            continue
        hs = registered[phase]
        nxt = len(engine) + len(hs) + (1 if phase == "ACCESS" else 0)   # ACCESS reserves POST_ACCESS
        for h in reversed(hs):                     # last registered runs first
            engine.append({"phase": phase, "checker": CHECKER.get(phase, generic_checker),
                           "handler": h, "next": nxt})
    engine.append({"phase": "end", "checker": None})
    return engine


ENGINE = init_phase_handlers()


def run_phases(r):
    for _ in range(1000):                          # ngx_http_core_run_phases
        ph = ENGINE[r.phase_handler]
        if ph["checker"] is None or ph["checker"](r, ph) == OK:
            break
    for h in registered["LOG"]:                    # ngx_http_log_request
        h(r)
    return r


print("engine:", " ".join(e["phase"][:6] for e in ENGINE))
r = run_phases(Request("/old/page.html", "1.2.3.4"))
assert r.status == 200 and r.uri == "/new/page.html"
assert sum(1 for t in r.trace if t.startswith("FIND_CONFIG")) == 2
print("\n".join(["GET /old/page.html"] + ["  " + t for t in r.trace]))

r = run_phases(Request("/index.html", "10.0.0.7"))
assert r.status == 403 and not any("CONTENT" in t for t in r.trace)
r2 = run_phases(Request("/admin/panel.html", "10.0.0.7", user="alice"))
r3 = run_phases(Request("/admin/panel.html", "10.0.0.7", user="mallory"))
assert r2.status == 200 and r3.status == 401
print("10.0.0.7 GET /index.html -> %d; /admin (satisfy any) alice -> %d, mallory -> %d"
      % (r.status, r2.status, r3.status))

r = run_phases(Request("/api/users", "1.2.3.4"))
assert r.status == 200 and "CONTENT: location content_handler" in r.trace
assert not any(t.startswith("CONTENT: static") for t in r.trace)
assert run_phases(Request("/api/down", "1.2.3.4")).status == 502
assert run_phases(Request("/", "1.2.3.4")).status == 200
r = run_phases(Request("/missing.html", "1.2.3.4"))
assert r.status == 404 and [t for t in r.trace if t.startswith("CONTENT")] == [
    "CONTENT: index -> DECLINED", "CONTENT: static -> DECLINED"]
r = run_phases(Request("/loop", "1.2.3.4"))
assert r.status == 500 and sum(1 for t in r.trace if t.startswith("FIND_CONFIG")) == 11
print("/api/users -> 200 via content_handler; /missing.html -> 404 after index, static decline;"
      " /loop -> 500 after 10 URI changes")
