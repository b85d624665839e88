"""Vietnam's provinces after the July 2025 merger (34), and where each of the old 63 went.

Certificates issued before the merger name old units; the catalogue keeps them and files the
producer under the new province.
"""

from __future__ import annotations

import re
from functools import lru_cache

from catalogue.normalise import clean_text, comparison_key

# new province -> the old provinces merged into it (itself first where its name was kept)
MERGED_INTO: dict[str, tuple[str, ...]] = {
    "Hà Nội": ("Hà Nội",),
    "Huế": ("Thừa Thiên Huế",),
    "Lai Châu": ("Lai Châu",),
    "Điện Biên": ("Điện Biên",),
    "Sơn La": ("Sơn La",),
    "Lạng Sơn": ("Lạng Sơn",),
    "Quảng Ninh": ("Quảng Ninh",),
    "Thanh Hóa": ("Thanh Hóa",),
    "Nghệ An": ("Nghệ An",),
    "Hà Tĩnh": ("Hà Tĩnh",),
    "Cao Bằng": ("Cao Bằng",),
    "Tuyên Quang": ("Tuyên Quang", "Hà Giang"),
    "Lào Cai": ("Lào Cai", "Yên Bái"),
    "Thái Nguyên": ("Thái Nguyên", "Bắc Kạn"),
    "Phú Thọ": ("Phú Thọ", "Vĩnh Phúc", "Hòa Bình"),
    "Bắc Ninh": ("Bắc Ninh", "Bắc Giang"),
    "Hưng Yên": ("Hưng Yên", "Thái Bình"),
    "Hải Phòng": ("Hải Phòng", "Hải Dương"),
    "Ninh Bình": ("Ninh Bình", "Hà Nam", "Nam Định"),
    "Quảng Trị": ("Quảng Trị", "Quảng Bình"),
    "Đà Nẵng": ("Đà Nẵng", "Quảng Nam"),
    "Quảng Ngãi": ("Quảng Ngãi", "Kon Tum"),
    "Gia Lai": ("Gia Lai", "Bình Định"),
    "Khánh Hòa": ("Khánh Hòa", "Ninh Thuận"),
    "Lâm Đồng": ("Lâm Đồng", "Đắk Nông", "Bình Thuận"),
    "Đắk Lắk": ("Đắk Lắk", "Phú Yên"),
    "Hồ Chí Minh": ("Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu"),
    "Đồng Nai": ("Đồng Nai", "Bình Phước"),
    "Tây Ninh": ("Tây Ninh", "Long An"),
    "Cần Thơ": ("Cần Thơ", "Sóc Trăng", "Hậu Giang"),
    "Vĩnh Long": ("Vĩnh Long", "Bến Tre", "Trà Vinh"),
    "Đồng Tháp": ("Đồng Tháp", "Tiền Giang"),
    "Cà Mau": ("Cà Mau", "Bạc Liêu"),
    "An Giang": ("An Giang", "Kiên Giang"),
}

_UNIT_PREFIX = re.compile(r"^(?:tỉnh|thành\s+phố|tp\.?)\s+", re.IGNORECASE)

_NEW_BY_KEY = {comparison_key(new): new for new in MERGED_INTO}
_OLD_BY_KEY = {comparison_key(old): old for olds in MERGED_INTO.values() for old in olds}
_NEW_OF_OLD = {old: new for new, olds in MERGED_INTO.items() for old in olds}


def _key(name: str) -> str:
    return comparison_key(_UNIT_PREFIX.sub("", clean_text(name)))


@lru_cache(maxsize=1024)
def canonical_province(name: str) -> str:
    """The official spelling of a current province ("tỉnh Đồng Tháp", "Thanh Hoá" -> as listed), else the cleaned text."""
    return _NEW_BY_KEY.get(_key(name), clean_text(name))


@lru_cache(maxsize=1024)
def canonical_old_province(name: str) -> str:
    return _OLD_BY_KEY.get(_key(name), clean_text(name))


@lru_cache(maxsize=1024)
def is_current_province(name: str) -> bool:
    return _key(name) in _NEW_BY_KEY


@lru_cache(maxsize=1024)
def new_province_of(old_name: str) -> str | None:
    """The post-2025 province an old province merged into: "Bạc Liêu" -> "Cà Mau"."""
    old = _OLD_BY_KEY.get(_key(old_name))
    return _NEW_OF_OLD.get(old) if old else None
