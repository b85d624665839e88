"""The picture host the sandboxes of URL-only platforms (Tiki, Sendo) serve beside their API: a
stand-in for wherever the province publishes pictures. `POST /sandbox/images` takes a multipart
`file` (JPEG or PNG) and answers its public URL; the platform's create then names that URL, and the
sandbox looks the picture up by it (`SandboxState.image_by_url`) to check it was published and its
size.
"""

from __future__ import annotations

import hashlib

from sandboxes.gateway import Call, PlatformError, inspect_image
from sandboxes.state import SandboxState, StoredImage

IMAGE_HOST = "/sandbox/images"


def host_image(state: SandboxState, call: Call, cdn: str) -> str:
    """Keep the uploaded picture and answer the URL it is published at, under `cdn`."""
    _, files = call.request.form()
    upload = files.get("file")
    facts = inspect_image(upload.content) if upload else None
    if facts is None or facts.format not in ("JPEG", "PNG"):
        raise PlatformError(400, "file: a JPEG or PNG picture is required.", status=400)
    digest = hashlib.sha256(upload.content).hexdigest()
    name = f"{digest[:24]}{state.next_id('image', 1):08x}.jpg"
    url = f"{cdn.rstrip('/')}/{name}"
    state.add_image(StoredImage(name, "image-host", url, digest, facts.width, facts.height, len(upload.content),
                                call.now))
    return url


def hosted_picture(state: SandboxState, url: object, min_px: int) -> str | None:
    """Why a named picture cannot be used (not published here, or smaller than `min_px`), or None."""
    stored = state.image_by_url(url) if isinstance(url, str) else None
    if stored is None:
        return f"image {url!r} cannot be downloaded: publish it first (POST {IMAGE_HOST})."
    if min(stored.width, stored.height) < min_px:
        return f"image {url} is {stored.width}x{stored.height}; at least {min_px}x{min_px} pixels."
    return None
