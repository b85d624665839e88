"""The HTTP machinery every marketplace sandbox shares: a small ASGI app that reads the request,
applies the injected faults, authenticates, rate-limits, routes to the platform's handler, counts
write calls and logs one line per request (never the query string: it carries tokens and signs).

A platform module subclasses `Sandbox` and supplies its routes, its authentication and its
envelopes; handlers are plain synchronous functions of a `Call` that return a `Reply` or raise
`PlatformError`.
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import hmac
import io
import json
import logging
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import parse_qs, urlencode, urlsplit

from PIL import Image, UnidentifiedImageError

from sandboxes.config import ChannelSettings, FaultConfig, SandboxShop
from sandboxes.faults import FaultInjector
from sandboxes.grants import Grants
from sandboxes.pushes import PushSender
from sandboxes.review import StatusWords, settle
from sandboxes.state import Item, SandboxState


class PlatformError(Exception):
    """A failure the platform answers with its own error envelope."""

    def __init__(self, code: str | int, message: str, *, status: int = 200, **extra: Any) -> None:
        super().__init__(f"[{code}] {message}")
        self.code = code
        self.message = message
        self.status = status
        self.extra = extra


@dataclass(frozen=True)
class UploadedFile:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    client: str = ""         # the caller's IP address (Sendo limits logins per IP)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def is_multipart(self) -> bool:
        return self.content_type.startswith("multipart/form-data")

    def arg(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def form(self) -> tuple[dict[str, list[str]], dict[str, UploadedFile]]:
        """Text fields and files of a form-encoded or multipart body."""
        if self.content_type.startswith("application/x-www-form-urlencoded"):
            return parse_qs(self.body.decode("utf-8"), keep_blank_values=True), {}
        if self.is_multipart:
            return _multipart(self.body, self.content_type)
        return {}, {}

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass(frozen=True)
class Reply:
    status: int
    payload: Any
    headers: tuple[tuple[str, str], ...] = ()
    code: str = ""           # the platform's error code, for the log line

    def encoded(self) -> bytes:
        if isinstance(self.payload, bytes):
            return self.payload
        if isinstance(self.payload, str):
            return self.payload.encode("utf-8")
        return json.dumps(self.payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def content_type(self) -> str:
        if isinstance(self.payload, (str, bytes)):
            return "text/html; charset=utf-8"
        return "application/json; charset=utf-8"


def redirect(url: str, **params: str) -> Reply:
    """An authorisation page's answer: back to the app's redirect URL with `params` added."""
    separator = "&" if urlsplit(url).query else "?"
    return Reply(302, "", (("Location", url + separator + urlencode(params)),), code="302")


@dataclass(frozen=True)
class Caller:
    """Who is calling, once authenticated: a shop, or only an app for app-level calls."""

    app_key: str
    shop: SandboxShop | None = None

    @property
    def bucket(self) -> str:
        return self.shop.key if self.shop else f"app:{self.app_key}"


@dataclass(frozen=True)
class Call:
    request: Request
    caller: Caller
    params: dict[str, str]
    now: float
    request_id: str

    @property
    def shop(self) -> SandboxShop:
        if self.caller.shop is None:
            raise LookupError("an app-level route asked for the calling shop")
        return self.caller.shop


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Callable[[Call], Reply]
    write: bool = False
    # "shop"; "app" (signed by the app, no shop); "token" (TikTok: token, no shop_cipher); "open" (no
    # gateway check: an authorisation page, or TikTok's token endpoints, whose handler checks the app)
    scope: str = "shop"


def route(method: str, path: str, handler: Callable[[Call], Reply], *, write: bool = False, scope: str = "shop") -> Route:
    """A route; `{name}` in the path captures one segment into `Call.params`."""
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path)
    return Route(method, re.compile(f"^{regex}$"), handler, write, scope)


class Sandbox:
    """One marketplace's sandbox as an ASGI app. Subclasses fill in the platform's contract."""

    words: StatusWords
    item_id_start = 1       # where the platform's item and SKU id sequences start
    sku_id_start = 1

    def __init__(self, settings: ChannelSettings, shops: tuple[SandboxShop, ...], state: SandboxState,
                 *, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.channel = settings.channel
        self.shops = shops
        self.state = state
        self.clock = clock
        self.faults = FaultInjector(settings.faults)
        self.grants = Grants(state, settings.tokens, prefix=self.channel.value)
        self.pushes = PushSender(self.channel, settings.push_url, shops, clock)
        self.log = logging.getLogger(f"ocop.sandbox.{self.channel.value}")
        self._counts_lock = threading.Lock()
        self._write_calls: Counter[str] = Counter()
        self._request_serial = 0
        self.routes: list[Route] = self.build_routes()

    # -- what a platform module provides -------------------------------------------------------

    def build_routes(self) -> list[Route]:
        raise NotImplementedError

    def authenticate(self, request: Request, route: Route, now: float) -> Caller:
        raise NotImplementedError

    def error_reply(self, error: PlatformError, request_id: str) -> Reply:
        raise NotImplementedError

    def rate_limited(self, request_id: str) -> PlatformError:
        raise NotImplementedError

    def unknown_path(self, request: Request) -> PlatformError:
        raise NotImplementedError

    def server_error(self, status: int, request_id: str) -> Reply:
        """The platform's own envelope on a 500; a gateway's HTML page on a 502/503/504."""
        if status == 500:
            return self.error_reply(self.internal_error(), request_id)
        page = f"<html><head><title>{status}</title></head><body><center><h1>{status}</h1></center></body></html>"
        return Reply(status, page, code=str(status))

    def internal_error(self) -> PlatformError:
        raise NotImplementedError

    # -- shared services for handlers ----------------------------------------------------------

    def new_request_id(self) -> str:
        self._request_serial += 1
        return f"{int(self.clock() * 1000)}{self._request_serial:08d}"

    def allocate_ids(self) -> tuple[int, int]:
        """A fresh (item id, SKU id) pair in the platform's id style."""
        return self.state.next_id("item", self.item_id_start), self.state.next_id("sku", self.sku_id_start)

    def sku_holder(self, shop: str, seller_sku: str, *, other_than: int | None = None) -> Item | None:
        """The shop's live (not deleted) item that already uses `seller_sku`, if any."""
        for item in self.state.by_sku(shop, seller_sku, excluding_status=self.words.deleted):
            if item.item_id != other_than:
                return item
        return None

    def token_owner(self, candidates: list[SandboxShop], token: str, now: float) -> SandboxShop | None:
        """The shop among `candidates` whose configured test token, or issued access token, this is.
        Raises GrantRefused for an issued token that expired or was revoked."""
        for shop in candidates:
            if token and hmac.compare_digest(shop.access_token, token):
                return shop
        owner = self.grants.shop_of(token, now) if token else None
        return next((shop for shop in candidates if shop.key == owner), None)

    def app_shops(self, app_key: str) -> list[SandboxShop]:
        return [shop for shop in self.shops if shop.app_key == app_key]

    def settle_reviews(self, shop: str | None = None) -> int:
        return settle(self.state, self.settings.review, self.words, self.clock(), shop,
                      on_decided=lambda item: self.pushes.status_changed(item, self.words, by_review=True))

    def set_faults(self, faults: FaultConfig) -> None:
        self.faults.configure(faults)

    def write_calls(self, shop: str | None = None) -> int:
        with self._counts_lock:
            return self._write_calls[shop] if shop else self._write_calls["*"]

    # -- the ASGI app --------------------------------------------------------------------------

    async def __call__(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            return
        started = time.perf_counter()
        try:
            request = await read_request(scope, receive)
        except ClientGone:
            return
        matched, params = self._match(request)
        if matched is not None and matched.write:
            self._count_write("*")
        request_id = self.new_request_id()
        plan = self.faults.plan(is_write=bool(matched and matched.write))
        if plan.latency_seconds:
            await asyncio.sleep(plan.latency_seconds)
        caller = None
        if plan.timeout:
            if await _client_left(receive, self.faults.config.timeout_seconds):
                self._log_line(request, None, "timeout: client gave up", started)
                return
            reply = self.server_error(504, request_id)
        elif plan.error_status:
            reply = self.server_error(plan.error_status, request_id)
        else:
            reply, caller = self._handle(request, matched, params, request_id)
        if plan.drop:
            await _cut_connection(send)
            self._log_line(request, caller, f"{reply.status} {reply.code} then connection dropped", started)
            return
        # Logged before answering: a client that reads the log after its call sees the line.
        self._log_line(request, caller, f"{reply.status} {reply.code}".rstrip(), started)
        await send_reply(send, reply)

    def _handle(self, request: Request, matched: Route | None, params: dict[str, str],
                request_id: str) -> tuple[Reply, Caller | None]:
        caller = None
        try:
            if matched is None:
                raise self.unknown_path(request)
            now = self.clock()
            caller = Caller(app_key="-") if matched.scope == "open" else self.authenticate(request, matched, now)
            if matched.write and caller.shop is not None:
                self._count_write(caller.shop.key)
            if not self.faults.admit(caller.bucket):
                raise self.rate_limited(request_id)
            return matched.handler(Call(request, caller, params, now, request_id)), caller
        except PlatformError as error:
            return self.error_reply(error, request_id), caller
        except Exception:
            self.log.exception("%s %s failed inside the sandbox", request.method, request.path)
            return self.server_error(500, request_id), caller

    def _match(self, request: Request) -> tuple[Route | None, dict[str, str]]:
        for candidate in self.routes:
            if candidate.method == request.method:
                found = candidate.pattern.match(request.path)
                if found:
                    return candidate, found.groupdict()
        return None, {}

    def _count_write(self, key: str) -> None:
        with self._counts_lock:
            self._write_calls[key] += 1

    def _log_line(self, request: Request, caller: Caller | None, outcome: str, started: float) -> None:
        if self.log.isEnabledFor(logging.INFO):
            who = caller.shop.key if caller and caller.shop else (caller.app_key if caller else "-")
            elapsed = (time.perf_counter() - started) * 1000
            self.log.info("%-6s %s %s shop=%s -> %s (%.1f ms)", self.channel.value, request.method, request.path,
                          who, outcome, elapsed)


class ClientGone(Exception):
    pass


async def read_request(scope: dict[str, Any], receive: Callable) -> Request:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
    query = parse_qs(scope.get("query_string", b"").decode("utf-8"), keep_blank_values=True)
    client = scope.get("client") or ("", 0)
    return Request(scope["method"], scope["path"], query, headers, b"".join(chunks), client[0])


async def send_reply(send: Callable, reply: Reply) -> None:
    body = reply.encoded()
    headers = [(b"content-type", reply.content_type().encode()), (b"content-length", str(len(body)).encode())]
    headers += [(name.encode(), value.encode()) for name, value in reply.headers]
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _client_left(receive: Callable, seconds: float) -> bool:
    """Wait up to `seconds` for the client to hang up; True if it did."""
    try:
        message = await asyncio.wait_for(receive(), seconds)
    except asyncio.TimeoutError:
        return False
    return message["type"] == "http.disconnect"


async def _cut_connection(send: Callable) -> None:
    """Close the TCP connection without a byte of answer, as a lost link or a crashed proxy would.

    ASGI has no "abort" message, so this reaches uvicorn's transport through its bound `send`
    (uvicorn's request cycle object holds it). Yielding twice lets uvicorn see the disconnect
    before the app returns, so it does not try to answer 500 on a closed socket.
    """
    send.__self__.transport.close()
    await asyncio.sleep(0)
    await asyncio.sleep(0)


def _multipart(body: bytes, content_type: str) -> tuple[dict[str, list[str]], dict[str, UploadedFile]]:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: dict[str, list[str]] = {}
    files: dict[str, UploadedFile] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        content = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            files[name] = UploadedFile(filename, part.get_content_type(), content)
        else:
            fields.setdefault(name, []).append(content.decode(part.get_content_charset() or "utf-8"))
    return fields, files


@dataclass(frozen=True)
class ImageFacts:
    format: str
    width: int
    height: int


def inspect_image(content: bytes) -> ImageFacts | None:
    """Format and size of an uploaded picture, or None when it is not a readable image."""
    try:
        with Image.open(io.BytesIO(content)) as picture:
            return ImageFacts(picture.format or "", picture.width, picture.height)
    except (UnidentifiedImageError, OSError):
        return None
