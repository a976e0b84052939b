"""A private PostgreSQL server for the test session, one per pytest-xdist worker.

The binaries come from the `pgserver` wheel (it bundles a PostgreSQL build), so a fresh
machine with only pip gets a server; without it, a system install is used. Each worker
runs its own server: its own data directory and unix sockets in a private temporary
directory, its own free TCP port on 127.0.0.1, settings that trade durability for speed.
PostgreSQL refuses to run as root, so under root (as CI runs) the server runs as `nobody`.

Fixtures: `postgres_server` (session) is the running server; `postgres_url` (function) is
a fresh empty database for one test, dropped after it.
"""

from __future__ import annotations

import ctypes
import glob
import importlib.util
import itertools
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

SUPERUSER = "studioflow"
UNPRIVILEGED_USER = "nobody"  # who runs the server when the tests run as root
START_TIMEOUT = 30.0
# Durability is worthless for a throwaway server; parallel tests need many connections.
SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "listen_addresses": "127.0.0.1",
}
PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)  # loaded here, not in the forked child


def find_bindir() -> Path:
    """The pgserver wheel's binaries, else a system install's."""
    spec = importlib.util.find_spec("pgserver")  # locates the package without importing its API
    if spec is not None and spec.submodule_search_locations:
        bindir = Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"
        if _is_server_bindir(bindir):
            return bindir
    candidates: list[Path] = []
    if pg_config := shutil.which("pg_config"):
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        candidates.append(Path(found.stdout.strip()))
    # Debian installs every major version side by side; the newest wins.
    versions = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += sorted((Path(p) for p in versions), key=lambda p: _major(p.parent.name), reverse=True)
    for bindir in candidates:
        if _is_server_bindir(bindir):
            return bindir
    raise RuntimeError("no PostgreSQL binaries: install the test extra (pgserver) or Debian's postgresql")


def _major(name: str) -> int:
    return int(name) if name.isdigit() else -1


def _is_server_bindir(bindir: Path) -> bool:
    return all(os.access(bindir / tool, os.X_OK) for tool in ("initdb", "postgres", "pg_ctl"))


@dataclass
class RunAs:
    """Who the server's processes run as: the current user, or an unprivileged one under root."""

    uid: int
    gid: int

    @classmethod
    def for_server(cls) -> RunAs:
        if os.geteuid() != 0:
            return cls(os.getuid(), os.getgid())
        user = pwd.getpwnam(UNPRIVILEGED_USER)
        return cls(user.pw_uid, user.pw_gid)

    @property
    def is_other(self) -> bool:
        return self.uid != os.geteuid()

    def own(self, path: Path) -> None:
        if self.is_other:
            os.chown(path, self.uid, self.gid)

    def preexec(self, die_with_parent: bool) -> None:
        """Runs in the child between fork and exec: drop to the user, and die when the test process does."""
        if self.is_other:
            os.setgroups([])
            os.setgid(self.gid)
            os.setuid(self.uid)
        if die_with_parent:
            # Set after setuid, which clears it; SIGQUIT is an immediate shutdown. This only
            # matters when pytest dies without tearing down (a killed worker).
            _libc.prctl(PR_SET_PDEATHSIG, signal.SIGQUIT)


def reachable_by_others(path: Path) -> bool:
    """Whether every folder down to `path` lets other users through (a venv under /root does not)."""
    return all(os.stat(p).st_mode & stat.S_IXOTH for p in [path, *path.parents])


def copy_install(bindir: Path, dest: Path) -> Path:
    """Copies pgserver's install into `dest` as the wheel lays it out; returns the copy's bin folder.

    The binaries find the wheel's own libpq at $ORIGIN/../../../pgserver.libs, so the layout must stay.
    """
    install = bindir.parent  # site-packages/pgserver/pginstall
    packages = install.parent.parent
    copy = dest / install.relative_to(packages)
    shutil.copytree(install, copy, ignore=shutil.ignore_patterns("include", "*.a"))
    libs = packages / "pgserver.libs"
    if libs.is_dir():
        shutil.copytree(libs, dest / libs.name)
    return copy / "bin"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresServer:
    """A running private server; `admin_url` reaches its `postgres` database as the superuser."""

    bindir: Path
    root: Path  # the private temporary folder: data/, the sockets, server.log
    run_as: RunAs
    host: str = "127.0.0.1"
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    _names: Iterator[int] = field(default_factory=itertools.count)
    _admin: psycopg.Connection | None = None
    settings: dict[str, str] = field(default_factory=dict)  # over SETTINGS (a benchmark wants fsync back)

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    @property
    def admin_url(self) -> str:
        return self.url("postgres")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def url(self, dbname: str) -> str:
        return f"postgresql://{SUPERUSER}@{self.host}:{self.port}/{dbname}"

    def _run(self, *args: str) -> None:
        done = subprocess.run(
            args, cwd=self.root, env=_server_env(), capture_output=True, text=True, check=False,
            preexec_fn=lambda: self.run_as.preexec(die_with_parent=False),
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}{done.stderr}")

    def init(self) -> None:
        self._run(
            str(self.bindir / "initdb"), "-D", str(self.datadir), "-U", SUPERUSER, "-A", "trust",
            # UTF-8 with a real ctype, so lower() folds non-ASCII letters; C collation: byte order, as SQLite's.
            "-E", "UTF8", "--locale=C.UTF-8", "--lc-collate=C", "--no-sync", "--no-instructions",
        )

    def start(self) -> None:
        for _attempt in range(3):  # another process may take the free port before the server binds it
            self.port = free_port()
            if self._start_on_port():
                return
        raise RuntimeError(f"PostgreSQL did not start; its log:\n{self.log.read_text()}")

    def _start_on_port(self) -> bool:
        settings = {**SETTINGS, **self.settings, "port": str(self.port), "unix_socket_directories": str(self.root)}
        args = [str(self.bindir / "postgres"), "-D", str(self.datadir)]
        for name, value in settings.items():
            args += ["-c", f"{name}={value}"]
        main_thread = threading.current_thread() is threading.main_thread()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                args, cwd=self.root, env=_server_env(), stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                start_new_session=True,  # a Ctrl-C in the terminal reaches pytest, which then stops the server
                preexec_fn=lambda: self.run_as.preexec(die_with_parent=main_thread),
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                self._admin = psycopg.connect(self.admin_url, autocommit=True, connect_timeout=2)
                return True
            except psycopg.OperationalError:
                time.sleep(0.02)
        self.process.kill()
        self.process.wait()
        raise RuntimeError(f"PostgreSQL did not answer within {START_TIMEOUT} s; its log:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self._admin is not None:
            self._admin.close()
        if self.process is None or self.process.poll() is not None:
            return
        try:
            self._run(str(self.bindir / "pg_ctl"), "stop", "-D", str(self.datadir), "-m", "fast", "-w")
            self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()

    def create_database(self, template: str = "template1") -> str:
        """A new database copied from `template` (no one may be connected to it); returns its name."""
        assert self._admin is not None
        name = f"test_{next(self._names)}"
        self._admin.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template))
        )
        return name

    def drop_database(self, name: str) -> None:
        """Drops it even if a test left connections open (FORCE ends them)."""
        assert self._admin is not None
        self._admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    @contextmanager
    def database(self, template: str = "template1") -> Iterator[str]:
        """The URL of a fresh database (empty, unless `template` is a prepared one), dropped on leaving."""
        name = self.create_database(template)
        try:
            yield self.url(name)
        finally:
            self.drop_database(name)


def _server_env() -> dict[str, str]:
    # The caller's PG* variables (PGDATA, PGPORT, ...) must not steer the private server.
    return {k: v for k, v in os.environ.items() if not k.startswith("PG")}


@contextmanager
def running_server(settings: dict[str, str] | None = None) -> Iterator[PostgresServer]:
    """Starts a private server in a new temporary folder (`settings` over the test ones); stops it and
    removes the folder on leaving."""
    run_as = RunAs.for_server()
    # Not under pytest's tmp folder: that one is private to the current user (0700).
    root = Path(tempfile.mkdtemp(prefix="studioflow-pg-"))
    try:
        run_as.own(root)
        bindir = find_bindir()
        if run_as.is_other and not reachable_by_others(bindir.parent):
            # The unprivileged user cannot reach the install (a venv under /root): use a copy it can.
            bindir = copy_install(bindir, root / "install")
        server = PostgresServer(bindir=bindir, root=root, run_as=run_as, settings=settings or {})
        server.init()
        server.start()
        try:
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """This worker's PostgreSQL server, started on first use and stopped at the end of the session."""
    with running_server() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """`postgresql://studioflow@127.0.0.1:PORT/NAME`: a fresh empty database for this test, dropped after it."""
    with postgres_server.database() as url:
        yield url
