"""Categories, attributes, brands and rules, for every connector against its sandbox over real HTTP:
the tree and a leaf's attributes read as plain data and kept per shop; a create without a mandatory
attribute refused with the platform's own code naming it; a mapped and filled create accepted; a
category that is not a leaf refused; a category whose rules require a certification gets the OCOP
decision attached."""

from __future__ import annotations

import io
import logging

import pytest
from PIL import Image

from connectors.base import TokenBucket
from connectors.by_channel import connector_for
from connectors.errors import Rejected
from connectors.types import CertificateDocument, ListingStatus
from ocop.channels import Channel

from tests.connectors.test_conformance import FAST_RETRY, LEAVES, content, unthrottled

pytestmark = pytest.mark.slow

CHANNELS = (Channel.SHOPEE, Channel.LAZADA, Channel.TIKTOK)
BRANCHES = {Channel.SHOPEE: "100629", Channel.LAZADA: "10000110", Channel.TIKTOK: "700100"}
# What each platform answers for a missing mandatory attribute, and for a category that is not a leaf.
MISSING_ATTRIBUTE = {Channel.SHOPEE: "error_less_required_attribute", Channel.LAZADA: "4110", Channel.TIKTOK: "12052910"}
NOT_A_LEAF = {Channel.SHOPEE: "error_invalid_category", Channel.LAZADA: "201", Channel.TIKTOK: "12052024"}
ORIGIN_KEY = {Channel.SHOPEE: "100037", Channel.LAZADA: "country_origin", Channel.TIKTOK: "100137"}
TIKTOK_HONEY, QUALITY_CERTIFICATE = "700303", "7182378931001"


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    from sandboxes.fleet import running_sandboxes

    with running_sandboxes(tmp_path_factory.mktemp("category-sandboxes")) as fleet:
        yield fleet


@pytest.fixture(params=CHANNELS, ids=lambda channel: channel.value)
def channel(request) -> Channel:
    return request.param


@pytest.fixture
def connector(fleet, channel):
    connector = connector_for(unthrottled(fleet, f"{channel.value}-dong-thap"), retry=FAST_RETRY,
                              rate_limiter=TokenBucket(1000.0), category_refresh_s=0.0)
    yield connector
    connector.close()


@pytest.fixture
def image_refs(connector) -> tuple[str, ...]:
    return (connector.upload_image(_jpeg((200, 160, 40)), "cover.jpg"),)


def _jpeg(colour) -> bytes:
    picture = io.BytesIO()
    Image.new("RGB", (800, 800), colour).save(picture, "JPEG")
    return picture.getvalue()


def test_the_tree_and_a_leafs_attributes_read_as_plain_data(connector, channel):
    leaf_id, filled = LEAVES[channel]
    tree = connector.category_tree()

    assert tree.get(leaf_id).is_leaf and not tree.get(BRANCHES[channel]).is_leaf
    assert [c.id for c in tree.path(leaf_id)][-1] == leaf_id and tree.path(leaf_id)[0].parent_id is None
    attributes = {a.key: a for a in connector.category_attributes(leaf_id)}
    assert set(filled) <= set(attributes) and attributes[ORIGIN_KEY[channel]].mandatory
    assert attributes[ORIGIN_KEY[channel]].value_named("việt nam") is not None


def test_what_was_read_is_kept_for_the_refresh_interval(fleet, channel, caplog):
    kept = connector_for(unthrottled(fleet, f"{channel.value}-producer"), retry=FAST_RETRY,
                         rate_limiter=TokenBucket(1000.0), category_refresh_s=3600.0)
    caplog.set_level(logging.INFO, logger="ocop.sandbox")
    kept.category_cache.clear()
    leaf_id, _ = LEAVES[channel]

    for _ in range(3):
        kept.category_tree()
        kept.category_attributes(leaf_id)

    reads = [r for r in caplog.records if r.name == f"ocop.sandbox.{channel.value}"]
    assert len(reads) == 2, [r.getMessage() for r in reads]
    kept.close()


def test_a_create_missing_a_mandatory_attribute_is_refused_naming_it(connector, channel, image_refs):
    leaf_id, filled = LEAVES[channel]
    without_origin = {key: value for key, value in filled.items() if key != ORIGIN_KEY[channel]}

    with pytest.raises(Rejected) as refused:
        connector.create(content(image_refs, channel=channel, attributes=without_origin))

    assert refused.value.code == MISSING_ATTRIBUTE[channel]
    assert ORIGIN_KEY[channel] in refused.value.message or "Xuất xứ" in refused.value.message


def test_a_mapped_and_filled_create_is_accepted_with_its_attributes(fleet, connector, channel, image_refs):
    listing = content(image_refs, channel=channel, attributes={**LEAVES[channel][1], "province": "Đồng Tháp"})

    created = connector.create(listing)

    assert connector.get(created.remote_id).status == ListingStatus.LIVE
    kept = fleet.admin(channel).item(created.remote_id).extra
    sent = kept.get("attribute_list") or kept.get("product_attributes") or kept.get("attributes")
    assert "province" not in str(sent) and "500 g" in str(sent)


def test_a_category_that_is_not_a_leaf_is_refused(connector, channel, image_refs):
    with pytest.raises(Rejected) as refused:
        connector.create(content(image_refs, channel=channel, category_id=BRANCHES[channel]))

    assert refused.value.code == NOT_A_LEAF[channel]


def test_a_category_requiring_a_certification_gets_the_ocop_decision_attached(fleet):
    connector = connector_for(unthrottled(fleet, "tiktok-dong-thap"), retry=FAST_RETRY,
                              rate_limiter=TokenBucket(1000.0), category_refresh_s=0.0)
    rules = connector.category_rules(TIKTOK_HONEY)
    assert [c.id for c in rules.required_certifications] == [QUALITY_CERTIFICATE]
    assert rules.package_dimensions_required
    image_refs = (connector.upload_image(_jpeg((200, 160, 40)), "cover.jpg"),)
    honey = content(image_refs, channel=Channel.TIKTOK, category_id=TIKTOK_HONEY)

    with pytest.raises(Rejected) as refused:
        connector.create(honey)
    assert refused.value.code == "12052910" and QUALITY_CERTIFICATE in refused.value.message

    decision = CertificateDocument(QUALITY_CERTIFICATE, "quyet-dinh-ocop.jpg", _jpeg((250, 250, 250)))
    created = connector.create(content(image_refs, channel=Channel.TIKTOK, category_id=TIKTOK_HONEY,
                                       certificates=(decision,)))

    attached = fleet.admin(Channel.TIKTOK).item(created.remote_id).extra["certifications"]
    assert [c["id"] for c in attached] == [QUALITY_CERTIFICATE] and attached[0]["images"][0]["uri"]
    connector.close()
