"""Product photos for catalogues that give images as URLs, drawn on request by the registry sandbox.

A real provincial list links each product's photos on some producer's or province's web server; the
realistic sample catalogue links them here instead (`catalogue.sample`, `realistic=True`):

```
GET /images/<name>-<width>x<height>.<jpg|png>     e.g. /images/ocop-87-872-10001-3-2024-1-1200x900.jpg
```
The picture is a still life drawn from the name (the same name always gives the same bytes): a
backdrop, a table, a packaged product with a label. The size and format are the URL's, so a test can
ask for a thumbnail or a PNG as a producer's site would serve one.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageOps

IMAGES_PATH = "/images/"
MIN_SIDE, MAX_SIDE = 16, 4000
_PHOTO_PATH = re.compile(r"^/images/(?P<name>[\w.-]+?)-(?P<width>\d{2,4})x(?P<height>\d{2,4})\.(?P<ext>jpe?g|png)$",
                         re.ASCII | re.IGNORECASE)


@dataclass(frozen=True)
class Photo:
    content: bytes
    media_type: str

    @property
    def etag(self) -> str:
        return f'"{hashlib.sha256(self.content).hexdigest()[:20]}"'


def photo_at(path: str) -> Photo | None:
    """The photo a path names, or None when the path is not a photo's (or its size is out of bounds)."""
    match = _PHOTO_PATH.match(path)
    if match is None:
        return None
    width, height = int(match["width"]), int(match["height"])
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        return None
    return _drawn(match["name"], width, height, "PNG" if match["ext"].lower() == "png" else "JPEG")


@lru_cache(maxsize=64)   # a publish asks for each photo once per channel look; drawing a large one takes ~50 ms
def _drawn(name: str, width: int, height: int, fmt: str) -> Photo:
    picture = still_life(name, width, height)
    buffer = io.BytesIO()
    picture.save(buffer, fmt, quality=88)      # PNG has no quality: Pillow ignores it
    return Photo(buffer.getvalue(), "image/png" if fmt == "PNG" else "image/jpeg")


def still_life(name: str, width: int, height: int) -> Image.Image:
    """A packaged product on a table, its colours and proportions chosen by `name`."""
    seed = hashlib.sha256(name.encode("utf-8")).digest()
    hue = [seed[i] for i in range(6)]
    backdrop = ImageOps.colorize(Image.linear_gradient("L").resize((width, height)),
                                 black=(60 + hue[0] // 3, 60 + hue[1] // 3, 70 + hue[2] // 4), white=(236, 232, 224))
    draw = ImageDraw.Draw(backdrop)
    table_top = int(height * 0.68)
    draw.rectangle((0, table_top, width, height), fill=(150 + seed[6] // 4, 110 + seed[7] // 5, 70 + seed[8] // 6))
    side = min(width, height)
    pack_w = int(side * (0.30 + seed[9] / 255 * 0.15))
    pack_h = int(side * (0.45 + seed[10] / 255 * 0.20))
    left, bottom = (width - pack_w) // 2, table_top + side // 20
    top = bottom - pack_h
    draw.ellipse((left - side // 20, bottom - side // 40, left + pack_w + side // 20, bottom + side // 25), fill=(70, 55, 40))
    colour = (hue[3], hue[4], hue[5])
    draw.rounded_rectangle((left, top, left + pack_w, bottom), radius=max(1, pack_w // 8), fill=colour,
                           outline=tuple(c // 2 for c in colour), width=max(1, side // 200))
    lid = max(2, pack_h // 10)
    draw.rectangle((left + pack_w // 8, top - lid, left + pack_w - pack_w // 8, top), fill=(200, 170, 60))
    label_top = top + pack_h // 3
    draw.rectangle((left + pack_w // 10, label_top, left + pack_w - pack_w // 10, label_top + pack_h // 3),
                   fill=(250, 246, 236))
    draw.ellipse((left + pack_w // 3, label_top + pack_h // 12, left + 2 * pack_w // 3, label_top + pack_h // 4),
                 fill=(190, 30 + seed[11] // 3, 40))
    return backdrop
