"""A short markdown summary of a run's coverage, for the Prefect artifact and the command line."""

from __future__ import annotations

from reconcile.coverage import Coverage
from reports.i18n import Language
from reports.tables import GAP_STATES


def coverage_markdown(coverage: Coverage, *, lang: str = "vi") -> str:
    t = Language(lang)
    lines = [f"| {t('channel')} | {t('live')} | {t('listable')} | {t('pct_live')} | {t('not_live')} |",
             "|---|---:|---:|---:|---|"]
    for channel in coverage.channels:
        share = channel.share
        lines.append(f"| {t.channel(channel.channel)} | {t.number(share.live)} | {t.number(share.listable)} | "
                     f"{t.percent(share.live, share.listable)} | {_gap_reasons(coverage, channel.channel, t)} |")
    everything = coverage.all_channels
    lines.append(f"| **{t('all_channels')}** | {t.number(everything.live)} | {t.number(everything.listable)} | "
                 f"**{t.percent(everything.live, everything.listable)}** | |")
    if coverage.target_pct is not None:
        verdict = t("below_target") if coverage.below_target else t("meets_target")
        lines.append(f"\n{t('target')}: {t.percent_value(coverage.target_pct)}: **{verdict}**")
    return "\n".join(lines)


def _gap_reasons(coverage: Coverage, channel: str, t: Language) -> str:
    counts = coverage.state_counts.get(channel, {})
    parts = [f"{t(f'state_{state.value}')}: {t.number(counts[state.value])}"
             for state in GAP_STATES if counts.get(state.value)]
    return "; ".join(parts)
