"""Fixtures for the report tests: one reconciled province with every kind of finding."""

import pytest

from reconcile.history import HistoryPoint
from reconcile.run import ReconcileResult
from tests.reports.province_data import make_history, make_result


@pytest.fixture
def result() -> ReconcileResult:
    return make_result()


@pytest.fixture
def history(result) -> list[HistoryPoint]:
    return make_history(result)
