"""The shared HTTP base every marketplace connector stands on.

It owns what is the same everywhere: one pooled `requests.Session` with the shop's (connect, read)
timeouts, a per-shop rate limiter, retries with exponential backoff and jitter, honouring the
platform's wait, logging without secrets, and the idempotent create (an unknown outcome is resolved
by looking the seller SKU up before sending the create again).

The rate limiter is any `RateLimiter`: by default this process's `TokenBucket` for the shop
(`limiter_for`); a flow whose shop is also published to by other processes hands in one shared
through the database (`ledger.shared_rate_limiter`), so that the shop's
`requests_per_second` is what the shop receives in all. The connector layer itself never touches
the database.

A connected shop (`ShopConfig.tokens`, see `connectors.tokens`) has its access token handed over per
call by its token source, which refreshes it ahead of expiry; when the platform still answers
"expired" (`TokenExpired`), `request` has it refreshed once and sends the call once more. Each
connector module supplies the platform's `authorization_url`, `exchange_code` and `refresh_tokens`.

A connector module overrides small named hooks, in the spirit of the Singer SDK's REST stream:

| hook             | says                                                                       |
|------------------|----------------------------------------------------------------------------|
| `prepare`        | URL, common parameters, signature and body encoding of one call            |
| `read_envelope`  | the payload of a success, or a `PlatformFailure` with the platform's code  |
| `classify_error` | which `connectors.errors` class a failure is                               |

plus the operations of the `Connector` protocol, written in terms of `request(ApiCall)`.
"""

from __future__ import annotations

import copy
import logging
import os
import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterator

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NewConnectionError

from connectors.errors import (
    ConnectorError,
    NotFound,
    RateLimited,
    Rejected,
    TokenExpired,
    TransientError,
    UnknownOutcome,
)
from connectors.tokens import TokenSet
from connectors.types import (
    CreateResult,
    ListingContent,
    ListingStatus,
    RateLimiter,
    RemoteListing,
    ShopConfig,
    ShopCredentials,
)
from ocop.channels import Channel, declaration

log = logging.getLogger("connectors")

# Codes the base gives to failures that never reached the platform's application.
CONNECT_FAILED = "connect_failed"
READ_TIMEOUT = "read_timeout"
CONNECTION_CUT = "connection_cut"

_QUERY_SECRET = re.compile(r"((?:access_token|refresh_token|auth_code|sign|app_secret|partner_key)=)[^&\s\"']+", re.IGNORECASE)


class _RedactQuerySecrets(logging.Filter):
    """urllib3 logs request lines at DEBUG, query string included: Shopee and Lazada carry the
    access token there, so scrub it before any handler sees the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if _QUERY_SECRET.search(text):
            record.msg, record.args = _QUERY_SECRET.sub(r"\1***", text), None
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_RedactQuerySecrets())


class RetryCounts:
    """A connector's retried calls by the error that caused the first retry: how many, and how many
    the platform then answered (with its result or a definite refusal; the rest gave up). Shared by
    the connector's threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.retried: Counter[str] = Counter()
        self.answered: Counter[str] = Counter()

    def settled(self, retried_for: list[str], *, answered: bool) -> None:
        if not retried_for:
            return
        with self._lock:
            self.retried[retried_for[0]] += 1
            if answered:
                self.answered[retried_for[0]] += 1

    def snapshot(self) -> dict[str, tuple[int, int]]:
        """Error code -> (calls retried, of which then answered)."""
        with self._lock:
            return {code: (n, self.answered[code]) for code, n in sorted(self.retried.items())}


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5                   # tries in all, the first included
    backoff_base: float = 0.5           # seconds before the first retry; doubles each retry
    backoff_cap: float = 20.0
    max_rate_limit_wait: float = 60.0   # a longer wait asked by the platform goes to the caller

    def backoff(self, retry_number: int, rand: float) -> float:
        """Equal jitter: half the exponential step is kept, half is random, so a fleet of clients
        that failed together does not come back together."""
        step = min(self.backoff_cap, self.backoff_base * (2 ** retry_number))
        return step / 2 + rand * step / 2


class TokenBucket:
    """Client-side rate limiter of one process: `rate` requests per second with bursts of up to `burst`.

    Reservations are taken under a lock and slept outside it, so concurrent callers queue fairly.
    `hold` pauses every caller, e.g. for the ban a platform announced.
    """

    def __init__(self, rate: float, burst: float | None = None, *,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        if rate <= 0:
            raise ValueError(f"requests_per_second must be positive, got {rate!r}")
        self.rate = rate
        self.capacity = burst if burst is not None else max(1.0, rate)
        self._tokens = self.capacity
        self._clock = clock
        self._sleep = sleep
        self._updated = clock()
        self._paused_until = 0.0
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, sleeping until it is available; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            self._tokens -= 1
            wait = max(-self._tokens / self.rate, self._paused_until - now, 0.0)
        if wait > 0:
            self._sleep(wait)
        return wait

    def hold(self, seconds: float) -> None:
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)


_shop_limiters: dict[str, TokenBucket] = {}
_shop_limiters_lock = threading.Lock()


def limiter_for(shop: ShopConfig) -> TokenBucket:
    """The one bucket of a shop, shared by every connector object talking to it in this process."""
    with _shop_limiters_lock:
        bucket = _shop_limiters.get(shop.key)
        if bucket is None or bucket.rate != shop.requests_per_second:
            bucket = _shop_limiters[shop.key] = TokenBucket(shop.requests_per_second)
        return bucket


@dataclass
class ApiCall:
    """One platform call before signing. `idempotent` is False when sending it twice could do the
    work twice (a create): then a failure after sending is an unknown outcome, not a retry."""

    method: str
    path: str
    query: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    files: dict[str, tuple[str, bytes]] | None = None
    idempotent: bool = True
    base_url: str | None = None     # another host of the platform's (its authorisation host)


@dataclass
class PreparedCall:
    """What goes on the wire. Holds secrets: never logged, never kept."""

    method: str
    url: str
    params: dict[str, str] | None = None
    data: bytes | dict[str, str] | None = None
    files: dict[str, tuple[str, bytes]] | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Envelope:
    data: Any
    request_id: str | None


@dataclass(frozen=True)
class PlatformFailure:
    """A failed call as the platform reported it, before classification."""

    http_status: int
    code: str
    message: str
    request_id: str | None = None
    retry_after: float | None = None
    kind: str | None = None           # a platform's error family, e.g. Lazada's ISV / ISP / SYSTEM


class HttpConnector:
    """Base of every connector; subclasses set `channel` and implement the hooks and operations."""

    channel: Channel
    default_rate_limit_wait = 1.0     # when the platform says "too many" without saying how long
    default_auth_base_url: str | None = None    # the platform's authorisation host; None: the API host

    def __init__(self, shop: ShopConfig, *, session: requests.Session | None = None,
                 timeout: tuple[float, float] | None = None, retry: RetryPolicy | None = None,
                 rate_limiter: RateLimiter | None = None, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.time, rand: Callable[[], float] = random.random) -> None:
        if shop.channel != self.channel:
            raise ValueError(f"shop {shop.key!r} is on channel {shop.channel}, not {self.channel}")
        self.shop = shop
        self.base_url = shop.base_url.rstrip("/")
        self.timeout = timeout or (shop.connect_timeout_s, shop.read_timeout_s)
        self.retry = retry or RetryPolicy()
        self.limiter = rate_limiter or limiter_for(shop)
        self._sleep = sleep
        self._clock = clock
        self._rand = rand
        self.session = session or _pooled_session(self.base_url)
        self.auth_base_url = (shop.auth_base_url or self.default_auth_base_url or self.base_url).rstrip("/")
        self._log = log.getChild(self.channel.value)
        self._in_use = threading.local()        # the access token this thread's last call carried
        self._token_secrets: set[str] = set()   # tokens this connector handled, scrubbed from messages
        self.retries = RetryCounts()            # calls retried, by the platform's error code

    def __repr__(self) -> str:
        return f"{type(self).__name__}(shop={self.shop.key!r}, base_url={self.base_url!r})"

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> HttpConnector:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---- hooks -------------------------------------------------------------------------------

    def prepare(self, call: ApiCall, timestamp: float) -> PreparedCall:
        raise NotImplementedError

    def read_envelope(self, response: requests.Response) -> Envelope | PlatformFailure:
        raise NotImplementedError

    def classify_error(self, failure: PlatformFailure) -> ConnectorError:
        """HTTP-level default; connectors map their own codes first and fall back to this."""
        if failure.http_status == 429:
            return self._rate_limited(failure)
        if failure.http_status >= 500:
            return TransientError(failure.message, code=failure.code, request_id=failure.request_id)
        if failure.http_status == 404:
            return NotFound(failure.message, code=failure.code, request_id=failure.request_id)
        return Rejected(failure.message, code=failure.code, request_id=failure.request_id)

    def is_duplicate_sku(self, error: Rejected) -> bool:
        """Whether a rejected create says the seller SKU already exists in the shop."""
        return False

    def credentials(self) -> ShopCredentials:
        """The shop's keys with the access token to send now: a connected shop's current one (its
        token source refreshes it ahead of expiry), else the static one."""
        tokens = self.shop.tokens
        if tokens is None:
            return self.shop.credentials
        current = tokens.current(self.refresh_tokens)
        self._in_use.token = current.access_token
        self._remember(current)
        return replace(self.shop.credentials, access_token=current.access_token,
                       shop_id=self.shop.credentials.shop_id or current.shop_id)

    # ---- the request loop ----------------------------------------------------------------------

    def request(self, call: ApiCall) -> Envelope:
        """Send one call, retrying what can safely be retried; raise the classified error otherwise.
        An expired token is refreshed once and the call sent once more (it was refused, not applied)."""
        retry_number = 0
        renewed = False
        retried_for: list[str] = []
        while True:
            try:
                envelope = self._attempt(call)
            except TokenExpired:
                if renewed or self.shop.tokens is None or getattr(self._in_use, "token", None) is None:
                    raise
                self._log.info("%s %s: access token refused as expired; refreshing it once", call.method, call.path)
                self._remember(self.shop.tokens.refreshed(self._in_use.token, self.refresh_tokens))
                renewed = True
                continue
            except (TransientError, RateLimited) as error:
                wait = self._retry_wait(call, error, retry_number)
                if wait is None:
                    self.retries.settled(retried_for, answered=False)
                    raise
                # Retrying is routine: counted, summed up at the end of a run, not a warning each time.
                self._log.debug("%s %s: %s; retry %d in %.2f s", call.method, call.path, error,
                                retry_number + 1, wait)
                retried_for.append(error.code or type(error).__name__)
                self._sleep(wait)
                retry_number += 1
                continue
            except ConnectorError:
                self.retries.settled(retried_for, answered=True)    # a definite answer: the retry got through
                raise
            self.retries.settled(retried_for, answered=True)
            return envelope

    def _retry_wait(self, call: ApiCall, error: ConnectorError, retry_number: int) -> float | None:
        last_attempt = retry_number + 1 >= self.retry.attempts
        if isinstance(error, RateLimited):
            if error.retry_after > self.retry.max_rate_limit_wait:
                return None
            # A platform's ban covers the whole shop: make every caller of this limiter wait too.
            self.limiter.hold(error.retry_after)
            return None if last_attempt else error.retry_after
        if last_attempt:
            return None
        if not call.idempotent and error.code != CONNECT_FAILED:
            return None        # it may have been applied: the caller resolves it (see `create`)
        return self.retry.backoff(retry_number, self._rand())

    def _attempt(self, call: ApiCall) -> Envelope:
        self.limiter.acquire()
        prepared = self.prepare(call, self._clock())
        started = time.monotonic()
        try:
            response = self._send(prepared)
        except requests.RequestException as exc:
            transport_error = self._transport_error(call, exc)
        else:
            transport_error = None
        if transport_error is not None:
            # Raised outside the except block so it has no __context__: a requests exception's text
            # carries the URL, and Shopee and Lazada put the access token in the query.
            raise transport_error
        elapsed_ms = (time.monotonic() - started) * 1000
        outcome = self.read_envelope(response)
        if isinstance(outcome, Envelope):
            self._log.debug("%s %s -> %d in %.0f ms, request_id %s", call.method, call.path,
                            response.status_code, elapsed_ms, outcome.request_id)
            return outcome
        failure = replace(outcome, message=self.redact(outcome.message))
        self._log.info("%s %s -> %d [%s] %s in %.0f ms, request_id %s", call.method, call.path,
                       failure.http_status, failure.code, failure.message, elapsed_ms, failure.request_id)
        raise self.classify_error(failure)

    def _send(self, prepared: PreparedCall) -> requests.Response:
        """`session.request` without its per-call merging of session state: the session holds no
        cookies, login or hooks that a signed call wants, and its proxy and CA settings were read
        once (`_pooled_session`), so they are passed as they are. Same bytes on the wire."""
        session = self.session
        request = requests.Request(prepared.method.upper(), prepared.url, headers={**session.headers, **prepared.headers},
                                   files=prepared.files, data=prepared.data or {}, params=prepared.params or {})
        return session.send(request.prepare(), timeout=self.timeout, proxies=session.proxies, verify=session.verify,
                            cert=session.cert, stream=False, allow_redirects=True)

    def _transport_error(self, call: ApiCall, exc: requests.RequestException) -> ConnectorError:
        name = type(exc).__name__
        if _never_sent(exc):
            return TransientError(f"{call.method} {call.path}: could not connect ({name})", code=CONNECT_FAILED)
        code = READ_TIMEOUT if isinstance(exc, requests.Timeout) else CONNECTION_CUT
        message = f"{call.method} {call.path}: no answer after sending ({name})"
        if call.idempotent:
            return TransientError(message, code=code)
        return UnknownOutcome(message, code=code)

    def _rate_limited(self, failure: PlatformFailure) -> RateLimited:
        wait = failure.retry_after if failure.retry_after is not None else self.default_rate_limit_wait
        return RateLimited(failure.message, retry_after=wait, code=failure.code, request_id=failure.request_id)

    def redact(self, text: str) -> str:
        """Scrub this shop's secrets from anything a platform might echo back."""
        credentials = self.shop.credentials
        for secret in (credentials.app_secret.get_secret_value(), credentials.access_token.get_secret_value(),
                       *self._token_secrets):
            if secret:
                text = text.replace(secret, "***")
        return text

    def _remember(self, tokens: TokenSet) -> None:
        self._token_secrets.update({tokens.access_token.get_secret_value(), tokens.refresh_token.get_secret_value()})

    # ---- connecting a shop (the platform's authorisation) --------------------------------------

    def authorization_url(self, redirect_uri: str, state: str) -> str:
        """Where the seller authorises the app; the platform sends them back to `redirect_uri`
        with a one-use code."""
        raise NotImplementedError

    def exchange_code(self, code: str, shop_id: str | None = None) -> TokenSet:
        """The tokens a code buys, with the shop's identity (`shop_id`: what the redirect named)."""
        raise NotImplementedError

    def refresh_tokens(self, tokens: TokenSet) -> TokenSet:
        """New tokens for `tokens`' refresh token; `ReauthorisationNeeded` when the platform refuses it."""
        raise NotImplementedError

    def with_access_token(self, tokens: TokenSet) -> HttpConnector:
        """This connector's twin that calls with `tokens`' access token (to read the shop's identity
        right after a code was exchanged, before anything is stored)."""
        credentials = replace(self.shop.credentials, access_token=tokens.access_token,
                              shop_id=tokens.shop_id or self.shop.credentials.shop_id)
        twin = copy.copy(self)
        twin.shop = replace(self.shop, credentials=credentials, tokens=None)
        twin._in_use = threading.local()
        return twin

    # ---- the idempotent create -----------------------------------------------------------------

    def create(self, content: ListingContent) -> CreateResult:
        """Create a listing; a create whose outcome is unknown is resolved by a seller SKU lookup
        before it is sent again, so two remote items never come from one seller SKU."""
        call = self.create_call(content)
        try:
            return self.read_create_result(self.request(call))
        except (UnknownOutcome, TransientError) as error:
            return self._resolve_create(content, call, error)

    def _resolve_create(self, content: ListingContent, call: ApiCall, error: ConnectorError) -> CreateResult:
        sku = content.seller_sku
        for retry_number in range(self.retry.attempts - 1):
            self._sleep(self.retry.backoff(retry_number, self._rand()))
            existing = self._lookup_after_unknown(sku, error)
            if existing is not None:
                self._log.info("create of %s resolved by lookup: it exists as %s", sku, existing.remote_id)
                return _adopted(existing)
            try:
                return self.read_create_result(self.request(call))
            except (UnknownOutcome, TransientError) as again:
                error = again
            except RateLimited as limited:
                # Not applied now, but an earlier attempt may still land: the caller must look up first.
                raise UnknownOutcome(f"create of {sku} may have been applied ({error}); resending it was "
                                     f"rate limited ({limited})", code=error.code) from None
            except Rejected as rejected:
                if not self.is_duplicate_sku(rejected):
                    raise
                # Our earlier attempt landed after the lookup looked: adopt it.
                error = UnknownOutcome(str(rejected), code=rejected.code, request_id=rejected.request_id)
        existing = self._lookup_after_unknown(sku, error)
        if existing is not None:
            return _adopted(existing)
        raise error

    def _lookup_after_unknown(self, seller_sku: str, cause: ConnectorError) -> RemoteListing | None:
        try:
            return self.find_by_seller_sku(seller_sku)
        except (TransientError, RateLimited) as lookup_error:
            raise UnknownOutcome(f"create of {seller_sku} may have been applied ({cause}); "
                                 f"the lookup failed too ({lookup_error})", code=cause.code) from None

    # ---- operations a connector supplies -------------------------------------------------------

    def create_call(self, content: ListingContent) -> ApiCall:
        raise NotImplementedError

    def read_create_result(self, envelope: Envelope) -> CreateResult:
        raise NotImplementedError

    def find_by_seller_sku(self, seller_sku: str) -> RemoteListing | None:
        raise NotImplementedError

    def iter_listings(self) -> Iterator[RemoteListing]:
        raise NotImplementedError


def _adopted(existing: RemoteListing) -> CreateResult:
    return CreateResult(existing.remote_id, existing.remote_sku_id, request_id=None, tracking_id=existing.tracking_id)


def _pooled_session(base_url: str) -> requests.Session:
    session = requests.Session()
    # requests' own retries stay off: the base decides what may be resent.
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=16, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    # The environment's proxy and CA bundle settings, read once for this shop's host rather than on
    # every request (requests re-reads the whole environment per call otherwise, and would add a
    # ~/.netrc login to calls that carry their own signature).
    session.proxies = requests.utils.get_environ_proxies(base_url)
    session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
    session.trust_env = False
    return session


def _never_sent(exc: requests.RequestException) -> bool:
    """True when the connection was never made, so the platform cannot have seen the request."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError):
        reason = exc.args[0] if exc.args else None
        return isinstance(getattr(reason, "reason", reason), NewConnectionError)
    return False


def json_body(response: requests.Response) -> dict[str, Any] | None:
    """The response's JSON object, or None when a gateway answered with something else."""
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def retry_after_header(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def map_status(raw: str | None, channel: Channel) -> ListingStatus:
    """Our word for a platform status (declared in ocop/channels.py); a word we do not know yet is
    logged and read as under review (neither live nor failed) rather than guessed."""
    status = declaration(channel).status_of(raw)
    if status is None:
        log.getChild(channel.value).warning("unknown platform status %r read as under review", raw)
        return ListingStatus.UNDER_REVIEW
    return status
