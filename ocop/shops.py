"""The shops to publish to, declared in a TOML file (`OCOP_SHOPS_FILE`).

```toml
[[shops]]
key = "shopee-dong-thap"            # our name for the shop, used in the ledger and reports
channel = "shopee"                  # shopee | lazada | tiktok
name = "OCOP Đồng Tháp"
province = "Đồng Tháp"
base_url = "https://partner.shopeemobile.com"
requests_per_second = 10
secret_block = "ocop-shop-shopee-dong-thap"  # optional; see below
```

The file never holds credentials. They come from the named Prefect Secret block, or else from the
environment variables `OCOP_SHOP_<KEY>_APP_KEY`, `_APP_SECRET`, `_ACCESS_TOKEN`, `_SHOP_ID`
(see `connectors.credentials`).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from connectors.credentials import load_credentials
from connectors.types import Channel, ShopConfig


class ShopsFileError(ValueError):
    pass


def load_shops(path: Path) -> list[ShopConfig]:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ShopsFileError(f"{path}: cannot read the shops file: {error}") from error
    shops = []
    for number, entry in enumerate(document.get("shops", []), start=1):
        missing = [name for name in ("key", "channel", "base_url") if name not in entry]
        if missing:
            raise ShopsFileError(f"{path}: shop #{number}: missing {', '.join(missing)}")
        try:
            channel = Channel(entry["channel"])
        except ValueError:
            expected = ", ".join(c.value for c in Channel)
            raise ShopsFileError(f"{path}: shop {entry['key']}: channel {entry['channel']!r}, expected one of {expected}") from None
        shops.append(
            ShopConfig(
                key=entry["key"],
                channel=channel,
                base_url=entry["base_url"],
                credentials=load_credentials(entry["key"], secret_block=entry.get("secret_block")),
                requests_per_second=float(entry.get("requests_per_second", 10.0)),
                name=entry.get("name", entry["key"]),
                province=entry.get("province"),
            )
        )
    return shops
