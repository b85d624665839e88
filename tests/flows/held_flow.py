"""A flow that stays Running until the test lets it go, for tests that kill a flow run's process.

Deployed by path (tests/flows/held_flow.py:held), run by a process worker. It writes its process id
to `pid_file`, then waits until `release_file` exists: a first attempt is killed while it waits,
and a retry made after the test creates `release_file` completes at once.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from prefect import flow


@flow(name="held")
def held(pid_file: str, release_file: str, timeout: float = 600.0) -> int:
    Path(pid_file).write_text(str(os.getpid()), encoding="utf-8")
    deadline = time.monotonic() + timeout
    while not Path(release_file).exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{release_file} did not appear within {timeout:.0f} s")
        time.sleep(0.2)
    return os.getpid()
