"""The test set-up's grouping under pytest-xdist: a group's tests reach one worker (tests/conftest.py).

pytest-xdist groups by a suffix it adds to each test id; with pytest 9.2 the suffix silently stopped taking
(pytest-xdist issue 1386), as it did when its hook ran before ours, and every browser test world was built
on both workers. This fails when a run under `--dist loadgroup` has a grouped test without its group.
"""

from __future__ import annotations

import pytest

from tests.conftest import XDIST_GROUPS


def test_under_loadgroup_every_grouped_test_carries_its_group(request: pytest.FixtureRequest) -> None:
    if not request.config.getoption("loadgroup", default=False):
        pytest.skip("not a pytest-xdist worker with --dist loadgroup (make test runs it that way)")
    ungrouped = [
        item.nodeid
        for item in request.session.items
        for prefix, group in XDIST_GROUPS.items()
        if item.nodeid.startswith(prefix) and not item.nodeid.endswith(f"@{group}")
    ]
    assert ungrouped == []
