"""`init --demo` gives the demo mediators signing keys, so a demo finding can be signed and adopted."""

from __future__ import annotations

import stat
from pathlib import Path

from tests.builders import NOW
from truceline.ledger.signing import Signer
from truceline.runtime import Runtime
from truceline.users.service import find_user
from truceline.workflows.setup import DEMO_USERS, initialize, load_demo


def test_demo_mediators_get_keys_whose_public_half_is_registered(runtime: Runtime, tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    with runtime.transaction() as session:
        initialize(session, scenario=runtime.scenario, now=NOW)
        load_demo(session, scenario=runtime.scenario, now=NOW, key_dir=keys)
    with runtime.sessions() as session:
        for username, role, _ in DEMO_USERS:
            user = find_user(session, username)
            assert user is not None
            if role != "mediator":
                assert user.public_key is None and not (keys / f"{username}.key").exists()
                continue
            key_file = keys / f"{username}.key"
            assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
            signer = Signer.from_skey(key_file.read_text(encoding="utf-8").strip())
            assert user.public_key == signer.vkey()
