"""Writing an ingest's outcome to the catalogue: what is stored now, and bulk INSERT/UPDATE of the changes.

Nothing here is per row: the stored catalogue is read in three queries, and changes are sent as
executemany batches. A product is rewritten only when its content hash differs; a recognition is
added when its decision number is new for the product and corrected when its facts changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from catalogue.dedup import PRODUCT_FIELDS, KnownProduct, Resolution
from catalogue.models import Certification, Producer, Product
from catalogue.records import CertificationRecord, ProducerRecord, ProductRecord, expiry_of
from catalogue.validation import ValidRow


def content_hash(product: ProductRecord) -> str:
    """Fingerprint of everything stored about a product itself (its recognitions are compared one by one)."""
    payload = [product.name, product.group_code, product.producer_key, product.gtin, product.pack_size,
               product.net_weight_g, product.price_vnd, product.stock, list(product.images), product.description]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


def _producer_fields(producer: ProducerRecord) -> dict[str, object]:
    address = producer.address
    return {"name": producer.name, "kind": producer.kind.value, "tax_code": producer.tax_code,
            "province": address.province, "commune": address.commune, "street": address.street,
            "province_old": address.province_old, "district_old": address.district_old,
            "commune_old": address.commune_old, "email": producer.email}


_PRODUCER_COLUMNS = ("name", "kind", "tax_code", "province", "commune", "street", "province_old", "district_old",
                     "commune_old", "email")
_CERTIFICATION_COLUMNS = ("decision_number", "signed_on", "authority", "stars", "score", "expires_on", "revoked")


def _product_fields(product: ProductRecord, name_key: str) -> dict[str, object]:
    return {"name": product.name, "name_key": name_key, "group_code": product.group_code, "gtin": product.gtin,
            "pack_size": product.pack_size, "net_weight_g": product.net_weight_g, "price_vnd": product.price_vnd,
            "stock": product.stock, "images": list(product.images), "description": product.description,
            "content_hash": content_hash(product)}


def _certification_fields(certification: CertificationRecord) -> dict[str, object]:
    return {"decision_number": certification.decision_number, "signed_on": certification.signed_on,
            "authority": certification.authority, "stars": certification.stars, "score": certification.score,
            "expires_on": expiry_of(certification.signed_on), "revoked": certification.revoked}


@dataclass
class StoredCatalogue:
    """The catalogue as it stands, loaded in a few bulk queries; values as tuples to keep 100k rows small."""

    producers: dict[str, tuple[int, tuple]]                  # key -> (id, values of _PRODUCER_COLUMNS)
    products: dict[str, tuple[int, str]]                     # ocop_code -> (id, content_hash)
    certifications: dict[tuple[int, str], tuple[int, tuple]]  # (product id, decision) -> (id, _CERTIFICATION_COLUMNS)
    known: list[KnownProduct]

    @classmethod
    def load(cls, session: Session) -> StoredCatalogue:
        producer_columns = [getattr(Producer, name) for name in _PRODUCER_COLUMNS]
        producers = {key: (producer_id, tuple(values)) for producer_id, key, *values
                     in session.execute(select(Producer.id, Producer.key, *producer_columns))}
        key_of = {producer_id: key for key, (producer_id, _) in producers.items()}
        products: dict[str, tuple[int, str]] = {}
        known: list[KnownProduct] = []
        for row in session.execute(select(Product.id, Product.ocop_code, Product.content_hash, Product.producer_id,
                                          Product.gtin, Product.name_key, Product.pack_size, Product.seller_sku)):
            products[row.ocop_code] = (row.id, row.content_hash)
            known.append(KnownProduct(row.ocop_code, key_of[row.producer_id], row.gtin, row.name_key,
                                      row.pack_size, row.seller_sku))
        certification_columns = [getattr(Certification, name) for name in _CERTIFICATION_COLUMNS]
        certifications = {(product_id, values[0]): (certification_id, tuple(values)) for certification_id, product_id, *values
                          in session.execute(select(Certification.id, Certification.product_id, *certification_columns))}
        return cls(producers, products, certifications, known)


def load_product_fields(session: Session, codes: set[str]) -> dict[str, dict[str, object]]:
    """The stored values of a few products (those rows were merged into), keyed by OCOP code."""
    names = tuple(PRODUCT_FIELDS)
    fields: dict[str, dict[str, object]] = {}
    ordered = sorted(codes)
    for start in range(0, len(ordered), BulkBatch.SIZE):
        query = select(Product.ocop_code, *(getattr(Product, name) for name in names))
        for code, *values in session.execute(query.where(Product.ocop_code.in_(ordered[start:start + BulkBatch.SIZE]))):
            fields[code] = dict(zip(names, values))
    return fields


@dataclass
class WriteCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


class BulkBatch:
    """Parameter sets for one bulk statement, executed every SIZE rows so memory stays bounded."""

    SIZE = 2_000

    def __init__(self, session: Session, statement):
        self.session = session
        self.statement = statement
        self.rows: list[dict[str, object]] = []
        self.count = 0

    def add(self, params: dict[str, object]) -> None:
        self.rows.append(params)
        self.count += 1
        if len(self.rows) >= self.SIZE:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.session.execute(self.statement, self.rows)
            self.rows = []


class CatalogueWriter:
    """Applies a resolution to the catalogue with bulk INSERT/UPDATE statements (no per-row round trips)."""

    def __init__(self, session: Session, stored: StoredCatalogue, now: dt.datetime):
        self.session = session
        self.stored = stored
        self.now = now

    def write(self, resolution: Resolution) -> WriteCounts:
        producer_ids = self._write_producers(resolution.primaries.values())
        product_ids, changed = self._write_products(resolution.primaries, producer_ids)
        touched = self._write_certifications(resolution.certifications, product_ids)
        self._touch(touched - changed, product_ids)
        counts = WriteCounts()
        for code in resolution.primaries:
            if code not in self.stored.products:
                counts.inserted += 1
            elif code in changed or code in touched:
                counts.updated += 1
            else:
                counts.unchanged += 1
        return counts

    def _write_producers(self, rows: Iterable[ValidRow]) -> dict[str, int]:
        new, changed, seen = BulkBatch(self.session, insert(Producer.__table__)), BulkBatch(self.session, update(Producer)), set()
        for row in rows:
            key = row.producer.key
            if key in seen:
                continue
            seen.add(key)
            fields = _producer_fields(row.producer)
            stored = self.stored.producers.get(key)
            if stored is None:
                new.add({"key": key, **fields, "created_at": self.now, "updated_at": self.now})
            elif stored[1] != tuple(fields[name] for name in _PRODUCER_COLUMNS):
                changed.add({"id": stored[0], **fields, "updated_at": self.now})
        new.flush()
        changed.flush()
        ids = {key: producer_id for key, (producer_id, _) in self.stored.producers.items()}
        if new.count:
            ids.update(self.session.execute(select(Producer.key, Producer.id)).all())
        return ids

    def _write_products(self, primaries: Mapping[str, ValidRow],
                        producer_ids: dict[str, int]) -> tuple[dict[str, int], set[str]]:
        new, updates, changed = BulkBatch(self.session, insert(Product.__table__)), BulkBatch(self.session, update(Product)), set()
        for code, row in primaries.items():
            fields = _product_fields(row.product, row.name_key)
            fields["producer_id"] = producer_ids[row.producer.key]
            stored = self.stored.products.get(code)
            if stored is None:
                new.add({"ocop_code": code, "seller_sku": row.product.seller_sku, **fields,
                         "created_at": self.now, "updated_at": self.now})
            elif stored[1] != fields["content_hash"]:
                updates.add({"id": stored[0], **fields, "updated_at": self.now})
                changed.add(code)
        new.flush()
        updates.flush()
        ids = {code: product_id for code, (product_id, _) in self.stored.products.items()}
        if new.count:
            ids.update(self.session.execute(select(Product.ocop_code, Product.id)).all())
        return ids, changed

    def _write_certifications(self, wanted: dict[str, dict[str, CertificationRecord]],
                              product_ids: dict[str, int]) -> set[str]:
        """Adds new decisions and corrects changed ones; decisions missing from the input stay (history)."""
        new, changed = BulkBatch(self.session, insert(Certification.__table__)), BulkBatch(self.session, update(Certification))
        touched = set()
        for code, decisions in wanted.items():
            product_id = product_ids[code]
            for number, certification in decisions.items():
                fields = _certification_fields(certification)
                stored = self.stored.certifications.get((product_id, number))
                if stored is None:
                    new.add({"product_id": product_id, **fields})
                    touched.add(code)
                elif stored[1] != tuple(fields[name] for name in _CERTIFICATION_COLUMNS):
                    changed.add({"id": stored[0], **fields})
                    touched.add(code)
        new.flush()
        changed.flush()
        return touched

    def _touch(self, codes: set[str], product_ids: dict[str, int]) -> None:
        """A product whose recognitions changed is changed too: move its updated_at."""
        batch = BulkBatch(self.session, update(Product))
        for code in codes:
            if code in self.stored.products:
                batch.add({"id": product_ids[code], "updated_at": self.now})
        batch.flush()
