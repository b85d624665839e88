"""Validation of one catalogue row: each rule parses one field or says which rule the value breaks.

`validate_row` turns a source row into the plain records ingest stores, or into issues naming the
row, field, value and rule. Errors reject the row; warnings are recorded and the row still lands.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable, TypeVar

from sqlalchemy import BigInteger, Integer, SmallInteger, String
from stdnum import ean
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength, ValidationError
from stdnum.vn import mst

from catalogue.characters import screen
from catalogue.groups import GROUPS, is_known_group, is_physical_goods
from catalogue.issues import Issue
from catalogue.messages import quoted
from catalogue.models import Certification, Producer, Product
from catalogue.normalise import ascii_fold, clean_product_name, clean_text, nfc, product_name_key, seller_sku
from catalogue.producer_kinds import is_personal_id, read_producer_kind
from catalogue.provinces import match_province, nearest_provinces, new_province_of, read_commune, split_address
from catalogue.records import (
    RECOGNISED_STARS,
    Address,
    CertificationRecord,
    ProducerKind,
    ProducerRecord,
    ProductRecord,
)
from catalogue.sources.encodings import legacy_font_advice, legacy_font_encoding, legacy_font_example
from catalogue.sources.table import SourceRow

__all__ = ["Issue", "Invalid", "ValidRow", "validate_row"]

T = TypeVar("T")

VIETNAM_GS1_PREFIX = "893"
EARLIEST_DECISION = dt.date(2013, 1, 1)   # Quảng Ninh's provincial OCOP predates the 2018 national programme
DEFAULT_STOCK = 100
EXCEL_ERRORS = frozenset({"#REF!", "#N/A", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!", "#SPILL!", "#CALC!"})
STAR_BANDS = {3: (50, 69), 4: (70, 89), 5: (90, 100)}

# Where each field is stored: its value must fit the column's type, checked before anything is written.
STORED_IN = {"ocop_code": Product.ocop_code, "product_name": Product.name, "pack_size": Product.pack_size,
             "net_weight_g": Product.net_weight_g, "price_vnd": Product.price_vnd, "stock": Product.stock,
             "producer_name": Producer.name, "province": Producer.province, "commune": Producer.commune,
             "province_old": Producer.province_old, "district_old": Producer.district_old,
             "commune_old": Producer.commune_old, "address": Producer.street,
             "decision_number": Certification.decision_number, "authority": Certification.authority,
             "stars": Certification.stars, "score": Certification.score}
_INTEGER_BITS = ((BigInteger, 64), (SmallInteger, 16), (Integer, 32))   # subclasses before Integer


def _integer_bits(column) -> int | None:
    return next((bits for kind, bits in _INTEGER_BITS if isinstance(column.type, kind)), None)


# Longer values are rejected rather than cut; numbers beyond the column's integer type too.
MAX_LENGTH = {field: column.type.length for field, column in STORED_IN.items()
              if isinstance(column.type, String) and column.type.length}
INTEGER_BITS = {field: bits for field, column in STORED_IN.items() if (bits := _integer_bits(column))}
NAME_KEY_LENGTH = Product.name_key.type.length

_DECISION_NUMBER = re.compile(r"^\d{1,6}(?:/\d{4})?/QĐ-[A-ZĐ0-9][A-ZĐ0-9.\-]*$")
_GROUP_CODE = re.compile(r"^(VI|IV|V|I{1,3})(?:[.\-\s]*(\d))?(?:[.\-\s]*([a-dA-D]))?$")
_WHOLE_NUMBER = re.compile(r"^\d+(?:[.,]0+)?$")
_GROUPED_THOUSANDS = re.compile(r"^\d{1,3}(?:([.,\s])\d{3})(?:\1\d{3})*$")
_DECIMAL = re.compile(r"^\d+(?:[.,]\d+)?$")
_WEIGHT = re.compile(r"^(\d+(?:[.,]\d+)?)\s*(g|gr|gram|grams|kg|kgs)?$", re.IGNORECASE)
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")
_SPACED_SEPARATOR = re.compile(r"\s*([/\-])\s*")
_SCIENTIFIC = re.compile(r"^\d+(?:[.,]\d+)?E\+?\d+$", re.IGNORECASE)
# The addresses an SMTP server without SMTPUTF8 accepts: RFC 5322's dot-atom local part, a domain of
# letter-digit-hyphen labels ending in a letter label (the top level).
_EMAIL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")
_EMAIL_SEPARATORS = re.compile(r"\s*[;,\s]\s*")
EMAIL_LENGTH = Producer.email.type.length


class Invalid(ValueError):
    """The value breaks a rule; the message states the rule and what is expected."""



@dataclass(frozen=True, slots=True)
class ValidRow:
    row: int
    product: ProductRecord
    producer: ProducerRecord
    certification: CertificationRecord
    name_key: str
    sheet: str | None = None

    @property
    def key(self) -> tuple[str, int]:
        return (self.sheet or "", self.row)


# --- one function per rule ------------------------------------------------------------------------

def parse_gtin(raw: str) -> tuple[str, list[str]]:
    """GTIN-8/12/13/14 with a correct check digit; a prefix other than Vietnam's 893 is only a warning."""
    if _SCIENTIFIC.match(raw.replace(" ", "")):
        raise Invalid("GTIN was turned into a number by Excel (scientific notation); format the column as text")
    try:
        gtin = ean.validate(raw)
    except InvalidChecksum:
        digits = ean.compact(raw)
        raise Invalid(f"GTIN check digit is wrong (expected {ean.calc_check_digit(digits[:-1])} as the last digit)") from None
    except InvalidLength:
        raise Invalid("GTIN must have 8, 12, 13 or 14 digits") from None
    except ValidationError:
        raise Invalid("GTIN must contain digits only") from None
    warnings = []
    if gs1_prefix(gtin) != VIETNAM_GS1_PREFIX:
        warnings.append(f"GS1 prefix {gs1_prefix(gtin)} is not Vietnam's {VIETNAM_GS1_PREFIX} (imported or foreign-registered)")
    return gtin, warnings


def gs1_prefix(gtin: str) -> str:
    """The GS1 prefix digits: GTIN-14 starts with an indicator digit, GTIN-12 (UPC) is GTIN-13 with a leading 0."""
    if len(gtin) == 14:
        return gtin[1:4]
    if len(gtin) == 12:
        return ("0" + gtin)[:3]
    return gtin[:3]


@lru_cache(maxsize=65_536)
def parse_stars(raw: str) -> int:
    text = clean_text(raw)
    match = re.match(r"^(\d+)(?:[.,]0+)?\s*(?:sao|★)?$", text, re.IGNORECASE)
    if match:
        stars = int(match.group(1))
    elif text and set(text) <= {"★", "☆"}:
        stars = text.count("★")
    else:
        raise Invalid("stars must be a number: 3, 4 or 5")
    if stars not in RECOGNISED_STARS:
        raise Invalid("stars must be 3, 4 or 5 (1★ and 2★ are not OCOP products)")
    return stars


@lru_cache(maxsize=65_536)
def parse_score(raw: str) -> int:
    text = raw.strip().replace(",", ".")
    if not _DECIMAL.match(text):
        raise Invalid("score must be a number from 0 to 100")
    score = round(float(text))
    if not 0 <= score <= 100:
        raise Invalid("score must be from 0 to 100")
    return score


def score_warning(score: int | None, stars: int) -> str | None:
    low, high = STAR_BANDS[stars]
    if score is None or low <= score <= high:
        return None
    return f"score {score} is outside the {stars}★ band ({low}–{high}) of Decision 148"


@lru_cache(maxsize=65_536)
def parse_decision_number(raw: str) -> str:
    text = _SPACED_SEPARATOR.sub(lambda match: match[1], clean_text(raw)).upper()
    text = re.sub(r"/QD-", "/QĐ-", text)
    if not _DECISION_NUMBER.match(text):
        raise Invalid("expected a decision number like 3981/QĐ-UBND or 2361/QĐ-BNNMT")
    return text


@lru_cache(maxsize=65_536)
def parse_date(raw: str) -> dt.date:
    """ISO (YYYY-MM-DD), Vietnamese dd/mm/yyyy, or an Excel serial day number."""
    text = raw.strip()
    try:
        if match := _ISO.match(text):
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        if match := _DMY.match(text):
            return dt.date(int(match[3]), int(match[2]), int(match[1]))
        if text.isdigit() and 20_000 <= int(text) <= 80_000:
            return dt.date(1899, 12, 30) + dt.timedelta(days=int(text))
    except ValueError:
        raise Invalid("not a calendar date (expected YYYY-MM-DD or dd/mm/yyyy)") from None
    raise Invalid("expected a date as YYYY-MM-DD or dd/mm/yyyy")


def parse_decision_date(raw: str, today: dt.date) -> dt.date:
    signed_on = parse_date(raw)
    if signed_on > today:
        raise Invalid(f"signing date is in the future (today is {today.isoformat()})")
    if signed_on < EARLIEST_DECISION:
        raise Invalid(f"signing date is before OCOP certification existed ({EARLIEST_DECISION.year})")
    return signed_on


@lru_cache(maxsize=65_536)
def parse_group_code(raw: str) -> tuple[str, tuple[str, ...]]:
    match = _GROUP_CODE.match(clean_text(raw).upper())
    code = None
    if match:
        code = ".".join(part for part in (match[1], match[2], match[3].lower() if match[3] else None) if part)
    if code is None or not is_known_group(code):
        raise Invalid("not a group of the Decision 148 tree (e.g. I.3.c, II.1.a, III.2, VI)")
    children = [child for child in GROUPS if child.startswith(code + ".")]
    if children:
        return code, (f"group {code} has sub-groups ({', '.join(children)}): classify at the finest level",)
    return code, ()


@lru_cache(maxsize=65_536)
def parse_tax_code(raw: str) -> str:
    """10-digit MST with its check digit, 13 digits with a branch suffix, or a household's 12-digit personal id."""
    text = re.sub(r"[\s.]", "", clean_text(raw))
    if text.isdigit() and len(text) == 12:
        if not 1 <= int(text[:3]) <= 96:
            raise Invalid("12-digit personal id must start with a province code 001–096")
        return text
    try:
        return mst.format(mst.validate(text))
    except InvalidChecksum:
        raise Invalid(f"tax code check digit is wrong (expected {mst.calc_check_digit(mst.compact(text))} as the 10th digit)") from None
    except InvalidComponent:
        raise Invalid("tax code has an impossible sequence or branch number") from None
    except ValidationError:
        raise Invalid("tax code must be 10 digits, 13 with a branch suffix (NNNNNNNNNN-NNN), "
                      "or a 12-digit personal id") from None


@lru_cache(maxsize=65_536)
def parse_price(raw: str) -> int:
    """A positive whole amount of VND: "125000", "125.000 đ", "125,000 VND"."""
    text = re.sub(r"(?i)\s*(?:vnđ|vnd|đồng|đ|₫)\s*$", "", clean_text(raw))
    if _GROUPED_THOUSANDS.match(text):
        amount = int(re.sub(r"[.,\s]", "", text))
    elif _WHOLE_NUMBER.match(text):
        amount = int(re.split(r"[.,]", text)[0])
    else:
        raise Invalid("price must be a whole number of VND (e.g. 125000 or 125.000)")
    if amount <= 0:
        raise Invalid("price must be positive")
    return amount


@lru_cache(maxsize=65_536)
def parse_weight(raw: str) -> int:
    """Shipping weight in grams: "550", "550 g", "1,2 kg"."""
    match = _WEIGHT.match(clean_text(raw))
    if not match:
        raise Invalid("weight must be a number of grams (e.g. 550 or 550 g, or 1.2 kg)")
    grams = float(match[1].replace(",", ".")) * (1000 if (match[2] or "g").lower().startswith("kg") else 1)
    if round(grams) <= 0:
        raise Invalid("weight must be positive")
    return round(grams)


@lru_cache(maxsize=65_536)
def parse_stock(raw: str) -> int:
    text = clean_text(raw)
    if not _WHOLE_NUMBER.match(text):
        raise Invalid("stock must be a whole number, 0 or more")
    return int(re.split(r"[.,]", text)[0])


@lru_cache(maxsize=65_536)
def parse_email(raw: str) -> tuple[str, tuple[str, ...]]:
    """One address (its domain in lower case); a cell holding several keeps the first, with a warning."""
    text = re.sub(r"(?i)^mailto:", "", clean_text(raw)).strip("<>;, ")
    first, *others = _EMAIL_SEPARATORS.split(text)
    if not _EMAIL.match(first) or len(first) > EMAIL_LENGTH:
        raise Invalid(f"expected an e-mail address like htx.senthapmuoi@gmail.com (letters without marks, "
                      f"one @, a domain; at most {EMAIL_LENGTH} characters); the report is not e-mailed")
    local, domain = first.rsplit("@", 1)
    kept = f"{local}@{domain.lower()}"
    return kept, (f"one address per producer: {kept} is kept, {', '.join(others)} not",) if others else ()


_TRUE = {"1", "true", "yes", "y", "x", "co", "da thu hoi", "thu hoi"}
_FALSE = {"0", "false", "no", "n", "khong", "con hieu luc"}


@lru_cache(maxsize=65_536)
def parse_revoked(raw: str) -> bool:
    text = ascii_fold(clean_text(raw)).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise Invalid("revoked must be 1/0 (or có/không)")


# --- the row --------------------------------------------------------------------------------------

class _RowCheck:
    """Collects the issues of one row while its fields are parsed.

    The reader's own warnings come first; then every value is screened for characters the catalogue
    does not take (see catalogue.characters).
    """

    def __init__(self, row: SourceRow):
        self.row = row
        self.issues: list[Issue] = list(row.issues)
        self.values: dict[str, object] = dict(row.values)
        self.refused: set[str] = set()    # fields already rejected: not reported again as missing
        for field, value in row.values.items():
            if isinstance(value, str):
                self._screen(field, value)

    def _screen(self, field: str, value: str) -> None:
        screened = screen(value)
        if screened.refusal:
            self.refuse(field, value, screened.refusal)
        elif screened.removed:
            self.values[field] = screened.text
            self.add(field, value, screened.removed, "warning")

    def refuse(self, field: str, value: str | None, rule: str) -> None:
        self.add(field, value, rule)
        self.refused.add(field)
        self.values[field] = None

    def text(self, field: str, *, required: bool = False) -> str | None:
        raw = self.values.get(field)
        value = clean_text(raw) if raw is not None else ""
        if value[:1] == "#" and value.upper() in EXCEL_ERRORS:
            rule = f"cell holds the Excel error {value.upper()} (a broken formula)"
            self.add(field, value, rule, "error" if required else "warning")
            return None
        if not value:
            if required and field not in self.refused:
                self.add(field, None, "required field is missing")
            return None
        limit = MAX_LENGTH.get(field)
        if limit and len(value) > limit:
            self.add(field, value, f"at most {limit} characters (has {len(value):,})")
            return None
        return value

    def parse(self, field: str, parser: Callable[[str], T], *, required: bool = False) -> T | None:
        value = self.text(field, required=required)
        if value is None:
            return None
        try:
            parsed = parser(value)
        except Invalid as invalid:
            self.add(field, value, str(invalid))
            return None
        if isinstance(parsed, int) and not _fits(field, parsed):
            self.add(field, value, f"out of range: at most {2 ** (INTEGER_BITS[field] - 1) - 1:,} "
                                   f"(the catalogue stores {field} as a {INTEGER_BITS[field]}-bit integer)")
            return None
        return parsed

    def add(self, field: str, value: str | None, rule: str, severity: str = "error") -> None:
        self.issues.append(Issue(self.row.number, field, value, rule, severity, self.row.sheet))

    def warn(self, field: str, warnings: Iterable[str]) -> None:
        for warning in warnings:
            self.add(field, clean_text(self.values.get(field)), warning, "warning")

    @property
    def failed(self) -> bool:
        return any(issue.severity == "error" for issue in self.issues)


def _fits(field: str, number: int) -> bool:
    bits = INTEGER_BITS.get(field)
    return bits is None or -(2 ** (bits - 1)) <= number < 2 ** (bits - 1)


def legacy_font_issue(row: SourceRow) -> Issue | None:
    """Text typed in the TCVN3 or VNI fonts, found over all of the row's text (each cell is short)."""
    texts = {field: value for field, value in row.values.items() if isinstance(value, str) and not value.isascii()}
    legacy = legacy_font_encoding(" ".join(texts.values())) if texts else None
    if legacy is None:
        return None
    field, value = max(texts.items(), key=lambda item: (legacy_font_encoding(item[1]) == legacy, len(item[1])))
    rule = (f"the text is in the legacy {legacy} font encoding (reads like {legacy_font_example(value, legacy)!r}); "
            f"{legacy_font_advice(legacy)}")
    return Issue(row.number, field, value, rule, sheet=row.sheet)


def validate_row(row: SourceRow, *, today: dt.date) -> tuple[ValidRow | None, list[Issue]]:
    """The row as records, or None; with every issue found (all rules run, not just the first).

    A row the reader could not read reliably (a quote left open, a formula never calculated), or
    typed in a legacy font, is rejected with that finding alone: its cells are not what the file means.
    """
    if any(issue.severity == "error" for issue in row.issues):
        return None, list(row.issues)
    legacy = legacy_font_issue(row)
    if legacy is not None:
        return None, [*row.issues, legacy]
    check = _RowCheck(row)
    ocop_code = check.text("ocop_code", required=True)
    name, name_key = _product_name(check)
    group = check.parse("group_code", parse_group_code, required=True)
    certification = _certification(check, today)
    producer = _producer(check)
    gtin = check.parse("gtin", parse_gtin)
    is_service = group is not None and not is_physical_goods(group[0])
    price = check.parse("price_vnd", parse_price, required=not is_service)
    weight = check.parse("net_weight_g", parse_weight)
    stock = check.parse("stock", parse_stock)
    pack_size = check.text("pack_size")
    description = nfc(str(check.values.get("description") or "")).strip()
    images = tuple(part.strip() for part in clean_text(check.values.get("images")).split("|") if part.strip())
    if gtin:
        check.warn("gtin", gtin[1])
    if group:
        check.warn("group_code", group[1])
    if check.failed or None in (ocop_code, name, group, certification, producer):
        return None, check.issues
    product = ProductRecord(
        ocop_code=ocop_code, seller_sku=seller_sku(ocop_code), name=name, group_code=group[0],
        producer_key=producer.key, price_vnd=price or 0, net_weight_g=weight, pack_size=pack_size,
        gtin=gtin[0] if gtin else None, description=description,
        stock=DEFAULT_STOCK if stock is None else stock, images=images)
    return ValidRow(row.number, product, producer, certification, name_key, row.sheet), check.issues


def _product_name(check: _RowCheck) -> tuple[str | None, str | None]:
    """The stored name and its comparison key, which has a column of its own (so a length of its own)."""
    raw = check.text("product_name", required=True)
    if raw is None:
        return None, None
    name = clean_product_name(raw)
    if not name:
        check.add("product_name", raw, "nothing is left of the name once certification claims are removed")
        return None, None
    key = product_name_key(name)
    if len(key) > NAME_KEY_LENGTH:
        check.add("product_name", raw, f"its comparison form (lower case, marks placed one way) has {len(key):,} "
                                       f"characters; at most {NAME_KEY_LENGTH}")
        return None, None
    return name, key


def _certification(check: _RowCheck, today: dt.date) -> CertificationRecord | None:
    stars = check.parse("stars", parse_stars, required=True)
    score = check.parse("score", parse_score)
    number = check.parse("decision_number", parse_decision_number, required=True)
    signed_on = check.parse("decision_date", lambda raw: parse_decision_date(raw, today), required=True)
    revoked = check.parse("revoked", parse_revoked)
    authority = check.text("authority") or ""
    if stars is not None:
        warning = score_warning(score, stars)
        if warning:
            check.warn("score", [warning])
    if None in (stars, number, signed_on):
        return None
    return CertificationRecord(decision_number=number, signed_on=signed_on, authority=authority, stars=stars,
                               score=score, revoked=bool(revoked))


def _producer(check: _RowCheck) -> ProducerRecord | None:
    name = check.text("producer_name", required=True)
    tax_code = check.parse("tax_code", parse_tax_code, required=True)
    kind = None
    if name is not None:
        given = check.text("producer_kind")
        reading = read_producer_kind(given, name, tax_code)
        kind = reading.kind
        if reading.warning:
            check.add("producer_kind", given, reading.warning, "warning")
    if kind in (ProducerKind.COOPERATIVE, ProducerKind.ENTERPRISE, ProducerKind.COOPERATIVE_GROUP) \
            and is_personal_id(tax_code):
        check.add("tax_code", tax_code, "a 12-digit personal id is the tax code of households only; "
                                        f"a {kind.value} has a 10-digit tax code", "warning")
    address = _address(check)
    email = _email(check)
    if None in (name, tax_code, kind, address):
        return None
    return ProducerRecord(key=tax_code, name=name, kind=kind, tax_code=tax_code, address=address, email=email)


def _email(check: _RowCheck) -> str | None:
    """Optional: an address that is no address is a warning, and the producer's report goes by post."""
    given = check.text("email")
    if given is None:
        return None
    try:
        email, warnings = parse_email(given)
    except Invalid as invalid:
        check.add("email", given, str(invalid), "warning")
        return None
    check.warn("email", warnings)
    return email


ADDRESS_FIELDS = ("province", "province_old", "commune", "commune_old", "district_old", "address")


def _address(check: _RowCheck) -> Address | None:
    """The new province (and the old one, where the row names it), read however typed; see catalogue.provinces."""
    given = {field: check.text(field) for field in ADDRESS_FIELDS}
    province_old = _old_province(check, given["province_old"], given["province"]) if given["province_old"] else None
    if given["province"]:
        found = match_province(given["province"])
        if found is None:
            check.add("province", given["province"], "not one of Vietnam's 34 provinces, nor a province merged "
                                                     f"in 2025; {_nearest(given['province'])}")
            return None
        province, province_old = found.current, province_old or found.old
        placed = _address_parts(given, found.before)
        if not found.exact:
            check.add("province", given["province"],
                      f"province {quoted(given['province'])} read as {quoted(found.name)}{placed}", "warning")
    elif province_old:
        province = new_province_of(province_old)
    elif given["province_old"]:
        check.add("province_old", given["province_old"], "not a Vietnamese province (before or after the 2025 "
                                                         f"merger); {_nearest(given['province_old'])}")
        return None
    else:
        check.add("province", None, "required field is missing (give province or province_old)")
        return None
    return Address(province=province, commune=_commune(check, "commune", given["commune"]) or "",
                   district_old=given["district_old"], province_old=province_old,
                   commune_old=_commune(check, "commune_old", given["commune_old"]), street=given["address"])


def _old_province(check: _RowCheck, given: str, province: str | None) -> str | None:
    """The old province as officially spelt. One that names none is kept as written, with a warning, when the
    new province is given (the old one is optional then)."""
    found = match_province(given)
    if found is None:
        if province:
            check.add("province_old", given, f"not a province before the 2025 merger; kept as written "
                                             f"({_nearest(given)})", "warning")
            return given
        return None
    if not found.exact:
        check.add("province_old", given, f"province {quoted(given)} read as {quoted(found.name)}", "warning")
    return found.name


def _nearest(text: str) -> str:
    return "nearest: " + ", ".join(nearest_provinces(text))


def _address_parts(given: dict[str, str | None], before: tuple[str, ...]) -> str:
    """The commune, district and street typed before the province go to their blank columns; says which."""
    if not before:
        return ""
    parts = split_address(before)
    old_units = parts.district is not None
    placed = []
    for field, value, what in (("commune_old" if old_units else "commune", parts.commune,
                                "the old commune" if old_units else "the commune"),
                               ("district_old", parts.district, "the old district"),
                               ("address", parts.street, "the street address")):
        if value and not given[field]:
            given[field] = value
            placed.append(f"{quoted(value)} as {what}")
    return f"; {', '.join(placed)}" if placed else f"; the rest ({quoted(', '.join(before))}) not stored"


def _commune(check: _RowCheck, field: str, given: str | None) -> str | None:
    """One spelling per commune; a whole address in the cell is cut to the commune, with a warning."""
    if given is None:
        return None
    commune, rest = read_commune(given)
    if rest:
        check.add(field, given, f"commune {quoted(given)} read as {quoted(commune)}; the rest "
                                f"({quoted(', '.join(rest))}) is not a commune", "warning")
    return commune
