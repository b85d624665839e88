"""The shops file: each shop's rate and HTTP timeouts reach its connector, and a value that cannot be
used is refused with the shop, the field, the value and what is expected."""

from __future__ import annotations

import pytest
import responses

from connectors.by_channel import connector_for
from shops.file import ShopsFileError, load_shops, write_shops_file
from tests.connectors.fake_shops import ACCESS_TOKEN, APP_SECRET

SHOP = """
[[shops]]
key = "tiktok-dong-thap"
channel = "tiktok"
base_url = "https://open-api.tiktokglobalshop.com"
"""


@pytest.fixture(autouse=True)
def credentials(monkeypatch):
    for name, value in {"APP_KEY": "2001887", "APP_SECRET": APP_SECRET, "ACCESS_TOKEN": ACCESS_TOKEN,
                        "SHOP_ID": "ROW_cipher_42"}.items():
        monkeypatch.setenv(f"OCOP_SHOP_TIKTOK_DONG_THAP_{name}", value)


def shops_file(tmp_path, extra: str = ""):
    path = tmp_path / "shops.toml"
    path.write_text(SHOP + extra, encoding="utf-8")
    return path


def test_a_shop_without_timeouts_keeps_the_defaults(tmp_path):
    [shop] = load_shops(shops_file(tmp_path))

    assert (shop.connect_timeout_s, shop.read_timeout_s, shop.requests_per_second) == (3.05, 30.0, 10.0)
    with connector_for(shop) as connector:
        assert connector.timeout == (3.05, 30.0)


@responses.activate
def test_a_shops_timeouts_are_the_ones_its_calls_are_sent_with(tmp_path):
    [shop] = load_shops(shops_file(tmp_path, "connect_timeout_s = 1.5\nread_timeout_s = 90\n"))
    responses.get("https://open-api.tiktokglobalshop.com/product/202309/products/1729",
                  json={"code": 0, "data": {"id": "1729", "status": "ACTIVATE", "skus": []}})

    with connector_for(shop, warehouse_id="7068517275539719942") as connector:
        connector.get("1729")

    assert responses.calls[0].request.req_kwargs["timeout"] == (1.5, 90.0)


def test_timeouts_survive_writing_the_shops_file_again(tmp_path):
    [shop] = load_shops(shops_file(tmp_path, "connect_timeout_s = 2\nread_timeout_s = 45.5\n"))

    [again] = load_shops(write_shops_file([shop], tmp_path / "written.toml"))

    assert (again.connect_timeout_s, again.read_timeout_s) == (2.0, 45.5)


@pytest.mark.parametrize("line, shown", [
    ("read_timeout_s = 0", "read_timeout_s = 0;"),
    ("read_timeout_s = -5", "read_timeout_s = -5;"),
    ('connect_timeout_s = "3"', "connect_timeout_s = '3';"),
    ("connect_timeout_s = true", "connect_timeout_s = True;"),
    ("read_timeout_s = 86400", "read_timeout_s = 86400;"),
    ("requests_per_second = 0", "requests_per_second = 0;"),
])
def test_an_unusable_number_names_the_shop_the_field_the_value_and_what_is_expected(tmp_path, line, shown):
    with pytest.raises(ShopsFileError) as refused:
        load_shops(shops_file(tmp_path, line + "\n"))

    message = str(refused.value)
    assert "shop tiktok-dong-thap" in message and shown in message
    assert "expected a number of" in message and "greater than 0" in message


@pytest.mark.parametrize("field, value, expected", [
    ("channel", '"amazon"', "channel = 'amazon'; expected one of shopee, lazada, tiktok, tiki, sendo, postmart, voso"),
    ("base_url", "8080", "base_url = 8080; expected the platform's API address, such as https://partner.shopeemobile.com "
     "(none for a channel without an API: postmart, voso)"),
    ("tokens", '"db"', "tokens = 'db'; expected \"database\" (connected with `ocop shop connect`) or \"static\" "
                       "(an access token in the credentials)"),
])
def test_an_unusable_value_names_the_file_the_shop_the_field_and_what_is_expected(tmp_path, field, value, expected):
    fields = {"key": '"tiktok-dong-thap"', "channel": '"tiktok"', "base_url": '"https://open-api.tiktokglobalshop.com"'}
    path = tmp_path / "shops.toml"
    path.write_text("[[shops]]\n" + "".join(f"{name} = {text}\n" for name, text in (fields | {field: value}).items()),
                    encoding="utf-8")

    with pytest.raises(ShopsFileError) as refused:
        load_shops(path)

    assert str(refused.value) == f"{path}: shop tiktok-dong-thap: {expected}"


def test_a_shop_without_a_key_is_named_by_its_place_in_the_file(tmp_path):
    path = tmp_path / "shops.toml"
    path.write_text(SHOP + '\n[[shops]]\nchannel = "shopee"\n', encoding="utf-8")

    with pytest.raises(ShopsFileError) as refused:
        load_shops(path)

    assert str(refused.value).splitlines() == [
        f"{path}: shop #2: key is missing; expected a text naming the shop in the ledger and reports, unique in the file",
    ]


def test_a_shop_with_an_api_and_no_address_is_refused_naming_it(tmp_path):
    path = tmp_path / "shops.toml"
    path.write_text('[[shops]]\nkey = "shopee-dong-thap"\nchannel = "shopee"\n', encoding="utf-8")

    with pytest.raises(ShopsFileError) as refused:
        load_shops(path)

    assert str(refused.value) == (f"{path}: shop shopee-dong-thap: base_url is missing; expected the platform's API "
                                  "address, such as https://partner.shopeemobile.com (none for a channel without an "
                                  "API: postmart, voso)")


def test_a_postal_shop_needs_no_address_nor_credentials(tmp_path, monkeypatch):
    path = tmp_path / "shops.toml"
    path.write_text('[[shops]]\nkey = "voso-dong-thap"\nchannel = "voso"\nprovince = "Đồng Tháp"\n', encoding="utf-8")

    (shop,) = load_shops(path)

    assert (shop.key, shop.channel, shop.province, shop.base_url) == ("voso-dong-thap", "voso", "Đồng Tháp", "")
    assert not shop.credentials.app_key and not shop.credentials.app_secret.get_secret_value()


def test_a_key_declared_twice_is_refused(tmp_path):
    with pytest.raises(ShopsFileError, match="shop #2: key 'tiktok-dong-thap' is declared twice"):
        load_shops(shops_file(tmp_path, SHOP))


def test_a_credential_written_in_the_shops_file_is_refused_without_showing_it(tmp_path):
    with pytest.raises(ShopsFileError) as refused:
        load_shops(shops_file(tmp_path, f'app_secret = "{APP_SECRET}"\n'))

    message = str(refused.value)
    assert "shop tiktok-dong-thap: app_secret is not a shop setting" in message
    assert "never in this file" in message and APP_SECRET not in message
    assert refused.value.__cause__ is None and refused.value.__suppress_context__


def test_a_shop_waiting_for_its_api_app_is_published_through_its_seller_centre_workbook(tmp_path):
    path = tmp_path / "shops.toml"
    path.write_text('[[shops]]\nkey = "shopee-dong-thap"\nchannel = "shopee"\nworkbook = "shopee"\n', encoding="utf-8")

    (shop,) = load_shops(path)

    assert (shop.channel, shop.workbook, shop.base_url) == ("shopee", "shopee", "")


def test_an_unknown_workbook_layout_is_refused_naming_the_known_ones(tmp_path):
    path = tmp_path / "shops.toml"
    path.write_text('[[shops]]\nkey = "shopee-dong-thap"\nchannel = "shopee"\nworkbook = "shoppe"\n', encoding="utf-8")

    with pytest.raises(ShopsFileError, match="shop shopee-dong-thap: workbook = 'shoppe': no such layout in "
                                             "connectors/workbooks/; expected one of lazada, postmart, shopee, tiktok, voso"):
        load_shops(path)
