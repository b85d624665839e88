"""A listing's images: product photos fitted to the channel's square, or a drawn placeholder cover,
with the OCOP badge composited on the cover or added as an image of its own.

Everything is deterministic: the same product and profile give the same JPEG bytes (fixed quality,
no optimisation passes, no metadata). The placeholder is drawn with Pillow's bundled font, which
has Latin letters only, so its text is folded to ASCII ("Gạo" -> "Gao"); the listing's title and
description carry the real Vietnamese.
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cachetools
from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

from catalogue.groups import product_set
from catalogue.normalise import ascii_fold
from catalogue.records import CatalogueProduct
from listings.badge import badge_image
from listings.profiles import BadgePlacement, ImageRule
from listings.text import plain, strip_star_claims

ImageLoader = Callable[[str], bytes]

# Background of the placeholder cover, by Decision 148 product set.
_SET_COLOURS = {"I": (46, 125, 50), "II": (21, 101, 192), "III": (0, 121, 107), "IV": (141, 85, 36), "V": (173, 20, 87)}
_DEFAULT_COLOUR = (84, 110, 122)
_BADGE_SHARE = 0.26     # badge diameter on the cover, as a share of the side
_NAME_LINES = 5


@dataclass(frozen=True)
class RenderedImage:
    filename: str
    content: bytes
    sha256: str


class ImageUnavailable(ValueError):
    """A product image that cannot be read or decoded: names the reference and the reason."""

    def __init__(self, ref: str, reason: str) -> None:
        super().__init__(f"image {ref!r} unusable: {reason}")
        self.ref = ref
        self.reason = reason


def read_local_image(ref: str) -> bytes:
    """The default loader: images are local files (ingest stores or downloads them first)."""
    if "://" in ref:
        raise ImageUnavailable(ref, "a URL; rendering reads local files, pass a loader that fetches URLs")
    try:
        return Path(ref).read_bytes()
    except OSError as error:
        raise ImageUnavailable(ref, error.strerror or type(error).__name__) from error


def render_images(
    item: CatalogueProduct, stars: int | None, rule: ImageRule, *, load: ImageLoader = read_local_image
) -> tuple[RenderedImage, ...]:
    """Cover first, then the other photos, then (for EXTRA placement) the badge card.

    `stars` is the star claim the listing may make (None for an expired or revoked certificate: no
    badge anywhere). Photos beyond the channel's image count are dropped from the end.

    Channels whose rules draw alike (same size, quality and badge placement; Lazada and TikTok) get
    the same images: from local files, they are drawn once and shared (see `_shared_render`).
    """
    placement = rule.badge if stars is not None else None
    refs = item.product.images[: rule.max_count - (1 if placement is BadgePlacement.EXTRA else 0)]
    look = (rule.size_px, rule.jpeg_quality, placement)
    if load is read_local_image:
        return _shared_render(item, stars, refs, look, tuple(_file_stamp(ref) for ref in refs))
    return _draw_images(item, stars, refs, look, load)


def _file_stamp(ref: str) -> tuple[int, int] | None:
    try:
        stat = os.stat(ref)
    except (OSError, ValueError):
        return None
    return stat.st_size, stat.st_mtime_ns


Look = tuple[int, int, BadgePlacement | None]    # size in px, JPEG quality, where the badge goes


# The most recent renders, up to 64 MiB of JPEG, keyed by everything the drawing reads (the product,
# the star claim, the photos and their files' size and modification time, the look). Concurrent
# publishes reach a product on two channels at about the same moment, so a second caller of the
# same key waits for the first's drawing instead of drawing it again.
@cachetools.cached(
    cachetools.LRUCache(maxsize=64 * 2**20, getsizeof=lambda images: sum(len(image.content) for image in images)),
    condition=threading.Condition(),
)
def _shared_render(
    item: CatalogueProduct, stars: int | None, refs: tuple[str, ...], look: Look, stamps: tuple
) -> tuple[RenderedImage, ...]:
    return _draw_images(item, stars, refs, look, read_local_image)


def _draw_images(
    item: CatalogueProduct, stars: int | None, refs: tuple[str, ...], look: Look, load: ImageLoader
) -> tuple[RenderedImage, ...]:
    size, quality, placement = look
    pictures = [_fit_photo(ref, load(ref), size) for ref in refs] or [placeholder_cover(item, size)]
    if placement is BadgePlacement.COVER:
        _put_badge_on(pictures[0], stars)
    sku = item.product.seller_sku
    images = [_jpeg(f"{sku}-{index}.jpg", picture, quality) for index, picture in enumerate(pictures, start=1)]
    if placement is BadgePlacement.EXTRA:
        images.append(badge_card(stars, size, quality))
    return tuple(images)


@lru_cache(maxsize=32)
def badge_card(stars: int, size: int, quality: int) -> RenderedImage:
    """The badge alone on a white square: one shared image per star count, uploaded once per shop."""
    card = Image.new("RGB", (size, size), "white")
    badge = badge_image(stars, round(size * 0.8))
    offset = (size - badge.width) // 2
    card.paste(badge, (offset, offset), badge)
    return _jpeg(f"ocop-{stars}-sao.jpg", card, quality)


def placeholder_cover(item: CatalogueProduct, size: int) -> Image.Image:
    """A cover for a product with no photo: its name, pack size and OCOP code on its group's colour."""
    product = item.product
    cover = _placeholder_background(product_set(product.group_code), size).copy()
    draw = ImageDraw.Draw(cover)
    margin = round(size * 0.09)
    name_font = _font(round(size * 0.07))
    lines = _wrap(_latin(strip_star_claims(plain(product.name))), name_font, size - 2 * margin)
    y = round(size * 0.36)
    for line in lines:
        draw.text((margin, y), line, font=name_font, fill=(33, 33, 33))
        y += round(name_font.size * 1.25)
    small = _font(round(size * 0.045))
    if product.pack_size:
        draw.text((margin, y + round(size * 0.02)), _latin(plain(product.pack_size)), font=small, fill=(66, 66, 66))
    draw.text((margin, size - margin - small.size), _latin(product.ocop_code), font=small, fill=(97, 97, 97))
    return cover


@lru_cache(maxsize=16)
def _placeholder_background(set_code: str, size: int) -> Image.Image:
    colour = _SET_COLOURS.get(set_code, _DEFAULT_COLOUR)
    image = Image.new("RGB", (size, size), colour)
    inset = round(size * 0.05)
    ImageDraw.Draw(image).rounded_rectangle(
        (inset, round(size * 0.30), size - inset, size - inset), radius=round(size * 0.04), fill=(250, 250, 247)
    )
    return image


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and font.getlength(candidate) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    if len(lines) > _NAME_LINES:
        lines = lines[:_NAME_LINES]
        lines[-1] += " ..."
    return lines


def _latin(text: str) -> str:
    """What the bundled font can draw: Vietnamese folded to ASCII, anything else left out."""
    return "".join(char for char in ascii_fold(text) if char.isascii() and char.isprintable())


def _fit_photo(ref: str, content: bytes, size: int) -> Image.Image:
    try:
        with Image.open(io.BytesIO(content)) as opened:
            photo = ImageOps.exif_transpose(opened)
            photo.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise ImageUnavailable(ref, f"not a readable image ({type(error).__name__})") from error
    if photo.mode in ("RGBA", "LA", "PA") or "transparency" in photo.info:
        flattened = Image.new("RGB", photo.size, "white")
        flattened.paste(photo.convert("RGBA"), mask=photo.convert("RGBA"))
        photo = flattened
    # Pad, not crop: the whole product stays visible on a white square.
    return ImageOps.pad(photo.convert("RGB"), (size, size), method=Image.Resampling.LANCZOS, color="white")


def _put_badge_on(cover: Image.Image, stars: int) -> None:
    """Draws on `cover` itself: each rendering draws its own cover, so nobody else holds it."""
    size = cover.width
    badge = badge_image(stars, round(size * _BADGE_SHARE))
    margin = round(size * 0.03)
    cover.paste(badge, (size - badge.width - margin, margin), badge)


def _jpeg(filename: str, image: Image.Image, quality: int) -> RenderedImage:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, optimize=False, progressive=False, subsampling="4:2:0")
    content = buffer.getvalue()
    return RenderedImage(filename, content, hashlib.sha256(content).hexdigest())
