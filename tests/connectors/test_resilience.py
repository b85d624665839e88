"""What the shared base does for every connector: backoff, transport failures, the idempotent create
(an unknown outcome is resolved by a seller SKU lookup before the create is sent again), rate limiting."""

from __future__ import annotations

import pytest
import requests
import responses
from urllib3.exceptions import MaxRetryError, NewConnectionError

from connectors.base import RetryPolicy, TokenBucket, limiter_for
from connectors.by_channel import CONNECTORS
from connectors.errors import Rejected, TransientError, UnknownOutcome
from ocop.channels import Channel
from tests.connectors.fake_shops import FIXED_TIME, SKU, Platform, sample_content, shop_config


@pytest.fixture(params=list(CONNECTORS), ids=lambda channel: channel.value)
def platform(request) -> Platform:
    return Platform(request.param)


def refused() -> requests.ConnectionError:
    reason = NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused")
    return requests.ConnectionError(MaxRetryError(None, "/", reason=reason))


@responses.activate
def test_create_that_timed_out_but_landed_is_found_by_seller_sku_not_sent_again(make_connector, platform):
    responses.post(platform.create_url, body=requests.ReadTimeout("read timed out"))
    platform.lookup_answers("4242")

    result = make_connector(platform.channel).create(sample_content(SKU))

    assert result.remote_id == "4242"
    assert platform.creates_sent() == 1


@responses.activate
def test_create_that_timed_out_and_did_not_land_is_sent_again_after_the_lookup(make_connector, platform):
    responses.post(platform.create_url, body=requests.ReadTimeout("read timed out"))
    responses.post(platform.create_url, json=platform.created("4243"))
    platform.lookup_answers(None)

    result = make_connector(platform.channel).create(sample_content(SKU))

    assert result.remote_id == "4243"
    assert platform.creates_sent() == 2
    sent = [(call.request.method, call.request.url.split("?")[0]) for call in responses.calls]
    creates = [n for n, call in enumerate(sent) if call == ("POST", platform.create_url)]
    assert creates[0] == 0 and creates[1] > 1     # the resend only after the lookup (Tiki then tracks it)


@responses.activate
def test_server_error_on_create_is_resolved_by_lookup_too(make_connector, platform):
    responses.post(platform.create_url, status=502, body="<html>Bad Gateway</html>")
    platform.lookup_answers("4244")

    assert make_connector(platform.channel).create(sample_content(SKU)).remote_id == "4244"
    assert platform.creates_sent() == 1


@responses.activate
def test_create_whose_outcome_stays_unknown_is_reported_as_unknown(make_connector, platform, sleeps):
    responses.post(platform.create_url, body=requests.ReadTimeout("read timed out"))
    platform.lookup_answers(None)

    with pytest.raises(UnknownOutcome):
        make_connector(platform.channel).create(sample_content(SKU))

    assert platform.creates_sent() == 4            # RetryPolicy(attempts=4): each resend after a lookup
    assert sleeps == [0.375, 0.75, 1.5]


@responses.activate
def test_a_lookup_that_fails_leaves_the_create_unknown(make_connector):
    platform = Platform(Channel.TIKTOK)
    responses.post(platform.create_url, body=requests.ReadTimeout("read timed out"))
    responses.post(f"{platform.create_url}/search", status=503, json={"code": 1, "message": "busy"})

    with pytest.raises(UnknownOutcome, match="lookup failed"):
        make_connector(Channel.TIKTOK).create(sample_content(SKU))

    assert platform.creates_sent() == 1


@responses.activate
def test_a_resend_that_is_rate_limited_leaves_the_create_unknown(make_connector):
    platform = Platform(Channel.TIKTOK)
    responses.post(platform.create_url, body=requests.ReadTimeout("read timed out"))
    responses.post(platform.create_url, status=429, json={"code": 36009002, "message": "Too many requests."},
                   headers={"Retry-After": "600"})
    platform.lookup_answers(None)

    with pytest.raises(UnknownOutcome, match="rate limited"):
        make_connector(Channel.TIKTOK).create(sample_content(SKU))


@responses.activate
def test_create_that_never_connected_is_retried_without_a_lookup(make_connector, platform, sleeps):
    responses.post(platform.create_url, body=refused())
    responses.post(platform.create_url, body=requests.ConnectTimeout("connect timed out"))
    responses.post(platform.create_url, json=platform.created("4245"))

    assert make_connector(platform.channel).create(sample_content(SKU)).remote_id == "4245"
    assert platform.creates_sent() == 3 and sleeps == [0.375, 0.75]


@responses.activate
def test_duplicate_rejection_on_a_resent_create_adopts_the_item_that_landed(make_connector):
    platform = Platform(Channel.LAZADA)
    responses.post(platform.create_url, body=requests.ReadTimeout("read timed out"))
    responses.post(platform.create_url, json={"type": "ISV", "code": "4105", "message": "SellerSku already exists"})
    responses.get("https://api.lazada.vn/rest/products/get", json={"code": "0", "data": {"total_products": 0, "products": []}})
    responses.get("https://api.lazada.vn/rest/products/get", json={"code": "0", "data": {"total_products": 1, "products": [
        {"item_id": 4246, "status": "Pending QC", "skus": [{"SellerSku": SKU, "SkuId": 1}]}]}})

    assert make_connector(Channel.LAZADA).create(sample_content(SKU)).remote_id == "4246"
    assert platform.creates_sent() == 2


@responses.activate
def test_duplicate_seller_sku_on_a_first_create_is_rejected_with_the_platform_code(make_connector):
    responses.post(Platform(Channel.LAZADA).create_url, json={"type": "ISV", "code": "4105", "message": "SellerSku already exists"})

    with pytest.raises(Rejected) as raised:
        make_connector(Channel.LAZADA).create(sample_content(SKU))

    assert raised.value.code == "4105"


@responses.activate
def test_read_timeout_on_a_read_is_retried_with_backoff(make_connector, sleeps):
    url = "https://open-api.tiktokglobalshop.com/product/202309/products/1729"
    responses.get(url, body=requests.ReadTimeout("read timed out"))
    responses.get(url, body=requests.ConnectionError("Connection aborted."))
    responses.get(url, json={"code": 0, "data": {"id": "1729", "status": "ACTIVATE", "skus": [{"id": "1", "seller_sku": SKU}]}})

    assert make_connector(Channel.TIKTOK).get("1729").seller_sku == SKU
    assert sleeps == [0.375, 0.75]


@responses.activate
def test_retries_are_counted_by_error_and_logged_for_debugging_only(make_connector, sleeps, caplog):
    url = "https://open-api.tiktokglobalshop.com/product/202309/products/1729"
    answer = {"code": 0, "data": {"id": "1729", "status": "ACTIVATE", "skus": [{"id": "1", "seller_sku": SKU}]}}
    responses.get(url, body=requests.ReadTimeout("read timed out"))
    responses.get(url, json=answer)
    responses.get(url, body=requests.ReadTimeout("read timed out"))
    responses.get(url, body=requests.ReadTimeout("read timed out"))
    connector = make_connector(Channel.TIKTOK, retry=RetryPolicy(attempts=2))
    caplog.set_level("DEBUG", logger="connectors")

    assert connector.get("1729").seller_sku == SKU                 # retried once, then answered
    with pytest.raises(TransientError):
        connector.get("1729")                                      # retried once, then gave up

    assert connector.retries.snapshot() == {"read_timeout": (2, 1)}
    retry_lines = [r for r in caplog.records if "retry 1 in" in r.getMessage()]
    assert len(retry_lines) == 2 and {r.levelname for r in retry_lines} == {"DEBUG"}


@responses.activate
def test_transient_failures_give_up_after_the_policy_attempts(make_connector, sleeps):
    url = "https://open-api.tiktokglobalshop.com/product/202309/products/1729"
    responses.get(url, body=requests.ReadTimeout("read timed out"))

    with pytest.raises(TransientError):
        make_connector(Channel.TIKTOK, retry=RetryPolicy(attempts=6, backoff_base=1.0, backoff_cap=4.0)).get("1729")

    assert sleeps == [0.75, 1.5, 3.0, 3.0, 3.0]      # doubling, capped at 4 s, equal jitter at rand=0.5


def test_backoff_jitter_spreads_retries_between_half_and_all_of_the_step():
    policy = RetryPolicy(backoff_base=0.5, backoff_cap=20.0)

    assert [policy.backoff(n, 0.0) for n in range(4)] == [0.25, 0.5, 1.0, 2.0]
    assert [policy.backoff(n, 1.0) for n in range(4)] == [0.5, 1.0, 2.0, 4.0]


def test_token_bucket_spaces_calls_at_the_configured_rate(fake_time):
    bucket = TokenBucket(5.0, burst=1.0, clock=fake_time.monotonic, sleep=fake_time.sleep)

    for _ in range(6):
        bucket.acquire()

    assert fake_time.now == pytest.approx(1001.0)        # 6 calls at 5/s after a burst of 1: 1 s
    assert fake_time.sleeps == pytest.approx([0.2] * 5)


def test_token_bucket_lets_a_burst_through_then_settles_to_the_rate(fake_time):
    bucket = TokenBucket(10.0, clock=fake_time.monotonic, sleep=fake_time.sleep)

    for _ in range(10):
        bucket.acquire()
    assert fake_time.sleeps == []
    bucket.acquire()
    assert fake_time.sleeps == pytest.approx([0.1])


def test_every_connector_of_a_shop_shares_one_bucket():
    shop = shop_config(Channel.SHOPEE, requests_per_second=7.0)

    assert limiter_for(shop) is limiter_for(shop)
    assert limiter_for(shop).rate == 7.0
    assert limiter_for(shop_config(Channel.TIKTOK)) is not limiter_for(shop)


def test_the_environments_proxy_and_ca_bundle_are_honoured_and_netrc_is_not(make_connector, monkeypatch, tmp_path):
    """Read once per connector (requests would re-read the environment on every call); a ~/.netrc
    login is never added to calls that carry their own signature."""
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine partner.shopeemobile.com login someone password hunter2\n")
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "api.lazada.vn")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/province-ca.pem")

    shopee = make_connector(Channel.SHOPEE)
    lazada = make_connector(Channel.LAZADA)

    assert shopee.session.proxies["https"] == "http://proxy.example:3128"
    assert "https" not in lazada.session.proxies       # NO_PROXY names its host
    assert shopee.session.verify == "/etc/ssl/certs/province-ca.pem"
    prepared = shopee.session.prepare_request(requests.Request("GET", "https://partner.shopeemobile.com/api/v2/x"))
    assert "Authorization" not in prepared.headers


@responses.activate
def test_a_call_goes_out_exactly_as_a_requests_session_would_send_it(make_connector, platform):
    """The base sends without `Session.request`'s per-call merging of session state (about 0.1 ms
    of CPU a call): the method, URL, headers and body are what `session.request` would send."""
    responses.post(platform.create_url, json=platform.created("77"))
    connector = make_connector(platform.channel)
    connector.create(sample_content())

    prepared = connector.prepare(connector.create_call(sample_content()), FIXED_TIME)
    expected = connector.session.prepare_request(requests.Request(
        prepared.method, prepared.url, params=prepared.params, data=prepared.data, files=prepared.files,
        headers=prepared.headers))
    sent = responses.calls[0].request
    assert (sent.method, sent.url, dict(sent.headers), sent.body) == (
        expected.method, expected.url, dict(expected.headers), expected.body)
