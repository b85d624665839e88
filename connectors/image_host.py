"""Publishing a picture for a platform that takes pictures by URL only (Tiki, Sendo): the shop's
`image_host_url` takes a multipart `file` and answers `{"url": ...}`, the URL the listing names."""

from __future__ import annotations

from connectors.base import ApiCall, HttpConnector
from connectors.errors import Rejected


def publish_picture(connector: HttpConnector, content: bytes, filename: str) -> str:
    """The public URL of the published picture. The call carries none of the platform's credentials
    (the connector's `prepare` sends a call with `files` as it is)."""
    shop = connector.shop
    if not shop.image_host_url:
        raise Rejected(f"shop {shop.key}: {connector.channel.value} takes pictures by URL; set the shop's "
                       "image_host_url", code="no_image_host")
    envelope = connector.request(ApiCall("POST", "", base_url=shop.image_host_url, files={"file": (filename, content)},
                                         idempotent=False))
    return str(envelope.data["url"])
