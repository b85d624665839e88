"""Connectors whose clock, sleep and jitter the test holds; nothing really sleeps."""

from __future__ import annotations

import pytest

from connectors.base import RetryPolicy, TokenBucket
from connectors.by_channel import connector_for
from ocop.channels import Channel
from tests.connectors.fake_shops import CHANNEL_OPTIONS, FIXED_TIME, FakeTime, shop_config


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def sleeps(fake_time) -> list[float]:
    """Every sleep the connector and its rate limiter asked for, in order; nothing really sleeps."""
    return fake_time.sleeps


@pytest.fixture
def make_connector(fake_time):
    made = []

    def make(channel: Channel, **options):
        options.setdefault("sleep", fake_time.sleep)
        options.setdefault("clock", lambda: FIXED_TIME)
        options.setdefault("rand", lambda: 0.5)
        options.setdefault("retry", RetryPolicy(attempts=4, backoff_base=0.5))
        options.setdefault("rate_limiter", TokenBucket(1000.0, burst=1000.0, clock=fake_time.monotonic,
                                                       sleep=fake_time.sleep))
        for name, value in CHANNEL_OPTIONS[channel].items():
            options.setdefault(name, value)
        connector = connector_for(shop_config(channel), **options)
        made.append(connector)
        return connector

    yield make
    for connector in made:
        connector.close()
