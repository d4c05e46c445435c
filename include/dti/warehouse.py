"""The warehouse: connections, the embedded PostgreSQL lifecycle and the schemas the pipeline writes.

The embedded server runs the binaries bundled in the ``pgserver`` wheel ourselves, because
``pgserver.get_server()`` listens on a Unix socket only and Cosmos and Great Expectations need TCP.
"""

from __future__ import annotations

import logging
import os
import pwd
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from pgserver import _commands as pg_commands
from pgserver.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists, find_suitable_port

from dti import roles, settings

log = logging.getLogger(__name__)

PG_BIN = Path(pg_commands.POSTGRES_BIN_PATH)
# PostgreSQL refuses to run as root; pgserver itself uses a system user of this name.
UNPRIVILEGED_USER = "pgserver"

SQL_DIR = Path(__file__).with_name("sql")


def connect(url: str, **kwargs) -> psycopg.Connection:
    return psycopg.connect(url, **kwargs)


def ensure_schemas(url: str) -> None:
    """Create the schemas and tables the Python stages write, and the roles the tasks connect as,
    from ``sql/`` in file-name order; every statement there is idempotent, so this runs at the start
    of every run. The roles' passwords come from the environment, never from a script."""
    with connect(url) as conn:
        for script in sorted(SQL_DIR.glob("*.sql")):
            conn.execute(script.read_text(encoding="utf-8"))
        roles.apply_role_passwords(conn)


def ensure_database(server_url: str, dbname: str) -> str:
    """Create ``dbname`` on the server if missing and return its URL."""
    with connect(server_url, autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", (dbname,)).fetchone()
        if not exists:
            conn.execute(psycopg.sql.SQL("create database {}").format(psycopg.sql.Identifier(dbname)))
    return settings.database_on_server(server_url, dbname)


def drop_database(server_url: str, dbname: str) -> None:
    with connect(server_url, autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("drop database if exists {} with (force)").format(psycopg.sql.Identifier(dbname)))


class EmbeddedPostgres:
    """A PostgreSQL server from the pgserver wheel, on 127.0.0.1 at a free port, data under ``root``."""

    def __init__(self, root: Path):
        self.root = root
        self.data_dir = root / "data"
        self.log_file = self.data_dir / "postgres.log"
        self.port: int | None = None
        self._started_here = False

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("the embedded PostgreSQL is not running")
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> str:
        self._prepare_data_dir()
        self.port = self._running_port()
        if self.port is None:
            self.port = find_suitable_port("127.0.0.1")
            self._run(
                "pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_file), "-w", "-t", "60",
                "-o", f"-h 127.0.0.1 -p {self.port} -k {self.data_dir}", "start",
            )
            self._started_here = True
            log.info("embedded PostgreSQL started on 127.0.0.1:%s", self.port)
        return self.url

    def stop(self) -> None:
        if self._started_here:
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")
            self._started_here = False
            log.info("embedded PostgreSQL stopped")

    def _running_port(self) -> int | None:
        """The port of a server already running on this data directory (a concurrent run), if any."""
        pid_file = self.data_dir / "postmaster.pid"
        if not pid_file.exists():
            return None
        lines = pid_file.read_text().splitlines()
        try:
            os.kill(int(lines[0]), 0)
        except (ProcessLookupError, ValueError, IndexError):
            return None
        return int(lines[3])

    def _prepare_data_dir(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if (self.data_dir / "PG_VERSION").exists():
            return
        self.data_dir.mkdir(exist_ok=True)
        if os.geteuid() == 0:
            ensure_user_exists(UNPRIVILEGED_USER)
            ensure_prefix_permissions(self.data_dir)
            ensure_prefix_permissions(PG_BIN)
            readable = stat.S_IRGRP | stat.S_IROTH
            ensure_folder_permissions(PG_BIN, readable | stat.S_IXGRP | stat.S_IXOTH)
            ensure_folder_permissions(PG_BIN.parent / "lib", readable)
            entry = pwd.getpwnam(UNPRIVILEGED_USER)
            os.chown(self.data_dir, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", str(self.data_dir), "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8",
                  "-U", "postgres")

    def _run(self, program: str, *args: str) -> None:
        user = UNPRIVILEGED_USER if os.geteuid() == 0 else None
        result = subprocess.run(
            [str(PG_BIN / program), *args], user=user, capture_output=False,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=self.root,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{program} failed ({result.returncode}): {result.stderr.strip()} — see {self.log_file}")


@contextmanager
def server() -> Iterator[str]:
    """Yield the URL of the PostgreSQL server: ``DTI_DATABASE_URL``'s if set, else the embedded
    server's, started for the duration (or joined, when another run started it)."""
    configured = settings.server_url()
    if configured:
        settings.PostgresParams.from_url(configured)
        yield configured
        return
    embedded = EmbeddedPostgres(settings.EMBEDDED_PG_DIR)
    server_url = embedded.start()
    try:
        yield server_url
    finally:
        embedded.stop()


@contextmanager
def warehouse(dbname: str) -> Iterator[str]:
    """Yield the URL of database ``dbname`` on the server (see ``server``), created if missing."""
    with server() as server_url:
        yield ensure_database(server_url, dbname)
