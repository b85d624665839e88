"""Every channel is declared once (ocop/channels.py) and every place that must know a channel knows it:
adding a marketplace fails here until each of them has it (connectors/CONTRIBUTING.md)."""

from __future__ import annotations

import csv
import re
import string

import pytest

from connectors.by_channel import CONNECTORS
from connectors.workbook import channel_layout
from ocop.channels import (
    DECLARATIONS,
    EVERY_OFFICIAL_SHOP,
    OFFICIAL_SHOPS,
    Channel,
    ChannelKind,
    ListingStatus,
    declaration,
)
from rendering.profiles import PROFILES_DIR, load_profile
from rendering.templating import TEMPLATES_DIR
from reports.i18n import LANGUAGES, Language
from sandboxes.config import default_config
from sandboxes.fleet import SANDBOX_CLASSES

EVERY_CHANNEL = pytest.mark.parametrize("channel", list(Channel))
# A channel reached through its seller API has a connector and a sandbox; one without (a workbook
# channel) has a mass-upload layout instead (connectors/CONTRIBUTING.md).
API_CHANNELS = pytest.mark.parametrize("channel", [c for c in Channel if declaration(c).kind is ChannelKind.API])
WORKBOOK_CHANNELS = pytest.mark.parametrize(
    "channel", [c for c in Channel if declaration(c).kind is ChannelKind.WORKBOOK])


@EVERY_CHANNEL
def test_the_declaration_is_complete(channel):
    declared = declaration(channel)
    assert declared.channel is channel
    assert declared.display_name.strip() and re.fullmatch(r"#[0-9a-f]{6}", declared.colour)
    assert {ListingStatus.LIVE, ListingStatus.DELETED} <= set(declared.statuses.values())
    limits = declared.limits
    assert 0 <= limits.title_min <= limits.title_max and 0 <= limits.description_min <= limits.description_max
    assert 1 <= limits.images_min <= limits.images_max and 1 <= limits.price_min <= limits.price_max
    assert limits.seller_sku_max > 0 and re.compile(limits.seller_sku_pattern).fullmatch("OCOP-DT-0001")
    assert declared.listing_url.startswith("https://")
    assert "remote_id" in {name for _, name, _, _ in string.Formatter().parse(declared.listing_url) if name}
    assert declared.listing_page("1234567", shop_id="3001001").startswith("https://")
    assert declared.listing_page(None, shop_id="3001001") is None


def test_channels_do_not_share_a_sandbox_port_a_colour_or_an_official_shop():
    declared = DECLARATIONS.values()
    for field in ("sandbox_port", "colour", "official_shop", "display_name"):
        values = [getattr(d, field) for d in declared if getattr(d, field) is not None]
        assert len(set(values)) == len(values), field


@API_CHANNELS
def test_the_channel_has_a_connector(channel):
    assert CONNECTORS[channel].channel is channel


@WORKBOOK_CHANNELS
def test_a_channel_without_an_api_has_a_workbook_layout_and_no_connector_nor_sandbox(channel):
    layout = channel_layout(channel)
    assert layout is not None and layout.name == declaration(channel).workbook_layout
    assert dict(layout.export.statuses) == {word.casefold(): ours for word, ours in declaration(channel).statuses.items()}
    assert declaration(channel).sandbox_port is None
    assert channel not in CONNECTORS and channel not in SANDBOX_CLASSES and channel not in default_config().channels


@API_CHANNELS
def test_the_channel_has_a_sandbox_at_its_declared_port_with_its_official_shop(channel):
    assert channel in SANDBOX_CLASSES
    config = default_config()
    assert config.channels[channel].port == declaration(channel).sandbox_port
    assert config.channels[channel].limits == declaration(channel).limits
    assert config.shop(declaration(channel).official_shop).channel is channel


@EVERY_CHANNEL
def test_the_channel_has_a_rendering_profile_with_its_templates(channel):
    profile = load_profile(channel)
    folder = "workbook" if declaration(channel).kind is ChannelKind.WORKBOOK else channel.value
    for part, name in profile.templates.items():
        assert name.startswith(f"{folder}/"), part
        assert (TEMPLATES_DIR / name).is_file(), name


@EVERY_CHANNEL
def test_the_channel_has_a_column_in_the_category_map(channel):
    with (PROFILES_DIR / "categories.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert channel.value in csv.DictReader(handle).fieldnames


@EVERY_CHANNEL
def test_reports_name_the_channel_as_declared(channel):
    assert {Language(code).channel(channel.value) for code in LANGUAGES} == {declaration(channel).display_name}


def test_reports_refuse_a_channel_nobody_declared():
    with pytest.raises(KeyError, match="'amazon' is not declared"):
        Language("vi").channel("amazon")


def test_the_official_shops_are_one_per_channel_in_channel_order():
    assert EVERY_OFFICIAL_SHOP == tuple(declaration(channel).official_shop for channel in Channel)


def test_the_default_shops_are_the_official_ones_of_the_channels_in_the_demo_by_default():
    assert OFFICIAL_SHOPS == tuple(declaration(c).official_shop for c in Channel if declaration(c).in_demo_by_default)
    assert set(OFFICIAL_SHOPS) == {"shopee-dong-thap", "lazada-dong-thap", "tiktok-dong-thap"}


@pytest.mark.parametrize(
    ("channel", "word", "status"),
    [(Channel.SHOPEE, "NORMAL", ListingStatus.LIVE), (Channel.SHOPEE, "BANNED", ListingStatus.REJECTED),
     (Channel.LAZADA, "pending qc", ListingStatus.UNDER_REVIEW), (Channel.LAZADA, "INACTIVE", ListingStatus.INACTIVE),
     (Channel.TIKTOK, "FREEZE", ListingStatus.SUSPENDED), (Channel.TIKTOK, "ACTIVATE", ListingStatus.LIVE),
     (Channel.SENDO, "2", ListingStatus.LIVE), (Channel.SENDO, "2/stock_availability=false", ListingStatus.INACTIVE)],
)
def test_platform_status_words_map_to_our_vocabulary_in_any_case(channel, word, status):
    assert declaration(channel).status_of(word) is status


def test_an_unknown_status_word_is_not_guessed():
    assert declaration(Channel.SHOPEE).status_of("SOMETHING_NEW") is None
