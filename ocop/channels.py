"""The marketplaces we publish to. Every channel-specific fact that more than one package needs is
declared here, once (issue 14, point 4)."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    SHOPEE = "shopee"
    LAZADA = "lazada"
    TIKTOK = "tiktok"
