"""An operator's Retry of a failed or crashed deployment run, on a real Prefect server with a process worker.

The run fails mid-publish (Lazada goes down after some writes have landed); once Lazada is back,
`prefect flow-run retry` re-runs the same flow run, which must finish the remaining listings and
redo nothing the first attempt had done. Likewise a nightly `ocop_sync` run whose process is killed
mid-publish (SIGKILL, as the OOM killer does) ends Crashed, and its Retry finishes the work at once:
the dead attempt's claims pass to the retry without waiting for their lease. A worker loads a
deployment's entrypoint in a fresh process, so the deployments of prefect.yaml are also checked to
load that way.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.objects import State, StateType
from sqlalchemy import select

from catalogue.ingest import ingest_rows
from catalogue.sample import sample_rows
from ledger.models import ListingBinding, ListingEvent, Shop
from ocop.channels import Channel
from ocop.store import make_engine, migrate, transaction
from publishing.candidates import load_products
from sandboxes.config import FaultConfig
from sandboxes.fleet import SandboxFleet, running_sandboxes
from shops.file import credentials_environment, write_shops_file
from tests.flows.conftest import OFFICIAL_SHOPS, TODAY
from tests.flows.prefect_server import PrefectServer, running_prefect_server

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
POOL = "ocop-retry-test"
DEPLOYMENT = "retry-on-server"
NIGHTLY = "nightly-on-server"
CHANNELS = dict(zip(OFFICIAL_SHOPS, (Channel.SHOPEE, Channel.LAZADA, Channel.TIKTOK)))
OUTAGE_AFTER_WRITES = 10
RUN_TIMEOUT = 120.0
FINAL = {StateType.COMPLETED, StateType.FAILED, StateType.CRASHED, StateType.CANCELLED}
# Sandbox latency on Lazada while the first attempt publishes, so that the outage reliably strikes
# after some of its writes and well before all of them.
SLOW_LAZADA = FaultConfig(latency_ms=25)

# The deployment as prefect.yaml declares the production ones: this checkout, a process pool, one
# run at a time (a retried run must still get through that limit). The entrypoint is a module path,
# as in prefect.yaml: a file path (flows/publish.py:...) makes Prefect put flows/ first on sys.path
# for the whole run, where a flow module named like a top-level package hides that package.
PREFECT_YAML = """\
name: ocop-retry-test
prefect-version: 3.8.8
pull:
  - prefect.deployments.steps.set_working_directory:
      directory: "{repo}"
deployments:
  - name: {deployment}
    entrypoint: flows.publish:publish_listings
    work_pool:
      name: {pool}
      work_queue_name: default
    concurrency_limit:
      limit: 1
      collision_strategy: CANCEL_NEW
  - name: {nightly}
    entrypoint: flows.sync:ocop_sync
    work_pool:
      name: {pool}
      work_queue_name: default
    parameters:
      steps: [publish]
"""


def test_retrying_a_run_failed_by_an_outage_finishes_the_work_and_duplicates_nothing(tmp_path):
    rows = sample_rows("Đồng Tháp", products=30, seed=7, today=TODAY)
    with running_sandboxes(tmp_path / "sandboxes") as fleet, running_prefect_server(tmp_path / "prefect") as server:
        environment = _pipeline_environment(fleet, tmp_path, rows)
        server.cli("work-pool", "create", POOL, "--type", "process")
        with server.worker(POOL, environment):
            deployment_id = _deploy(server, tmp_path)
            fleet.set_faults(Channel.LAZADA, SLOW_LAZADA)
            run_id = _start_run(server, deployment_id)
            with _outage_after_writes(fleet, Channel.LAZADA, OUTAGE_AFTER_WRITES):
                first = _wait_for_final_state(server, run_id)
            assert first.type == StateType.FAILED and "ShopUnavailable" in (first.message or ""), \
                f"first attempt: {first.type} {first.message}\n{server.tail()}"
            before_retry = _ledger(environment["OCOP_DATABASE_URL"])
            writes_before_retry = {key: fleet.write_calls(channel) for key, channel in CHANNELS.items()}

            fleet.set_faults(Channel.LAZADA, FaultConfig())
            server.cli("flow-run", "retry", str(run_id))
            retried = _wait_for_final_state(server, run_id, after=first)
            assert retried.type == StateType.COMPLETED, f"retry: {retried.type} {retried.message}\n{server.tail()}"

        listable = _listable_skus(environment["OCOP_DATABASE_URL"])
        after_retry = _ledger(environment["OCOP_DATABASE_URL"])
        created_first = before_retry.created.get("lazada-dong-thap", set())
        assert 0 < len(created_first) < len(listable), "the outage must strike mid-publish"
        _assert_every_shop_holds_each_listing_once(fleet, listable)
        _assert_ledger_bound_to_the_shops(fleet, after_retry, listable)
        _assert_retry_redid_nothing(fleet, before_retry, after_retry, writes_before_retry, listable)
        assert after_retry.run_ids == {str(run_id)}, "both attempts are the same flow run"


def _pipeline_environment(fleet: SandboxFleet, tmp_path: Path, rows: list[dict]) -> dict[str, str]:
    """A migrated SQLite database holding the sample, the shops file and credentials, as a worker's environment."""
    home = tmp_path / "home"
    database_url = f"sqlite:///{tmp_path / 'ocop.db'}"
    migrate(database_url)
    engine = make_engine(database_url)
    try:
        ingest_rows(engine, rows, today=TODAY)
    finally:
        engine.dispose()
    shops = [shop for shop in fleet.shops if shop.key in CHANNELS]
    return {
        "OCOP_HOME": str(home),
        "OCOP_DATABASE_URL": database_url,
        "OCOP_SHOPS_FILE": str(write_shops_file(shops, home / "shops.toml")),
        **credentials_environment(shops),
    }


def _deploy(server: PrefectServer, tmp_path: Path, name: str = f"publish_listings/{DEPLOYMENT}") -> uuid.UUID:
    prefect_file = tmp_path / "prefect.yaml"
    prefect_file.write_text(PREFECT_YAML.format(repo=REPO, deployment=DEPLOYMENT, nightly=NIGHTLY, pool=POOL),
                            encoding="utf-8")
    server.cli("deploy", "--all", "--prefect-file", str(prefect_file), cwd=REPO)
    with SyncPrefectClient(server.api_url) as client:
        return client.read_deployment_by_name(name).id


def _start_run(server: PrefectServer, deployment_id: uuid.UUID) -> uuid.UUID:
    with SyncPrefectClient(server.api_url) as client:
        return client.create_flow_run_from_deployment(deployment_id).id


def _wait_for_final_state(server: PrefectServer, run_id: uuid.UUID, *, after: State | None = None) -> State:
    """The flow run's final state (a new one, when `after` is the state a retry started from)."""
    deadline = time.monotonic() + RUN_TIMEOUT
    with SyncPrefectClient(server.api_url) as client:
        while time.monotonic() < deadline:
            state = client.read_flow_run(run_id).state
            if state is not None and state.type in FINAL and (after is None or state.id != after.id):
                return state
            time.sleep(0.5)
        last = client.read_flow_run(run_id).state
    raise TimeoutError(f"flow run {run_id} still {last.type if last else None} after {RUN_TIMEOUT:.0f} s\n{server.tail()}")


@contextmanager
def _outage_after_writes(fleet: SandboxFleet, channel: Channel, writes: int) -> Iterator[None]:
    """Take `channel`'s sandbox down as soon as it has received `writes` write calls."""
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            if fleet.write_calls(channel) >= writes:
                fleet.set_faults(channel, FaultConfig.outage())
                return
            time.sleep(0.002)

    watcher = threading.Thread(target=watch, name=f"outage-{channel.value}", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join(timeout=5)


@dataclass
class Ledger:
    bindings: dict[tuple[str, str], ListingBinding]   # (shop key, seller SKU) -> binding
    created: dict[str, set[str]]                      # shop key -> seller SKUs created or adopted
    creates: Counter[tuple[str, str]]                 # (shop key, seller SKU) -> successful creates/adopts
    events_by_shop: Counter[str]                      # shop key -> events recorded
    run_ids: set[str]


def _ledger(database_url: str) -> Ledger:
    engine = make_engine(database_url)
    try:
        with transaction(engine) as session:
            shop_keys = dict(session.execute(select(Shop.id, Shop.key)).all())
            bindings = list(session.scalars(select(ListingBinding)))
            session.expunge_all()
            events = session.execute(select(ListingEvent.binding_id, ListingEvent.operation,
                                            ListingEvent.outcome, ListingEvent.run_id)).all()
    finally:
        engine.dispose()
    by_id = {binding.id: (shop_keys[binding.shop_id], binding.seller_sku) for binding in bindings}
    creates = Counter(by_id[binding_id] for binding_id, operation, outcome, _ in events
                      if operation in ("create", "adopt") and outcome == "ok")
    created: dict[str, set[str]] = {}
    for shop_key, sku in creates:
        created.setdefault(shop_key, set()).add(sku)
    return Ledger(
        bindings={by_id[binding.id]: binding for binding in bindings},
        created=created,
        creates=creates,
        events_by_shop=Counter(by_id[binding_id][0] for binding_id, *_ in events),
        run_ids={run_id for *_, run_id in events},
    )


def _listable_skus(database_url: str) -> set[str]:
    engine = make_engine(database_url)
    try:
        products = load_products(engine)
    finally:
        engine.dispose()
    return {item.product.seller_sku for item in products.values() if item.is_listable(TODAY)}


def _assert_every_shop_holds_each_listing_once(fleet: SandboxFleet, listable: set[str]) -> None:
    for key, channel in CHANNELS.items():
        held = Counter(item.seller_sku for item in fleet.admin(channel).items(key, include_deleted=False))
        assert set(held) == listable, f"{key}: missing {sorted(listable - set(held))}, extra {sorted(set(held) - listable)}"
        assert held.most_common(1)[0][1] == 1, f"{key}: duplicated {[sku for sku, n in held.items() if n > 1]}"


def _assert_ledger_bound_to_the_shops(fleet: SandboxFleet, ledger: Ledger, listable: set[str]) -> None:
    for key, channel in CHANNELS.items():
        remote_ids = {item.seller_sku: str(item.item_id) for item in fleet.admin(channel).items(key, include_deleted=False)}
        for sku in listable:
            binding = ledger.bindings.get((key, sku))
            assert binding is not None, f"{key} {sku}: no binding"
            assert binding.remote_id == remote_ids[sku], f"{key} {sku}: ledger {binding.remote_id}, shop {remote_ids[sku]}"
            assert binding.pushed_hash, f"{key} {sku}: no pushed hash"
            assert binding.claimed_by is None, f"{key} {sku}: still claimed by {binding.claimed_by}"


def _assert_retry_redid_nothing(fleet, before: Ledger, after: Ledger, writes_before: dict[str, int], listable) -> None:
    assert max(after.creates.values()) == 1, f"created twice: {[k for k, n in after.creates.items() if n > 1]}"
    for key, channel in CHANNELS.items():
        created_first = before.created.get(key, set())
        assert after.created.get(key, set()) - created_first == listable - created_first, f"{key}: the retry's creates"
        if channel != Channel.LAZADA:
            # the outage did not touch this shop: the first attempt finished it, the retry left it alone
            assert created_first == listable, f"{key}: the first attempt left {sorted(listable - created_first)}"
            assert fleet.write_calls(channel) == writes_before[key], f"{key}: the retry wrote to a finished shop"
            assert after.events_by_shop[key] == before.events_by_shop[key], f"{key}: the retry recorded calls"


def test_retrying_a_nightly_run_killed_mid_publish_finishes_the_work_at_once(tmp_path):
    rows = sample_rows("Đồng Tháp", products=30, seed=7, today=TODAY)
    with running_sandboxes(tmp_path / "sandboxes") as fleet, running_prefect_server(tmp_path / "prefect") as server:
        environment = _pipeline_environment(fleet, tmp_path, rows)
        server.cli("work-pool", "create", POOL, "--type", "process")
        with server.worker(POOL, environment):
            deployment_id = _deploy(server, tmp_path, f"ocop_sync/{NIGHTLY}")
            for channel in CHANNELS.values():
                fleet.set_faults(channel, SLOW_LAZADA)
            run_id = _start_run(server, deployment_id)
            _kill_after_writes(fleet, run_id, OUTAGE_AFTER_WRITES)
            crashed = _wait_for_final_state(server, run_id)
            assert crashed.type == StateType.CRASHED, f"killed attempt: {crashed.type} {crashed.message}\n{server.tail()}"
            before_retry = _ledger(environment["OCOP_DATABASE_URL"])
            assert any(binding.claimed_by for binding in before_retry.bindings.values()), "the kill must leave claims"

            for channel in CHANNELS.values():
                fleet.set_faults(channel, FaultConfig())
            _wait_for_the_worker_to_let_go(server)
            server.cli("flow-run", "retry", str(run_id))
            retried = _wait_for_final_state(server, run_id, after=crashed)
            assert retried.type == StateType.COMPLETED, f"retry: {retried.type} {retried.message}\n{server.tail()}"
            worker_log = server.tail(lines=10_000)

        listable = _listable_skus(environment["OCOP_DATABASE_URL"])
        after_retry = _ledger(environment["OCOP_DATABASE_URL"])
        _assert_every_shop_holds_each_listing_once(fleet, listable)
        _assert_ledger_bound_to_the_shops(fleet, after_retry, listable)
        assert max(after_retry.creates.values()) == 1, "created twice"
        # the retry took the dead attempt's claims at once: it never waited for them
        assert "waiting for listings held" not in worker_log
        assert after_retry.run_ids == {str(run_id)}, "both attempts record their calls under the nightly run"


def _kill_after_writes(fleet: SandboxFleet, run_id: uuid.UUID, writes: int) -> None:
    """SIGKILL the flow run's processes (as the OOM killer would) once the shops received `writes` calls."""
    deadline = time.monotonic() + RUN_TIMEOUT
    while fleet.write_calls() < writes:
        assert time.monotonic() < deadline, "the run made no writes"
        time.sleep(0.005)
    processes = _flow_run_processes(run_id)
    assert processes, f"no process of flow run {run_id} found"
    for pid in processes:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _wait_for_the_worker_to_let_go(server: PrefectServer) -> None:
    """Prefect 3.8.8's process worker reports a killed run Crashed twice: its runner at once, then,
    once the flow's crash hooks were looked for (loading the flow: some 20 s here), the worker
    itself; that second report turns a Retry made meanwhile Crashed again (docs/operations.md).
    The worker's own resolution line comes last, whether its report landed or not: wait for it."""
    line = "prefect.flow_runs.worker - Check whether the flow run exceeded its memory allocation"
    deadline = time.monotonic() + RUN_TIMEOUT
    while line not in server.tail(lines=10_000):
        assert time.monotonic() < deadline, f"the worker never finished with the crashed run\n{server.tail()}"
        time.sleep(0.5)


def _flow_run_processes(run_id: uuid.UUID) -> list[int]:
    """The processes a worker started for this flow run (they carry PREFECT__FLOW_RUN_ID in their environment)."""
    marker = f"PREFECT__FLOW_RUN_ID={run_id}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if marker in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
    return found


def test_every_deployment_in_prefect_yaml_loads_as_a_worker_loads_it(tmp_path):
    """A worker's flow run process loads the entrypoint, then the flow migrates the database first."""
    declared = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))["deployments"]
    failures = {}
    for number, entrypoint in enumerate(sorted({deployment["entrypoint"] for deployment in declared})):
        database_url = f"sqlite:///{tmp_path / f'ocop-{number}.db'}"
        done = subprocess.run([sys.executable, "-c", LOAD_AS_A_WORKER, entrypoint, database_url],
                              cwd=REPO, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            names = ", ".join(d["name"] for d in declared if d["entrypoint"] == entrypoint)
            failures[f"{entrypoint} ({names})"] = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
    assert not failures, "entrypoints that fail on a worker:\n" + "\n".join(f"{k}: {v}" for k, v in failures.items())


LOAD_AS_A_WORKER = """\
import sys
from prefect.flows import load_flow_from_entrypoint
from ocop.store import migrate
load_flow_from_entrypoint(sys.argv[1], use_placeholder_flow=False)
migrate(sys.argv[2])
"""
