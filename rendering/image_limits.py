"""What each channel accepts as a product image: pixel size, bytes and format.

Rendering pads every photo onto a JPEG square of the profile's `size_px`; these limits say how small
a photo may be before that square is only a blown-up thumbnail, how large the square may be, and
how many bytes the JPEG may take (quality is lowered to fit). From the platforms' docs or copies of
them (the research notes of issue 16):

- Shopee: at most 10 MB, JPG or PNG. No pixel limits are published: the 300 px floor (TikTok's) and
  the 5000 px ceiling (Lazada's) are ours.
- Lazada: 330 to 5000 px, JPG or PNG. Its guide says 3 MB, its API pages 1 MB: the stricter is kept.
- TikTok Shop: main images 300 to 4000 px; 5 MB (older spec and Create Product; newer SDKs say 10 MB).
- Tiki: shows only pictures of at least 500x500 (its product guide); no byte or format limit is
  published: Lazada's 5000 px and a 5 MB cap are ours.
- Sendo: no picture limits are published (its listings name pictures by URL): Tiki's are ours.
"""

from __future__ import annotations

from dataclasses import dataclass

from ocop.channels import Channel

MB = 2**20
RENDERED_FORMAT = "JPEG"


@dataclass(frozen=True)
class ChannelImageLimits:
    min_px: int                          # the photo's longer side at least (it is padded to a square)
    max_px: int                          # the rendered square's side at most
    max_bytes: int                       # per image, as uploaded
    formats: frozenset[str]              # what the channel takes, as Pillow names formats

    def __post_init__(self) -> None:
        if RENDERED_FORMAT not in self.formats:
            raise ValueError(f"rendering writes {RENDERED_FORMAT}, which these limits do not accept: {sorted(self.formats)}")


IMAGE_LIMITS: dict[Channel, ChannelImageLimits] = {
    Channel.SHOPEE: ChannelImageLimits(min_px=300, max_px=5000, max_bytes=10 * MB, formats=frozenset({"JPEG", "PNG"})),
    Channel.LAZADA: ChannelImageLimits(min_px=330, max_px=5000, max_bytes=1 * MB, formats=frozenset({"JPEG", "PNG"})),
    Channel.TIKTOK: ChannelImageLimits(min_px=300, max_px=4000, max_bytes=5 * MB,
                                       formats=frozenset({"JPEG", "PNG", "WEBP", "HEIF", "BMP"})),
    Channel.TIKI: ChannelImageLimits(min_px=500, max_px=5000, max_bytes=5 * MB, formats=frozenset({"JPEG", "PNG"})),
    Channel.SENDO: ChannelImageLimits(min_px=500, max_px=5000, max_bytes=5 * MB, formats=frozenset({"JPEG", "PNG"})),
    # not published: Tiki's documented floor and the common 5 MB, JPEG or PNG, until the seller centres say
    Channel.POSTMART: ChannelImageLimits(min_px=500, max_px=5000, max_bytes=5 * MB, formats=frozenset({"JPEG", "PNG"})),
    Channel.VOSO: ChannelImageLimits(min_px=500, max_px=5000, max_bytes=5 * MB, formats=frozenset({"JPEG", "PNG"})),
}
