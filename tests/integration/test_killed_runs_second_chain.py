"""The second chain of 15 kills (tests/integration/killing.py): with the first chain in
test_killed_runs.py, 30 kills through every task, on two workers at once."""

from __future__ import annotations

import pytest

from tests.integration.killing import SECOND_CHAIN, run_chain

pytestmark = pytest.mark.integration


def test_fifteen_more_kills_through_every_task_leave_the_warehouse_before_or_after(
    tmp_path, airflow_home, sample_run
):
    run_chain(SECOND_CHAIN, tmp_path, airflow_home, sample_run.warehouse)
