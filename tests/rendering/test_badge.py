"""The OCOP star badge: drawn by the project, one per star count, the same bytes every time."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from rendering.badge import badge_image, badge_png


def gold_runs_across_star_row(image: Image.Image) -> int:
    """Count separate gold shapes on the horizontal line through the star centres, inside the ring."""
    size = image.width
    y = round(size * 0.68)
    gold = [_is_gold(image.getpixel((x, y))) for x in range(round(size * 0.125), round(size * 0.875))]
    return sum(1 for index, is_gold in enumerate(gold) if is_gold and (index == 0 or not gold[index - 1]))


def _is_gold(pixel) -> bool:
    red, green, blue, alpha = pixel
    return alpha > 0 and red > 170 and green > 110 and blue < 110


@pytest.mark.parametrize("stars", [3, 4, 5])
def test_badge_shows_as_many_stars_as_the_rating(stars):
    assert gold_runs_across_star_row(badge_image(stars, 400)) == stars


@pytest.mark.parametrize("stars", [3, 4, 5])
def test_badge_png_is_byte_identical_when_drawn_again(stars):
    first = badge_png(stars, 240)
    badge_png.cache_clear()
    badge_image.cache_clear()
    assert badge_png(stars, 240) == first
    decoded = Image.open(io.BytesIO(first))
    assert decoded.format == "PNG" and decoded.size == (240, 240) and decoded.mode == "RGBA"


def test_each_star_count_has_its_own_badge():
    assert len({badge_png(stars) for stars in (3, 4, 5)}) == 3


@pytest.mark.parametrize("stars", [0, 1, 2, 6])
def test_no_badge_for_ratings_ocop_does_not_recognise(stars):
    with pytest.raises(ValueError, match=f"stars={stars}"):
        badge_image(stars, 100)
