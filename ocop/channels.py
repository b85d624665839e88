"""The marketplaces we publish to, each declared once: what the platform is called and how it looks in
reports, its status words, what it accepts in a listing, where its sandbox listens, which shop is
the province's official one, and where a listing is seen by buyers. The connector, the sandbox, the
rendering profile, the reports and the demo all read from here (tests/ocop/test_channels.py checks
that every channel has each of them)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Mapping


class Channel(StrEnum):
    SHOPEE = "shopee"
    LAZADA = "lazada"
    TIKTOK = "tiktok"
    TIKI = "tiki"
    SENDO = "sendo"
    POSTMART = "postmart"
    VOSO = "voso"


class ChannelKind(StrEnum):
    """How we reach the platform: its seller API, or a mass-upload workbook the operator uploads by hand."""

    API = "api"
    WORKBOOK = "workbook"


class ListingStatus(StrEnum):
    """Our vocabulary; each channel's status words map onto it (and the raw word is kept)."""

    LIVE = "live"
    UNDER_REVIEW = "under_review"
    REJECTED = "rejected"
    INACTIVE = "inactive"      # unlisted / deactivated by the seller
    SUSPENDED = "suspended"    # banned / deactivated / frozen by the platform
    DELETED = "deleted"
    DRAFT = "draft"


@dataclass(frozen=True)
class Limits:
    """What the platform accepts in one listing: rendering fits to it, the sandbox refuses past it.
    Lengths are in characters, prices in whole VND."""

    title_min: int
    title_max: int
    description_min: int
    description_max: int
    images_min: int
    images_max: int
    price_min: int
    price_max: int
    seller_sku_max: int
    seller_sku_pattern: str      # a regular expression the whole seller SKU matches


# Picture limits, from the platforms' docs or copies of them (the research notes of issue 16):
# - Shopee: at most 10 MB, JPG or PNG. No pixel limits are published: the 300 px floor (TikTok's) and
#   the 5000 px ceiling (Lazada's) are ours.
# - Lazada: 330 to 5000 px, JPG or PNG. Its guide says 3 MB, its API pages 1 MB: the stricter is kept.
# - TikTok Shop: main images 300 to 4000 px; 5 MB (older spec and Create Product; newer SDKs say 10 MB).
# - Tiki: shows only pictures of at least 500x500 (its product guide); no byte or format limit is
#   published: Lazada's 5000 px and a 5 MB cap are ours.
# - Sendo, Postmart, Voso: nothing published: Tiki's floor, 5000 px, 5 MB, JPEG or PNG, until they say.
MB = 2**20
RENDERED_IMAGE_FORMAT = "JPEG"   # what rendering writes every picture as


@dataclass(frozen=True)
class ImageLimits:
    """What the platform accepts as a product picture. Rendering pads every photo onto a JPEG square:
    `min_px` says how small a photo may be before that square is only a blown-up thumbnail, `max_px`
    how large the square may be, `max_bytes` what the JPEG may take (quality is lowered to fit)."""

    min_px: int                          # the photo's longer side at least (it is padded to a square)
    max_px: int                          # the rendered square's side at most
    max_bytes: int                       # per image, as uploaded
    formats: frozenset[str]              # what the channel takes, as Pillow names formats

    def __post_init__(self) -> None:
        if RENDERED_IMAGE_FORMAT not in self.formats:
            raise ValueError(f"rendering writes {RENDERED_IMAGE_FORMAT}, which these limits do not accept: "
                             f"{sorted(self.formats)}")


@dataclass(frozen=True)
class ChannelDeclaration:
    channel: Channel
    display_name: str
    colour: str                             # the channel's colour in the reports' charts
    statuses: Mapping[str, ListingStatus]   # the platform's status words, spelt as it spells them
    limits: Limits
    images: ImageLimits                     # what it takes as a picture (sources beside each declaration)
    sandbox_port: int | None                # where `ocop sandboxes serve` puts it by default; None: no API
    official_shop: str                      # the key of the province's own shop on the channel
    listing_url: str                        # a live listing's public page: {remote_id}, {shop_id}
    in_demo_by_default: bool = True         # the demo (and OFFICIAL_SHOPS) include its official shop
    # The connector gets its access token itself from the app key and secret when the credentials
    # carry none (Tiki's client credentials grant, Sendo's login), and again when it expires.
    signs_in_with_app_keys: bool = False
    images_by_url: bool = False             # listings name pictures by public URL: no upload API
    # The seller authorises the app on the platform's page (`ocop shop authorize`, a code for tokens);
    # False where the shop's own keys are all it takes (Sendo's login).
    authorised_by_seller: bool = True
    # A platform without a seller API: its mass-upload workbook layout (connectors/workbooks/<name>.toml).
    workbook_layout: str | None = None

    @property
    def kind(self) -> ChannelKind:
        return ChannelKind.API if self.workbook_layout is None else ChannelKind.WORKBOOK

    def status_of(self, platform_status: str | None) -> ListingStatus | None:
        """Our word for the platform's (any case); None for a word it has not been declared with."""
        folded = (platform_status or "").strip().casefold()
        return next((ours for word, ours in self.statuses.items() if word.casefold() == folded), None)

    def listing_page(self, remote_id: str | None, shop_id: str | None = None) -> str | None:
        """Where buyers see a listing; None without its remote id (or the shop's id, where the page needs it)."""
        if not remote_id or ("{shop_id}" in self.listing_url and not shop_id):
            return None
        return self.listing_url.format(remote_id=remote_id, shop_id=shop_id)


# Our seller SKUs are letters and digits, then also . _ / -: accepted by every platform's SKU field.
SELLER_SKU_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]*$"

SHOPEE = ChannelDeclaration(
    channel=Channel.SHOPEE,
    display_name="Shopee",
    colour="#ee4d2d",
    statuses=MappingProxyType({
        "NORMAL": ListingStatus.LIVE,
        "BANNED": ListingStatus.REJECTED,      # Shopee's review refusal too: rejected content, with a reason to fix
        "UNLIST": ListingStatus.INACTIVE,
        "REVIEWING": ListingStatus.UNDER_REVIEW,
        "SELLER_DELETE": ListingStatus.DELETED,
        "SHOPEE_DELETE": ListingStatus.DELETED,
    }),
    # Vietnam's figures are not published: get_item_limit's usual answers; edit them here when a
    # shop's get_item_limit answers differently.
    limits=Limits(title_min=10, title_max=120, description_min=100, description_max=3000,
                  images_min=1, images_max=9, price_min=1000, price_max=120_000_000,
                  seller_sku_max=100, seller_sku_pattern=SELLER_SKU_PATTERN),
    images=ImageLimits(min_px=300, max_px=5000, max_bytes=10 * MB, formats=frozenset({"JPEG", "PNG"})),
    sandbox_port=8781,
    official_shop="shopee-dong-thap",
    listing_url="https://shopee.vn/product/{shop_id}/{remote_id}",
)

LAZADA = ChannelDeclaration(
    channel=Channel.LAZADA,
    display_name="Lazada",
    colour="#1a3a8f",
    statuses=MappingProxyType({
        "Active": ListingStatus.LIVE,
        "InActive": ListingStatus.INACTIVE,
        "Pending QC": ListingStatus.UNDER_REVIEW,
        "Rejected": ListingStatus.REJECTED,    # by QC
        "Suspended": ListingStatus.SUSPENDED,
        "Deleted": ListingStatus.DELETED,
    }),
    # A description is not mandatory on Lazada. Its price range is not published: these are the bounds
    # our Lazada listings have always been held to.
    limits=Limits(title_min=1, title_max=255, description_min=0, description_max=25_000,
                  images_min=1, images_max=8, price_min=1000, price_max=200_000_000,
                  seller_sku_max=200, seller_sku_pattern=SELLER_SKU_PATTERN),
    images=ImageLimits(min_px=330, max_px=5000, max_bytes=1 * MB, formats=frozenset({"JPEG", "PNG"})),
    sandbox_port=8782,
    official_shop="lazada-dong-thap",
    listing_url="https://www.lazada.vn/products/i{remote_id}.html",
)

TIKTOK = ChannelDeclaration(
    channel=Channel.TIKTOK,
    display_name="TikTok Shop",
    colour="#1c9aa0",
    statuses=MappingProxyType({
        "DRAFT": ListingStatus.DRAFT,
        "PENDING": ListingStatus.UNDER_REVIEW,
        "FAILED": ListingStatus.REJECTED,
        "ACTIVATE": ListingStatus.LIVE,
        "SELLER_DEACTIVATED": ListingStatus.INACTIVE,
        "PLATFORM_DEACTIVATED": ListingStatus.SUSPENDED,
        "FREEZE": ListingStatus.SUSPENDED,
        "DELETED": ListingStatus.DELETED,
    }),
    limits=Limits(title_min=25, title_max=255, description_min=1, description_max=10_000,
                  images_min=1, images_max=9, price_min=1, price_max=180_000_000,
                  seller_sku_max=50, seller_sku_pattern=SELLER_SKU_PATTERN),
    images=ImageLimits(min_px=300, max_px=4000, max_bytes=5 * MB,
                       formats=frozenset({"JPEG", "PNG", "WEBP", "HEIF", "BMP"})),
    sandbox_port=8783,
    official_shop="tiktok-dong-thap",
    listing_url="https://shop.tiktok.com/view/product/{remote_id}",
)

TIKI = ChannelDeclaration(
    channel=Channel.TIKI,
    display_name="Tiki",
    colour="#1a94ff",
    # A listing is first a product request (its states), then, approved, a product (active or not).
    # Both spellings of the review states are in Tiki's documentation; `drafted` in public clients.
    statuses=MappingProxyType({
        "queuing": ListingStatus.UNDER_REVIEW,
        "processing": ListingStatus.UNDER_REVIEW,
        "drafted": ListingStatus.UNDER_REVIEW,
        "md_awaiting_approve": ListingStatus.UNDER_REVIEW,
        "md_waiting_approve": ListingStatus.UNDER_REVIEW,
        "bot_awaiting_approve": ListingStatus.UNDER_REVIEW,
        "bot_waiting_approve": ListingStatus.UNDER_REVIEW,
        "awaiting_approve": ListingStatus.UNDER_REVIEW,
        "rejected": ListingStatus.REJECTED,
        "active": ListingStatus.LIVE,
        "inactive": ListingStatus.INACTIVE,
        "deleted": ListingStatus.DELETED,
    }),
    # Name 3..255 characters (Tiki's seller academy); the rest is not published: docs/platforms.md.
    limits=Limits(title_min=3, title_max=255, description_min=1, description_max=50_000,
                  images_min=1, images_max=9, price_min=1000, price_max=500_000_000,
                  seller_sku_max=50, seller_sku_pattern=SELLER_SKU_PATTERN),
    images=ImageLimits(min_px=500, max_px=5000, max_bytes=5 * MB, formats=frozenset({"JPEG", "PNG"})),
    sandbox_port=8784,
    official_shop="tiki-dong-thap",
    listing_url="https://tiki.vn/p{remote_id}.html",
    in_demo_by_default=False,
    signs_in_with_app_keys=True,
    images_by_url=True,
)

# Sendo reads a product's status as a number (its reference: 1 pending review, 4 cancelled, 5 deleted;
# the rest from a public client, which says 6 for deleted). A selling product switched off sale
# (`stock_availability` false) keeps status 2: its connector reads it as this word.
SENDO_OFF_SALE = "2/stock_availability=false"

SENDO = ChannelDeclaration(
    channel=Channel.SENDO,
    display_name="Sendo",
    colour="#e5101d",
    statuses=MappingProxyType({
        "0": ListingStatus.DRAFT,            # Nháp
        "1": ListingStatus.UNDER_REVIEW,     # Chờ duyệt
        "2": ListingStatus.LIVE,             # Đang bán
        SENDO_OFF_SALE: ListingStatus.INACTIVE,
        "3": ListingStatus.REJECTED,         # Từ chối
        "4": ListingStatus.INACTIVE,         # Hủy: cancelled, and Sendo takes no update of it
        "5": ListingStatus.DELETED,          # Đã xóa
        "6": ListingStatus.DELETED,
    }),
    # Description 100..100,000 characters (Sendo's help); the rest is not published: docs/platforms.md.
    limits=Limits(title_min=10, title_max=255, description_min=100, description_max=100_000,
                  images_min=1, images_max=9, price_min=1000, price_max=500_000_000,
                  seller_sku_max=50, seller_sku_pattern=SELLER_SKU_PATTERN),
    images=ImageLimits(min_px=500, max_px=5000, max_bytes=5 * MB, formats=frozenset({"JPEG", "PNG"})),
    sandbox_port=8785,
    official_shop="sendo-dong-thap",
    listing_url="https://www.sendo.vn/san-pham-{remote_id}.html",
    in_demo_by_default=False,
    signs_in_with_app_keys=True,
    images_by_url=True,
    authorised_by_seller=False,
)

# The postal platforms publish no seller API, no workbook template and no status words: the status
# words are those our guessed export layout (connectors/workbooks/) reads, the limits the most
# cautious of the marketplaces', the listing pages a guess (docs/platforms.md says which).
_POSTAL_STATUSES = MappingProxyType({
    "Đang bán": ListingStatus.LIVE,
    "Chờ duyệt": ListingStatus.UNDER_REVIEW,
    "Từ chối": ListingStatus.REJECTED,
    "Ngừng bán": ListingStatus.INACTIVE,
    "Tạm khóa": ListingStatus.SUSPENDED,
    "Đã xóa": ListingStatus.DELETED,
    "Nháp": ListingStatus.DRAFT,
})
_POSTAL_LIMITS = Limits(title_min=10, title_max=120, description_min=1, description_max=3000, images_min=1,
                        images_max=8, price_min=1000, price_max=120_000_000, seller_sku_max=50,
                        seller_sku_pattern=SELLER_SKU_PATTERN)

POSTMART = ChannelDeclaration(
    channel=Channel.POSTMART,
    display_name="Postmart",
    colour="#f5a623",
    statuses=_POSTAL_STATUSES,
    limits=_POSTAL_LIMITS,
    images=ImageLimits(min_px=500, max_px=5000, max_bytes=5 * MB, formats=frozenset({"JPEG", "PNG"})),
    sandbox_port=None,
    official_shop="postmart-dong-thap",
    listing_url="https://postmart.vn/p/{remote_id}.html",
    in_demo_by_default=False,
    images_by_url=True,
    workbook_layout="postmart",
)

VOSO = ChannelDeclaration(
    channel=Channel.VOSO,
    display_name="Voso",
    colour="#c8102e",
    statuses=_POSTAL_STATUSES,
    limits=_POSTAL_LIMITS,
    images=ImageLimits(min_px=500, max_px=5000, max_bytes=5 * MB, formats=frozenset({"JPEG", "PNG"})),
    sandbox_port=None,
    official_shop="voso-dong-thap",
    listing_url="https://voso.vn/san-pham/{remote_id}",
    in_demo_by_default=False,
    images_by_url=True,
    workbook_layout="voso",
)

DECLARATIONS: Mapping[Channel, ChannelDeclaration] = MappingProxyType(
    {declared.channel: declared for declared in (SHOPEE, LAZADA, TIKTOK, TIKI, SENDO, POSTMART, VOSO)})


def declaration(channel: Channel | str) -> ChannelDeclaration:
    """The channel's declaration; a channel without one is named in the error."""
    try:
        return DECLARATIONS[Channel(channel)]
    except (KeyError, ValueError):
        raise KeyError(f"channel {channel!r} is not declared in ocop/channels.py; declared: "
                       f"{', '.join(DECLARATIONS)}") from None


EVERY_OFFICIAL_SHOP = tuple(declared.official_shop for declared in DECLARATIONS.values())
# The official shops the demo and the pipeline's tests use unless asked for every channel.
OFFICIAL_SHOPS = tuple(declared.official_shop for declared in DECLARATIONS.values() if declared.in_demo_by_default)
