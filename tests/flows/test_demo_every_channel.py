"""`ocop demo --every-channel`: the API channels through their sandboxes and the postal channels
through the workbook loop (written, uploaded to the seller-centre stand-in, export imported) all
reach full coverage, and a re-run writes nothing anywhere."""

from __future__ import annotations

import pytest

from flows.demo import run_demo, summary_lines
from ocop.channels import DECLARATIONS

pytestmark = pytest.mark.slow

PROVINCE = "Đồng Tháp"


def test_every_channel_reaches_full_coverage_the_postal_ones_through_their_workbooks(demo_home):
    said: list[str] = []
    runs = run_demo(demo_home, province=PROVINCE, products=8, runs=2, faults=False, echo=said.append, every_channel=True)

    reconcile = runs[-1].result["reconcile"]
    channels = reconcile["channels"]
    assert set(channels) == {channel.value for channel in DECLARATIONS}
    assert all(share["live"] == share["listable"] > 0 for share in channels.values()), channels
    uploaded = [line for line in said if "uploaded to the seller centre (a stand-in)" in line]
    assert [line.split(":")[0] for line in uploaded] == ["postmart-dong-thap", "voso-dong-thap"]   # run 1 only
    assert runs[-1].write_calls == 0
    assert "  not live: 0 (every listable product is live on every channel)" in summary_lines(demo_home, PROVINCE)
