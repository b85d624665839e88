"""A schedule fires on a real Prefect server: its scheduler creates the runs, a process worker runs one.

The deployment is prefect.yaml's nightly full sync as declared (entrypoint, work pool job variables,
one run at a time), with only its schedule, steps and pool changed for the test: every few seconds,
the pull step alone, reading the catalogue a worker's environment names (OCOP_CATALOGUE_SOURCE), as
in production. Nothing in the test creates a flow run. Under SQLAlchemy 2.1 the server's scheduler
fails on every loop and no run ever appears (constraints.txt holds SQLAlchemy at 2.0.x).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
from prefect.client.schemas.objects import FlowRun, StateType

from catalogue.sample import sample_rows, write_sample
from ocop.store import make_engine, migrate
from publishing.candidates import load_products
from tests.flows.conftest import TODAY
from tests.flows.prefect_server import PrefectServer, running_prefect_server

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
POOL = "ocop-schedule-test"
PRODUCTION_DEPLOYMENT = "nightly-full-sync"
DEPLOYMENT = "schedule-on-server"
INTERVAL_SECONDS = 5
FIRST_RUNS_TIMEOUT = 30.0   # the scheduler's "recent deployments" loop runs every 5 s
COMPLETED_TIMEOUT = 60.0


def test_the_scheduler_creates_runs_of_a_deployment_and_a_worker_completes_one(tmp_path):
    rows = sample_rows("Đồng Tháp", products=20, seed=11, today=TODAY)
    catalogue = write_sample(rows, tmp_path / "catalogue.csv", "csv")
    database_url = f"sqlite:///{tmp_path / 'ocop.db'}"
    migrate(database_url)
    environment = {
        "OCOP_HOME": str(tmp_path / "home"),
        "OCOP_DATABASE_URL": database_url,
        "OCOP_CATALOGUE_SOURCE": str(catalogue),
    }
    with running_prefect_server(tmp_path / "prefect") as server:
        server.cli("work-pool", "create", POOL, "--type", "process")
        with server.worker(POOL, environment):
            deployment_id = _deploy_every_few_seconds(server, tmp_path)
            scheduled = _wait_for_runs(server, deployment_id, lambda runs: len(runs) >= 2, FIRST_RUNS_TIMEOUT,
                                       "two runs created by the scheduler")
            finished = _wait_for_runs(server, deployment_id, _one_finished, COMPLETED_TIMEOUT,
                                      "scheduled run Completed (or Failed) by the worker")

    assert all(run.auto_scheduled for run in scheduled + finished), \
        f"runs not created by the scheduler: {[run.name for run in scheduled + finished if not run.auto_scheduled]}"
    starts = sorted({run.expected_start_time for run in scheduled})
    gaps = {(later - earlier).total_seconds() for earlier, later in zip(starts, starts[1:])}
    assert gaps and all(gap % INTERVAL_SECONDS == 0 for gap in gaps), f"start times not on the schedule: {starts}"
    failed = [f"{run.name}: {run.state.type.value} {run.state.message}" for run in finished
              if run.state.type in {StateType.FAILED, StateType.CRASHED}]
    assert not failed, "scheduled runs that failed:\n" + "\n".join(failed) + f"\n{server.tail()}"
    assert any(run.state.type == StateType.COMPLETED for run in finished)
    # the Completed run really ran the pull: the catalogue is in the database
    engine = make_engine(database_url)
    try:
        stored = {item.product.ocop_code for item in load_products(engine).values()}
    finally:
        engine.dispose()
    assert stored and stored <= {row["ocop_code"] for row in rows}, f"stored after the scheduled pull: {sorted(stored)}"


def _deploy_every_few_seconds(server: PrefectServer, tmp_path: Path) -> uuid.UUID:
    """prefect.yaml's nightly deployment, on the test's pool, every INTERVAL_SECONDS, pull step only."""
    production = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
    nightly = next(d for d in production["deployments"] if d["name"] == PRODUCTION_DEPLOYMENT)
    deployment = nightly | {
        "name": DEPLOYMENT,
        "work_pool": nightly["work_pool"] | {"name": POOL},
        "schedules": [{"interval": INTERVAL_SECONDS}],
        "parameters": {"steps": ["pull"]},
    }
    prefect_file = tmp_path / "prefect.yaml"
    # prefect.yaml's pull step names "{{ $PWD }}"; the test names the checkout, wherever pytest runs from
    pull = [{"prefect.deployments.steps.set_working_directory": {"directory": str(REPO)}}]
    test_file = {"name": production["name"], "prefect-version": production["prefect-version"], "pull": pull,
                 "deployments": [deployment]}
    prefect_file.write_text(yaml.safe_dump(test_file, allow_unicode=True, sort_keys=False), encoding="utf-8")
    server.cli("deploy", "--all", "--prefect-file", str(prefect_file), cwd=REPO)
    with SyncPrefectClient(server.api_url) as client:
        return client.read_deployment_by_name(f"ocop_sync/{DEPLOYMENT}").id


def _one_finished(runs: list[FlowRun]) -> bool:
    """A run Completed, or one Failed or Crashed (the test then says why, rather than waiting on)."""
    ends = {StateType.COMPLETED, StateType.FAILED, StateType.CRASHED}
    return any(run.state is not None and run.state.type in ends for run in runs)


def _wait_for_runs(server: PrefectServer, deployment_id: uuid.UUID, enough: Callable[[list[FlowRun]], bool],
                   timeout: float, describe: str) -> list[FlowRun]:
    """The deployment's flow runs once `enough(runs)` holds; raises TimeoutError with the server's logs."""
    deadline = time.monotonic() + timeout
    only_this = DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id]))
    with SyncPrefectClient(server.api_url) as client:
        while True:
            runs = client.read_flow_runs(deployment_filter=only_this)
            if enough(runs):
                return runs
            if time.monotonic() > deadline:
                seen = ", ".join(f"{run.name} {run.state.name if run.state else None}" for run in runs) or "none"
                raise TimeoutError(f"no {describe} after {timeout:.0f} s (runs: {seen})\n{server.tail()}")
            time.sleep(0.5)
