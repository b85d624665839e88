"""Connecting a sandbox shop as its seller would, without a browser: open the authorisation URL
the connector prints, follow the sandbox's redirect to the loopback address, read the code."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests

REDIRECT = "http://127.0.0.1:8791/callback"


def authorise(connector, *, state: str = "ocop-test") -> dict[str, str]:
    """The query the platform's redirect carries: `code`, and Shopee's `shop_id`."""
    answer = requests.get(connector.authorization_url(REDIRECT, state), allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT)
    back = {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}
    assert back.get("state") == state
    return back
