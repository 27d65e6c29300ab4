"""Test set-up: every database test runs on SQLite and on a real PostgreSQL server started here."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.pg import PostgresServer, start_postgres
from truceline.config import Settings
from truceline.db.engine import make_engine
from truceline.db.migrate import upgrade_to_head
from truceline.runtime import Runtime, open_runtime

BACKENDS = ["sqlite", "postgresql"]
_used_backends: set[str] = set()
_server_info: list[str] = []
_counter = itertools.count()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = start_postgres()
    _server_info.append(f"{server.version} on 127.0.0.1:{server.port}")
    engine = create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("CREATE DATABASE truceline_template"))
    engine.dispose()
    migrated = make_engine(server.url("truceline_template"))
    upgrade_to_head(migrated)
    migrated.dispose()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_to_head(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, migrated database on each backend."""
    backend: str = request.param
    _used_backends.add(backend)
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "truceline.db"
        shutil.copyfile(template, target)
        return f"sqlite:///{target}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"t{next(_counter)}"
    engine = create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE truceline_template"))
    engine.dispose()
    return server.url(name)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", database_url=database_url)


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    rt = open_runtime(settings)
    yield rt
    rt.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _used_backends:
        terminalreporter.write_sep("=", "databases")
        terminalreporter.write_line(f"database tests ran on: {', '.join(sorted(_used_backends))}")
        for info in _server_info:
            terminalreporter.write_line(f"PostgreSQL server started by the test set-up: {info}")
