"""A throwaway PostgreSQL server for the tests (and the lists benchmark).

``postgres_url`` (session fixture) yields a URL of a database for the tests:
``$SCREENING_TEST_POSTGRES_URL`` when set, else a private cluster started with the
Debian PostgreSQL binaries (initdb/pg_ctl as the ``postgres`` OS user when we run as
root), trust authentication, a unix socket in a temporary directory and a free localhost
port; it is stopped at the end of the session. When the binaries are missing the tests
are skipped, unless ``SCREENING_REQUIRE_POSTGRES=1`` (CI), where that is a failure.

``pg_schema_url`` (function fixture) gives each test its own schema in that database.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_BIN_DIRS = (
    "/usr/lib/postgresql/15/bin",
    "/usr/lib/postgresql/16/bin",
    "/usr/lib/postgresql/17/bin",
    "/usr/lib/postgresql/14/bin",
)
URL_ENV = "SCREENING_TEST_POSTGRES_URL"
REQUIRE_ENV = "SCREENING_REQUIRE_POSTGRES"


def find_pg_bin() -> Path | None:
    for d in PG_BIN_DIRS:
        if (Path(d) / "initdb").exists() and (Path(d) / "pg_ctl").exists():
            return Path(d)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresCluster:
    bin_dir: Path
    data_dir: Path
    socket_dir: Path
    port: int
    run_as: str | None

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = [str(a) for a in args]
        if self.run_as:
            cmd = ["runuser", "-u", self.run_as, "--", *cmd]
        return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120)

    @classmethod
    def start(cls, root: Path | None = None, *, tuned: bool = False) -> PostgresCluster:
        """initdb + pg_ctl start in ``root`` (a new temporary directory by default).
        ``tuned`` gives more memory to bulk loads (for the benchmark)."""
        bin_dir = find_pg_bin()
        if bin_dir is None:
            raise FileNotFoundError("PostgreSQL server binaries (initdb, pg_ctl) not found")
        root = Path(root) if root else Path(tempfile.mkdtemp(prefix="screening-pg-"))
        root.mkdir(parents=True, exist_ok=True)
        run_as = "postgres" if os.geteuid() == 0 else None
        data_dir, socket_dir = root / "data", root / "socket"
        socket_dir.mkdir(exist_ok=True)
        if run_as:
            user = pwd.getpwnam(run_as)
            for p in (root, socket_dir):
                os.chown(p, user.pw_uid, user.pw_gid)
        cluster = cls(bin_dir, data_dir, socket_dir, _free_port(), run_as)
        cluster._run(
            bin_dir / "initdb",
            "-D",
            str(data_dir),
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            "--locale=C",
            "--encoding=UTF8",
        )
        options = [
            f"-p {cluster.port}",
            f"-k {socket_dir}",
            "-c listen_addresses=127.0.0.1",
            "-c fsync=off" if not tuned else "-c fsync=on",
            "-c full_page_writes=off" if not tuned else "-c full_page_writes=on",
        ]
        if tuned:
            options += [
                "-c shared_buffers=1GB",
                "-c max_wal_size=8GB",
                "-c maintenance_work_mem=1GB",
                "-c checkpoint_timeout=30min",
            ]
        cluster._run(
            bin_dir / "pg_ctl",
            "-D",
            str(data_dir),
            "-w",
            "-t",
            "60",
            "-l",
            str(root / "server.log"),
            "-o",
            " ".join(options),
            "start",
        )
        return cluster

    def stop(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self._run(
                self.bin_dir / "pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop"
            )


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a PostgreSQL database for the whole test session."""
    if url := os.environ.get(URL_ENV):
        yield url
        return
    required = os.environ.get(REQUIRE_ENV) == "1"
    if find_pg_bin() is None:
        message = (
            "PostgreSQL server binaries not found (apt-get install postgresql) and "
            f"{URL_ENV} is not set"
        )
        if required:
            pytest.fail(message + f"; {REQUIRE_ENV}=1 requires PostgreSQL")
        pytest.skip(message)
    try:
        cluster = PostgresCluster.start()
    except (subprocess.SubprocessError, OSError) as error:
        detail = getattr(error, "stderr", "") or str(error)
        if required:
            pytest.fail(f"cannot start a throwaway PostgreSQL server: {detail}")
        pytest.skip(f"cannot start a throwaway PostgreSQL server: {detail}")
    try:
        yield cluster.url
    finally:
        cluster.stop()
        shutil.rmtree(cluster.data_dir.parent, ignore_errors=True)


@pytest.fixture
def pg_schema_url(postgres_url: str) -> Iterator[str]:
    """A fresh schema per test, selected through the libpq ``options`` parameter."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in postgres_url else "?"
    try:
        yield f"{postgres_url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
