"""A real `prefect server` and process workers as subprocesses, for tests of what an operator does
on a server (deploy, run, Retry) rather than in Prefect's ephemeral mode.

```python
with running_prefect_server(tmp_path / "prefect") as server:
    server.cli("work-pool", "create", "pool", "--type", "process")
    with server.worker("pool", environment={"OCOP_HOME": ...}):
        ...
```
Every subprocess gets the server's API URL explicitly, its own PREFECT_HOME, no telemetry, and
none of the calling process's PREFECT_* settings (the in-process test harness points elsewhere).
Output goes to log files under the server's home; `server.tail()` quotes them in failure messages.
`server.wait_for_flow_run(run_id, until)` polls a run's state; `server.flow_run_events(run_id)`
reads the events the server stored about a run (state changes, heartbeats).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import requests
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.objects import State

PREFECT = str(Path(sys.executable).with_name("prefect"))
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
CLI_TIMEOUT = 60.0


@dataclass
class PrefectServer:
    api_url: str
    home: Path

    def environment(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """The environment of a Prefect client of this server: the caller's, minus its PREFECT_* settings."""
        environment = {name: value for name, value in os.environ.items() if not name.startswith("PREFECT_")}
        environment |= _quiet_prefect(self.home) | {"PREFECT_API_URL": self.api_url}
        return environment | dict(extra or {})

    def cli(self, *args: str, cwd: Path | None = None, extra: Mapping[str, str] | None = None) -> str:
        """Run `prefect --no-prompt <args>` against this server; returns its output, raises with it on failure."""
        command = [PREFECT, "--no-prompt", *args]
        done = subprocess.run(command, cwd=cwd, env=self.environment(extra), stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=CLI_TIMEOUT)
        if done.returncode != 0:
            raise RuntimeError(f"`prefect {' '.join(args)}` exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    @contextlib.contextmanager
    def worker(self, pool: str, environment: Mapping[str, str]) -> Iterator[subprocess.Popen]:
        """A process worker polling `pool` every second; its flow runs inherit `environment`."""
        extra = dict(environment) | {"PREFECT_WORKER_QUERY_SECONDS": "1"}
        log = self.home / f"worker-{pool}.log"
        with _started([PREFECT, "worker", "start", "--pool", pool], self.environment(extra), log) as process:
            yield process

    def wait_for_flow_run(self, run_id: uuid.UUID, until: Callable[[State], bool], *, timeout: float,
                          describe: str = "the expected state") -> State:
        """Poll the run's state until `until(state)` holds; raises TimeoutError (with the logs) after `timeout` s."""
        deadline = time.monotonic() + timeout
        with SyncPrefectClient(self.api_url) as client:
            while True:
                state = client.read_flow_run(run_id).state
                if state is not None and until(state):
                    return state
                if time.monotonic() > deadline:
                    now = f"{state.type.value} {state.name!r} {state.message!r}" if state else "no state"
                    raise TimeoutError(f"flow run {run_id}: no {describe} after {timeout:.0f} s (now {now})\n"
                                       f"{self.tail()}")
                time.sleep(0.5)

    def flow_run_events(self, run_id: uuid.UUID, *, prefix: str = "prefect.flow-run.") -> list[dict]:
        """The first 50 events about this flow run that the server has stored so far (one page), oldest first."""
        query = {"filter": {"event": {"prefix": [prefix]}, "any_resource": {"id": [f"prefect.flow-run.{run_id}"]},
                            "order": "ASC"}, "limit": 50}
        response = requests.post(f"{self.api_url}/events/filter", json=query, timeout=10)
        response.raise_for_status()
        return response.json()["events"]

    def tail(self, lines: int = 60) -> str:
        """The last lines of every log of this server and its workers, for a failure message."""
        parts = []
        for log in sorted(self.home.glob("*.log")):
            text = log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
            parts.append(f"--- {log.name} ---\n" + "\n".join(text))
        return "\n".join(parts)


@contextlib.contextmanager
def running_prefect_server(home: Path) -> Iterator[PrefectServer]:
    """`prefect server start` on a free port with its own home (SQLite database inside); stopped on exit."""
    home.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    server = PrefectServer(f"http://127.0.0.1:{port}/api", home)
    environment = server.environment({"PREFECT_UI_ENABLED": "false"})
    command = [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    with _started(command, environment, home / "server.log") as process:
        _wait_healthy(server, process)
        yield server


def _quiet_prefect(home: Path) -> dict[str, str]:
    return {
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_HOME": str(home),
    }


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def _started(command: list[str], environment: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    # A session of its own, so that stopping it reaches the processes of its group. Prefect 3.8's process
    # worker starts each flow run process in a session of its own, and kills those itself on SIGTERM
    # (leaving their runs Running: docs/operations.md).
    with log.open("ab") as output:
        process = subprocess.Popen(command, env=environment, stdin=subprocess.DEVNULL, stdout=output,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield process
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process's group, then SIGKILL if it has not exited within STOP_TIMEOUT."""
    if process.poll() is not None:
        return
    for sent in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sent)
        try:
            process.wait(timeout=STOP_TIMEOUT)
            return
        except subprocess.TimeoutExpired:
            continue


def _wait_healthy(server: PrefectServer, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"prefect server exited {process.returncode} while starting:\n{server.tail()}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{server.api_url}/health", timeout=2).ok:
                return
        time.sleep(0.2)
    raise TimeoutError(f"prefect server not healthy at {server.api_url} after {START_TIMEOUT:.0f} s:\n{server.tail()}")
