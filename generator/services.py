"""Private Redis and MariaDB servers on loopback for the snippets that declare them; stopped afterwards."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Services:
    env: dict[str, str] = field(default_factory=dict)  # ATLAS_* variables for the snippets
    unavailable: dict[str, str] = field(default_factory=dict)  # service -> why it could not start


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


def _start_redis(scratch: Path, stack: contextlib.ExitStack, services: Services) -> None:
    binary = shutil.which("redis-server")
    if binary is None:
        services.unavailable["redis"] = "redis-server is not installed (Debian package redis-server)"
        return
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(scratch), "--daemonize", "no", "--protected-mode", "yes"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stack.callback(_stop, proc)
    if not _wait_for_port(port, proc, 15):
        services.unavailable["redis"] = "redis-server did not start"
        return
    services.env.update(ATLAS_REDIS_HOST="127.0.0.1", ATLAS_REDIS_PORT=str(port))


def _mariadb_binaries() -> tuple[str | None, str | None, str | None]:
    server = shutil.which("mariadbd") or shutil.which("mariadbd", path="/usr/sbin:/usr/local/sbin")
    install = shutil.which("mariadb-install-db") or shutil.which("mysql_install_db")
    client = shutil.which("mariadb") or shutil.which("mysql")
    return server, install, client


def _start_mariadb(scratch: Path, stack: contextlib.ExitStack, services: Services) -> None:
    server, install, client = _mariadb_binaries()
    if not (server and install and client):
        services.unavailable["mariadb"] = "mariadbd is not installed (Debian package mariadb-server)"
        return
    datadir, sock, port = scratch / "mariadb", scratch / "mariadb.sock", free_port()
    datadir.mkdir()
    init = subprocess.run([install, "--no-defaults", f"--datadir={datadir}", "--user=root",
                           "--auth-root-authentication-method=normal", "--skip-test-db"],
                          capture_output=True, text=True)
    if init.returncode != 0:
        services.unavailable["mariadb"] = "mariadb-install-db failed: " + init.stderr.strip()[-300:]
        return
    proc = subprocess.Popen(
        [server, "--no-defaults", f"--datadir={datadir}", f"--socket={sock}", f"--port={port}",
         "--bind-address=127.0.0.1", "--user=root", "--skip-log-bin", "--innodb-buffer-pool-size=64M",
         f"--pid-file={scratch / 'mariadb.pid'}", "--skip-name-resolve"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stack.callback(_stop, proc)
    if not _wait_for_port(port, proc, 60):
        services.unavailable["mariadb"] = "mariadbd did not start"
        return
    created = subprocess.run([client, f"--socket={sock}", "-uroot", "-e", "CREATE DATABASE IF NOT EXISTS atlas"],
                             capture_output=True, text=True)
    if created.returncode != 0:
        services.unavailable["mariadb"] = "could not create the atlas database: " + created.stderr.strip()
        return
    services.env.update(ATLAS_MYSQL_HOST="127.0.0.1", ATLAS_MYSQL_PORT=str(port), ATLAS_MYSQL_USER="root",
                        ATLAS_MYSQL_PASSWORD="", ATLAS_MYSQL_DATABASE="atlas")


STARTERS = {"redis": _start_redis, "mariadb": _start_mariadb}


@contextlib.contextmanager
def running(needed: set[str]) -> Iterator[Services]:
    """Start the services some snippet needs; yield their addresses; stop them and remove their data."""
    services = Services()
    with contextlib.ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="atlas-services-")))
        for name in sorted(needed):
            folder = scratch / name
            folder.mkdir()
            STARTERS[name](folder, stack, services)
        yield services
