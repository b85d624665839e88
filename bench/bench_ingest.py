"""Benchmark: ingest a 100,000-product sample catalogue (CSV or XLSX) into an empty store, then again unchanged.

    .venv/bin/python bench/bench_ingest.py [--products 100000] [--format csv|xlsx] [--postgres URL]

Each step runs in a fresh interpreter so its peak memory (max RSS) is its own. The baseline step
only reads and parses the same file (no validation, no database): the difference is what
validation, deduplication and the writes cost. With --postgres the two ingest steps run again on a
throw-away schema of that server.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TODAY = dt.date(2026, 6, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv", help="the sample file's format")
    parser.add_argument("--postgres", help="a PostgreSQL URL to also measure (a temporary schema is created and dropped)")
    parser.add_argument("--child", nargs=3, metavar=("STEP", "FILE", "DATABASE_URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(*args.child)))
        return
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        csv_path = _write_sample(Path(tmp), args.products, args.format)
        results = [_run(f"baseline: read + parse {args.format.upper()} only", "read", csv_path, "-")]
        results += _ingest_twice("sqlite", csv_path, f"sqlite:///{Path(tmp) / 'bench.db'}")
        if args.postgres:
            with _postgres_schema(args.postgres) as url:
                results += _ingest_twice("postgresql", csv_path, url)
    _report(args, results)


def _write_sample(tmp: Path, products: int, fmt: str) -> Path:
    path = tmp / f"sample.{fmt}"
    result = _child_json("sample", path, str(products))
    print(f"sample: {result['rows']:,} rows generated and written in {result['seconds']:.1f} s, "
          f"{path.stat().st_size / 1e6:.1f} MB {fmt.upper()}")
    return path


def _ingest_twice(backend: str, csv_path: Path, url: str) -> list[dict]:
    _child_json("migrate", csv_path, url)
    return [_run(f"{backend}: first ingest (empty store)", "ingest", csv_path, url),
            _run(f"{backend}: re-ingest, nothing changed", "ingest", csv_path, url)]


def _child_json(step: str, csv_path: Path, argument: str) -> dict:
    """Every step runs in its own interpreter, started from this small parent, so max RSS is the step's own."""
    child = subprocess.run([sys.executable, __file__, "--child", step, str(csv_path), argument],
                           capture_output=True, text=True)
    if child.returncode != 0:
        sys.exit(f"step {step} failed:\n{child.stderr[-3000:]}")
    return json.loads(child.stdout.strip().splitlines()[-1])


def _run(label: str, step: str, csv_path: Path, url: str) -> dict:
    result = _child_json(step, csv_path, url) | {"label": label}
    print(f"{label}: {result['rows']:,} rows in {result['seconds']:.1f} s = {result['rows'] / result['seconds']:,.0f} rows/s, "
          f"peak RSS {result['peak_mb']:.0f} MB (at start {result['start_mb']:.0f} MB) {result.get('summary', '')}")
    return result


def _child(step: str, csv_path: str, argument: str) -> dict:
    start_mb = _peak_mb()
    started = time.perf_counter()
    summary = ""
    if step == "sample":
        from catalogue.sample import sample_rows, write_sample

        sample = sample_rows("Đồng Tháp", seed=1, products=int(argument), today=TODAY)
        write_sample(sample, Path(csv_path), Path(csv_path).suffix.lstrip("."))
        rows = len(sample)
    elif step == "migrate":
        from ocop.store import migrate

        migrate(argument)
        rows = 0
    elif step == "read":
        from catalogue.sources import read_file

        rows = sum(1 for _ in read_file(Path(csv_path)).rows)
    else:
        rows, summary = _ingest(csv_path, argument)
    return {"rows": rows, "seconds": time.perf_counter() - started, "peak_mb": _peak_mb(), "start_mb": start_mb,
            "summary": summary}


def _ingest(csv_path: str, url: str) -> tuple[int, str]:
    from catalogue.ingest import ingest
    from ocop.store import make_engine

    engine = make_engine(url)
    with tempfile.TemporaryDirectory() as rejects:
        result = ingest(engine, Path(csv_path), rejects_dir=Path(rejects), today=TODAY)
    engine.dispose()
    return result.rows_in, (f"[accepted {result.accepted}, rejected {result.rejected}, merged {result.merged}; "
                            f"inserted {result.inserted}, updated {result.updated}, unchanged {result.unchanged}]")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _postgres_schema:
    def __init__(self, url: str):
        self.url = url
        self.schema = f"bench_{uuid.uuid4().hex[:10]}"

    def __enter__(self) -> str:
        self._execute(f'CREATE SCHEMA "{self.schema}"')
        return f"{self.url}?options=-csearch_path%3D{self.schema}"

    def __exit__(self, *_exc) -> None:
        self._execute(f'DROP SCHEMA "{self.schema}" CASCADE')

    def _execute(self, sql: str) -> None:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(sql))
        engine.dispose()


def _report(args, results: list[dict]) -> None:
    command = "python bench/bench_ingest.py" + (f" --products {args.products}" if args.products != 100_000 else "")
    command += f" --format {args.format}" if args.format != "csv" else ""
    print("\n| step | rows | seconds | rows/s | peak RSS MB |\n|---|---|---|---|---|")
    for r in results:
        print(f"| {r['label']} | {r['rows']:,} | {r['seconds']:.1f} | {r['rows'] / r['seconds']:,.0f} | {r['peak_mb']:.0f} |")
    print(f"\ncommand: .venv/bin/{command}{' --postgres URL' if args.postgres else ''}")


if __name__ == "__main__":
    main()
