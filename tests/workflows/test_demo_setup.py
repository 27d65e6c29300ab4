"""`init --demo` gives the demo mediators and party liaisons signing keys, so a demo finding can be signed and
adopted and a demo complaint signed by its party."""

from __future__ import annotations

import stat
from pathlib import Path

from sqlalchemy import select

from tests.builders import NOW
from truceline.claims.models import Claim
from truceline.ledger.signing import Signer
from truceline.runtime import Runtime
from truceline.scenarios.geography import get_geography
from truceline.users.service import find_user
from truceline.views import incidents
from truceline.workflows.reclustering import recluster
from truceline.workflows.setup import DEMO_USERS, initialize, load_demo


def test_demo_signers_get_keys_whose_public_half_is_registered(runtime: Runtime, tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    with runtime.transaction() as session:
        initialize(session, scenario=runtime.scenario, now=NOW)
        load_demo(session, scenario=runtime.scenario, now=NOW, key_dir=keys)
    with runtime.sessions() as session:
        for username, role, _ in DEMO_USERS:
            user = find_user(session, username)
            assert user is not None
            if role not in ("mediator", "party"):
                assert user.public_key is None and not (keys / f"{username}.key").exists()
                continue
            key_file = keys / f"{username}.key"
            assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
            signer = Signer.from_skey(key_file.read_text(encoding="utf-8").strip())
            assert user.public_key == signer.vkey()


def test_the_demo_places_mir_ali_in_north_waziristan_not_on_its_namesake_in_chitral(runtime: Runtime) -> None:
    """The gazetteer has a Mir Ali in Chitral and several in North Waziristan; the demo report names North
    Waziristan, and that context decides (the extractor prefers the namesake inside the districts an article
    names). Checked on what `init --demo` stores: the claim and the incident the map draws."""
    with runtime.transaction() as session:
        initialize(session, scenario=runtime.scenario, now=NOW)
        load_demo(session, scenario=runtime.scenario, now=NOW, extract=runtime.extract)
        recluster(session, scenario=runtime.scenario, author="test", now=NOW)
    geography = get_geography(runtime.scenario)
    with runtime.sessions() as session:
        claims = [c for c in session.scalars(select(Claim)) if c.location.get("name") == "Mir Ali"]
        points = [p for p in incidents.incident_points(session, runtime.scenario) if p.place == "Mir Ali"]
    assert claims and points
    for lat, lon in [(c.location["lat"], c.location["lon"]) for c in claims] + [
        (p.lat, p.lon) for p in points
    ]:
        assert geography.admin2_of(lat, lon) == "North Waziristan", (lat, lon)
