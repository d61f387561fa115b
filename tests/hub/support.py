"""Test helpers: a hub subprocess on loopback, a TCP proxy that drops or cuts, PostgreSQL scratch names."""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import Connection, text

from checkin_app.sync.protocol import H_PROTOCOL, PROTOCOL_VERSION

PG_ENV = "CHECKIN_TEST_PG_URL"
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class HubProcess:
    """`checkin-app hub` in a child process on 127.0.0.1 (HTTPS with its own certificate)."""

    def __init__(self, db: str, tls_dir: Path, *, port: int | None = None,
                 env: dict[str, str] | None = None, log: Path | None = None,
                 args: list[str] | None = None, fault: tuple[str, float] | None = None) -> None:
        self.db = db
        self.args = args or []  # more `checkin-app hub` options, e.g. --event-key FILE
        self.tls_dir = tls_dir
        self.port = port or free_port()
        self.env = env or {}
        # (point, seconds): run through tests.hub.fault_hub, which sleeps at that fault point.
        self.fault = fault
        self.log = log or tls_dir.parent / f"hub-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Where desks reach it directly."""
        return f"https://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> HubProcess:
        """Start and wait until it answers."""
        env = {**os.environ, **self.env, "PYTHONPATH": str(ROOT)}
        launcher = ["checkin_app"]
        if self.fault is not None:
            launcher = ["tests.hub.fault_hub", self.fault[0], str(self.fault[1])]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", *launcher, "hub", "--db", self.db, "--host", "127.0.0.1",
                 "--port", str(self.port), "--tls-dir", str(self.tls_dir), "--public-url", self.url,
                 *self.args],
                stdout=out, stderr=subprocess.STDOUT, env=env, cwd=str(ROOT))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"hub exited: {self.log.read_text(errors='replace')[-3000:]}")
            try:
                r = httpx.get(self.url + "/api/v1/hello", verify=False, timeout=1.0,
                              headers={H_PROTOCOL: str(PROTOCOL_VERSION)})
                if r.status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        # A hub that never answered must not outlive the test (it would load the machine for
        # every test after it).
        self.kill()
        raise RuntimeError(f"hub did not start in time: {self.log.read_text(errors='replace')[-3000:]}")

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when the power goes."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        """Terminate politely."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


class TcpProxy:
    """A loopback TCP proxy in front of the hub: can be switched offline or cut a response mid-way.

    `online = False` closes every new connection at once (the venue network is down).
    `cut_after` > 0: the next connection is dropped after that many hub→desk bytes.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.online = True
        self.cut_after = 0
        self.cuts = 0
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.port = int(self._sock.getsockname()[1])
        self._stop = threading.Event()
        self._conns: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """The hub's address as seen through the proxy."""
        return f"https://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            if not self.online:
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                client.close()
                continue
            self._conns += [client, upstream]
            limit, self.cut_after = self.cut_after, 0
            threading.Thread(target=self._pipe, args=(client, upstream, 0), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, limit), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, limit: int) -> None:
        sent = 0
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if limit and sent + len(data) >= limit:
                    dst.sendall(data[: max(0, limit - sent)])
                    self.cuts += 1
                    break
                dst.sendall(data)
                sent += len(data)
                if not self.online:
                    break
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()

    def drop_all(self) -> None:
        """Cut every open connection (a cable pulled)."""
        for c in self._conns:
            with contextlib.suppress(OSError):
                c.shutdown(socket.SHUT_RDWR)
        self._conns.clear()

    def close(self) -> None:
        """Stop listening and cut everything."""
        self._stop.set()
        self._sock.close()
        self.drop_all()


def pg_admin_url(url: str) -> str:
    """The libpq form (no SQLAlchemy driver suffix) of a PostgreSQL URL."""
    return url.replace("postgresql+psycopg://", "postgresql://")


def with_database(url: str, name: str) -> str:
    """The same server URL pointing at another database."""
    base, _, _db = url.rpartition("/")
    return f"{base}/{name}"


def scratch_name(prefix: str) -> str:
    """A database name unique to this run."""
    return f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"



def add_attendee_category(conn: Connection) -> None:
    """Category 1, ATTENDEE, in plain SQL: a migration test's schema is older than the models."""
    conn.execute(text(
        "INSERT INTO categories (id, code, name_zh, name_en, colour, attention, attention_zh, "
        "attention_en, sort_order, badge_template, aliases, default_activities) VALUES "
        "(1, 'ATTENDEE', '参会者', 'Attendee', '#607D8B', :f, '', '', 0, '', '[]', '[]')"),
        {"f": False})


def add_delegate(conn: Connection, d_id: int, uid: str, name: str, at: object) -> None:
    """Delegate `d_id` (number R<d_id> of source 's', category 1) in plain SQL, with the columns
    every revision from 0014 on has."""
    conn.execute(text(
        "INSERT INTO delegates (id, uid, registration_code, source, source_code, family_name, "
        "given_name, name_native, name_latin, name_order, honorific, organisation_zh, "
        "organisation_en, position_zh, position_en, country, category_id, status, team, "
        "track, attention_note, badge_serial, badge_outdated, walk_in, registered_by_desk, "
        "updated_at) VALUES (:id, :uid, :code, 's', :code, '', '', :name, '', 'eastern', '', "
        "'', '', '', '', 'CN', 1, 'approved', '', '', '', 1, :f, :f, '', :t)"),
        {"id": d_id, "uid": uid, "code": f"R{d_id}", "name": name, "f": False, "t": at})
