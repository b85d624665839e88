"""A shop's app secret and access token never show in logs, exception messages, tracebacks or reprs."""

from __future__ import annotations

import logging
import traceback

import pytest
import requests
import responses

from connectors.by_channel import CONNECTORS
from connectors.errors import ConnectorError
from ocop.channels import Channel
from tests.connectors.fake_shops import ACCESS_TOKEN, APP_SECRET, Platform, sample_content, shop_config

SECRETS = (APP_SECRET, ACCESS_TOKEN)


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def echoing_failure(channel: Channel) -> tuple[int, dict]:
    """An auth failure whose message echoes the token back, as some gateways do."""
    message = f"access token {ACCESS_TOKEN} is invalid for app secret {APP_SECRET}"
    return {
        Channel.SHOPEE: (403, {"error": "error_auth", "message": message, "request_id": "r"}),
        Channel.LAZADA: (200, {"type": "ISV", "code": "IllegalAccessToken", "message": message, "request_id": "r"}),
        Channel.TIKTOK: (401, {"code": 105002, "message": message, "request_id": "r"}),
        Channel.TIKI: (401, {"errors": [message]}),
        Channel.SENDO: (401, {"success": False, "statusCode": 401, "result": None, "error": {"message": message}}),
    }[channel]


def timeout_quoting_the_url(request):
    # What urllib3 really says: the URL, query string and all.
    raise requests.ReadTimeout(f"HTTPSConnectionPool(host='x', port=443): Read timed out. (url={request.url})")


@pytest.mark.parametrize("channel", list(CONNECTORS), ids=lambda c: c.value)
@responses.activate
def test_secrets_stay_out_of_logs_errors_tracebacks_and_reprs(make_connector, caplog, channel):
    caplog.set_level(logging.DEBUG)
    platform = Platform(channel)
    connector = make_connector(channel)
    raised: list[ConnectorError] = []

    responses.add_callback(responses.POST, platform.create_url, callback=timeout_quoting_the_url)
    platform.lookup_answers("4242")
    connector.create(sample_content())
    responses.reset()

    status, body = echoing_failure(channel)
    responses.post(platform.create_url, status=status, json=body)
    responses.add_callback(responses.POST, platform.create_url, callback=timeout_quoting_the_url)
    for _ in range(2):
        try:
            connector.create(sample_content())
        except ConnectorError as error:
            raised.append(error)

    assert len(raised) == 2
    for error in raised:
        assert_no_secret(str(error))
        assert_no_secret(repr(error))
        assert_no_secret("".join(traceback.format_exception(error)))
        assert error.__context__ is None or isinstance(error.__context__, ConnectorError)
    assert "***" in raised[0].message
    assert_no_secret(caplog.text)
    assert_no_secret(repr(connector) + repr(connector.shop) + repr(connector.shop.credentials))


def test_urllib3_request_lines_are_scrubbed_of_query_secrets(caplog):
    caplog.set_level(logging.DEBUG)
    logging.getLogger("urllib3.connectionpool").debug(
        '%s://%s:%s "%s %s %s" %s %s', "https", "partner.shopeemobile.com", 443, "GET",
        f"/api/v2/product/get_item_list?partner_id=1&access_token={ACCESS_TOKEN}&sign=abc", "HTTP/1.1", 200, 120)

    assert_no_secret(caplog.text)
    assert "access_token=***" in caplog.text


def test_shop_config_repr_hides_credentials():
    assert_no_secret(repr(shop_config(Channel.SHOPEE)))
    assert_no_secret(str(shop_config(Channel.LAZADA)))
