"""The `ocop` command and Prefect: a generous start-up wait for the ephemeral API server, and no
server left behind when the command is killed.

Each test runs `ocop sync` in a process of its own, with the flow replaced by one that reports and
waits (the pipeline itself is tested in tests/flows).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.processes import running

REPO = Path(__file__).resolve().parents[2]

# `ocop sync`, whose flow prints what it was asked to report, then waits to be killed (or returns).
OCOP_SYNC_WITH_A_STAND_IN_FLOW = """
import json, os, sys, time, types
from pathlib import Path

def children():
    return [int(stat.parent.name) for stat in Path("/proc").glob("[0-9]*/stat")
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == os.getpid()]

def stand_in_flow(**parameters):
    from prefect.settings import get_current_settings
    print(json.dumps({"startup_timeout": get_current_settings().server.ephemeral.startup_timeout_seconds,
                      "children": children()}), flush=True)
    if sys.argv[1] == "wait":
        time.sleep(600)
    return {}

sys.modules["flows.sync"] = types.SimpleNamespace(ocop_sync=stand_in_flow)
from cli.main import app
app(["sync"])
"""


def _ocop_sync(tmp_path: Path, then: str, **environment: str) -> subprocess.Popen:
    env = {name: value for name, value in os.environ.items() if not name.startswith(("PREFECT_", "OCOP_"))}
    env |= {"OCOP_HOME": str(tmp_path / "home"), "PREFECT_SERVER_EPHEMERAL_ENABLED": "true", **environment}
    return subprocess.Popen([sys.executable, "-c", OCOP_SYNC_WITH_A_STAND_IN_FLOW, then], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, text=True)


def _reported(command: subprocess.Popen) -> dict:
    line = command.stdout.readline()
    assert line, "the command ended before its flow ran"
    return json.loads(line)


@pytest.mark.parametrize("set_by_the_user, expected", [(None, 120), ("45", 45)])
def test_the_ephemeral_server_is_given_two_minutes_to_start_unless_the_user_says_otherwise(
        tmp_path, set_by_the_user, expected):
    user = {"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": set_by_the_user} if set_by_the_user else {}
    # a server URL is set so that no ephemeral server is started: only the setting is looked at
    command = _ocop_sync(tmp_path, "return", PREFECT_API_URL="http://127.0.0.1:9/api", **user)
    try:
        assert _reported(command)["startup_timeout"] == expected
    finally:
        command.kill()
        command.wait()


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
    except FileNotFoundError:
        return ""


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc (Linux)")
def test_no_process_of_a_killed_ocop_command_survives_it_not_even_the_ephemeral_prefect_server(tmp_path):
    command = _ocop_sync(tmp_path, "wait")
    try:
        children = _reported(command)["children"]
    finally:
        command.send_signal(signal.SIGKILL)
        command.wait()
    assert any("prefect.server.api.server:create_app" in _command_line(pid) for pid in children)
    deadline = time.monotonic() + 15
    while any(running(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    survivors = {pid: _command_line(pid) for pid in children if running(pid)}
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert survivors == {}
