"""The shipped category and attribute maps hold against each sandbox's tree, as read by the
connectors; a broken map is named row by row; leaves are suggested by name for a province."""

from __future__ import annotations

import pytest

from connectors.base import TokenBucket
from connectors.by_channel import connector_for
from connectors.categories import Category, CategoryTree
from ocop.channels import Channel
from rendering.category_map import check_mapping, suggest_leaves
from rendering.profiles import load_profile
from sandboxes.fleet import running_sandboxes

pytestmark = pytest.mark.slow
CHANNELS = (Channel.SHOPEE, Channel.LAZADA, Channel.TIKTOK)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    with running_sandboxes(tmp_path_factory.mktemp("mapping-sandboxes")) as fleet:
        yield fleet


@pytest.fixture(params=CHANNELS, ids=lambda channel: channel.value)
def connector(fleet, request):
    connector = connector_for(fleet.shop(f"{request.param.value}-dong-thap"), rate_limiter=TokenBucket(1000.0),
                              category_refresh_s=0.0)
    yield connector
    connector.close()


def test_the_shipped_maps_name_leaves_and_fill_every_required_attribute(connector):
    assert check_mapping(load_profile(connector.channel), connector) == []


def test_a_branch_a_missing_row_and_a_changed_requirement_are_each_named(fleet, tmp_path):
    categories = tmp_path / "categories.csv"
    categories.write_text("group_code,group_name,shopee,lazada,tiktok\nI,Thực phẩm,100629,,\n"
                          "I.3.c,Trái cây sấy,100640,,\nI.4,Gia vị,999999,,\n", encoding="utf-8")
    catalogue = fleet.sandboxes[Channel.SHOPEE].catalogue
    catalogue.set_attribute("100640", "100095", mandatory=True)
    try:
        shopee = connector_for(fleet.shop("shopee-dong-thap"), category_refresh_s=0.0)
        problems = check_mapping(load_profile("shopee", categories_file=categories), shopee)
    finally:
        catalogue.set_attribute("100640", "100095", mandatory=False)
    assert problems == [
        "group I: category 100629 (Thực Phẩm và Đồ Uống) is not a leaf",
        "group I.4: category 999999 does not exist on shopee",
        "shopee category 100640 (Trái cây sấy & Mứt): attribute 100095 (Hạn sử dụng) is required on the platform; "
        "the map says required=no",
    ]


def test_leaves_are_suggested_rule_first_then_by_name_then_left_to_the_province(connector, tmp_path):
    categories = tmp_path / "categories.csv"
    categories.write_text("group_code,group_name,shopee,lazada,tiktok\nI.5,Chè,1,1,1\n", encoding="utf-8")
    suggestions = {s.group: s for s in suggest_leaves(load_profile(connector.channel, categories_file=categories),
                                                      connector.category_tree())}
    assert suggestions["I.2.b"].how == "match" and suggestions["I.2.b"].leaves[0].name == "Mật ong"
    phones_only = CategoryTree((Category("1", None, "Điện thoại", True),))
    assert {s.how for s in suggest_leaves(load_profile(connector.channel), phones_only)} == {"manual"}
    shipped = {s.group: s for s in suggest_leaves(load_profile(connector.channel), connector.category_tree())}
    assert shipped["I.2.b"].how == "rule"


def test_ocop_categories_suggest_and_check_read_the_shops_tree(fleet, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from cli.categories import app
    from shops.file import credentials_environment, write_shops_file

    shops = [fleet.shop("lazada-dong-thap")]
    monkeypatch.setenv("OCOP_SHOPS_FILE", str(write_shops_file(shops, tmp_path / "shops.toml")))
    for name, value in credentials_environment(shops).items():
        monkeypatch.setenv(name, value)
    proposals = tmp_path / "lazada-categories.csv"

    suggested = CliRunner().invoke(app, ["suggest", "lazada-dong-thap", "--write", str(proposals)])
    checked = CliRunner().invoke(app, ["check", "lazada-dong-thap"])

    assert suggested.exit_code == 0, suggested.output
    assert "I.2.b" in suggested.output and "10000133 Thực phẩm & Đồ uống > Gia vị & Nguyên liệu > Mật ong" in suggested.output
    assert "I.2.b,\"Mật ong, sản phẩm nông nghiệp khác\",10000133" in proposals.read_text(encoding="utf-8")
    assert checked.exit_code == 0 and "every mapped group is a leaf" in checked.output
