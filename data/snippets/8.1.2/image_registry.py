# caption: 镜像按内容寻址：层和配置都是以 sha256 摘要命名的 blob，manifest 把它们串起来，tag 只是指向 manifest 摘要的名字；本机 HTTP 仓库按 /v2/<name>/manifests|blobs/ 路径推拉，共享的基础层只传一次，拉取时逐个校验摘要，改 tag 后旧镜像变成悬空并被垃圾回收
# point: Docker镜像管理
# timeout: 30
import hashlib, http.server, io, json, tarfile, threading, urllib.error, urllib.request

def digest(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()
def layer(files):                          # a layer is a tar of files (real images gzip it)
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode="w") as t:
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 0
            t.addfile(info, io.BytesIO(data))
    return bio.getvalue()
def image(layers, cmd):                    # -> (manifest bytes, {digest: blob})
    blobs = {digest(l): l for l in layers}
    config = json.dumps({"rootfs": {"type": "layers", "diff_ids": [digest(l) for l in layers]},
                         "config": {"Cmd": cmd}}, sort_keys=True).encode()
    blobs[digest(config)] = config
    manifest = json.dumps({"schemaVersion": 2, "config": {"digest": digest(config), "size": len(config)},
                           "layers": [{"digest": digest(l), "size": len(l)} for l in layers]}).encode()
    return manifest, blobs

store = {"blobs": {}, "manifests": {}, "tags": {}}   # the registry's content-addressable storage
class Registry(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def _find(self):                       # /v2/<name>/blobs/<digest> or /v2/<name>/manifests/<tag|digest>
        _, _, name, kind, ref = self.path.split("/")
        if kind == "manifests" and not ref.startswith("sha256:"):
            ref = store["tags"].get(f"{name}:{ref}", "")
        return name, kind, ref, store[kind].get(ref)
    def do_HEAD(self):
        self.send_response(200 if self._find()[3] is not None else 404)
        self.end_headers()
    def do_GET(self):
        body = self._find()[3]
        self.send_response(200 if body is not None else 404)
        self.end_headers()
        self.wfile.write(body or b"")
    def do_PUT(self):                      # simplified: the real API uploads with POST .../blobs/uploads/ then PUT ?digest=
        _, _, name, kind, ref = self.path.split("/")
        body = self.rfile.read(int(self.headers["Content-Length"]))
        d = digest(body)
        if kind == "manifests":
            store["manifests"][d], store["tags"][f"{name}:{ref}"] = body, d
        else:
            assert d == ref, "digest mismatch on upload"
            store["blobs"][d] = body
        self.send_response(201)
        self.end_headers()
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Registry)
threading.Thread(target=srv.serve_forever, daemon=True).start()
URL = "http://127.0.0.1:%d/v2/" % srv.server_address[1]

def push(name, tag, manifest, blobs):
    sent = 0
    for d, b in blobs.items():
        try:
            urllib.request.urlopen(urllib.request.Request(URL + f"{name}/blobs/{d}", method="HEAD"))
            continue                       # "Layer already exists"
        except urllib.error.HTTPError:
            urllib.request.urlopen(urllib.request.Request(URL + f"{name}/blobs/{d}", b, method="PUT"))
            sent += 1
    urllib.request.urlopen(urllib.request.Request(URL + f"{name}/manifests/{tag}", manifest, method="PUT"))
    return sent
def pull(name, tag):
    m = urllib.request.urlopen(URL + f"{name}/manifests/{tag}").read()
    refs = [json.loads(m)["config"]] + json.loads(m)["layers"]
    for r in refs:
        b = urllib.request.urlopen(URL + f"{name}/blobs/{r['digest']}").read()
        if digest(b) != r["digest"]:
            raise ValueError(f"blob {r['digest'][:19]} corrupted")
    return digest(m), len(refs)

base = layer({"etc/os-release": b"atlas base 1.0\n", "bin/sh": b"\x7fELF..."})
v1 = image([base, layer({"app/server": b"v1 binary"})], ["/app/server"])
v2 = image([base, layer({"app/server": b"v2 binary"})], ["/app/server"])
print("push web:v1 ->", push("web", "v1", *v1), "blobs uploaded")
print("push web:v2 ->", push("web", "v2", *v2), "blobs uploaded (base layer already there)")
assert len(store["blobs"]) == 5                                    # base stored once: 1 + 2 apps + 2 configs
d, n = pull("web", "v2")
print(f"pull web:v2 -> manifest {d[:19]}…, {n} blobs verified")
assert d == digest(v2[0])
push("web", "latest", *v1)
push("web", "latest", *v2)                                         # retag: latest moves to v2
store["tags"].pop("web:v1")                                        # "docker rmi web:v1" on the registry side
live = {store["tags"][t] for t in store["tags"]}
dangling = [m for m in store["manifests"] if m not in live]
keep = {r["digest"] for m in live for r in [json.loads(store["manifests"][m])["config"]]
        + json.loads(store["manifests"][m])["layers"]}
freed = [b for b in store["blobs"] if b not in keep]               # mark and sweep
for b in freed:
    del store["blobs"][b]
print(f"tags {sorted(store['tags'])}; dangling manifests {len(dangling)}; GC freed {len(freed)} blobs")
assert len(dangling) == 1 and len(freed) == 2 and digest(base) in store["blobs"]
layer_d = json.loads(v2[0])["layers"][1]["digest"]
store["blobs"][layer_d] = b"tampered"
try:
    pull("web", "v2")
    raise AssertionError("corruption not detected")
except ValueError as e:
    print("pull after tampering:", e)
srv.shutdown()
print("OK: content addressing gives dedup across images, integrity on pull, and safe garbage collection")
