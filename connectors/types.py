"""The plain data every connector speaks: what we send, what a shop holds, and how to reach a shop."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator, Protocol

from pydantic import SecretStr

# ListingStatus is declared with the channels' status words; the connectors' users read it from here.
from ocop.channels import Channel, ListingStatus

if TYPE_CHECKING:
    from connectors.tokens import TokenSource


# On the shop but not selling: unlisted, taken down by the platform, or a draft (reconciliation's
# "inactive"; planning relists only an unlisted one).
NOT_SELLING = frozenset({ListingStatus.INACTIVE, ListingStatus.SUSPENDED, ListingStatus.DRAFT})


@dataclass(frozen=True)
class ListingContent:
    """One listing as a marketplace should hold it, channel-neutral in shape, channel-specific in values.

    Rendering produces it (title and description already fitted to the channel, category already
    mapped); the connector turns it into the platform's JSON. `image_refs` are what the shop's own
    image upload returned (Shopee image_id, Lazada URL, TikTok uri), cover first.
    """

    seller_sku: str
    title: str
    description: str
    category_id: str
    price_vnd: int
    stock: int
    weight_kg: float
    package_cm: tuple[int, int, int]          # length, width, height
    image_refs: tuple[str, ...]
    brand: str
    gtin: str | None = None
    gtin_type: str | None = None              # GTIN | EAN | UPC, for platforms that want the type
    # The category's attributes by the platform's key (attribute id; Lazada: its name) -> value text.
    attributes: dict[str, str] = field(default_factory=dict)
    certificates: tuple[CertificateDocument, ...] = ()    # documents the category's rules ask for


@dataclass(frozen=True)
class CertificateDocument:
    """A document a category rule asks for (TikTok's product_certifications): the OCOP recognition."""

    certification_id: str          # the platform's id of the certification it answers
    filename: str
    content: bytes = field(repr=False)


@dataclass(frozen=True)
class RemoteListing:
    """What a shop holds for one item, as read back from the platform."""

    remote_id: str
    seller_sku: str | None
    status: ListingStatus
    platform_status: str
    title: str | None = None
    description: str | None = None
    price_vnd: int | None = None
    stock: int | None = None
    gtin: str | None = None
    remote_sku_id: str | None = None
    reject_reason: str | None = None
    updated_at: dt.datetime | None = None
    # Set while the listing is a create request the platform has not made an item of yet (Tiki's
    # track_id); `remote_id` is then that same id, by which `get` reads the request's state.
    tracking_id: str | None = None


@dataclass(frozen=True)
class CreateResult:
    remote_id: str
    remote_sku_id: str | None
    request_id: str | None
    tracking_id: str | None = None      # as RemoteListing.tracking_id: the create is still a request


@dataclass(frozen=True)
class ShopCredentials:
    """One shop's keys. `SecretStr` keeps them out of reprs, logs and tracebacks.

    | field        | Shopee       | Lazada     | TikTok Shop  |
    |--------------|--------------|------------|--------------|
    | app_key      | partner_id   | app_key    | app_key      |
    | app_secret   | partner key  | app secret | app secret   |
    | access_token | access_token | access_token | x-tts-access-token |
    | shop_id      | shop_id      | (unused)   | shop_cipher  |
    """

    app_key: str
    app_secret: SecretStr
    access_token: SecretStr
    shop_id: str | None = None


@dataclass(frozen=True)
class ShopConfig:
    """How to reach one seller account. Secrets are held by `credentials`, never printed."""

    key: str                   # our name for the shop, e.g. "shopee-dong-thap"
    channel: Channel
    base_url: str
    credentials: ShopCredentials
    requests_per_second: float = 10.0
    name: str = ""
    province: str | None = None
    connect_timeout_s: float = 3.05    # to open a connection; a little over a TCP retransmission (3 s)
    read_timeout_s: float = 30.0       # between bytes of the answer once the request is sent
    auth_base_url: str | None = None   # the platform's authorisation host, when not its public one
    # TikTok Shop: the app's service id (Partner Center), which the newer authorisation link names.
    service_id: str | None = None
    # Where pictures are published for a channel that takes them by URL (Tiki): an HTTP endpoint that
    # takes a multipart `file` and answers {"url": ...}.
    image_host_url: str | None = None
    # Published through this mass-upload workbook layout (`connectors.workbook`) instead of an API:
    # a shop whose API app is not approved yet. A channel without an API has its own by declaration.
    workbook: str | None = None
    # A connected shop's tokens (`connectors.tokens`); None: the static access token of `credentials`.
    tokens: TokenSource | None = field(default=None, compare=False, repr=False)


class RateLimiter(Protocol):
    """Paces a shop's calls: `acquire` before each one (sleeping as needed, returning the seconds
    slept); `hold` when the platform says to back off, pausing every caller of the shop."""

    def acquire(self) -> float: ...
    def hold(self, seconds: float) -> None: ...


class Connector(Protocol):
    """The one interface the pipeline uses for every marketplace."""

    channel: Channel
    shop: ShopConfig

    def upload_image(self, content: bytes, filename: str) -> str: ...
    def create(self, content: ListingContent) -> CreateResult: ...
    # `remote_sku_id`: the SKU id the ledger holds; without one, a platform that needs it reads it first.
    def update(self, remote_id: str, content: ListingContent, *, remote_sku_id: str | None = None) -> None: ...
    def update_price_stock(self, remote_id: str, price_vnd: int, stock: int, *, seller_sku: str,
                           remote_sku_id: str | None = None) -> None: ...
    def get(self, remote_id: str) -> RemoteListing: ...
    def iter_listings(self) -> Iterator[RemoteListing]: ...
    def find_by_seller_sku(self, seller_sku: str) -> RemoteListing | None: ...
    def unlist(self, remote_id: str) -> None: ...
    def relist(self, remote_id: str) -> None: ...
    def delete(self, remote_id: str) -> None: ...
    def close(self) -> None: ...
