"""Test set-up: every database test runs on SQLite and on a real PostgreSQL server started here.

Each test gets a database of its own, copied from a template made once per session (a SQLite file, or a
PostgreSQL `CREATE DATABASE ... TEMPLATE`): the migrated, empty schema, or, for a test that uses the
`demo_data` fixture, the demo data the web tests work on (made once, not extracted again for every test).
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text

from tests.builders import NOW
from tests.pg import PostgresServer, start_postgres
from truceline.config import Settings
from truceline.db.engine import make_engine
from truceline.db.migrate import upgrade_to_head
from truceline.ledger.service import create_checkpoint
from truceline.runtime import Runtime, open_runtime
from truceline.users import passwords
from truceline.workflows.setup import initialize, load_demo

BACKENDS = ["sqlite", "postgresql"]
_used_backends: set[str] = set()
_server_info: list[str] = []
_counter = itertools.count()


# argon2id at its lowest cost: a hash slow by design (0.3-0.5 s here) made every account and every login of
# a test slow (Django's testing docs advise the same). tests/users checks the real parameters with the real
# hasher (tests/users/conftest.py), and the browser tests' server, a process of its own, hashes for real.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher", lambda: FAST_HASHER)
        yield


@pytest.fixture(scope="session", autouse=True)
def shared_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every home of the session keeps its derived data (the gazetteer's index: 5-10 s to build, 2 s to read)
    in one folder, as a long-lived home does; a fresh home per test built it again for each runtime that
    extracts. tests/scenarios/test_gazetteer_cache.py checks the cache itself, in folders of its own."""
    folder = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Settings, "cache_dir", property(lambda self: folder))
        yield folder


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


def _create_database(server: PostgresServer, name: str, *, template: str) -> str:
    engine = create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))
    engine.dispose()
    return server.url(name)


def _load_demo_data(database_url: str, home: Path) -> None:
    """What the web tests start from: the scenario, the demo reports with their extracted claims, one demo
    account per role, and a signed checkpoint (signed with the log key in `home`)."""
    runtime = open_runtime(Settings(home=home, database_url=database_url))
    try:
        with runtime.transaction() as session:
            initialize(session, scenario=runtime.scenario, now=NOW)
            load_demo(session, scenario=runtime.scenario, now=NOW, extract=runtime.extract)
            create_checkpoint(session, signer=runtime.signer, origin=runtime.origin)
    finally:
        runtime.close()


@dataclass(frozen=True)
class DemoTemplate:
    """A database holding the demo data (a SQLite file or a PostgreSQL template database) and its home."""

    database: str
    home: Path


@pytest.fixture(scope="session")
def sqlite_demo_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> DemoTemplate:
    root = tmp_path_factory.mktemp("sqlite-demo-template")
    path = root / "demo.db"
    shutil.copyfile(sqlite_template, path)
    _load_demo_data(f"sqlite:///{path}", root / "home")
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return DemoTemplate(str(path), root / "home")


@pytest.fixture(scope="session")
def postgresql_demo_template(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> DemoTemplate:
    home = tmp_path_factory.mktemp("postgres-demo-template") / "home"
    url = _create_database(postgres_server, "truceline_demo", template="truceline_template")
    _load_demo_data(url, home)
    return DemoTemplate("truceline_demo", home)


@pytest.fixture
def demo_data() -> None:
    """Ask for it and the test's database and home (`tmp_path/home`, with the log key that signed the
    demo's checkpoint) start as a copy of the demo data (see `_load_demo_data`) instead of empty."""


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, migrated database on each backend: empty, or a copy of the demo data (see `demo_data`)."""
    backend: str = request.param
    _used_backends.add(backend)
    demo: DemoTemplate | None = None
    if "demo_data" in request.fixturenames:
        demo = request.getfixturevalue(f"{backend}_demo_template")
        shutil.copytree(demo.home, tmp_path / "home")
    if backend == "sqlite":
        template = Path(demo.database) if demo else request.getfixturevalue("sqlite_template")
        target = tmp_path / "truceline.db"
        shutil.copyfile(template, target)
        return f"sqlite:///{target}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return _create_database(
        server, f"t{next(_counter)}", template=demo.database if demo else "truceline_template"
    )


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", database_url=database_url)


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    rt = open_runtime(settings)
    yield rt
    rt.close()


# Tests that share a world built once for their module or package run on one pytest-xdist worker, so it
# is built once: the browser tests' live server, and the docs world of the CLI examples.
XDIST_GROUPS = {"tests/e2e/": "e2e", "tests/cli/test_examples.py": "docs-world"}


# tryfirst: pytest-xdist reads the marks in its own pytest_collection_modifyitems, which otherwise ran before
# this one, so no test was grouped (the browser tests' server was started on both workers).
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for prefix, group in XDIST_GROUPS.items():
            if item.nodeid.startswith(prefix):
                item.add_marker(pytest.mark.xdist_group(group))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under pytest-xdist, a worker hands what it used to the controller, which prints the summary."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["truceline_databases"] = (sorted(_used_backends), list(_server_info))


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    backends, servers = getattr(node, "workeroutput", {}).get("truceline_databases", ([], []))
    _used_backends.update(backends)
    _server_info.extend(servers)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _used_backends:
        terminalreporter.write_sep("=", "databases")
        terminalreporter.write_line(f"database tests ran on: {', '.join(sorted(_used_backends))}")
        for info in _server_info:
            terminalreporter.write_line(f"PostgreSQL server started by the test set-up: {info}")
