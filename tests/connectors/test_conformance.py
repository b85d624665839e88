"""The one conformance suite every connector passes, run against its sandbox over real HTTP.

create -> appears in list -> update -> price/stock -> unlist -> relist -> delete; a duplicate seller
SKU never becomes a second item; content the platform refuses is rejected with its code or reason;
injected faults (5xx, connections cut after a write, timeouts, rate limits, outage, bad keys) end in
the right error class and never in two items for one seller SKU.
"""

from __future__ import annotations

import io
import logging
import uuid
from collections import Counter
from dataclasses import replace

import pytest
from PIL import Image
from pydantic import SecretStr

from connectors.base import RetryPolicy, TokenBucket
from connectors.by_channel import connector_for
from connectors.errors import AuthError, NotFound, Rejected, TransientError, UnknownOutcome
from connectors.types import ListingContent, ListingStatus
from ocop.channels import Channel
from sandboxes.config import FaultConfig
from sandboxes.fleet import SANDBOX_CLASSES, running_sandboxes

pytestmark = pytest.mark.slow

FAST_RETRY = RetryPolicy(attempts=6, backoff_base=0.02, backoff_cap=0.2, max_rate_limit_wait=5.0)
DESCRIPTION = ("<p>Mật ong nguyên chất thu hoạch từ vườn nhãn Châu Thành, Đồng Tháp; sản phẩm OCOP 4 sao, "
               "đóng chai thủy tinh 500 g, bảo quản nơi khô ráo, tránh ánh nắng trực tiếp.</p>")


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    with running_sandboxes(tmp_path_factory.mktemp("sandboxes")) as fleet:
        yield fleet


@pytest.fixture(params=list(SANDBOX_CLASSES), ids=lambda channel: channel.value)
def channel(request) -> Channel:
    return request.param


def unthrottled(fleet, key: str):
    """The shop without our client-side limit: these tests are about the platform's behaviour."""
    return replace(fleet.shop(key), requests_per_second=1000.0)


@pytest.fixture
def connector(fleet, channel):
    connector = connector_for(unthrottled(fleet, f"{channel.value}-dong-thap"), retry=FAST_RETRY,
                              rate_limiter=TokenBucket(1000.0), timeout=(2.0, 5.0))
    yield connector
    fleet.set_faults(channel, FaultConfig())
    connector.close()


@pytest.fixture
def image_refs(connector) -> tuple[str, ...]:
    picture = io.BytesIO()
    Image.new("RGB", (800, 800), (200, 160, 40)).save(picture, "JPEG")
    return (connector.upload_image(picture.getvalue(), "cover.jpg"),)


def new_sku(prefix: str = "CONF") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10].upper()}"


# A leaf of each sandbox's tree (sandboxes/catalogues/) and the attributes we fill there (its origin is mandatory).
LEAVES = {
    Channel.SHOPEE: ("100670", {"100037": "Việt Nam", "100010": "500 g"}),
    Channel.LAZADA: ("10000133", {"country_origin": "Việt Nam", "net_weight": "500 g"}),
    Channel.TIKTOK: ("700101", {"100137": "Việt Nam", "100110": "500 g"}),
}


def content(image_refs: tuple[str, ...], seller_sku: str | None = None, *, channel: Channel | None = None,
            **changes) -> ListingContent:
    category_id, attributes = LEAVES.get(channel, ("100629", {}))
    values = dict(
        seller_sku=seller_sku or new_sku(),
        title="Mật ong hoa nhãn Đồng Tháp 500 g - OCOP 4 sao",
        description=DESCRIPTION,
        category_id=category_id,
        attributes=attributes,
        price_vnd=185000,
        stock=40,
        weight_kg=0.65,
        package_cm=(12, 8, 8),
        image_refs=image_refs,
        brand="HTX Ong mật Châu Thành",
        gtin="8938505974194",
        gtin_type="EAN",
    )
    return ListingContent(**(values | changes))


def items_per_sku(connector) -> Counter:
    return Counter(listing.seller_sku for listing in connector.iter_listings())


def items_in_sandbox(fleet, connector, seller_sku: str) -> int:
    """The ground truth, read from the sandbox's own state rather than through the connector."""
    return len(fleet.admin(connector.channel).find(connector.shop.key, seller_sku))


def test_listing_lifecycle(connector, image_refs, caplog):
    caplog.set_level(logging.DEBUG)
    listing = content(image_refs, channel=connector.channel)

    created = connector.create(listing)
    assert created.remote_id in {item.remote_id for item in connector.iter_listings()}
    assert connector.find_by_seller_sku(listing.seller_sku).remote_id == created.remote_id
    assert connector.get(created.remote_id).status == ListingStatus.LIVE

    connector.update(created.remote_id, replace(listing, title=listing.title + " (mùa mới)"))
    assert connector.get(created.remote_id).title == listing.title + " (mùa mới)"

    connector.update_price_stock(created.remote_id, 199000, 7, seller_sku=listing.seller_sku)
    current = connector.get(created.remote_id)
    assert (current.price_vnd, current.stock, current.gtin) == (199000, 7, "8938505974194")

    connector.unlist(created.remote_id)
    assert connector.get(created.remote_id).status == ListingStatus.INACTIVE
    connector.relist(created.remote_id)
    assert connector.get(created.remote_id).status == ListingStatus.LIVE

    connector.delete(created.remote_id)
    assert connector.find_by_seller_sku(listing.seller_sku) is None
    assert created.remote_id not in {item.remote_id for item in connector.iter_listings()}
    try:
        assert connector.get(created.remote_id).status == ListingStatus.DELETED
    except NotFound:
        pass     # a platform may forget deleted items altogether

    credentials = connector.shop.credentials
    for secret in (credentials.app_secret.get_secret_value(), credentials.access_token.get_secret_value()):
        assert not secret or secret not in caplog.text    # a shop that signs in holds no access token


def sandbox_requests(caplog, channel: Channel) -> list[tuple[str, str]]:
    """(method, path) of every request the channel's sandbox received, from its request log."""
    return [record.args[1:3] for record in caplog.records if record.name == f"ocop.sandbox.{channel.value}"]


def test_an_update_with_the_known_sku_id_reads_nothing_first(connector, channel, image_refs, caplog):
    listing = content(image_refs, channel=connector.channel)
    created = connector.create(listing)
    caplog.set_level(logging.INFO, logger="ocop.sandbox")
    caplog.clear()

    connector.update(created.remote_id, replace(listing, title=listing.title + " (mùa mới)"),
                     remote_sku_id=created.remote_sku_id)
    connector.update_price_stock(created.remote_id, 199000, 7, seller_sku=listing.seller_sku,
                                 remote_sku_id=created.remote_sku_id)

    sent = sandbox_requests(caplog, channel)
    assert sent and [method for method, _ in sent if method == "GET"] == [], sent
    current = connector.get(created.remote_id)
    assert (current.title, current.price_vnd, current.stock, current.remote_sku_id) == (
        listing.title + " (mùa mới)", 199000, 7, created.remote_sku_id)


def test_an_update_without_a_known_sku_id_reads_it_and_keeps_the_same_sku(connector, channel, image_refs, caplog):
    listing = content(image_refs, channel=connector.channel)
    created = connector.create(listing)
    caplog.set_level(logging.INFO, logger="ocop.sandbox")
    caplog.clear()

    connector.update(created.remote_id, replace(listing, title=listing.title + " (mùa mới)"))

    reads = [method for method, _ in sandbox_requests(caplog, channel) if method == "GET"]
    assert len(reads) == (0 if created.remote_sku_id is None else 1)     # Shopee's items have no SKU id
    current = connector.get(created.remote_id)
    assert (current.title, current.remote_sku_id) == (listing.title + " (mùa mới)", created.remote_sku_id)


def test_a_second_create_of_one_seller_sku_never_makes_a_second_item(fleet, connector, image_refs):
    listing = content(image_refs, channel=connector.channel)
    first = connector.create(listing)

    try:
        second = connector.create(listing)
    except Rejected as refused:
        assert refused.code and listing.seller_sku in refused.message
    else:
        assert second.remote_id == first.remote_id

    assert items_per_sku(connector)[listing.seller_sku] == 1
    assert items_in_sandbox(fleet, connector, listing.seller_sku) == 1


def test_content_over_the_platforms_limits_is_rejected_with_its_code(connector, image_refs):
    with pytest.raises(Rejected) as refused:
        connector.create(content(image_refs, title="Mật ong hoa nhãn " * 20, channel=connector.channel))

    assert refused.value.code and refused.value.message


def test_content_refused_by_review_ends_rejected_with_the_reason(connector, image_refs):
    listing = content(image_refs, description=DESCRIPTION + "<p>Không phải hàng giả.</p>", channel=connector.channel)

    created = connector.create(listing)

    rejected = connector.get(created.remote_id)
    assert rejected.status == ListingStatus.REJECTED
    assert "hàng giả" in (rejected.reject_reason or "")


def test_listing_pages_through_every_item(fleet, channel):
    connector = connector_for(unthrottled(fleet, f"{channel.value}-producer"), retry=FAST_RETRY,
                              rate_limiter=TokenBucket(1000.0))
    picture = io.BytesIO()
    Image.new("RGB", (640, 640), (30, 120, 60)).save(picture, "PNG")
    images = (connector.upload_image(picture.getvalue(), "cover.png"),)
    skus = [new_sku("PAGE") for _ in range(101)]     # past one page on every platform (max 50 or 100)

    for sku in skus:
        connector.create(content(images, sku, channel=channel))

    listed = items_per_sku(connector)
    assert all(listed[sku] == 1 for sku in skus)
    connector.close()


def test_server_errors_and_cut_connections_never_duplicate_a_create(fleet, connector, channel, image_refs, caplog):
    caplog.set_level(logging.INFO, logger="connectors")
    skus = [new_sku("FAULT") for _ in range(20)]
    fleet.set_faults(channel, FaultConfig(seed=5, error_rate=0.25, drop_rate=0.25))
    outcomes = Counter()
    for sku in skus:
        try:
            connector.create(content(image_refs, sku, channel=connector.channel))
            outcomes["created"] += 1
        except (TransientError, UnknownOutcome) as error:
            outcomes[error.error_class.value] += 1
    fleet.set_faults(channel, FaultConfig())

    in_sandbox = {sku: items_in_sandbox(fleet, connector, sku) for sku in skus}
    assert all(count <= 1 for count in in_sandbox.values()), in_sandbox
    assert outcomes["created"] >= 15, outcomes
    assert sum(in_sandbox.values()) >= outcomes["created"]
    assert "resolved by lookup" in caplog.text      # a dropped create landed and was adopted, not resent


def test_a_timed_out_create_is_resolved_without_a_duplicate(fleet, channel, image_refs):
    impatient = connector_for(unthrottled(fleet, f"{channel.value}-dong-thap"), retry=FAST_RETRY,
                              rate_limiter=TokenBucket(1000.0), timeout=(2.0, 0.3))
    fleet.set_faults(channel, FaultConfig(seed=3, timeout_rate=0.5, timeout_seconds=1.0))
    skus = [new_sku("SLOW") for _ in range(6)]
    try:
        for sku in skus:
            try:
                impatient.create(content(image_refs, sku, channel=channel))
            except (TransientError, UnknownOutcome):
                pass
    finally:
        fleet.set_faults(channel, FaultConfig())
        impatient.close()

    # Timeouts here are never applied: every create is resent after a lookup, and lands once.
    assert [len(fleet.admin(channel).find(f"{channel.value}-dong-thap", sku)) for sku in skus] == [1] * len(skus)


def test_a_client_over_the_rate_limit_waits_and_finishes(fleet, channel):
    greedy = connector_for(unthrottled(fleet, f"{channel.value}-dong-thap"), retry=FAST_RETRY,
                           rate_limiter=TokenBucket(1000.0))
    fleet.set_faults(channel, FaultConfig(rate_limit_per_second=5))
    try:
        reads = [greedy.find_by_seller_sku("NO-SUCH-SKU") is None for _ in range(10)]
    finally:
        fleet.set_faults(channel, FaultConfig())
        greedy.close()

    assert all(reads)
    retried = greedy.retries.snapshot()     # it bounced off the limit, waited, and every call was then answered
    assert retried and all(n == succeeded for n, succeeded in retried.values()), retried


def test_a_client_under_the_rate_limit_is_never_refused(fleet, channel):
    polite = connector_for(replace(fleet.shop(f"{channel.value}-dong-thap"), requests_per_second=4.0),
                           retry=FAST_RETRY, rate_limiter=TokenBucket(4.0, burst=1.0))
    fleet.set_faults(channel, FaultConfig(rate_limit_per_second=5))
    try:
        for _ in range(6):
            polite.find_by_seller_sku("NO-SUCH-SKU")
    finally:
        fleet.set_faults(channel, FaultConfig())
        polite.close()

    assert polite.retries.snapshot() == {}


def test_an_outage_is_transient_and_a_create_during_it_is_not_claimed_done(fleet, connector, channel, image_refs):
    fleet.set_faults(channel, FaultConfig.outage())

    with pytest.raises(TransientError):
        connector.get("1")
    with pytest.raises((TransientError, UnknownOutcome)):
        connector.create(content(image_refs, channel=connector.channel))


@pytest.mark.parametrize("wrong", ["app_secret", "access_token"])
def test_wrong_keys_stop_the_shop(fleet, channel, wrong):
    shop = fleet.shop(f"{channel.value}-dong-thap")
    credentials = replace(shop.credentials, **{wrong: SecretStr("not-the-right-one")})
    connector = connector_for(replace(shop, credentials=credentials), retry=FAST_RETRY)

    with pytest.raises(AuthError) as refused:
        list(connector.iter_listings())

    assert "not-the-right-one" not in str(refused.value)
    connector.close()
