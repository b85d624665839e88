"""A realistic, deterministic sample catalogue for a province, as canonical rows of strings.

Shaped by the provincial figures (catalogue.sample_data): product and producer counts, the star
split, the four producer kinds, old and new administrative units, each province's specialities with
their packs and prices, a few tourism services, some certificates expired or expiring within 90
days, and a few revoked. Like real exports, a small share of rows carry decomposed Unicode or
certification junk in names; ingest normalises them. `bad_rows` appends deliberately invalid rows
(and one duplicate kind) for demos of the rejects report. Scales to 100,000 products.

With bad_rows=0 every physical product has what a marketplace listing needs: an 893-prefixed GTIN,
pack size, shipping weight, price, stock and description.

`realistic=True` writes the same catalogue as real provincial lists do (issue 16): photos as URLs
(served by the registry sandbox, see sandboxes.photos), no shipping weight but a pack size written
as producers write it (`hộp 10 gói x 20 g`, `thùng 24 lon x 330ml`) or none at all, few barcodes, no
producer kind, households named by their owner, enterprises by a branch, certification claims in
names, contact details in descriptions, the province typed loosely and optional columns left empty.
Everything in it is still listable: the pipeline estimates, infers, cleans and matches.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import random
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from dateutil.relativedelta import relativedelta
from stdnum import ean
from stdnum.vn import mst

from catalogue.normalise import ascii_fold, slug
from catalogue.provinces import canonical_province
from catalogue.records import CERTIFICATE_VALIDITY, ProducerKind
from catalogue.sample_data import (
    CONTACT_SENTENCES,
    COOPERATIVE_TRADES,
    ENTERPRISE_FORMS,
    ENTERPRISE_TRADES,
    FAMILY_NAMES,
    GIVEN_NAMES,
    LIQUID_CONTAINERS,
    MASS_CONTAINERS,
    MIDDLE_NAMES,
    MOBILE_PREFIXES,
    NAME_CLAIMS,
    PHOTO_SHAPES,
    PROFILES,
    SACK_CONTAINERS,
    TRADE_NAMES,
    District,
    OldProvince,
    ProvinceProfile,
    Template,
)
from catalogue.sources.columns import ALIASES, CANONICAL_COLUMNS
from ocop.spreadsheets import spreadsheet_text

SHARE_EXPIRED = 0.03
SHARE_EXPIRING = 0.05       # expiring within the next 90 days
SHARE_REVOKED = 0.003
SHARE_JUNK_NAME = 0.02
SHARE_DECOMPOSED = 0.03
MERGER_DATE = dt.date(2025, 7, 1)   # provinces merged; 5★ moved to the ministry (Bộ NN&MT)
_KIND_PRODUCT_WEIGHT = {ProducerKind.ENTERPRISE: 3.0, ProducerKind.COOPERATIVE: 3.0,
                        ProducerKind.COOPERATIVE_GROUP: 1.5, ProducerKind.HOUSEHOLD: 1.0}
_UNIT_WORDS = re.compile(r"^(?:thành phố|thị xã|thị trấn|huyện|xã|phường)\s+")

# Where the realistic sample's photo URLs point by default: the registry of `ocop sandbox serve` draws them.
SAMPLE_IMAGE_BASE = "http://127.0.0.1:8780/images"
# Shares of the realistic sample's mess; each kind is present at least once however small the sample.
REAL_SHARE_WEIGHT_STATED = 0.15     # of products sold by weight or volume: the list still gives a shipping weight
REAL_SHARE_NO_PACK = 0.10           # of the others: no pack size either, the group's usual pack is all there is
REAL_SHARE_GTIN = 0.35              # products with a barcode
REAL_SHARE_CLAIM = 0.35             # names carrying a certification claim
REAL_SHARE_CONTACTS = 0.33          # descriptions ending with a phone number or a link
REAL_SHARE_LOOSE_PROVINCE = 0.25    # provinces typed without marks, in capitals, in NFD, ...
REAL_SHARE_EMPTY_OPTIONAL = 0.30    # rows without score, authority, old district and commune, address, stock
REAL_SHARE_KIND_GIVEN = 0.20        # producers whose kind column is filled
REAL_SHARE_BRANCH = 0.30            # enterprises listed as one of their branches
REAL_SHARE_TRADE_NAME = 0.30        # households' facilities listed by their trade name alone
_HOUSEHOLD_WORDS = re.compile(r"^(?:Hộ kinh doanh|Cơ sở sản xuất)\s+")
_AMOUNT = re.compile(r"^(\d+(?:,\d+)?) (g|kg|ml)$")
_OPTIONAL_COLUMNS = ("score", "authority", "district_old", "commune_old", "address", "stock")


@dataclass(frozen=True)
class _Producer:
    index: int
    key: str
    name: str
    kind: ProducerKind
    old: OldProvince
    district: District
    commune_old: str
    commune_new: str
    street: str

    @property
    def place(self) -> str:
        return _UNIT_WORDS.sub("", self.district.name)


@dataclass
class _Product:
    producer: _Producer
    name: str
    group: str
    pack: tuple[str, int, int, int] | None
    blurb: str
    template: str
    stars: int = 3


def known_provinces() -> list[str]:
    """The provinces the sample can be generated for."""
    return list(PROFILES)


def sample_rows(province: str = "Đồng Tháp", *, seed: int = 1, products: int | None = None, bad_rows: int = 0,
                today: dt.date | None = None, realistic: bool = False,
                image_base: str = SAMPLE_IMAGE_BASE) -> list[dict[str, str]]:
    """Canonical catalogue rows (every column present, values as strings) for one province; `realistic`
    as a real list writes them, its photos linked under `image_base`."""
    profile = _profile(province)
    today = today or dt.date.today()
    total = profile.products if products is None else products
    if total < 1 or bad_rows < 0:
        raise ValueError("products must be at least 1 and bad_rows 0 or more")
    rng = random.Random(f"{profile.name}|{seed}")
    producers = _producers(profile, total, rng)
    catalogue = _products(profile, producers, total, rng)
    _assign_stars(profile, catalogue, total, rng)
    rows = _rows(profile, catalogue, today, rng)
    _roughen(rows, rng)
    if realistic:   # a generator of its own: the tidy catalogue and its bad rows stay what they were
        _as_real_lists_have_them(rows, random.Random(f"{profile.name}|{seed}|realistic"), image_base)
    return _with_bad_rows(rows, bad_rows, today, rng)


def _profile(province: str) -> ProvinceProfile:
    name = canonical_province(province)
    if name not in PROFILES:
        raise ValueError(f"no sample profile for {province!r}; known: {', '.join(PROFILES)}")
    return PROFILES[name]


def _scaled(count: int, total: int, full: int) -> int:
    return round(count * total / full)


# --- producers ------------------------------------------------------------------------------------

def _producers(profile: ProvinceProfile, total: int, rng: random.Random) -> list[_Producer]:
    full_count = sum(profile.producers.values())
    wanted = max(1, min(total, _scaled(full_count, total, profile.products)))
    kinds: list[ProducerKind] = []
    for kind, count in profile.producers.items():
        kinds += [kind] * max(1, _scaled(count, wanted, full_count))   # every kind present, however small
    while len(kinds) > wanted and ProducerKind.HOUSEHOLD in kinds:
        kinds.remove(ProducerKind.HOUSEHOLD)
    kinds = (kinds + [ProducerKind.HOUSEHOLD] * wanted)[:wanted]
    rng.shuffle(kinds)
    used_keys: set[str] = set()
    return [_producer(index, kind, profile, used_keys, rng) for index, kind in enumerate(kinds)]


def _producer(index: int, kind: ProducerKind, profile: ProvinceProfile, used: set[str], rng: random.Random) -> _Producer:
    old = rng.choices(profile.old_provinces, weights=[o.share for o in profile.old_provinces])[0]
    district = rng.choice(old.districts)
    commune_index = rng.randrange(len(district.communes_old))
    place = _UNIT_WORDS.sub("", district.name)
    key = _producer_key(kind, old, used, rng)
    street = f"{old.hamlet} {rng.choice(('Mỹ Thuận', 'Tân Phú', 'Bình Hòa', 'Long Thạnh', 'An Lạc', 'Phú Hòa', 'Tân Lợi'))}" \
        if rng.random() < 0.7 else f"Số {rng.randint(1, 300)}, đường {rng.choice(('30/4', 'Nguyễn Huệ', 'Lý Thường Kiệt', 'Hùng Vương'))}"
    return _Producer(index, key, _producer_name(kind, place, rng), kind, old, district,
                     district.communes_old[commune_index],
                     district.communes_new[commune_index % len(district.communes_new)], street)


def _producer_name(kind: ProducerKind, place: str, rng: random.Random) -> str:
    person = f"{rng.choice(FAMILY_NAMES)} {rng.choice(MIDDLE_NAMES)} {rng.choice(GIVEN_NAMES)}"
    if kind == ProducerKind.COOPERATIVE:
        return f"{rng.choice(('HTX', 'Hợp tác xã'))} {rng.choice(COOPERATIVE_TRADES)} {place}"
    if kind == ProducerKind.ENTERPRISE:
        return f"{rng.choice(ENTERPRISE_FORMS)} {rng.choice(ENTERPRISE_TRADES)} {rng.choice(TRADE_NAMES)}"
    if kind == ProducerKind.COOPERATIVE_GROUP:
        return f"Tổ hợp tác {rng.choice(COOPERATIVE_TRADES)} {place}"
    return rng.choice((f"Hộ kinh doanh {person}", f"Cơ sở sản xuất {person}", f"Cơ sở {rng.choice(TRADE_NAMES)}"))


def _producer_key(kind: ProducerKind, old: OldProvince, used: set[str], rng: random.Random) -> str:
    """A valid 10-digit tax code, or (households since July 2025) a 12-digit personal id; unique."""
    while True:
        if kind == ProducerKind.HOUSEHOLD and rng.random() < 0.6:
            key = f"{old.id_prefix}{rng.randint(0, 3)}{rng.randint(50, 99):02d}{rng.randint(0, 999_999):06d}"
        else:
            prefix = "8" + old.tax_prefix[1] if kind == ProducerKind.HOUSEHOLD else old.tax_prefix
            body = f"{prefix}{rng.randint(1, 9_999_999):07d}"
            check = mst.calc_check_digit(body)
            if len(check) != 1:
                continue
            key = body + check
        if key not in used:
            used.add(key)
            return key


# --- products -------------------------------------------------------------------------------------

def _products(profile: ProvinceProfile, producers: list[_Producer], total: int, rng: random.Random) -> list[_Product]:
    tourism_count = min(total, _scaled(len(profile.tourism), total, profile.products) or (1 if total >= 50 else 0))
    goods_count = total - tourism_count
    per_producer = [0] * len(producers)
    for index in range(min(goods_count, len(producers))):
        per_producer[index] = 1
    weights = [_KIND_PRODUCT_WEIGHT[p.kind] for p in producers]
    for index in rng.choices(range(len(producers)), weights=weights, k=max(0, goods_count - len(producers))):
        per_producer[index] += 1
    catalogue = []
    for producer, count in zip(producers, per_producer):
        catalogue += _goods_of(profile, producer, count, rng)
    organisations = [p for p in producers if p.kind != ProducerKind.HOUSEHOLD] or producers
    for number in range(tourism_count):
        name, old_province = profile.tourism[number % len(profile.tourism)]
        if number >= len(profile.tourism):
            name = f"{name} (điểm {number // len(profile.tourism) + 1})"
        hosts = [p for p in organisations if p.old.name == old_province] or organisations
        catalogue.append(_Product(hosts[number % len(hosts)], name, "VI", None,
                                  "Điểm du lịch cộng đồng, trải nghiệm nông nghiệp và làng nghề.", "tourism"))
    return catalogue


def _goods_of(profile: ProvinceProfile, producer: _Producer, count: int, rng: random.Random) -> list[_Product]:
    templates = [t for t in profile.templates if t.only_in in (None, producer.old.name)]
    chosen: list[tuple[Template, int]] = []
    pool = list(templates)
    while len(chosen) < count:
        if not pool:   # a producer with more products than specialities sells them in several packs
            pool = [t for t in templates if len(t.packs) > sum(1 for c, _ in chosen if c is t)]
            if not pool:
                pool = list(templates)
        template = rng.choices(pool, weights=[t.weight for t in pool])[0]
        pool.remove(template)
        chosen.append((template, sum(1 for c, _ in chosen if c is template)))
    products = []
    for template, repeat in chosen:
        pack = template.packs[repeat % len(template.packs)] if repeat else rng.choice(template.packs)
        name = template.name.format(place=producer.place)
        if repeat >= len(template.packs):
            name = f"{name} loại {repeat // len(template.packs) + 1}"
        products.append(_Product(producer, name, template.group, pack, template.blurb, template.name))
    return products


def _assign_stars(profile: ProvinceProfile, catalogue: list[_Product], total: int, rng: random.Random) -> None:
    three, four, five = profile.stars
    fives = _scaled(five, total, profile.products)
    fours = _scaled(four, total, profile.products)
    order = list(range(len(catalogue)))
    rng.shuffle(order)
    preferred = [i for i in order if catalogue[i].template in profile.five_star_templates
                 and catalogue[i].producer.kind != ProducerKind.HOUSEHOLD]
    chosen = set(preferred[:fives])
    rest = [i for i in order if i not in chosen]
    for i in preferred[:fives] + rest[: max(0, fives - len(preferred))]:
        catalogue[i].stars = 5
    remaining = [i for i in rest if catalogue[i].stars == 3]
    for i in remaining[:fours]:
        catalogue[i].stars = 4


# --- rows -----------------------------------------------------------------------------------------

def _rows(profile: ProvinceProfile, catalogue: list[_Product], today: dt.date, rng: random.Random) -> list[dict[str, str]]:
    bands = _validity_bands(len(catalogue), rng)
    days_by_band = _decision_days_by_band(today)
    catalogue_order = sorted(range(len(catalogue)), key=lambda i: (catalogue[i].producer.old.name,
                                                                     catalogue[i].producer.district.code,
                                                                     catalogue[i].producer.index))
    sequence_base = rng.randint(10_000, 30_000)
    items_of: dict[int, int] = {}
    rows = []
    for sequence, i in enumerate(catalogue_order):
        product = catalogue[i]
        signed_on = rng.choice(days_by_band[bands[i]])
        item = items_of[product.producer.index] = items_of.get(product.producer.index, 0) + 1
        rows.append(_row(profile, product, signed_on, bands[i] == "revoked", sequence_base + sequence, item, rng))
    return rows


def _validity_bands(count: int, rng: random.Random) -> list[str]:
    at_least_one = 1 if count >= 20 else 0
    expired = max(at_least_one, round(count * SHARE_EXPIRED))
    expiring = max(at_least_one, round(count * SHARE_EXPIRING))
    revoked = round(count * SHARE_REVOKED)
    bands = ["expired"] * expired + ["expiring"] * expiring + ["revoked"] * revoked
    bands = (bands + ["valid"] * count)[:count]
    rng.shuffle(bands)
    return bands


def _decision_days_by_band(today: dt.date) -> dict[str, list[dt.date]]:
    """The decision days (the 5th and 20th: provinces decide in rounds) inside each band's window."""
    expiry_today = today - CERTIFICATE_VALIDITY           # signed on this day, expires today
    windows = {
        "expired": (today - relativedelta(months=44), expiry_today - dt.timedelta(days=1)),
        "expiring": (expiry_today + dt.timedelta(days=1), expiry_today + dt.timedelta(days=90)),
        "revoked": (expiry_today + dt.timedelta(days=120), today - relativedelta(months=12)),
        "valid": (expiry_today + dt.timedelta(days=91), today - dt.timedelta(days=7)),
    }
    return {band: _decision_days(start, end) for band, (start, end) in windows.items()}


def _decision_days(start: dt.date, end: dt.date) -> list[dt.date]:
    days = []
    month = dt.date(start.year, start.month, 1)
    while month <= end:
        days += [day for day in (month.replace(day=5), month.replace(day=20)) if start <= day <= end]
        month += relativedelta(months=1)
    return days


def _decision(profile: ProvinceProfile, producer: _Producer, stars: int, signed_on: dt.date) -> tuple[str, str]:
    """(decision number, authority): districts certified 3★ and provinces 4★ until July 2025; 5★ is central."""
    if stars == 5:
        authority, suffix = (("Bộ Nông nghiệp và Môi trường", "QĐ-BNNMT") if signed_on >= MERGER_DATE
                             else ("Bộ Nông nghiệp và Phát triển nông thôn", "QĐ-BNN-VPĐP"))
    elif signed_on >= MERGER_DATE:
        authority, suffix = f"UBND tỉnh {profile.name}", "QĐ-UBND"
    elif stars == 4:
        authority, suffix = f"UBND tỉnh {producer.old.name}", "QĐ-UBND"
    else:
        authority, suffix = f"UBND {producer.district.name}", "QĐ-UBND"
    digest = hashlib.sha256(f"{authority}|{signed_on.isoformat()}".encode()).digest()
    return f"{100 + int.from_bytes(digest[:4], 'big') % 4900}/{suffix}", authority


def _row(profile: ProvinceProfile, product: _Product, signed_on: dt.date, revoked: bool, sequence: int, item: int,
         rng: random.Random) -> dict[str, str]:
    producer = product.producer
    number, authority = _decision(profile, producer, product.stars, signed_on)
    low, high = {3: (50, 69), 4: (70, 89), 5: (90, 100)}[product.stars]
    row = dict.fromkeys(CANONICAL_COLUMNS, "")
    row.update(
        ocop_code=f"{producer.old.admin_code}-{producer.district.code}-{sequence:05d}-{product.stars}-{signed_on.year}",
        product_name=product.name, group_code=product.group, stars=str(product.stars), score=str(rng.randint(low, high)),
        decision_number=number, decision_date=signed_on.isoformat(), authority=authority,
        revoked="1" if revoked else "0", producer_name=producer.name, producer_kind=producer.kind.value,
        tax_code=producer.key, province=profile.name, commune=producer.commune_new,
        province_old=producer.old.name, district_old=producer.district.name, commune_old=producer.commune_old,
        address=producer.street,
        description=f"{product.name} do {producer.name} ({producer.district.name}, {producer.old.name}) "
                    f"sản xuất. {product.blurb}",
    )
    if product.pack is not None:
        pack, weight, price_low, price_high = product.pack
        step = 5_000 if price_low >= 200_000 else 1_000
        row.update(gtin=_gtin(profile, producer, item), pack_size=pack, net_weight_g=str(weight),
                   price_vnd=str(round(rng.randint(price_low, price_high) / step) * step),
                   stock=str(rng.randint(20, 500)))
    else:
        row.update(price_vnd=str(rng.choice((20_000, 30_000, 50_000, 80_000, 150_000))), stock="0")
    return row


def _gtin(profile: ProvinceProfile, producer: _Producer, item: int) -> str:
    """GS1 Vietnam GTIN-13: 893, a 6-digit company number per producer, a 3-digit item, the check digit."""
    body = f"893{profile.gs1_company_base + producer.index:06d}{item % 1000:03d}"
    return body + ean.calc_check_digit(body)


def _roughen(rows: list[dict[str, str]], rng: random.Random) -> None:
    """What real exports look like: junk around some names, some text in decomposed Unicode (NFD)."""
    for row in rows:
        if rng.random() < SHARE_JUNK_NAME:
            junk = rng.choice(("✓OCOP– {}", "{} (Đạt chuẩn OCOP)", "_{}", "{}  "))
            row["product_name"] = junk.format(row["product_name"])
        if rng.random() < SHARE_DECOMPOSED:
            for column in ("product_name", "producer_name", "commune"):
                row[column] = unicodedata.normalize("NFD", row[column])


# --- as real lists have them ------------------------------------------------------------------------

def _as_real_lists_have_them(rows: list[dict[str, str]], rng: random.Random, image_base: str) -> None:
    goods = [row for row in rows if row["net_weight_g"]]     # tourism services have no pack
    _real_producers(rows, rng)
    _real_packs(goods, rng)
    for row in goods:
        row["images"] = _photo_urls(row, rng, image_base)
    kept_barcodes = {id(row) for row in _some(goods, REAL_SHARE_GTIN, rng)}
    for row in goods:
        row["gtin"] = row["gtin"] if id(row) in kept_barcodes else ""
    for number, row in enumerate(_some(rows, REAL_SHARE_CLAIM, rng)):
        claim = NAME_CLAIMS[number % len(NAME_CLAIMS)]
        row["product_name"] = claim.format(name=row["product_name"], stars=row["stars"], province=row["province_old"])
    for number, row in enumerate(_some(goods, REAL_SHARE_CONTACTS, rng)):
        sentences = {CONTACT_SENTENCES[number % len(CONTACT_SENTENCES)], rng.choice(CONTACT_SENTENCES)}
        details = _contact_details(row, rng)
        row["description"] += " " + " ".join(sentence.format(**details) for sentence in sorted(sentences))
    for number, row in enumerate(_some(rows, REAL_SHARE_LOOSE_PROVINCE, rng)):
        row["province"] = _loosely_typed(row["province"], number)
    for row in _some(rows, REAL_SHARE_EMPTY_OPTIONAL, rng):
        row.update(dict.fromkeys(_OPTIONAL_COLUMNS, ""))


def _some(items: list, share: float, rng: random.Random) -> list:
    """A share of `items` in random order, at least one when there are any."""
    return rng.sample(items, max(1, round(share * len(items)))) if items else []


def _real_producers(rows: list[dict[str, str]], rng: random.Random) -> None:
    """No kind column (mostly); a household named by its owner (in capitals, as some lists type them) or
    by its trade name; an enterprise by one of its branches, with the branch's tax code."""
    rows_of: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        rows_of.setdefault(row["tax_code"], []).append(row)
    keys = list(rows_of)
    kind_given = set(_some(keys, REAL_SHARE_KIND_GIVEN, rng))
    branches = set(_some([k for k in keys if rows_of[k][0]["producer_kind"] == ProducerKind.ENTERPRISE],
                         REAL_SHARE_BRANCH, rng))
    facilities = [k for k in keys if (name := unicodedata.normalize("NFC", rows_of[k][0]["producer_name"]))
                  .startswith("Cơ sở ") and not _HOUSEHOLD_WORDS.match(name)]
    trade_names = set(_some(facilities, REAL_SHARE_TRADE_NAME, rng))
    for key, own in rows_of.items():
        tidy = unicodedata.normalize("NFC", own[0]["producer_name"])   # as the descriptions name it
        described, tax_code = tidy, key
        if key in branches:
            described, tax_code = f"Chi nhánh {tidy} tại {_UNIT_WORDS.sub('', own[0]['district_old'])}", f"{key}-001"
        elif key in trade_names:
            described = tidy.removeprefix("Cơ sở ")
        elif _HOUSEHOLD_WORDS.match(tidy):
            described = _HOUSEHOLD_WORDS.sub("", tidy)
        name = described.upper() if described != tidy and key not in branches and rng.random() < 0.3 else described
        for row in own:
            row.update(producer_name=name, tax_code=tax_code, description=row["description"].replace(tidy, described),
                       producer_kind=row["producer_kind"] if key in kind_given else "")


def _real_packs(goods: list[dict[str, str]], rng: random.Random) -> None:
    """No shipping weight where the pack size names an amount, the pack written as producers write it,
    and for some products no pack size either. A piece (a pot, a mat, a knife) keeps its weight."""
    by_amount = [row for row in goods if _AMOUNT.match(row["pack_size"])]
    stated = {id(row) for row in _some(by_amount, REAL_SHARE_WEIGHT_STATED, rng)}
    estimated = [row for row in by_amount if id(row) not in stated]
    no_pack = {id(row) for row in _some(estimated, REAL_SHARE_NO_PACK, rng)}
    for row in estimated:
        row["net_weight_g"] = ""
        if id(row) in no_pack:
            row["pack_size"] = ""
            continue
        written, units = _pack_as_written(row["pack_size"], rng)
        row["pack_size"] = written
        if units > 1:
            row.update(price_vnd=str(int(row["price_vnd"]) * units), stock=str(max(1, int(row["stock"]) // units)))


def _pack_as_written(pack: str, rng: random.Random) -> tuple[str, int]:
    """A tidy pack ("500 g") as a producer writes it, and how many tidy packs that holds (a carton: 24)."""
    amount, unit = _AMOUNT.match(pack).groups()
    value = f"{amount}{unit}" if rng.random() < 0.5 else f"{amount} {unit}"
    if unit == "ml":
        if amount == "330" and rng.random() < 0.5:
            return "thùng 24 lon x 330ml", 24
        return f"{rng.choice(LIQUID_CONTAINERS)} {value}".strip(), 1
    if unit == "kg":
        return f"{rng.choice(SACK_CONTAINERS)} {value}".strip(), 1
    if amount in ("100", "200") and rng.random() < 0.5:
        return f"hộp {int(amount) // 20} gói x 20 g", 1
    if rng.random() < 0.3:
        value = f"{amount}gr"
    return f"{rng.choice(MASS_CONTAINERS)} {value}".strip(), 1


def _photo_urls(row: dict[str, str], rng: random.Random, image_base: str) -> str:
    """One to three photo URLs, `|`-separated; their size and format are in the name the server draws from."""
    stem = slug(row["ocop_code"]).lower()
    shapes = [rng.choice(PHOTO_SHAPES) for _ in range(rng.choice((1, 1, 2, 3)))]
    return " | ".join(f"{image_base.rstrip('/')}/{stem}-{n}-{w}x{h}.{ext}" for n, (w, h, ext) in enumerate(shapes, 1))


def _contact_details(row: dict[str, str], rng: random.Random) -> dict[str, str]:
    digits = f"{rng.choice(MOBILE_PREFIXES)}{rng.randint(0, 9_999_999):07d}"
    return dict(mobile_spaced=f"{digits[:4]} {digits[4:7]} {digits[7:]}",
                mobile_dotted=f"{digits[:4]}.{digits[4:7]}.{digits[7:]}", mobile_plain=digits,
                handle=slug(row["producer_name"]).lower() or "ocop",
                map_code="".join(rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789", k=10)),
                landline=f"2{rng.randint(3, 99):02d} {rng.randint(3_000_000, 3_999_999)}")


def _loosely_typed(province: str, number: int) -> str:
    """The province as people type it: without marks, in NFD, in capitals, with its unit word, a mark missing."""
    forms = (ascii_fold(province), unicodedata.normalize("NFD", province), province.upper(), f"Tỉnh {province}",
             _one_mark_missing(province))
    return forms[number % len(forms)]


def _one_mark_missing(name: str) -> str:
    """"Đồng Tháp" -> "Đồng Thap": the marks of the last word that has any left out (đ stays)."""
    words = name.split()
    for index in reversed(range(len(words))):
        plain = "".join(ch for ch in unicodedata.normalize("NFD", words[index]) if not unicodedata.combining(ch))
        if plain != unicodedata.normalize("NFD", words[index]):
            words[index] = plain
            break
    return " ".join(words)


# --- bad rows -------------------------------------------------------------------------------------

def _with_bad_rows(rows: list[dict[str, str]], count: int, today: dt.date, rng: random.Random) -> list[dict[str, str]]:
    """Each bad row copies a good one (after it in the file) and breaks one rule; 'duplicate' repeats a product."""
    if not count or not rows:
        return rows
    goods = [i for i, row in enumerate(rows) if row["gtin"]]
    inserts: list[tuple[int, dict[str, str]]] = []
    for number in range(count):
        source = rng.choice(goods or range(len(rows)))
        kind = BAD_ROW_KINDS[number % len(BAD_ROW_KINDS)]
        bad = _break(dict(rows[source]), kind, today)
        bad["ocop_code"] = f"{rows[source]['ocop_code']}-B{number + 1}"
        inserts.append((rng.randint(source + 1, len(rows)), bad))
    result = list(rows)
    for position, bad in sorted(inserts, key=lambda pair: pair[0], reverse=True):
        result.insert(position, bad)
    return result


def _break(row: dict[str, str], kind: str, today: dt.date) -> dict[str, str]:
    if kind == "gtin_check_digit" and row["gtin"]:
        row["gtin"] = row["gtin"][:-1] + str((int(row["gtin"][-1]) + 1) % 10)
    elif kind == "two_stars":
        row.update(stars="2", score="41")
    elif kind == "no_decision_number":
        row["decision_number"] = ""
    elif kind == "future_decision_date":
        row["decision_date"] = (today + dt.timedelta(days=30)).isoformat()
    elif kind == "unknown_group":
        row["group_code"] = "I.9.z"
    elif kind == "tax_check_digit":
        key = row["tax_code"] if len(row["tax_code"]) == 10 else "1400000005"
        row["tax_code"] = key[:9] + str((int(key[9]) + 1) % 10)
    elif kind == "price_on_request":
        row["price_vnd"] = "liên hệ"
    elif kind == "zero_weight":
        row["net_weight_g"] = "0"
    elif kind == "no_name":
        row["product_name"] = "✓OCOP–"
    elif kind == "impossible_date":
        row["decision_date"] = "31/02/2024"
    return row   # "duplicate": the same product (same producer and GTIN) under a second code


BAD_ROW_KINDS = ("gtin_check_digit", "two_stars", "no_decision_number", "future_decision_date", "unknown_group",
                 "tax_check_digit", "price_on_request", "zero_weight", "no_name", "impossible_date", "duplicate")


# --- writing --------------------------------------------------------------------------------------

def write_sample(rows: list[dict[str, str]], path: Path, fmt: str, *, title: str = "") -> Path:
    """Write rows as CSV (UTF-8, canonical headers), XLSX (a provincial workbook) or JSON (a list of items)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=CANONICAL_COLUMNS)
            writer.writeheader()
            writer.writerows({column: spreadsheet_text(row[column]) for column in CANONICAL_COLUMNS} for row in rows)
    elif fmt == "json":
        path.write_text(json.dumps(rows, ensure_ascii=False, indent=0), encoding="utf-8")
    elif fmt == "xlsx":
        _write_workbook(rows, path, title)
    else:
        raise ValueError(f"unknown format {fmt!r}: csv, xlsx or json")
    return path


_NUMERIC = frozenset({"stars", "score", "net_weight_g", "price_vnd", "stock"})


def _write_workbook(rows: list[dict[str, str]], path: Path, title: str) -> None:
    """Like a province's export: title rows above a Vietnamese header, real date cells, barcodes as text."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách OCOP")
    bold = Font(bold=True)
    heading = WriteOnlyCell(sheet, value=title or "DANH SÁCH SẢN PHẨM OCOP ĐƯỢC CÔNG NHẬN")
    heading.font = bold
    sheet.append([heading])
    sheet.merged_cells.add(f"A1:{openpyxl.utils.get_column_letter(len(CANONICAL_COLUMNS))}1")
    sheet.append(["(Số liệu mẫu để chạy thử, không phải danh sách chính thức)"])
    sheet.append([])
    sheet.append(["STT", *(ALIASES[column][0] for column in CANONICAL_COLUMNS)])
    for number, row in enumerate(rows, start=1):
        sheet.append([number, *(_xlsx_value(column, row[column], sheet) for column in CANONICAL_COLUMNS)])
    workbook.save(path)


def _xlsx_value(column: str, value: str, sheet):
    from openpyxl.cell import WriteOnlyCell

    if column in _NUMERIC and value.isdigit():
        return int(value)
    if column == "decision_date" and re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        cell = WriteOnlyCell(sheet, value=dt.date.fromisoformat(value))
        cell.number_format = "DD/MM/YYYY"
        return cell
    return spreadsheet_text(value) if value else None
