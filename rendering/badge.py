"""The OCOP star badge (3, 4 or 5 stars), drawn by the project with Pillow: no downloaded artwork.

A red disc in a gold ring, "OCOP" across it and a row of gold stars beneath. Drawn four times larger
and scaled down for smooth edges. Every function is cached per star count and size: 60,000 listings
share a handful of badges, and the same inputs always give the same bytes.
"""

from __future__ import annotations

import io
import math
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from catalogue.records import RECOGNISED_STARS

GOLD = (212, 160, 23, 255)
RED = (200, 16, 46, 255)
WHITE = (255, 255, 255, 255)
_SUPERSAMPLE = 4


@lru_cache(maxsize=32)
def badge_image(stars: int, size: int) -> Image.Image:
    """The badge as an RGBA square of `size` pixels. Shared by the cache: paste it, do not draw on it."""
    if stars not in RECOGNISED_STARS:
        raise ValueError(f"stars={stars!r}: an OCOP badge exists only for {sorted(RECOGNISED_STARS)} stars")
    big = size * _SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, big - 1, big - 1), fill=GOLD)
    ring = round(big * 0.06)
    draw.ellipse((ring, ring, big - 1 - ring, big - 1 - ring), fill=WHITE)
    inner = ring + round(big * 0.015)
    draw.ellipse((inner, inner, big - 1 - inner, big - 1 - inner), fill=RED)
    _draw_word(draw, "OCOP", centre=(big / 2, big * 0.40), height=big * 0.22)
    gap = big * 0.015
    star_radius = min(big * 0.075, (big * 0.62 / stars - gap) / 2)  # five stars still clear the ring
    _draw_star_row(draw, stars, centre_y=big * 0.68, star_radius=star_radius, gap=gap)
    return image.resize((size, size), Image.Resampling.LANCZOS)


@lru_cache(maxsize=32)
def badge_png(stars: int, size: int = 240) -> bytes:
    """The badge as PNG bytes (for reports and artifacts); identical for identical arguments."""
    buffer = io.BytesIO()
    badge_image(stars, size).save(buffer, "PNG", optimize=False, compress_level=6)
    return buffer.getvalue()


def _draw_word(draw: ImageDraw.ImageDraw, word: str, *, centre: tuple[float, float], height: float) -> None:
    # Pillow's bundled font: the same glyphs on every machine with the pinned Pillow.
    font = ImageFont.load_default(size=round(height))
    stroke = max(1, round(height * 0.06))  # a stroke in the fill colour reads as bold
    draw.text(centre, word, font=font, fill=WHITE, anchor="mm", stroke_width=stroke, stroke_fill=WHITE)


def _draw_star_row(draw: ImageDraw.ImageDraw, count: int, *, centre_y: float, star_radius: float, gap: float) -> None:
    pitch = 2 * star_radius + gap
    first_x = draw.im.size[0] / 2 - pitch * (count - 1) / 2
    for index in range(count):
        draw.polygon(star_points((first_x + index * pitch, centre_y), star_radius), fill=GOLD)


def star_points(centre: tuple[float, float], outer: float, inner_ratio: float = 0.382) -> list[tuple[float, float]]:
    """The ten corners of a five-pointed star, point up, rounded so the drawing is reproducible."""
    cx, cy = centre
    points = []
    for corner in range(10):
        radius = outer if corner % 2 == 0 else outer * inner_ratio
        angle = math.pi * (corner / 5 - 0.5)
        points.append((round(cx + radius * math.cos(angle), 2), round(cy + radius * math.sin(angle), 2)))
    return points
