"""Finding duplicate products in an ingest, so a product is never stored twice.

Provincial lists repeat products: the same OCOP code twice (e.g. once per recognition), the same
barcode under two codes, or the same producer's product under a second code. A repeat is *merged*:
its recognition joins the history of the product it repeats, and the row is flagged. A barcode
claimed by two different producers cannot be resolved by merging: that row is rejected.

Two rows with the same producer and name are the same product only when nothing says otherwise:
different barcodes or different pack sizes mean different trade items.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from catalogue.issues import Issue, place
from catalogue.messages import quoted
from catalogue.normalise import comparison_key
from catalogue.records import CertificationRecord, ProducerRecord, ProductRecord
from catalogue.validation import ValidRow

# What a merged row may say differently from the product it is merged into (its values are not stored).
PRODUCT_FIELDS = {"name": "product_name", "group_code": "group_code", "gtin": "gtin", "pack_size": "pack_size",
                  "net_weight_g": "net_weight_g", "price_vnd": "price_vnd", "stock": "stock",
                  "description": "description", "images": "images"}


@dataclass(frozen=True, slots=True)
class KnownProduct:
    """What dedup needs to know of a product already in the catalogue (or accepted earlier in the batch)."""

    ocop_code: str
    producer_key: str
    gtin: str | None
    name_key: str
    pack_size: str | None
    seller_sku: str
    where: str | None = None   # the batch row that introduced or updated it ("row 12"); None: the catalogue


@dataclass
class Resolution:
    primaries: dict[str, ValidRow] = field(default_factory=dict)          # ocop_code -> the row that defines it
    certifications: dict[str, dict[str, CertificationRecord]] = field(default_factory=dict)  # code -> decision -> cert
    issues: list[Issue] = field(default_factory=list)
    merged_rows: set[tuple[str, int]] = field(default_factory=set)      # row keys (sheet, row)
    rejected_rows: set[tuple[str, int]] = field(default_factory=set)
    catalogue_merges: list[tuple[int, ValidRow, str]] = field(default_factory=list)  # (issue index, row, code)


def gtin_key(gtin: str | None) -> str | None:
    """GTIN-8/12/13 are GTIN-14 with leading zeros: compare them in that form."""
    return gtin.zfill(14) if gtin else None


def _pack_key(pack: str | None) -> str | None:
    return comparison_key(pack).replace(" ", "") if pack else None


class _Index:
    def __init__(self, known: list[KnownProduct]):
        self.by_code: dict[str, KnownProduct] = {}
        self.by_gtin: dict[str, str] = {}
        self.by_name: dict[tuple[str, str], tuple[str, ...]] = {}   # tuples: 100k one-element lists cost more
        self.by_sku: dict[str, str] = {}
        for product in known:
            self.put(product)

    def put(self, product: KnownProduct) -> None:
        old = self.by_code.get(product.ocop_code)
        if old is not None:
            if self.by_gtin.get(gtin_key(old.gtin)) == old.ocop_code:
                del self.by_gtin[gtin_key(old.gtin)]
            name = (old.producer_key, old.name_key)
            self.by_name[name] = tuple(code for code in self.by_name.get(name, ()) if code != old.ocop_code)
        self.by_code[product.ocop_code] = product
        if product.gtin:
            self.by_gtin.setdefault(gtin_key(product.gtin), product.ocop_code)
        name = (product.producer_key, product.name_key)
        self.by_name[name] = self.by_name.get(name, ()) + (product.ocop_code,)
        self.by_sku.setdefault(product.seller_sku, product.ocop_code)

    def gtin_owner(self, row: ValidRow) -> KnownProduct | None:
        code = self.by_gtin.get(gtin_key(row.product.gtin)) if row.product.gtin else None
        return self.by_code[code] if code and code != row.product.ocop_code else None

    def same_name(self, row: ValidRow) -> KnownProduct | None:
        for code in self.by_name.get((row.producer.key, row.name_key), ()):
            other = self.by_code[code]
            if code == row.product.ocop_code:
                continue
            gtins_differ = other.gtin and row.product.gtin and gtin_key(other.gtin) != gtin_key(row.product.gtin)
            packs_differ = other.pack_size and row.product.pack_size and \
                _pack_key(other.pack_size) != _pack_key(row.product.pack_size)
            if not gtins_differ and not packs_differ:
                return other
        return None


def resolve_duplicates(rows: list[ValidRow], known: list[KnownProduct]) -> Resolution:
    """Decide, row by row in input order, whether each valid row defines a product, repeats one, or conflicts."""
    index = _Index(known)
    result = Resolution()
    for row in rows:
        code = row.product.ocop_code
        if code in result.primaries:
            _merge(result, row, code, "ocop_code", code, f"same OCOP code as {_where(result.primaries[code])}")
            continue
        owner = index.gtin_owner(row)
        if owner is not None and (owner.producer_key != row.producer.key or code in index.by_code):
            _reject_gtin_conflict(result, row, owner)
            continue
        if code not in index.by_code:
            sku_owner = index.by_sku.get(row.product.seller_sku)
            if sku_owner is not None and sku_owner != code:
                result.issues.append(Issue(row.row, "ocop_code", code,
                                           f"its seller SKU {row.product.seller_sku} is already used by product {sku_owner}",
                                           sheet=row.sheet))
                result.rejected_rows.add(row.key)
                continue
            if owner is not None:
                _merge(result, row, owner.ocop_code, "gtin", row.product.gtin, _describe("same GTIN as", owner))
                continue
            twin = index.same_name(row)
            if twin is not None:
                _merge(result, row, twin.ocop_code, "product_name", row.product.name,
                       _describe("same producer and name as", twin))
                continue
        result.primaries[code] = row
        _add_certification(result, code, row.certification)
        index.put(KnownProduct(code, row.producer.key, row.product.gtin, row.name_key, row.product.pack_size,
                               row.product.seller_sku, _where(row)))
    return result


def _where(row: ValidRow) -> str:
    return place(row.sheet, row.row)


def _describe(relation: str, other: KnownProduct) -> str:
    return f"{relation} product {other.ocop_code} ({other.where or 'the catalogue'})"


def _merge(result: Resolution, row: ValidRow, target: str, field_name: str, value: str | None, reason: str) -> None:
    kept = result.primaries.get(target)
    rule = f"duplicate: {reason}; merged, its recognition kept in that product's history"
    if kept is None:          # a product of the catalogue: its values are looked up with the others (ingest)
        result.catalogue_merges.append((len(result.issues), row, target))
    else:
        rule += dropped_values(row.product, product_fields(kept.product), f"from {_where(kept)}")
    result.issues.append(Issue(row.row, field_name, value, rule, "duplicate", row.sheet))
    result.merged_rows.add(row.key)
    _add_certification(result, target, row.certification)


def product_fields(product: ProductRecord) -> dict[str, object]:
    return {name: getattr(product, name) for name in PRODUCT_FIELDS}


def dropped_values(merged: ProductRecord, kept: Mapping[str, object], source: str) -> str:
    """"; not stored from this row: price_vnd 135000 (kept 120000 from row 2)", or "" when nothing differs."""
    differences = []
    for name, column in PRODUCT_FIELDS.items():
        mine, theirs = getattr(merged, name), kept.get(name)
        if _comparable(mine) != _comparable(theirs):
            differences.append(f"{column} {quoted(_shown(mine), 40)} (kept {quoted(_shown(theirs), 40)})")
    return f"; not stored from this row, the values {source} kept: {', '.join(differences)}" if differences else ""


def describe_catalogue_merges(result: Resolution, stored: Mapping[str, Mapping[str, object]]) -> None:
    """Adds to each merge into a stored product which of the row's values were not stored."""
    for position, row, code in result.catalogue_merges:
        if code in stored:
            issue = result.issues[position]
            clause = dropped_values(row.product, stored[code], "in the catalogue")
            result.issues[position] = replace(issue, rule=issue.rule + clause)


def _comparable(value: object) -> object:
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return value if value not in ("", None) else None


def _shown(value: object) -> object:
    if isinstance(value, (list, tuple)):
        return "|".join(map(str, value))
    return value


# --- producers ------------------------------------------------------------------------------------

_PRODUCER_FIELDS = {"name": "producer_name", "kind": "producer_kind", "province": "province", "commune": "commune",
                    "street": "address", "province_old": "province_old", "district_old": "district_old",
                    "commune_old": "commune_old", "email": "email"}


class Producers:
    """One record per producer (tax code) in an ingest: the first row's. A later row that says otherwise about
    the same tax code (another name, another address) lands with a warning naming what was not stored."""

    def __init__(self) -> None:
        self.first: dict[str, tuple[ProducerRecord, ValidRow]] = {}

    def adopt(self, row: ValidRow) -> tuple[ValidRow, list[Issue]]:
        known = self.first.get(row.producer.key)
        if known is None:
            self.first[row.producer.key] = (row.producer, row)
            return row, []
        producer, first_row = known
        if producer is row.producer:
            return row, []
        issues = _producer_conflicts(row, producer, first_row) if producer != row.producer else []
        return replace(row, producer=producer), issues


def _producer_conflicts(row: ValidRow, kept: ProducerRecord, first_row: ValidRow) -> list[Issue]:
    issues = []
    for name, column in _PRODUCER_FIELDS.items():
        mine, theirs = _producer_value(row.producer, name), _producer_value(kept, name)
        same = comparison_key(mine or "") == comparison_key(theirs or "") if name == "name" else mine == theirs
        if not same:
            rule = (f"tax code {kept.key} is producer {quoted(kept.name, 60)} on {_where(first_row)}, where its "
                    f"{column} is {quoted(theirs, 60)}: this row's is not stored; correct one of the two rows")
            issues.append(Issue(row.row, column, mine, rule, "warning", row.sheet))
    return issues


def _producer_value(producer: ProducerRecord, name: str) -> str | None:
    value = getattr(producer, name) if hasattr(producer, name) else getattr(producer.address, name)
    return str(value) if value not in (None, "") else None


def _reject_gtin_conflict(result: Resolution, row: ValidRow, owner: KnownProduct) -> None:
    result.issues.append(Issue(row.row, "gtin", row.product.gtin,
                               f"GTIN already belongs to product {owner.ocop_code} of producer {owner.producer_key}; "
                               "one barcode cannot identify two products", sheet=row.sheet))
    result.rejected_rows.add(row.key)


def _add_certification(result: Resolution, code: str, certification: CertificationRecord) -> None:
    result.certifications.setdefault(code, {}).setdefault(certification.decision_number, certification)
