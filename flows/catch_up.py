"""`catch_up_pushes`: what the marketplaces' pushes would have said, had none been lost.

Sweeps every shop's items updated in the last `hours` (a little more than the schedule's interval)
and notes in the ledger each status the pushes did not bring (`pushes.catch_up`); a rejected or
suspended listing emits the same event a push would have.
"""

from __future__ import annotations

import datetime as dt

from prefect import flow, get_run_logger

import ledger
from connectors.by_channel import connector_for
from flows.context import pipeline_context
from pushes.catch_up import sweep


@flow(name="catch_up_pushes")
def catch_up_pushes(hours: float = 7.0, channels: list[str] | None = None, shops: list[str] | None = None) -> dict:
    """Returns, per shop, the items compared, the statuses noted and the error that stopped its reading."""
    context = pipeline_context()
    since = dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours)
    connectors = [connector_for(shop, rate_limiter=ledger.shared_rate_limiter(context.engine, shop))
                  for shop in context.select_shops(channels=channels, shops=shops)]
    try:
        results = sweep(context.engine, connectors, since=since)
    finally:
        for connector in connectors:
            connector.close()
    logger = get_run_logger()
    for result in results:
        logger.info("%s: %d item(s) updated since %s, %d status(es) a push had not brought%s", result.shop_key,
                    result.read, f"{since:%Y-%m-%d %H:%M} UTC", len(result.noted),
                    f"; stopped: {result.error}" if result.error else "")
    return {result.shop_key: {"read": result.read, "noted": list(result.noted), "error": result.error}
            for result in results}
