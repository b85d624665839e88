"""The main job on the embedded default: the whole pipeline against local sandboxes, twice over if asked.

Starts the marketplace sandboxes (with mild faults: some 5xx and a rate limit) and the OCOP
registry serving a sample catalogue of a real province, points the pipeline at them, runs
`ocop_sync` in Prefect's ephemeral mode, and prints the coverage summary: per channel, how many
listable certified products are live and, for every one that is not, why. A `realistic` catalogue
is written as real provincial lists are (photos by URL, which the registry sandbox serves, no
shipping weights, claims in names, contact details in descriptions: see catalogue.sample).

The official shops of the platforms where a seller authorises the app are connected as a real shop
is (`ocop shop authorize` / `connect`: the authorisation page, the code, the tokens kept encrypted
in the database), and their sandboxes issue access tokens that last DEMO_ACCESS_SECONDS: every demo
run refreshes them as it goes, and the summary says how many times.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlsplit

import requests
from pydantic import SecretStr

from catalogue.sample import sample_rows
from connectors.by_channel import connector_for
from connectors.types import ShopConfig, ShopCredentials
from connectors.workbook import channel_layout
from ocop.channels import (
    DECLARATIONS,
    EVERY_OFFICIAL_SHOP,
    OFFICIAL_SHOPS,
    ChannelDeclaration,
    ChannelKind,
    ListingStatus,
    declaration,
)
from ocop.settings import Settings
from ocop.store import make_engine, migrate
from publishing.tally import summary_line
from publishing.workbook import workbook_target, workbooks_written
from reconcile.imported import exports_dir, import_export
from sandboxes.config import FaultConfig, default_config
from sandboxes.fleet import SandboxFleet, running_sandboxes
from sandboxes.seller_centre import export_after_upload
from shops import token_store
from shops.file import credentials_environment, load_shops, write_shops_file
from shops.token_store import KEY_VARIABLE, new_token_key, stored_tokens

DEMO_REDIRECT = "http://127.0.0.1:8791/callback"    # never opened: the code is read off the redirect

# Mild faults, deterministic by seed: 3% of calls answer a 5xx, and each shop allows 40 calls/s
# while our client-side limiter aims at 30/s, so a healthy run stays under the limit.
DEMO_FAULTS = FaultConfig(seed=2025, error_rate=0.03, rate_limit_per_second=40)
CLIENT_REQUESTS_PER_SECOND = 30.0
# Short-lived access tokens, so that each run refreshes them (a real Shopee token lasts 4 hours).
DEMO_ACCESS_SECONDS = 8.0


@dataclass(frozen=True)
class DemoRun:
    result: dict
    write_calls: int


def run_demo(settings: Settings, *, province: str, products: int | None, runs: int, faults: bool, echo=print,
             every_channel: bool = False, realistic: bool = False) -> list[DemoRun]:
    """Run the pipeline `runs` times against the sandboxes; the second and later runs should write nothing.
    The official shops of the channels declared `in_demo_by_default`, or of `every_channel`."""
    from flows.sync import (
        ocop_sync,  # imported late: Prefect reads its settings (home, logging) at import
    )

    with running_sandboxes(settings.sandbox_dir, config=_config(faults)) as fleet:
        # the realistic catalogue's photo URLs name the registry, whose port is known once it runs
        rows = sample_rows(province, products=products, realistic=realistic, image_base=f"{fleet.registry_url}/images")
        fleet.registry.upsert(rows)
        shops = EVERY_OFFICIAL_SHOP if every_channel else OFFICIAL_SHOPS
        _point_pipeline_at(fleet, settings, shops)
        echo(f"sandboxes: registry {fleet.registry_url}; " + "; ".join(f"{c.value} {fleet.base_url(c)}" for c in fleet.sandboxes))
        written = " as real lists write them (photos by URL, no weights, claims in names, contacts)" if realistic else ""
        runs_done = []
        for number in range(1, runs + 1):
            before, started = fleet.write_calls(), dt.datetime.now(dt.UTC)
            echo(f"\n=== run {number} of {runs}: pull {len(rows)} certified products of {province}{written}, "
                 "publish, reconcile, report")
            result = ocop_sync(source=fleet.registry_url, province=province, shops=sorted(shops))
            if _upload_workbooks(settings, shops, since=started, echo=echo):
                result = ocop_sync(province=province, shops=sorted(shops), steps=["reconcile", "report"])
            runs_done.append(DemoRun(result, fleet.write_calls() - before))
            echo(f"run {number}: {runs_done[-1].write_calls} write calls to the marketplaces")
            if result.get("publish"):
                echo("  " + summary_line(result["publish"]).replace("; ", "\n  "))
    return runs_done


def _upload_workbooks(settings: Settings, keys: tuple[str, ...], *, since: dt.datetime, echo) -> bool:
    """The operator's loop for the shops without an API, against the seller-centre stand-in: upload
    the workbooks this run wrote, download the product export, import it (`ocop reconcile --import`).
    True when an export was imported (coverage is then measured again)."""
    imported = False
    target = workbook_target(settings)
    for declared in _workbook_channels(keys):
        key = declared.official_shop
        workbooks = [path for path in workbooks_written(target, since) if path.parent.name == key]
        if not workbooks:
            continue
        layout = channel_layout(declared.channel)
        live = next(word for word, status in declared.statuses.items() if status is ListingStatus.LIVE)
        export = export_after_upload(workbooks, layout, settings.home / "seller-centre" / f"{key}-export.csv", status=live)
        [shop] = load_shops(settings.home / "shops.toml", only=key)
        kept, items = import_export(export, shop, layout, exports_dir(settings))
        echo(f"{key}: {len(workbooks)} workbook(s) uploaded to the seller centre (a stand-in); "
             f"its export of {items} items imported ({kept.name})")
        imported = True
    return imported


def _workbook_channels(keys: tuple[str, ...]) -> list[ChannelDeclaration]:
    """The channels without an API whose official shops are among `keys`."""
    return [declared for declared in DECLARATIONS.values()
            if declared.kind is ChannelKind.WORKBOOK and declared.official_shop in keys]


def _config(faults: bool):
    config = default_config()
    for channel, settings in config.channels.items():
        short = replace(settings.tokens, access_seconds=DEMO_ACCESS_SECONDS)
        config = config.with_channel(channel, tokens=short, **({"faults": DEMO_FAULTS} if faults else {}))
    return config


def _point_pipeline_at(fleet: SandboxFleet, settings: Settings, keys: tuple[str, ...]) -> None:
    """The shops file and credential variables the flows read, as an operator would set them: the
    shops a seller authorises are connected, their tokens in the database; the others keep their keys."""
    shops = [replace(shop, requests_per_second=CLIENT_REQUESTS_PER_SECOND) for shop in fleet.shops if shop.key in keys]
    no_keys = ShopCredentials("", SecretStr(""), SecretStr(""))     # a seller centre is reached by hand, not by keys
    shops += [ShopConfig(key=declared.official_shop, channel=declared.channel, base_url="", credentials=no_keys,
                         name=f"OCOP Đồng Tháp ({declared.display_name})") for declared in _workbook_channels(keys)]
    os.environ.setdefault(KEY_VARIABLE, new_token_key())      # the demo's own: its tokens live as long as its run
    engine = make_engine(settings.database_url)
    try:
        migrate(settings.database_url)
        shops = [_connected(engine, shop) if _authorised_by_seller(shop) else shop for shop in shops]
    finally:
        engine.dispose()
    shops_file = write_shops_file(shops, settings.home / "shops.toml")
    os.environ["OCOP_SHOPS_FILE"] = str(shops_file)
    os.environ.update(credentials_environment(shops))


def _authorised_by_seller(shop) -> bool:
    declared = declaration(shop.channel)
    return declared.kind is ChannelKind.API and declared.authorised_by_seller and not declared.signs_in_with_app_keys


def _connected(engine, shop):
    """The shop connected as `ocop shop authorize --listen` does it: the seller's page (which the
    sandbox grants at once) redirects to the loopback address with a code, the code buys tokens."""
    keys_only = replace(shop, credentials=replace(shop.credentials, access_token=SecretStr("")))
    with connector_for(keys_only) as connector:
        answer = requests.get(connector.authorization_url(DEMO_REDIRECT, "ocop-demo"), allow_redirects=False, timeout=10)
        if answer.status_code != 302:
            raise RuntimeError(f"{shop.key}: the sandbox's authorisation page answered {answer.status_code}")
        back = {name: values[0] for name, values in parse_qs(urlsplit(answer.headers["Location"]).query).items()}
        token_store.connect(engine, shop, connector.exchange_code(back["code"], back.get("shop_id")))
    return replace(keys_only, tokens=stored_tokens(engine.url.render_as_string(hide_password=False), shop.key, shop.channel))


def summary_lines(settings: Settings, province: str) -> list[str]:
    """Coverage per channel, how many listings rely on an estimated package, every listable
    product that is not live, with its reason; and the connected shops' token refreshes."""
    from reconcile.run import evaluate_run
    from reports.province import estimated_listings

    engine = make_engine(settings.database_url)
    try:
        result = evaluate_run(engine, province=province)
        tokens = token_store.shop_token_states(engine)
    finally:
        engine.dispose()
    coverage = result.coverage
    lines = [f"\nCoverage of {province} on {coverage.as_of} (reconciliation run {result.run_id}):",
             f"  {'channel':<10} {'live':>6} {'listable':>9} {'coverage':>9}"]
    for channel in coverage.channels:
        share = channel.share
        lines.append(f"  {channel.channel:<10} {share.live:>6} {share.listable:>9} {_pct(share.pct):>9}")
    everything = coverage.all_channels
    lines.append(f"  {'all':<10} {everything.live:>6} {everything.listable:>9} {_pct(everything.pct):>9}  (live on every channel)")
    outside = ", ".join(f"{count} {reason}" for reason, count in sorted(coverage.excluded.items()))
    if outside:
        lines.append(f"  outside the denominator: {outside}")
    lines.append(f"  estimated package data: {estimated_listings(result)} listings (weight and box estimated from the "
                 "pack size or the group's usual pack; producers asked to confirm)")
    if tokens:
        refreshed = ", ".join(f"{key} {state.refresh_count} ({state.status.replace('_', ' ')})"
                              for key, state in sorted(tokens.items()))
        lines.append(f"  token refreshes (access tokens last {DEMO_ACCESS_SECONDS:.0f} s in the sandboxes): {refreshed}")
    gaps = [f for f in result.reconciliation.findings if f.in_denominator and not f.live]
    lines.append(f"  not live: {len(gaps)}" + ("" if gaps else " (every listable product is live on every channel)"))
    for finding in gaps:
        lines.append(f"    {finding.shop_key:<18} {finding.seller_sku or '':<34} {finding.state.value:<12} {finding.reason or ''}")
    return lines


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}%"


def where_lines(settings: Settings, last: DemoRun) -> list[str]:
    report = last.result.get("report", {})
    return [
        f"\ndatabase:          {settings.database_url}",
        f"province report:   {report.get('province_html')}",
        f"                   {report.get('province_xlsx')}",
        f"producer reports:  {report.get('producer_reports')} in {report.get('producers_dir')}",
        f"rejected rows:     {settings.home / 'rejects'}",
        f"sandbox state:     {settings.sandbox_dir} (ocop sandbox show --state-dir {settings.sandbox_dir})",
    ]
