"""Which kind of producer (chủ thể OCOP) a row names: as given, else read from the name, else unspecified.

Real lists rarely have a kind column. They name a cooperative or a company somewhere in the name
("Cơ sở sản xuất nước mắm HTX thôn 7", "Chi nhánh Công ty TNHH …"), or name a person: a household
business, often with the owner's 12-digit personal id as its tax code. What cannot be read (a
research institute, a trade name) is stored as unspecified: the kind is optional.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from catalogue.messages import quoted
from catalogue.normalise import ascii_fold, clean_text
from catalogue.records import ProducerKind

KINDS_IN_VIETNAMESE = "hợp tác xã, doanh nghiệp, tổ hợp tác, hộ kinh doanh"

# Words that say the kind wherever they stand (ascii-folded, lower case); the first one in the name wins.
_KIND_WORDS = {
    "to hop tac": ProducerKind.COOPERATIVE_GROUP, "tht": ProducerKind.COOPERATIVE_GROUP,
    "cooperative group": ProducerKind.COOPERATIVE_GROUP, "cooperative_group": ProducerKind.COOPERATIVE_GROUP,
    "hop tac xa": ProducerKind.COOPERATIVE, "htx": ProducerKind.COOPERATIVE, "cooperative": ProducerKind.COOPERATIVE,
    "cong ty": ProducerKind.ENTERPRISE, "cty": ProducerKind.ENTERPRISE, "ctcp": ProducerKind.ENTERPRISE,
    "tnhh": ProducerKind.ENTERPRISE, "doanh nghiep": ProducerKind.ENTERPRISE, "dntn": ProducerKind.ENTERPRISE,
    "enterprise": ProducerKind.ENTERPRISE,
    "ho kinh doanh": ProducerKind.HOUSEHOLD, "hkd": ProducerKind.HOUSEHOLD, "ho gia dinh": ProducerKind.HOUSEHOLD,
    "ho san xuat": ProducerKind.HOUSEHOLD, "household": ProducerKind.HOUSEHOLD,
}
_KIND_WORD = re.compile(r"\b(?:%s)\b" % "|".join(sorted(map(re.escape, _KIND_WORDS), key=len, reverse=True)))
_BRANCH = re.compile(r"\bchi nhanh\b")            # a branch is registered by an enterprise
_FACILITY = re.compile(r"\b(?:co so|cssx)\b")     # "cơ sở": a household's, unless the name says whose
_UNSPECIFIED_GIVEN = frozenset({"unspecified", "khac", "khong ro"})

# Common family names, with their marks (trade names reuse the ambiguous ones: Cao, Mai, Hà, Lâm, Tô),
# and the middle names that only people have: a name of three to five such words is a person's.
_SURNAMES = frozenset(
    "nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ hồ ngô dương lý đinh trương đoàn trịnh lương lưu "
    "tạ châu quách thái tống kiều lại khúc hứa đào triệu nông thạch danh lữ tôn phùng vương tăng nghiêm".split())
_MIDDLE_NAMES = frozenset({"thị", "văn"})
_PERSONAL_NAME_WORDS = range(3, 6)


@dataclass(frozen=True, slots=True)
class KindReading:
    kind: ProducerKind
    warning: str | None = None     # why the kind is not what the row says, or could not be read


def read_producer_kind(given: str | None, producer_name: str, tax_code: str | None) -> KindReading:
    """The kind as given (English or Vietnamese), else read from the name and tax code; never a refusal."""
    if given:
        kind = _given_kind(given)
        if kind is not None:
            return KindReading(kind)
    inferred = kind_from_name(producer_name, tax_code)
    if given:
        return KindReading(inferred, f"not a producer kind (cooperative, enterprise, cooperative_group, household; "
                                     f"{KINDS_IN_VIETNAMESE}): {_read_as(inferred, producer_name)}")
    if inferred == ProducerKind.UNSPECIFIED:
        return KindReading(inferred, f"not given, and the producer name {quoted(producer_name, 60)} does not say it "
                                     f"(no HTX, Công ty, Hộ kinh doanh, nor a person's name): stored as unspecified; "
                                     f"give it in the Loại hình column ({KINDS_IN_VIETNAMESE})")
    return KindReading(inferred)


def kind_from_name(producer_name: str, tax_code: str | None) -> ProducerKind:
    folded = _folded(producer_name)
    if match := _KIND_WORD.search(folded):
        return _KIND_WORDS[match[0]]
    if _BRANCH.search(folded):
        return ProducerKind.ENTERPRISE
    if _FACILITY.search(folded) or is_personal_id(tax_code) or _is_personal_name(producer_name):
        return ProducerKind.HOUSEHOLD
    return ProducerKind.UNSPECIFIED


def is_personal_id(tax_code: str | None) -> bool:
    """A 12-digit citizen id (CCCD): the tax code of a household business, never of an organisation."""
    return bool(tax_code) and tax_code.isdigit() and len(tax_code) == 12


@lru_cache(maxsize=4096)
def _given_kind(given: str) -> ProducerKind | None:
    folded = _folded(given)
    if folded in _UNSPECIFIED_GIVEN:
        return ProducerKind.UNSPECIFIED
    match = _KIND_WORD.match(folded)
    return _KIND_WORDS[match[0]] if match else None


@lru_cache(maxsize=65_536)
def _folded(text: str) -> str:
    return re.sub(r"[^a-z_]+", " ", ascii_fold(clean_text(text)).lower()).strip()


def _is_personal_name(name: str) -> bool:
    """"Nguyễn Trọng Thọ", "LÊ THỊ HỒNG TƯƠI": capitalised single words, a family name first or Thị/Văn second."""
    words = clean_text(name).split()
    if len(words) not in _PERSONAL_NAME_WORDS or not all(word.isalpha() and word[0].isupper() for word in words):
        return False
    lower = [word.lower() for word in words]
    return lower[0] in _SURNAMES or lower[1] in _MIDDLE_NAMES


def _read_as(kind: ProducerKind, producer_name: str) -> str:
    if kind == ProducerKind.UNSPECIFIED:
        return f"the producer name {quoted(producer_name, 60)} does not say it either: stored as unspecified"
    return f"read from the producer name as {kind.value}"
