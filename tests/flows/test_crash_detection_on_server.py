"""A flow run whose process is SIGKILLed ends Crashed by itself, on a real server with a process worker.

Two cases, as Prefect 3.8.8 behaves:
- the flow run process alone is killed (the OOM killer picks it): its worker sees it exit with -9
  and reports Crashed within seconds;
- the worker dies with it (machine restart, both killed): nobody reports anything, and without
  more the run stays Running for ever, holding its deployment's concurrency slot, and cannot be
  retried (`prefect flow-run retry` and the UI refuse a Running run). The deployments send
  heartbeats (prefect.yaml: PREFECT_FLOWS_HEARTBEAT_FREQUENCY) and the automation of
  crash-zombie-runs.yaml, created with the operator's command, marks the run Crashed once its
  heartbeats stop; the retry then runs it to Completed through the same concurrency limit.

The module takes about 2.5 minutes: the server's start-up (15 to 40 s on two cores), the first
case (about 15 s), the second (about 90 s: the automation's 60 s window after the last heartbeat,
Prefect's evaluation, the retry).
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.objects import StateType

from tests.flows.prefect_server import PrefectServer, running_prefect_server

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
AUTOMATION_FILE = REPO / "crash-zombie-runs.yaml"
POOL = "ocop-crash-test"
DEPLOYMENT = "crash-on-server"
START_TIMEOUT = 60.0
WORKER_REPORTS_WITHIN = 15.0
# Prefect's triggers service evaluates proactive triggers every 5 s, then its actions service acts.
EVALUATION_ALLOWANCE = 15.0
FINAL = {StateType.COMPLETED, StateType.FAILED, StateType.CRASHED, StateType.CANCELLED}


@dataclass
class CrashServer:
    server: PrefectServer
    deployment_id: uuid.UUID
    automation_within: float
    automation_message: str
    files: Path


@pytest.fixture(scope="module")
def crash_server(tmp_path_factory) -> Iterator[CrashServer]:
    files = tmp_path_factory.mktemp("crash")
    automation = yaml.safe_load(AUTOMATION_FILE.read_text(encoding="utf-8"))
    with running_prefect_server(files / "prefect") as server:
        server.cli("work-pool", "create", POOL, "--type", "process")
        server.cli("automation", "create", "--from-file", AUTOMATION_FILE.name, cwd=REPO)   # the operator's command
        yield CrashServer(server, _deploy(server, files), float(automation["trigger"]["within"]),
                          automation["actions"][0]["message"], files)


def test_a_flow_run_process_killed_alone_is_reported_crashed_by_its_worker(crash_server):
    server = crash_server.server
    with server.worker(POOL, {}):
        run_id, pid = _start_held_run(crash_server, "alone")
        os.kill(pid, signal.SIGKILL)
        killed = time.monotonic()
        state = server.wait_for_flow_run(run_id, lambda s: s.type in FINAL, timeout=WORKER_REPORTS_WITHIN + 30,
                                         describe="final state")
        took = time.monotonic() - killed
    assert state.type == StateType.CRASHED, f"{state.type} {state.message}\n{server.tail()}"
    assert "-9" in (state.message or "") and state.message != crash_server.automation_message, \
        f"Crashed by whom? {state.message!r}"
    assert took <= WORKER_REPORTS_WITHIN, f"the worker reported Crashed {took:.0f} s after the kill"


def test_a_flow_run_killed_with_its_worker_is_marked_crashed_by_the_heartbeat_automation_then_retried(crash_server):
    server = crash_server.server
    release = crash_server.files / "release-with-worker"
    with server.worker(POOL, {}) as worker:
        run_id, pid = _start_held_run(crash_server, "with-worker")
        _wait_for_a_heartbeat(server, run_id)
        for process in (worker.pid, pid):   # the machine goes: worker and flow run process at once
            os.kill(process, signal.SIGKILL)
        killed = time.monotonic()
        with pytest.raises(RuntimeError, match="in state 'RUNNING'"):
            server.cli("flow-run", "retry", str(run_id))   # what the issue saw: a Running run offers no Retry
        bound = crash_server.automation_within + EVALUATION_ALLOWANCE
        state = server.wait_for_flow_run(run_id, lambda s: s.type in FINAL, timeout=bound + 30, describe="final state")
        took = time.monotonic() - killed
    assert state.type == StateType.CRASHED, f"{state.type} {state.message}\n{server.tail()}"
    assert state.message == crash_server.automation_message, f"Crashed by whom? {state.message!r}"
    assert took <= bound, f"Crashed {took:.0f} s after the kill; the bound is {bound:.0f} s"
    silence = (state.timestamp - _heartbeats(server, run_id)[-1]).total_seconds()
    assert crash_server.automation_within <= silence <= bound, \
        f"Crashed {silence:.0f} s after the last heartbeat; the window is {crash_server.automation_within:.0f} s"
    print(f"Crashed {took:.1f} s after the kill, {silence:.1f} s after the last heartbeat")

    # Retry, as the UI's Retry button does, on a new worker: it gets through the concurrency limit
    # of one (the crashed run released its slot) and completes.
    release.touch()
    with server.worker(POOL, {}):
        server.cli("flow-run", "retry", str(run_id))
        retried = server.wait_for_flow_run(run_id, lambda s: s.type in FINAL and s.id != state.id,
                                           timeout=START_TIMEOUT, describe="final state after the retry")
    assert retried.type == StateType.COMPLETED, f"retry: {retried.type} {retried.message}\n{server.tail()}"


def _deploy(server: PrefectServer, files: Path) -> uuid.UUID:
    """The held flow of tests/, deployed as prefect.yaml deploys the pipeline: on a process pool with
    prefect.yaml's job variables (the heartbeat setting), one run at a time."""
    production = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
    declared = production["deployments"][0]
    assert "PREFECT_FLOWS_HEARTBEAT_FREQUENCY" in declared["work_pool"]["job_variables"]["env"], \
        "prefect.yaml's deployments must send heartbeats"
    deployment = {
        "name": DEPLOYMENT,
        "entrypoint": "tests/flows/held_flow.py:held",
        "work_pool": declared["work_pool"] | {"name": POOL},
        "concurrency_limit": declared["concurrency_limit"],
    }
    prefect_file = files / "prefect.yaml"
    # prefect.yaml's pull step names "{{ $PWD }}"; the test names the checkout, wherever pytest runs from
    pull = [{"prefect.deployments.steps.set_working_directory": {"directory": str(REPO)}}]
    test_file = {"name": production["name"], "prefect-version": production["prefect-version"], "pull": pull,
                 "deployments": [deployment]}
    prefect_file.write_text(yaml.safe_dump(test_file, sort_keys=False), encoding="utf-8")
    server.cli("deploy", "--all", "--prefect-file", str(prefect_file), cwd=REPO)
    with SyncPrefectClient(server.api_url) as client:
        return client.read_deployment_by_name(f"held/{DEPLOYMENT}").id


def _start_held_run(crash_server: CrashServer, name: str) -> tuple[uuid.UUID, int]:
    """A run of the held flow, Running in a process of the worker: its id and that process's id."""
    pid_file = crash_server.files / f"pid-{name}"
    parameters = {"pid_file": str(pid_file), "release_file": str(crash_server.files / f"release-{name}"),
                  "timeout": 300.0}
    with SyncPrefectClient(crash_server.server.api_url) as client:
        run_id = client.create_flow_run_from_deployment(crash_server.deployment_id, parameters=parameters).id
    crash_server.server.wait_for_flow_run(run_id, lambda s: s.type == StateType.RUNNING and pid_file.exists(),
                                          timeout=START_TIMEOUT, describe="Running state")
    deadline = time.monotonic() + 5
    while not pid_file.read_text(encoding="utf-8").strip() and time.monotonic() < deadline:
        time.sleep(0.1)
    return run_id, int(pid_file.read_text(encoding="utf-8"))


def _heartbeats(server: PrefectServer, run_id: uuid.UUID) -> list[datetime]:
    """When the run's heartbeats occurred, of those the server has stored."""
    return sorted(datetime.fromisoformat(event["occurred"]) for event in server.flow_run_events(run_id)
                  if event["event"] == "prefect.flow-run.heartbeat")


def _wait_for_a_heartbeat(server: PrefectServer, run_id: uuid.UUID) -> None:
    """Until the server has stored a heartbeat of the run: the heartbeat setting reached the run."""
    deadline = time.monotonic() + 30
    while not _heartbeats(server, run_id):
        if time.monotonic() > deadline:
            raise AssertionError(f"flow run {run_id} sent no heartbeat within 30 s: is "
                                 f"PREFECT_FLOWS_HEARTBEAT_FREQUENCY in prefect.yaml's job variables?\n{server.tail()}")
        time.sleep(0.5)


@pytest.fixture(autouse=True)
def _no_held_process_left(crash_server):
    """A held flow run process that outlived a failed test is killed, not left waiting for minutes.
    Only a live process started for this test's server is: a recorded pid may have been reused."""
    yield
    marker = f"PREFECT_API_URL={crash_server.server.api_url}".encode()
    for pid_file in crash_server.files.glob("pid-*"):
        with contextlib.suppress(ValueError, OSError):
            pid = int(pid_file.read_text(encoding="utf-8"))
            if marker in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
                os.kill(pid, signal.SIGKILL)
