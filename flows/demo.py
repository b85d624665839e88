"""The main job on the embedded default: the whole pipeline against local sandboxes, twice over if asked.

Starts the marketplace sandboxes (with mild faults: some 5xx and a rate limit) and the OCOP
registry serving a sample catalogue of a real province, points the pipeline at them, runs
`ocop_sync` in Prefect's ephemeral mode, and prints the coverage summary: per channel, how many
listable certified products are live and, for every one that is not, why. A `realistic` catalogue
is written as real provincial lists are (photos by URL, which the registry sandbox serves, no
shipping weights, claims in names, contact details in descriptions: see catalogue.sample).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

from catalogue.sample import sample_rows
from ocop.channels import EVERY_OFFICIAL_SHOP, OFFICIAL_SHOPS
from ocop.settings import Settings
from sandboxes.config import FaultConfig, default_config
from sandboxes.fleet import SandboxFleet, running_sandboxes
from shops.file import credentials_environment, write_shops_file

# Mild faults, deterministic by seed: 3% of calls answer a 5xx, and each shop allows 40 calls/s
# while our client-side limiter aims at 30/s, so a healthy run stays under the limit.
DEMO_FAULTS = FaultConfig(seed=2025, error_rate=0.03, rate_limit_per_second=40)
CLIENT_REQUESTS_PER_SECOND = 30.0


@dataclass(frozen=True)
class DemoRun:
    result: dict
    write_calls: int


def run_demo(settings: Settings, *, province: str, products: int | None, runs: int, faults: bool, echo=print,
             every_channel: bool = False, realistic: bool = False) -> list[DemoRun]:
    """Run the pipeline `runs` times against the sandboxes; the second and later runs should write nothing.
    The official shops of the channels declared `in_demo_by_default`, or of `every_channel`."""
    from flows.sync import ocop_sync  # imported late: Prefect reads its settings (home, logging) at import

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
            before = fleet.write_calls()
            echo(f"\n=== run {number} of {runs}: pull {len(rows)} certified products of {province}{written}, "
                 "publish, reconcile, report")
            result = ocop_sync(source=fleet.registry_url, province=province, shops=sorted(shops))
            runs_done.append(DemoRun(result, fleet.write_calls() - before))
            echo(f"run {number}: {runs_done[-1].write_calls} write calls to the marketplaces")
    return runs_done


def _config(faults: bool):
    config = default_config()
    if not faults:
        return config
    for channel in config.channels:
        config = config.with_channel(channel, faults=DEMO_FAULTS)
    return config


def _point_pipeline_at(fleet: SandboxFleet, settings: Settings, keys: tuple[str, ...]) -> None:
    """The shops file and credential variables the flows read, as an operator would set them."""
    shops = [replace(shop, requests_per_second=CLIENT_REQUESTS_PER_SECOND) for shop in fleet.shops if shop.key in keys]
    shops_file = write_shops_file(shops, settings.home / "shops.toml")
    os.environ["OCOP_SHOPS_FILE"] = str(shops_file)
    os.environ.update(credentials_environment(shops))


def summary_lines(settings: Settings, province: str) -> list[str]:
    """Coverage per channel, how many listings rely on an estimated package, and every listable
    product that is not live, with its reason."""
    from ocop.store import make_engine
    from reconcile.run import evaluate_run
    from reports.province import estimated_listings

    engine = make_engine(settings.database_url)
    try:
        result = evaluate_run(engine, province=province)
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
