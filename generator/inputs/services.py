"""Private servers on loopback (Redis, MariaDB, a three-member etcd) and the other needs a snippet can declare.

A server starts the first time a snippet that needs it actually runs, so a build served from the cache starts none.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path


class Unavailable(Exception):
    """A need that cannot be met on this machine; the message says what to install."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, proc: subprocess.Popen, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
        time.sleep(0.1)
    return False


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _start_redis(scratch: Path, stack: contextlib.ExitStack) -> dict[str, str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise Unavailable("redis-server is not installed (Debian package redis-server)")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(scratch), "--daemonize", "no", "--protected-mode", "yes"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stack.callback(_stop, proc)
    if not _wait_for_port(port, proc, 15):
        raise Unavailable("redis-server did not start")
    return {"ATLAS_REDIS_HOST": "127.0.0.1", "ATLAS_REDIS_PORT": str(port)}


def _mariadb_binaries() -> tuple[str | None, str | None, str | None]:
    server = shutil.which("mariadbd") or shutil.which("mariadbd", path="/usr/sbin:/usr/local/sbin")
    install = shutil.which("mariadb-install-db") or shutil.which("mysql_install_db")
    client = shutil.which("mariadb") or shutil.which("mysql")
    return server, install, client


def _start_mariadb(scratch: Path, stack: contextlib.ExitStack) -> dict[str, str]:
    server, install, client = _mariadb_binaries()
    if not (server and install and client):
        raise Unavailable("mariadbd is not installed (Debian package mariadb-server)")
    datadir, sock, port = scratch / "mariadb", scratch / "mariadb.sock", free_port()
    datadir.mkdir()
    init = subprocess.run([install, "--no-defaults", f"--datadir={datadir}", "--user=root",
                           "--auth-root-authentication-method=normal", "--skip-test-db"],
                          capture_output=True, text=True)
    if init.returncode != 0:
        raise Unavailable("mariadb-install-db failed: " + init.stderr.strip()[-300:])
    proc = subprocess.Popen(
        [server, "--no-defaults", f"--datadir={datadir}", f"--socket={sock}", f"--port={port}",
         "--bind-address=127.0.0.1", "--user=root", "--skip-log-bin", "--innodb-buffer-pool-size=64M",
         f"--pid-file={scratch / 'mariadb.pid'}", "--skip-name-resolve"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stack.callback(_stop, proc)
    if not _wait_for_port(port, proc, 60):
        raise Unavailable("mariadbd did not start")
    created = subprocess.run([client, f"--socket={sock}", "-uroot", "-e", "CREATE DATABASE IF NOT EXISTS atlas"],
                             capture_output=True, text=True)
    if created.returncode != 0:
        raise Unavailable("could not create the atlas database: " + created.stderr.strip())
    return {"ATLAS_MYSQL_HOST": "127.0.0.1", "ATLAS_MYSQL_PORT": str(port), "ATLAS_MYSQL_USER": "root",
            "ATLAS_MYSQL_PASSWORD": "", "ATLAS_MYSQL_DATABASE": "atlas"}


def _start_etcd(scratch: Path, stack: contextlib.ExitStack) -> dict[str, str]:
    """Three etcd members on loopback: enough for a quorum, a leader and a re-election to be seen."""
    etcd, etcdctl = shutil.which("etcd"), shutil.which("etcdctl")
    if not (etcd and etcdctl):
        raise Unavailable("etcd is not installed (Debian packages etcd-server and etcd-client)")
    names = ("n1", "n2", "n3")
    peers = {n: free_port() for n in names}
    clients = {n: free_port() for n in names}
    cluster = ",".join(f"{n}=http://127.0.0.1:{peers[n]}" for n in names)
    procs = []
    for n in names:
        proc = subprocess.Popen(
            [etcd, "--name", n, "--data-dir", str(scratch / n),
             "--listen-peer-urls", f"http://127.0.0.1:{peers[n]}",
             "--initial-advertise-peer-urls", f"http://127.0.0.1:{peers[n]}",
             "--listen-client-urls", f"http://127.0.0.1:{clients[n]}",
             "--advertise-client-urls", f"http://127.0.0.1:{clients[n]}",
             "--initial-cluster", cluster, "--initial-cluster-state", "new",
             "--initial-cluster-token", "atlas"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        stack.callback(_stop, proc)
        procs.append(proc)
    endpoints = ",".join(f"http://127.0.0.1:{clients[n]}" for n in names)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        health = subprocess.run([etcdctl, "--endpoints", endpoints, "endpoint", "health"], capture_output=True,
                                text=True, env={**os.environ, "ETCDCTL_API": "3"})
        if health.returncode == 0:
            return {"ATLAS_ETCD_ENDPOINTS": endpoints, "ATLAS_ETCD": etcd, "ATLAS_ETCDCTL": etcdctl}
        if any(p.poll() is not None for p in procs):
            break
        time.sleep(0.3)
    raise Unavailable("the etcd cluster did not become healthy")


def _nginx(_scratch: Path, _stack: contextlib.ExitStack) -> dict[str, str]:
    """Each Nginx snippet runs its own server (`nginx -p . -c conf`) in its scratch folder: it needs the binary."""
    binary = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if binary is None:
        raise Unavailable("nginx is not installed (Debian package nginx)")
    return {"ATLAS_NGINX": binary}


def _root(_scratch: Path, _stack: contextlib.ExitStack) -> dict[str, str]:
    if os.geteuid() != 0:
        raise Unavailable("needs root (namespaces, devices or cgroups); CI runs as root")
    return {}


# What each need means to a reader running the snippet on their own machine (the page prints it).
NEED_HELP = {
    "redis": "Redis：读取 `ATLAS_REDIS_HOST`/`ATLAS_REDIS_PORT`，默认 127.0.0.1:6379",
    "mariadb": "MariaDB/MySQL：读取 `ATLAS_MYSQL_HOST`/`ATLAS_MYSQL_PORT`/`ATLAS_MYSQL_USER`/`ATLAS_MYSQL_PASSWORD`/"
               "`ATLAS_MYSQL_DATABASE`，默认 127.0.0.1:3306、root、空密码、库 atlas，并需 `pip install pymysql`",
    "etcd": "etcd 集群：读取 `ATLAS_ETCD_ENDPOINTS`（逗号分隔），自建集群时用 `ATLAS_ETCD`/`ATLAS_ETCDCTL` 指向二进制",
    "nginx": "Nginx：读取 `ATLAS_NGINX`（nginx 可执行文件），片段在自己的临时目录里启动私有实例",
    "root": "root 权限（命名空间、设备或 cgroup）",
}

STARTERS = {"redis": _start_redis, "mariadb": _start_mariadb, "etcd": _start_etcd, "nginx": _nginx, "root": _root}


# Redis starts in a few milliseconds: every snippet gets a server of its own, so one snippet's FLUSHALL or CONFIG SET
# never reaches another running beside it. MariaDB and etcd take seconds to start and are shared.
PER_SNIPPET = {"redis"}


class ServicePool:
    """Starts each shared need the first time a running snippet asks for it, once, and remembers why one failed;
    starts a per-snippet need for each snippet and stops it when the snippet ends."""

    def __init__(self, scratch: Path, stack: contextlib.ExitStack):
        self._scratch, self._stack = scratch, stack
        self._lock = threading.Lock()
        self._env: dict[str, dict[str, str]] = {}
        self.unavailable: dict[str, str] = {}

    @contextlib.contextmanager
    def provide(self, needs: tuple[str, ...]) -> Iterator[tuple[dict[str, str], list[str]]]:
        """The variables a snippet gets for its needs, and why any cannot be met, while the snippet runs."""
        env: dict[str, str] = {}
        missing: list[str] = []
        with contextlib.ExitStack() as own:
            for name in needs:
                if name in PER_SNIPPET:
                    folder = Path(own.enter_context(tempfile.TemporaryDirectory(prefix=f"atlas-{name}-")))
                    try:
                        env.update(STARTERS[name](folder, own))
                    except Unavailable as exc:
                        missing.append(f"{name}: {exc}")
                    continue
                with self._lock:  # one start per shared service, even when two snippets ask at once
                    if name not in self._env and name not in self.unavailable:
                        folder = self._scratch / name
                        folder.mkdir()
                        try:
                            self._env[name] = STARTERS[name](folder, self._stack)
                        except Unavailable as exc:
                            self.unavailable[name] = str(exc)
                if name in self.unavailable:
                    missing.append(f"{name}: {self.unavailable[name]}")
                else:
                    env.update(self._env[name])
            yield env, missing


@contextlib.contextmanager
def pool() -> Iterator[ServicePool]:
    """A pool whose servers are stopped and whose data is removed when the block ends."""
    with contextlib.ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="atlas-services-")))
        yield ServicePool(scratch, stack)
