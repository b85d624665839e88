"""Markdown for Prefect artifacts and the command line: a run's coverage, and the province report itself."""

from __future__ import annotations

import re

from reconcile.coverage import Coverage
from reports.build import ReportSet
from reports.i18n import Language
from reports.tables import GAP_STATES, Table, as_text


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


# Rows of a findings table shown in an artifact; the report's files hold them all.
MARKDOWN_ROW_LIMIT = 100
# Catalogue and platform text is untrusted: the punctuation that would make it markup, a link or a
# new table cell is shown as itself (no "[", no link; a table cell never starts a line).
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]<>|~&])")


def report_markdown(built: ReportSet, *, lang: str = "vi") -> str:
    """The province report as markdown, for a Prefect artifact when no URL serves the files:
    its heading, coverage, and the gaps and issues (cut at MARKDOWN_ROW_LIMIT rows)."""
    t = Language(lang)
    tables = {table.key: table for table in built.province.tables}
    report = built.province
    parts = [f"# {t('province_title')}: {_escaped(report.province)}",
             f"{t('as_of')}: {t.date(built.coverage.as_of)} · {t('reconcile_run', run_id=built.run_id)}",
             coverage_markdown(built.coverage, lang=lang), _estimates_line(report.estimated_listings, t)]
    for key in ("gaps", "issues"):
        if tables[key].rows:
            parts += [f"## {tables[key].title}", table_markdown(tables[key], t, row_limit=MARKDOWN_ROW_LIMIT)]
    parts.append(f"{t('files_on_worker')}: `{report.html}`, `{report.xlsx}`, `{built.out_dir / 'producers'}`")
    return "\n\n".join(parts)


def _estimates_line(count: int, t: Language) -> str:
    if t.code == "vi":
        return f"Tin đăng dùng khối lượng và kích thước ước tính: {t.number(count)} (nhà sản xuất cần xác nhận)"
    return f"Listings using estimated weight and package size: {t.number(count)} (producers to confirm)"


def table_markdown(table: Table, t: Language, *, row_limit: int) -> str:
    numeric = ("int", "pct", "money")
    lines = ["| " + " | ".join(_escaped(column.label) for column in table.columns) + " |",
             "|" + "|".join("---:" if column.kind in numeric else "---" for column in table.columns) + "|"]
    for row in table.rows[:row_limit]:
        cells = (_escaped(as_text(value, column.kind, t)) for value, column in zip(row, table.columns))
        lines.append("| " + " | ".join(cells) + " |")
    if len(table.rows) > row_limit:
        lines.append("\n" + t("more_rows_in_files", count=t.number(len(table.rows) - row_limit)))
    return "\n".join(lines)


def _escaped(text: str) -> str:
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", " ".join(text.split()))
