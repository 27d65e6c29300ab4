"""Everything a running Truceline needs, built once by the CLI or the web app factory (never at import)."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from truceline.config import Settings
from truceline.db.engine import make_engine, make_session_factory
from truceline.db.migrate import upgrade_to_head
from truceline.ledger.keystore import ensure_log_key
from truceline.ledger.sealing import Sealer, sealed_transaction
from truceline.ledger.signing import Signer, Verifier
from truceline.scenarios import load_scenario
from truceline.scenarios.schema import Scenario
from truceline.users.throttle import LoginThrottle

if typing.TYPE_CHECKING:
    from truceline.pipeline.claims import ClaimValue
    from truceline.pipeline.context import ExtractionContext
    from truceline.pipeline.document import SourceDocument


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    scenario: Scenario
    _signer: Signer | None = field(default=None, repr=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """The one unit of work of every write (web, API, CLI, watch): records and their ledger entries
        commit together or not at all, and a signed checkpoint covers the new entries (`sealed_transaction`).
        """
        with sealed_transaction(self.sessions, self.sealer) as session:
            yield session

    @cached_property
    def sealer(self) -> Sealer:
        """The only signer of checkpoints (see truceline.ledger.sealing)."""
        return Sealer(
            self._bare_transaction,
            signer=lambda: self.signer,
            origin=self.origin,
            interval_s=self.settings.checkpoint_interval_s,
        )

    @contextmanager
    def _bare_transaction(self) -> Iterator[Session]:
        with self.sessions() as session, session.begin():
            yield session

    @property
    def origin(self) -> str:
        return self.settings.origin_for(self.scenario.id)

    @cached_property
    def signer(self) -> Signer:
        """The secretariat's log key, created on first use."""
        return ensure_log_key(
            key_path=self.settings.log_key_path, pub_path=self.settings.log_pub_path, name=self.origin
        )

    @property
    def log_verifier(self) -> Verifier:
        return Verifier.from_vkey(self.signer.vkey())

    @cached_property
    def throttle(self) -> LoginThrottle:
        """Failed-login throttle shared by every request this process serves."""
        return LoginThrottle()

    @cached_property
    def extraction_context(self) -> ExtractionContext:
        """Actor dictionary, gazetteer and geography of the scenario, built once (it takes a second)."""
        from truceline.pipeline.context import ExtractionContext  # spaCy loads only when extraction runs

        return ExtractionContext.from_scenario(self.scenario, cache_dir=self.settings.cache_dir)

    def extract(self, doc: SourceDocument, today: date) -> list[ClaimValue]:
        from truceline.pipeline.extractors import extract_claims

        return extract_claims(doc, context=self.extraction_context, today=today)

    def close(self) -> None:
        if "sealer" in self.__dict__:
            self.sealer.close()
        self.engine.dispose()


def open_runtime(settings: Settings, *, migrate: bool = True) -> Runtime:
    """Load the scenario, connect to the database and bring its schema up to date."""
    scenario = load_scenario(settings.scenario)
    engine = make_engine(settings.resolved_database_url)
    if migrate:
        upgrade_to_head(engine)
    return Runtime(settings=settings, engine=engine, sessions=make_session_factory(engine), scenario=scenario)
