"""Login throttling with a fake clock: a sliding window of failures per (username, client)."""

from __future__ import annotations

import pytest

from truceline.errors import PermissionDenied
from truceline.users.throttle import LoginThrottle


class FakeClock:
    def __init__(self) -> None:
        self.now_s = 1000.0

    def __call__(self) -> float:
        return self.now_s

    def advance(self, seconds: float) -> None:
        self.now_s += seconds


def _throttle(clock: FakeClock, *, max_keys: int = 100_000) -> LoginThrottle:
    return LoginThrottle(max_failures=5, window_s=300.0, clock=clock, max_keys=max_keys)


def test_four_failures_still_allow_a_fifth_try_and_five_refuse_the_sixth() -> None:
    clock = FakeClock()
    throttle = _throttle(clock)
    for _ in range(4):
        throttle.record_failure("alice", "10.0.0.1")
    throttle.check("alice", "10.0.0.1")
    throttle.record_failure("alice", "10.0.0.1")
    with pytest.raises(PermissionDenied, match=r"too many failed logins; try again in 300 s"):
        throttle.check("alice", "10.0.0.1")


def test_the_wait_counts_down_and_ends_when_the_oldest_failure_leaves_the_window() -> None:
    clock = FakeClock()
    throttle = _throttle(clock)
    for _ in range(5):
        throttle.record_failure("alice", "10.0.0.1")
        clock.advance(10)
    # failures at 0, 10, 20, 30, 40 s; now is 50 s: the one at 0 s leaves the window at 300 s
    assert throttle.retry_after_s("alice", "10.0.0.1") == 250
    clock.advance(249.5)
    assert throttle.retry_after_s("alice", "10.0.0.1") == 1
    clock.advance(0.5)
    assert throttle.retry_after_s("alice", "10.0.0.1") == 0
    throttle.check("alice", "10.0.0.1")


def test_the_window_slides_so_spreading_failures_out_never_reaches_the_limit() -> None:
    clock = FakeClock()
    throttle = _throttle(clock)
    for _ in range(20):
        throttle.record_failure("alice", "10.0.0.1")
        clock.advance(61)
        throttle.check("alice", "10.0.0.1")


def test_other_users_and_other_clients_are_not_throttled() -> None:
    clock = FakeClock()
    throttle = _throttle(clock)
    for _ in range(5):
        throttle.record_failure("alice", "10.0.0.1")
    throttle.check("bob", "10.0.0.1")
    throttle.check("alice", "10.0.0.2")
    with pytest.raises(PermissionDenied):
        throttle.check("ALICE ", "10.0.0.1")  # the username is matched as the login matches it


def test_a_successful_login_resets_the_count() -> None:
    clock = FakeClock()
    throttle = _throttle(clock)
    for _ in range(5):
        throttle.record_failure("alice", "10.0.0.1")
    throttle.reset("alice", "10.0.0.1")
    throttle.check("alice", "10.0.0.1")


def test_memory_stays_bounded_when_someone_sprays_made_up_usernames() -> None:
    clock = FakeClock()
    throttle = _throttle(clock, max_keys=100)
    for n in range(1000):
        throttle.record_failure(f"user{n}", "10.0.0.1")
        clock.advance(0.01)
    assert len(throttle._failures) <= 100
    for _ in range(4):
        throttle.record_failure("user999", "10.0.0.1")
    with pytest.raises(PermissionDenied):
        throttle.check("user999", "10.0.0.1")


def test_nonsense_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="max_failures >= 1"):
        LoginThrottle(max_failures=0)
