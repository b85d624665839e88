"""The refresh policy alone, on a clock the test holds: ahead of expiry, once; a passing failure
ahead of expiry keeps the working token and waits before trying again; an expired token is never
handed out after a failed refresh."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from connectors.errors import TransientError
from connectors.tokens import MemoryTokenStore, RefreshingTokens, TokenSet


def issued(access: str, now: float, life: float = 1000.0) -> TokenSet:
    return TokenSet(access_token=SecretStr(access), access_expires_at=now + life, refresh_token=SecretStr("r"),
                    refresh_expires_at=None, issued_at=now)


class Platform:
    def __init__(self, clock) -> None:
        self.clock, self.calls, self.failing = clock, 0, False

    def refresh(self, held: TokenSet) -> TokenSet:
        self.calls += 1
        if self.failing:
            raise TransientError("auth host down", code="http_503")
        return issued(f"a{self.calls}", self.clock())


@pytest.fixture
def world():
    now = [0.0]
    platform = Platform(lambda: now[0])
    source = RefreshingTokens(MemoryTokenStore("s", issued("a0", 0.0)), clock=lambda: now[0])
    return now, platform, source


def test_a_token_is_refreshed_once_when_a_tenth_of_its_life_remains(world):
    now, platform, source = world
    now[0] = 899.0
    assert source.current(platform.refresh).access_token.get_secret_value() == "a0"
    now[0] = 901.0
    assert source.current(platform.refresh).access_token.get_secret_value() == "a1"
    assert source.current(platform.refresh).access_token.get_secret_value() == "a1"
    assert platform.calls == 1


def test_a_passing_failure_ahead_of_expiry_keeps_the_token_and_waits_a_minute(world):
    now, platform, source = world
    platform.failing = True
    now[0] = 950.0

    assert source.current(platform.refresh).access_token.get_secret_value() == "a0"
    assert source.current(platform.refresh).access_token.get_secret_value() == "a0"
    assert platform.calls == 1
    now[0] = 999.0
    platform.failing = False
    assert source.current(platform.refresh).access_token.get_secret_value() == "a0"
    assert platform.calls == 1            # still within the minute
    now[0] = 1001.0                        # expired: tried at once
    assert source.current(platform.refresh).access_token.get_secret_value() == "a2"


def test_an_expired_token_whose_refresh_fails_is_not_handed_out(world):
    now, platform, source = world
    platform.failing = True
    now[0] = 1001.0

    with pytest.raises(TransientError):
        source.current(platform.refresh)
