"""`ocop ledger --explain SKU` against a real ledger: the binding, the next publish's verdict and why,
the last events; an unknown SKU is a clear error."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

import ledger
from catalogue.ingest import ingest_rows
from catalogue.sample import sample_rows
from cli.main import app
from connectors.errors import Rejected
from connectors.types import ShopCredentials
from flows.context import VIETNAM
from ocop.store import make_engine, transaction
from publishing import candidates
from publishing.explain import explain
from publishing.publisher import publish_batch
from rendering.profiles import load_profile
from tests.databases import migrated_database
from tests.publishing.fake_shop import SHOP, FakeShop

TODAY = dt.datetime.now(VIETNAM).date()   # the command's today
SECRET = "s3cr3t-app-DO-NOT-PRINT"
REFUSAL = "Mô tả có nội dung chữa bệnh, không được phép đăng"


@pytest.fixture
def published(request, tmp_path, monkeypatch):
    """Eight sample products published to a fake shop whose first create is refused."""
    url = migrated_database(request, tmp_path, "sqlite")
    monkeypatch.setenv("OCOP_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("OCOP_DATABASE_URL", url)
    engine = make_engine(url)
    ingest_rows(engine, sample_rows("Đồng Tháp", products=8, seed=3, today=TODAY), today=TODAY)
    shop = FakeShop(failures={"create": [Rejected(REFUSAL, code="error_description")]})
    shop.shop = replace(SHOP, credentials=ShopCredentials("1", SecretStr(SECRET), SecretStr(SECRET)))
    result = publish_batch(engine, shop, _plan(engine).candidates, run_id="run-1", today=TODAY)
    assert result.listings["refused"] == 1 and result.listings["done"] >= 2
    with transaction(engine) as session:
        bindings = ledger.load_bindings(session, ledger.ensure_shop(session, SHOP)).values()
    refused = next(b.seller_sku for b in bindings if b.last_error_class == "rejected")
    done = next(b.seller_sku for b in bindings if b.pushed_hash and b.last_error_class is None)
    yield engine, refused, done
    engine.dispose()


def _plan(engine):
    products = candidates.load_products(engine)
    fingerprints = candidates.fingerprints(products, load_profile(SHOP.channel), today=TODAY)
    return candidates.plan_for_shop(engine, SHOP, products, fingerprints, today=TODAY)


def _explain(*args: str):
    return CliRunner().invoke(app, ["ledger", "--explain", *args])


def test_a_listing_the_platform_refused_is_explained_with_the_platforms_words(published):
    _, refused, _ = published
    result = _explain(refused)
    assert result.exit_code == 0, result.output
    assert "shopee-fake (shopee)" in result.output
    assert "would not send it: refused until the content changes" in result.output
    assert f"the platform said: [error_description] {REFUSAL}" in result.output
    assert "attempts       1" in result.output
    assert "create       failed [error_description]" in result.output
    assert SECRET not in result.output


def test_a_listing_pushed_and_unchanged_is_explained_as_unchanged(published):
    _, _, done = published
    result = _explain(done)
    assert result.exit_code == 0, result.output
    assert "would not send it: unchanged since last push" in result.output
    assert "remote         id 10" in result.output and "status under_review" in result.output
    assert "(same)" in result.output     # the inputs settled are today's
    assert "create       ok" in result.output


def test_an_unknown_seller_sku_is_a_clear_error(published):
    result = _explain("OCOP-DT-NO-SUCH-PRODUCT")
    assert result.exit_code == 1
    assert "'OCOP-DT-NO-SUCH-PRODUCT' is neither in the catalogue nor in the listing ledger" in result.output


def test_the_verdict_is_the_one_the_next_publish_acts_on(published):
    engine, _, done = published
    rows = sample_rows("Đồng Tháp", products=8, seed=3, today=TODAY)
    code = _ocop_code(engine, done)
    for row in rows:
        if row["ocop_code"] == code:
            row["price_vnd"] = str(int(row["price_vnd"]) + 5_000)
    ingest_rows(engine, rows, today=TODAY)
    due = {candidate.product.product.seller_sku for candidate in _plan(engine).candidates}
    assert due == {done}
    for product in candidates.load_products(engine).values():
        sku = product.product.seller_sku
        [listing] = explain(engine, sku, today=TODAY).shops
        assert listing.screening.due == (sku in due), (sku, listing.screening)
    assert str(explain(engine, done, today=TODAY).shops[0].screening) == "changed since last push"


def _ocop_code(engine, seller_sku: str) -> str:
    return next(p.product.ocop_code for p in candidates.load_products(engine).values() if p.product.seller_sku == seller_sku)


def test_shops_of_another_province_are_named_on_one_line_and_the_fitting_shop_in_full(published):
    engine, _, done = published
    with transaction(engine) as session:
        ledger.ensure_shop(session, replace(SHOP, key="shopee-ca-mau", province="Cà Mau"))
    result = _explain(done)
    assert result.exit_code == 0, result.output
    assert "shopee-fake (shopee)" in result.output
    assert result.output.rstrip().endswith("not sold on 1 other shop(s) of the ledger: shopee-ca-mau")
