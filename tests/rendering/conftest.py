"""Fixtures for rendering tests: one channel profile per parametrised case."""

from __future__ import annotations

import pytest
from listing_products import CHANNELS

from rendering.profiles import load_profile


@pytest.fixture(params=CHANNELS)
def profile(request):
    return load_profile(request.param)
