# caption: 工厂方法：按 URL scheme 注册存储后端的工厂表，子类重写 create_storage，以及“类本身就是工厂”
# point: 工厂方法模式
"""Factory method in idiomatic Python, with storage backends.

* A registry maps a URL scheme to a callable that builds the backend, so the
  caller writes open_storage("file://...") and never names a concrete class.
* The GoF form: a base class calls self.create_storage(); a subclass overrides
  that one method to change which product is built (here: tests use memory).
* Classes are callables, so "pass the class (or a partial) as the factory" is
  often all you need, as socketserver.TCPServer(addr, HandlerClass) does.
"""
import functools
import os
import shutil
from typing import Callable, Dict, Protocol
from urllib.parse import urlsplit


class Storage(Protocol):
    def put(self, key: str, data: bytes) -> None: ...
    def get(self, key: str) -> bytes: ...


_BACKENDS: Dict[str, Callable[..., Storage]] = {}


def backend(scheme: str):
    """Class decorator: register a factory for one URL scheme."""
    def register(factory):
        if scheme in _BACKENDS:
            raise ValueError(f"scheme {scheme!r} registered twice")
        _BACKENDS[scheme] = factory
        return factory
    return register


@backend("mem")
class MemoryStorage:
    def __init__(self, url=None):
        self._data = {}

    def put(self, key, data):
        self._data[key] = bytes(data)

    def get(self, key):
        return self._data[key]


@backend("file")
class FileStorage:
    def __init__(self, url):
        parts = urlsplit(url)               # file://fm_blobs -> ./fm_blobs
        self.root = os.path.abspath(parts.netloc + parts.path)
        os.makedirs(self.root, exist_ok=True)

    def _path(self, key):
        if "/" in key or key.startswith("."):
            raise ValueError("bad key")
        return os.path.join(self.root, key)

    def put(self, key, data):
        with open(self._path(key), "wb") as f:
            f.write(data)

    def get(self, key):
        with open(self._path(key), "rb") as f:
            return f.read()


def open_storage(url: str) -> Storage:
    scheme = urlsplit(url).scheme
    try:
        factory = _BACKENDS[scheme]
    except KeyError:
        raise ValueError(f"no storage backend for scheme {scheme!r}") from None
    return factory(url)


class UploadService:
    """Creator: the algorithm (upload) is fixed, the product is not."""

    def __init__(self, url):
        self.url = url
        self._storage = None

    def create_storage(self) -> Storage:        # the factory method
        return open_storage(self.url)

    def upload(self, name, data):
        if self._storage is None:
            self._storage = self.create_storage()
        self._storage.put(name, data)
        return self._storage


class InMemoryUploadService(UploadService):
    def create_storage(self) -> Storage:        # override only the factory
        return MemoryStorage()


shutil.rmtree("fm_blobs", ignore_errors=True)
mem = open_storage("mem://")
disk = open_storage("file://fm_blobs")
for s in (mem, disk):
    s.put("avatar.png", b"\x89PNG...")
    assert s.get("avatar.png") == b"\x89PNG..."
    print(f"open_storage -> {type(s).__name__:13} round-trip ok")
assert isinstance(mem, MemoryStorage) and isinstance(disk, FileStorage)
assert os.path.exists(os.path.join("fm_blobs", "avatar.png"))

try:
    open_storage("s3://bucket")
    raise AssertionError("unknown scheme must fail")
except ValueError as e:
    print(f"open_storage('s3://bucket') -> ValueError: {e}")

prod = UploadService("file://fm_blobs").upload("a.txt", b"hi")
test = InMemoryUploadService("file://fm_blobs").upload("b.txt", b"hi")
assert isinstance(prod, FileStorage) and isinstance(test, MemoryStorage)
assert not os.path.exists(os.path.join("fm_blobs", "b.txt"))
print(f"UploadService -> {type(prod).__name__}, "
      f"InMemoryUploadService -> {type(test).__name__} (nothing hit disk)")


class FakeConn:
    opened = 0

    def __init__(self, host, port):
        FakeConn.opened += 1
        self.addr = (host, port)


class Pool:
    def __init__(self, factory: Callable[[], FakeConn], size: int):
        self._idle = [factory() for _ in range(size)]

    def acquire(self):
        return self._idle.pop()


pool = Pool(functools.partial(FakeConn, "10.0.0.5", 3306), size=3)
assert FakeConn.opened == 3 and pool.acquire().addr == ("10.0.0.5", 3306)
print(f"Pool(factory=partial(FakeConn, ...)) opened {FakeConn.opened} connections")
shutil.rmtree("fm_blobs")
print("all factory-method checks passed")
