"""What every flow needs: settings, the database engine, the shops, and today's date in Vietnam."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from connectors.types import ShopConfig
from ocop.settings import Settings, load_settings
from ocop.store import make_engine, migrate
from shops.file import load_shops

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class PipelineContext:
    settings: Settings
    engine: Engine
    today: dt.date

    def select_shops(self, *, channels: list[str] | None = None, shops: list[str] | None = None) -> list[ShopConfig]:
        """The shops to work on, credentials loaded; only flows that call marketplaces ask for them."""
        declared = load_shops(self.settings.shops_file) if self.settings.shops_file else []
        chosen = [
            shop for shop in declared
            if (not channels or shop.channel.value in channels) and (not shops or shop.key in shops)
        ]
        if not chosen:
            known = ", ".join(shop.key for shop in declared) or "none (set OCOP_SHOPS_FILE)"
            raise ValueError(f"no shop matches channels={channels} shops={shops}; known shops: {known}")
        return chosen


def pipeline_context() -> PipelineContext:
    settings = load_settings()
    return PipelineContext(settings, _engine(settings.database_url), dt.datetime.now(VIETNAM).date())


@lru_cache(maxsize=4)
def _engine(url: str) -> Engine:
    """One engine per database per process, migrated to the newest schema on first use."""
    migrate(url)
    return make_engine(url)
