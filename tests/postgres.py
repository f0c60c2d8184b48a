"""A throwaway PostgreSQL cluster for the database-facing tests, and the `database_url` fixture.

A pytest plugin (`pytest_plugins` in tests/conftest.py). Tests that take `database_url` run twice:
on the default SQLite file (the URL is None) and on a fresh database of a real PostgreSQL server
started once per session (per xdist worker) from Debian's `postgresql` package: `initdb` into a
temporary folder, `pg_ctl start` listening on a Unix socket in that folder only, stopped and
deleted at the end. No system service is used. As root the server runs as the `postgres` user
(or `nobody`), since PostgreSQL refuses to run as root.

Outside CI a machine without PostgreSQL skips the PostgreSQL half; in CI (CI=true) it fails.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_ROOTS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
DB_USER = "medialib"
_names = itertools.count(1)


def _pg_bin() -> Path | None:
    env = os.environ.get("MEDIALIB_TEST_PG_BIN")
    if env:
        return Path(env)
    for candidate in PG_ROOTS:
        if (candidate / "initdb").exists():
            return candidate
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _as_server_user() -> tuple[list[str], int | None]:
    """The command prefix that runs a program as a non-root user, and that user's uid."""
    if os.geteuid() != 0:
        return [], None
    for name in ("postgres", "nobody"):
        try:
            uid = pwd.getpwnam(name).pw_uid
        except KeyError:
            continue
        return ["runuser", "-u", name, "--"], uid
    raise RuntimeError("running as root and no `postgres` or `nobody` user to run PostgreSQL")


@dataclass
class PostgresServer:
    """A running throwaway cluster: `new_database()` returns the SQLAlchemy URL of a fresh one."""

    socket_dir: Path

    def url(self, name: str) -> str:
        return f"postgresql+psycopg://{DB_USER}@/{name}?host={self.socket_dir}"

    def new_database(self, prefix: str = "t") -> str:
        import psycopg

        name = f"{prefix}_{os.getpid()}_{next(_names)}"
        with psycopg.connect(host=str(self.socket_dir), user=DB_USER, dbname="postgres",
                             autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def start_cluster(root: Path, pg_bin: Path) -> Iterator[PostgresServer]:
    """initdb + pg_ctl start in `root`; yields the server and stops it afterwards."""
    prefix, uid = _as_server_user()
    data = root / "data"
    if uid is not None:
        os.chown(root, uid, -1)
    os.chmod(root, 0o700)
    subprocess.run(
        [*prefix, str(pg_bin / "initdb"), "-D", str(data), "-U", DB_USER, "--auth=trust",
         "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
        check=True, capture_output=True, timeout=120,
    )
    options = (f"-k {root} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
               "-c full_page_writes=off -c max_connections=200")
    subprocess.run(
        [*prefix, str(pg_bin / "pg_ctl"), "-D", str(data), "-o", options, "-l",
         str(root / "server.log"), "-w", "-t", "60", "start"],
        check=True, capture_output=True, timeout=120,
    )
    try:
        yield PostgresServer(socket_dir=root)
    finally:
        subprocess.run(
            [*prefix, str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            capture_output=True, timeout=60,
        )


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server of this session (skipped without PostgreSQL, a failure in CI)."""
    pg_bin = _pg_bin()
    if pg_bin is None:
        message = "PostgreSQL is not installed (Debian: apt-get install postgresql)"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message + "; CI must run the PostgreSQL tests")
        pytest.skip(message)
    root = Path(tempfile.mkdtemp(prefix="medialib-pg-"))
    try:
        yield from start_cluster(root, pg_bin)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str | None:
    """None (the default SQLite file in the instance folder) or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return None
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.new_database()
