"""Vietnam's provinces after the July 2025 merger (34), and where each of the old 63 went.

Certificates issued before the merger name old units; the catalogue keeps them and files the
producer under the new province. `match_province` reads a province as people type it: without
tone marks ("Đắk Lăk"), abbreviated ("TP.HCM"), misspelt by a letter or two, or at the end of a
whole address ("Xã Mỹ Hiệp, Cao Lãnh, Đồng Tháp").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from catalogue.normalise import ascii_fold, clean_text, comparison_key

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

# Spellings people use that neither folding nor a letter or two of difference explain.
VARIANTS: dict[str, str] = {
    "TP HCM": "Hồ Chí Minh", "HCM": "Hồ Chí Minh", "TPHCM": "Hồ Chí Minh", "Sài Gòn": "Hồ Chí Minh",
    "BR-VT": "Bà Rịa - Vũng Tàu", "Vũng Tàu": "Bà Rịa - Vũng Tàu", "TT Huế": "Thừa Thiên Huế",
    "Đắc Lắc": "Đắk Lắk", "Đắc Nông": "Đắk Nông", "Bắc Cạn": "Bắc Kạn", "Kontum": "Kon Tum",
}
MAX_ADDRESS_WORDS = 5      # "Bà Rịa - Vũng Tàu" at the end of an address typed without commas

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
def new_province_of(old_name: str) -> str | None:
    """The post-2025 province an old province merged into: "Bạc Liêu" -> "Cà Mau"."""
    old = _OLD_BY_KEY.get(_key(old_name))
    return _NEW_OF_OLD.get(old) if old else None


@dataclass(frozen=True, slots=True)
class ProvinceMatch:
    name: str                     # the official spelling of the province the text names, current or old
    current: str                  # where it is filed after July 2025
    exact: bool                   # only case, Unicode form, tone placement or "tỉnh"/"TP" differed
    before: tuple[str, ...] = ()  # what the text held before the province: commune, district, house number

    @property
    def old(self) -> str | None:
        """The pre-2025 province the text named, when that is not a current one."""
        return None if self.name in MERGED_INTO else self.name


def _loose(name: str) -> str:
    """Marks, case, spaces and punctuation gone, the unit word too: "Tỉnh Đắk Lăk" -> "daklak"."""
    words = re.sub(r"[^a-z0-9]+", " ", ascii_fold(clean_text(name)).lower()).split()
    if words[:2] == ["thanh", "pho"]:
        words = words[2:]
    elif words[:1] in (["tinh"], ["tp"]):
        words = words[1:]
    return "".join(words)


_OFFICIAL = (*MERGED_INTO, *(old for olds in MERGED_INTO.values() for old in olds if old not in MERGED_INTO))
_BY_LOOSE = {_loose(name): name for name in _OFFICIAL} | {_loose(variant): name for variant, name in VARIANTS.items()}


@lru_cache(maxsize=4096)
def match_province(text: str) -> ProvinceMatch | None:
    """The province a text names, however typed; None when nothing is close (see `nearest_provinces`)."""
    whole = _match_name(text)
    if whole is not None:
        return whole
    parts = [part.strip() for part in re.split(r"[,;]", clean_text(text)) if part.strip()]
    if len(parts) > 1:
        for index in range(len(parts) - 1, -1, -1):
            found = _match_name(parts[index])
            if found is not None:
                return ProvinceMatch(found.name, found.current, False, tuple(parts[:index]))
        return None
    words = clean_text(text).split()
    for size in range(min(MAX_ADDRESS_WORDS, len(words) - 1), 0, -1):
        found = _BY_LOOSE.get(_loose(" ".join(words[-size:])))
        if found is not None:
            return ProvinceMatch(found, _current(found), False, (" ".join(words[:-size]),))
    return None


def nearest_provinces(text: str, count: int = 3) -> list[str]:
    """The official names closest to a text that names none, for the message that rejects it."""
    key = _loose(text)
    ranked = sorted(_OFFICIAL, key=lambda name: (_distance(key, _loose(name)), name))
    return ranked[:count]


def _match_name(text: str) -> ProvinceMatch | None:
    key = _key(text)
    if key in _NEW_BY_KEY:
        return ProvinceMatch(_NEW_BY_KEY[key], _NEW_BY_KEY[key], True)
    if key in _OLD_BY_KEY:
        return ProvinceMatch(_OLD_BY_KEY[key], _current(_OLD_BY_KEY[key]), True)
    loose = _loose(text)
    if not loose:
        return None
    name = _BY_LOOSE.get(loose) or _nearest_within_reach(loose)
    return ProvinceMatch(name, _current(name), False) if name else None


def _nearest_within_reach(loose: str) -> str | None:
    """The one name a letter away (two for long names); None when none is, or two are ("Cao Lãnh" is no "Cao Bằng")."""
    reach = 1 if len(loose) < 8 else 2
    distances = sorted((_distance(loose, key), name) for key, name in _BY_LOOSE.items())
    (best, name), runner_up = distances[0], distances[1]
    if best > reach or (runner_up[0] == best and runner_up[1] != name):
        return None
    return name


def _current(name: str) -> str:
    return name if name in MERGED_INTO else _NEW_OF_OLD[name]


def _distance(a: str, b: str) -> int:
    """Levenshtein distance: insertions, deletions and substitutions."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


# --- communes -------------------------------------------------------------------------------------

_COMMUNE_UNIT = re.compile(r"(?:^|\s)(xã|phường|thị\s+trấn|đặc\s+khu|x\.|p\.|tt\.?)(?=\s|\d|$)", re.IGNORECASE)
_UNIT_SPELLING = {"x.": "xã", "p.": "phường", "tt": "thị trấn", "tt.": "thị trấn"}


@dataclass(frozen=True, slots=True)
class AddressParts:
    """What an address typed into one cell holds, before its province."""

    commune: str | None = None
    district: str | None = None    # a district means the pre-2025 three-level address: the commune is the old one
    street: str | None = None


def split_address(parts: tuple[str, ...]) -> AddressParts:
    """("Ấp 3", "xã Mỹ Hiệp", "Cao Lãnh") -> street "Ấp 3", commune "xã Mỹ Hiệp", district "Cao Lãnh"."""
    for index in range(len(parts) - 1, -1, -1):
        unit = _COMMUNE_UNIT.search(parts[index])
        if unit is None:
            continue
        street = [*parts[:index], parts[index][:unit.start()].strip()]
        district = ", ".join(parts[index + 1:])
        return AddressParts(canonical_commune(parts[index][unit.start():]), district or None,
                            ", ".join(part for part in street if part) or None)
    return AddressParts(street=", ".join(parts) or None)


def canonical_commune(text: str) -> str:
    """One spelling per commune: "XÃ MỸ HIỆP", "Xã Mỹ Hiệp", "X. Mỹ Hiệp" -> "xã Mỹ Hiệp"; "P.3" -> "phường 3"."""
    text = clean_text(text)
    unit = _COMMUNE_UNIT.match(text)
    if unit is None:
        return text.title() if text.isupper() else text
    word = " ".join(unit[1].lower().split())
    name = text[unit.end():].strip()
    return f"{_UNIT_SPELLING.get(word, word)} {name.title() if name.isupper() else name}".strip()


def read_commune(text: str) -> tuple[str, tuple[str, ...]]:
    """The commune a cell names and what else it held ("xã Mỹ Hiệp, huyện Cao Lãnh, tỉnh Đồng Tháp")."""
    parts = [part.strip() for part in re.split(r"[,;]", clean_text(text)) if part.strip()]
    if len(parts) <= 1:
        return canonical_commune(text), ()
    return canonical_commune(parts[0]), tuple(parts[1:])
