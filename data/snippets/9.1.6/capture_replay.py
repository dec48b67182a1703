# caption: Fiddler 与 Postman 的模型：一个记录型 HTTP 代理截下客户端的登录与 POST 请求（方法、URL、正文、状态、耗时），再像 Postman 一样改写正文重放
# point: fiddler监控http请求,postman模拟请求
# timeout: 20
import http.client
import http.server
import json
import os
import threading
import time
import urllib.request

captured = []
for var in ("no_proxy", "NO_PROXY"):                     # loopback must go through our proxy, not around it
    os.environ.pop(var, None)


class Api(http.server.BaseHTTPRequestHandler):           # the service under test
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path == "/api/login":
            out = {"code": 0, "token": "t-" + body["user"]} if body["pwd"] == "secret" else {"code": 1}
        else:
            ok = self.headers.get("Authorization") == "Bearer t-alice"
            out = {"code": 0, "md5": body["md5"], "instant": body["md5"].startswith("0")} if ok else {"code": 401}
        data = json.dumps(out).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class Capture(http.server.BaseHTTPRequestHandler):       # a forward proxy that records every exchange
    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)           # proxies receive the absolute URL
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("proxy-connection", "connection")}
        t0 = time.monotonic()
        up = http.client.HTTPConnection(url.hostname, url.port, timeout=5)
        up.request("POST", url.path, body, headers)
        resp = up.getresponse()
        data = resp.read()
        captured.append({"method": "POST", "url": self.path, "headers": headers, "body": body.decode(),
                         "status": resp.status, "resp": data.decode(), "ms": (time.monotonic() - t0) * 1000})
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("connection", "transfer-encoding", "server", "date"):
                self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


servers = [http.server.ThreadingHTTPServer(("127.0.0.1", 0), h) for h in (Api, Capture)]
for s in servers:
    threading.Thread(target=s.serve_forever, daemon=True).start()
api = f"http://127.0.0.1:{servers[0].server_port}"
opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": f"http://127.0.0.1:{servers[1].server_port}"}))


def post(op, url, obj, token=None):
    req = urllib.request.Request(url, json.dumps(obj).encode(), {"Content-Type": "application/json"})
    if token:
        req.add_header("Authorization", "Bearer " + token)
    return json.loads(op.open(req, timeout=5).read())


token = post(opener, api + "/api/login", {"user": "alice", "pwd": "secret"})["token"]   # the "app" through the proxy
post(opener, api + "/api/md5", {"md5": "9e107d9d372bb6826bd81d3542a419d6", "name": "a.txt"}, token)
for c in captured:
    print(f"captured {c['method']} {c['url'][len(api):]:<10} {c['status']} {c['ms']:.1f} ms  req={c['body']}  resp={c['resp']}")
assert [json.loads(c["resp"])["code"] for c in captured] == [0, 0]

last = captured[-1]                                      # "Postman": edit the captured request and replay it
body = json.loads(last["body"]) | {"md5": "0cc175b9c0f1b6a831c399e269772661"}
direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))   # no proxy at all
r1 = post(direct, last["url"], body, last["headers"]["Authorization"].split()[1])
r2 = post(direct, last["url"], body)                     # the same request without the token
print("replayed with edited md5:", r1, "| without token:", r2)
assert r1["instant"] is True and r2["code"] == 401
for s in servers:
    s.shutdown()
    s.server_close()
