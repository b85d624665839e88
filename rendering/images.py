"""A listing's images: product photos fitted to the channel's square, or a drawn placeholder cover,
with the OCOP badge composited on the cover or added as an image of its own.

Everything is deterministic: the same product, profile and photo bytes give the same JPEG bytes (fixed quality,
no optimisation passes, no metadata). The placeholder is drawn with Pillow's bundled font, which
has Latin letters only, so its text is folded to ASCII ("Gạo" -> "Gao"); the listing's title and
description carry the real Vietnamese.
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import cachetools
from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

from catalogue.groups import product_set
from catalogue.normalise import ascii_fold, clean_product_name
from catalogue.records import CatalogueProduct
from ocop.channels import ImageLimits
from rendering.badge import badge_image
from rendering.image_sources import ImageUnavailable, is_url, read_image
from rendering.profiles import BadgePlacement, ImageRule
from rendering.text import plain

ImageLoader = Callable[[str], bytes]

# Background of the placeholder cover, by Decision 148 product set.
_SET_COLOURS = {"I": (46, 125, 50), "II": (21, 101, 192), "III": (0, 121, 107), "IV": (141, 85, 36), "V": (173, 20, 87)}
_DEFAULT_COLOUR = (84, 110, 122)
_BADGE_SHARE = 0.26     # badge diameter on the cover, as a share of the side
_NAME_LINES = 5
# JPEG qualities tried, in turn, for a channel whose byte limit the profile's quality exceeds.
_LOWER_QUALITIES = (75, 65, 55, 45)


@dataclass(frozen=True)
class RenderedImage:
    filename: str
    content: bytes
    sha256: str


def render_images(
    item: CatalogueProduct, stars: int | None, rule: ImageRule, limits: ImageLimits, *,
    load: ImageLoader = read_image,
) -> tuple[RenderedImage, ...]:
    """Cover first, then the other photos, then (for EXTRA placement) the badge card, each within
    the channel's `limits` (a photo too small for it, or a JPEG that stays too large, raises
    ImageUnavailable).

    `stars` is the star claim the listing may make (None for an expired or revoked certificate: no
    badge anywhere). Photos beyond the channel's image count are dropped from the end.

    With the default loader, channels that look alike share one drawing (Lazada and TikTok). In a
    process told by `draw_together`, a product is drawn once for all of those channels (see
    `_cached_drawing`).
    """
    if rule.size_px > limits.max_px:
        raise ValueError(f"images are drawn at {rule.size_px} px, the channel takes at most {limits.max_px} px")
    look = Look.of(rule, stars, len(item.product.images))
    loaded = _loaded_once(load)
    _check_photo_sizes(item.product.images[: look.photos], limits, loaded)
    images = _drawn(item, stars, rule, look, load, loaded)
    qualities = iter(quality for quality in _LOWER_QUALITIES if quality < look.quality)
    while too_large := next((image for image in images if len(image.content) > limits.max_bytes), None):
        quality = next(qualities, None)
        if quality is None:
            shown = images.index(too_large)
            ref = item.product.images[shown] if shown < len(item.product.images) else too_large.filename
            raise ImageUnavailable(ref, f"too large after fitting: {len(too_large.content)} bytes at JPEG "
                                        f"quality {look.quality}, at most {limits.max_bytes}")
        look = look._replace(quality=quality)
        images = _draw_images(item, stars, frozenset({look}), loaded)[look]
    return images


def _check_photo_sizes(refs: Sequence[str], limits: ImageLimits, load: ImageLoader) -> None:
    """A photo smaller than the channel's minimum is refused; one Pillow cannot read is left for the
    drawing to name."""
    for ref in refs:
        try:
            with Image.open(io.BytesIO(load(ref))) as opened:
                width, height = opened.size
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
            continue
        if max(width, height) < limits.min_px:
            raise ImageUnavailable(ref, f"too small: {width}×{height} px, at least {limits.min_px} px wide or high")


def _loaded_once(load: ImageLoader) -> ImageLoader:
    """`load`, reading each reference once for one listing's images (its size check and its drawing)."""
    loaded: dict[str, bytes] = {}

    def load_once(ref: str) -> bytes:
        if ref not in loaded:
            loaded[ref] = load(ref)
        return loaded[ref]

    return load_once


def _drawn(item: CatalogueProduct, stars: int | None, rule: ImageRule, look: Look, load: ImageLoader,
           loaded: ImageLoader) -> tuple[RenderedImage, ...]:
    """The look's images: drawn with `loaded` (a loader of the caller's), or with the default loader
    through the drawings shared by channels that look alike."""
    if load is not read_image:
        return _draw_images(item, stars, frozenset({look}), loaded)[look]
    photos = len(item.product.images)
    if rule not in _drawn_together:
        return _take(item, stars, (look,), look, forget_when_taken=False)
    askers = tuple(sorted((Look.of(other, stars, photos) for other in _drawn_together if other.size_px == rule.size_px), key=str))
    try:
        return _take(item, stars, askers, look, forget_when_taken=True)
    except ImageUnavailable:
        if set(askers) == {look}:
            raise
        # the broken photo may be one that only other channels show
        return _take(item, stars, (look,), look, forget_when_taken=False)


class Look(NamedTuple):
    """What a channel's images look like: channels whose looks are equal get the same images."""

    size: int                          # side of the square, px
    quality: int                       # JPEG quality
    badge: BadgePlacement | None       # None: no star claim, no badge
    photos: int                        # the product's photos shown (the rest are dropped from the end)

    @classmethod
    def of(cls, rule: ImageRule, stars: int | None, photos: int) -> Look:
        badge = rule.badge if stars is not None else None
        room = rule.max_count - (1 if badge is BadgePlacement.EXTRA else 0)
        return cls(rule.size_px, rule.jpeg_quality, badge, min(photos, room))


_drawn_together: tuple[ImageRule, ...] = ()


def draw_together(rules: Iterable[ImageRule]) -> None:
    """From now on, this process draws each product once for all of these rules (the channels of a
    publish's render process), and each channel takes its images once: its photos or placeholder
    are drawn and fitted once, then encoded for each look, and the drawing is forgotten when every
    channel has taken its images. Asked for one channel, it encodes the others' images ahead, so
    only a process that will be asked for all of them is told."""
    global _drawn_together
    _drawn_together = tuple(dict.fromkeys(rules))


def _file_stamp(ref: str) -> tuple | None:
    if is_url(ref):
        try:
            return ("sha256", hashlib.sha256(read_image(ref)).hexdigest())
        except ImageUnavailable:
            return None
    try:
        stat = os.stat(ref)
    except (OSError, ValueError):
        return None
    return stat.st_size, stat.st_mtime_ns


DrawnImages = dict[Look, tuple[RenderedImage, ...]]


class _Drawing:
    """One drawing's images per look, with the takes still expected (one per asking channel)."""

    def __init__(self, images: DrawnImages, askers: tuple[Look, ...], stars: int | None) -> None:
        self.images = images
        self.expected = Counter(askers)
        # what it holds: each image once, less the badge cards (`badge_card` holds those anyway)
        cards = {id(badge_card(stars, look.size, look.quality)) for look in askers if look.badge is BadgePlacement.EXTRA}
        distinct = {id(image): image for looked in images.values() for image in looked}
        self.size = sum(len(image.content) for key, image in distinct.items() if key not in cards)

    def take(self, look: Look) -> tuple[tuple[RenderedImage, ...], bool]:
        """The look's images, and whether every expected take has now happened."""
        self.expected[look] -= 1
        return self.images[look], all(count <= 0 for count in self.expected.values())


def _take(item: CatalogueProduct, stars: int | None, askers: tuple[Look, ...], look: Look, *,
          forget_when_taken: bool) -> tuple[RenderedImage, ...]:
    refs = item.product.images[: max(asker.photos for asker in askers)]
    key = (item, stars, askers, tuple(_file_stamp(ref) for ref in refs))
    drawing = _cached_drawing(*key)
    with _cached_drawing.cache_lock:
        images, all_taken = drawing.take(look)
        if forget_when_taken and all_taken:
            _cached_drawing.cache.pop(_cached_drawing.cache_key(*key), None)
    return images


# Drawings not yet taken by every channel, up to 128 MiB of JPEG (the least recently used go first),
# keyed by everything the drawing reads: the product, the star claim, the looks asked for, the
# photos' files' size and modification time (a URL's: its content's hash). Shops publish at different speeds (one sandbox or
# marketplace answers slower), so a product's channels ask for it up to a few thousand renders
# apart; a second caller of a key being drawn waits for that drawing instead of drawing it again.
@cachetools.cached(cachetools.LRUCache(maxsize=128 * 2**20, getsizeof=lambda drawing: drawing.size),
                   condition=threading.Condition())
def _cached_drawing(item: CatalogueProduct, stars: int | None, askers: tuple[Look, ...], stamps: tuple) -> _Drawing:
    return _Drawing(_draw_images(item, stars, frozenset(askers), read_image), askers, stars)


def _draw_images(item: CatalogueProduct, stars: int | None, looks: frozenset[Look], load: ImageLoader) -> DrawnImages:
    """Each look's images from one drawing: photos (or the placeholder) fitted once, each picture
    encoded once per quality; the badge is put on the cover after every look without it is encoded."""
    size = next(iter(looks)).size
    refs = item.product.images[: max(look.photos for look in looks)]
    pictures = [_fit_photo(ref, load(ref), size) for ref in refs] or [placeholder_cover(item, size)]
    sku = item.product.seller_sku
    encoded: dict[tuple[int, int, bool], RenderedImage] = {}

    def images_for(look: Look, framed: bool) -> tuple[RenderedImage, ...]:
        images = []
        for index, picture in enumerate(pictures[: max(look.photos, 1)]):
            key = (index, look.quality, framed and index == 0)
            if key not in encoded:
                encoded[key] = _jpeg(f"{sku}-{index + 1}.jpg", picture, look.quality)
            images.append(encoded[key])
        if look.badge is BadgePlacement.EXTRA:
            images.append(badge_card(stars, size, look.quality))
        return tuple(images)

    drawn = {look: images_for(look, False) for look in looks if look.badge is not BadgePlacement.COVER}
    framed = [look for look in looks if look.badge is BadgePlacement.COVER]
    if framed:
        _put_badge_on(pictures[0], stars)
        drawn |= {look: images_for(look, True) for look in framed}
    return drawn


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
    name_font = sized_font(round(size * 0.07))
    lines = _wrap(_latin(clean_product_name(plain(product.name))), name_font, size - 2 * margin)
    y = round(size * 0.36)
    for line in lines:
        draw.text((margin, y), line, font=name_font, fill=(33, 33, 33))
        y += round(name_font.size * 1.25)
    small = sized_font(round(size * 0.045))
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
def sized_font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def wrap_words(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """The text in lines no wider than `width` (a word longer than that has a line of its own)."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and font.getlength(candidate) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines = wrap_words(text, font, width)
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
    """Draws on `cover` itself: a drawing's own picture, whose looks without the badge are encoded first."""
    size = cover.width
    badge = badge_image(stars, round(size * _BADGE_SHARE))
    margin = round(size * 0.03)
    cover.paste(badge, (size - badge.width - margin, margin), badge)


def _jpeg(filename: str, image: Image.Image, quality: int) -> RenderedImage:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, optimize=False, progressive=False, subsampling="4:2:0")
    content = buffer.getvalue()
    return RenderedImage(filename, content, hashlib.sha256(content).hexdigest())
