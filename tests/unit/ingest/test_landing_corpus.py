"""Every file of the landing corpus (tests/corpus/cases.py) gives exactly its expected
result: the observations loaded and, for everything else, the reason it was
quarantined — and the counts always balance (rows_in = loaded + quarantined)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from hrss_warehouse.catalog.names import Catalog
from hrss_warehouse.ingest.parse import parse_file
from tests.corpus.cases import CASES

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
TODAY = date(2025, 6, 30)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(ROOT / "seeds")


def test_the_corpus_has_at_least_thirty_files():
    assert len(CASES) >= 30
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus_file(case, catalog, tmp_path):
    path = tmp_path / case.name
    case.build(path)
    result = parse_file(path, catalog, TODAY)

    loaded = sorted(
        (o["indicator_code"], o["region_code"], o["period_code"], o["basis"], o["value"])
        for o in result.observations
    )
    assert loaded == sorted(case.loaded)

    if case.file_reason:
        [problem] = result.quarantined
        assert (problem["reason_code"], problem["row_number"]) == (case.file_reason, None)
        assert result.rows_in == 0
        return
    quarantined = sorted(
        (q["row_number"], q["reason_code"], *([q["column_label"]] if q["column_label"] else []))
        for q in result.quarantined
    )
    assert quarantined == sorted(case.quarantined)
    assert result.rows_in == len(result.observations) + result.rows_quarantined
    assert result.rows_quarantined == len(result.quarantined)  # every record kept
    if case.layout:
        assert result.layout == case.layout
    assert result.missing_cells == case.missing_cells
    notes = "；".join(result.notes)
    for expected in case.notes:
        assert expected in notes
    for problem in result.quarantined:
        # Every message names the file and the row a department sees.
        assert problem["message_zh"].startswith(f"文件“{case.name}”")
        assert f"第{problem['row_number']}行" in problem["message_zh"]
