"""Hostile input is normal: every file of the hostile corpus (tests/corpus/hostile.py)
lands in one folder; each ends in a ledger row with its reason or its values, the counts
balance, the next run does not trip on any of them, and a full `hrss run` over all of
them beside the sample files exits 0 with the sample's figures published."""

from __future__ import annotations

import dataclasses
import json
import shutil

import pytest

from hrss_warehouse import pipeline
from hrss_warehouse.config import Settings
from hrss_warehouse.ingest.load import ingest_files
from hrss_warehouse.ingest.normalize import MAX_TEXT_CHARS
from tests.corpus.hostile import CASES, HEADER, JOBS_ROW, write
from tests.integration.support import ROOT, deployment_env, query

pytestmark = pytest.mark.integration

LIMITS = {"max_file_mb": 8}  # the oversized case is 9 MB


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    landing = root / "landing"
    landing.mkdir()
    for case in CASES:
        write(case, landing)
    with deployment_env(landing_dir=landing, warehouse=root / "hrss.duckdb", **LIMITS):
        first = pipeline.ingest({}, pipeline.discover({}), "hostile-1")
        again = pipeline.discover({})
    work_db = root / "work" / "hrss_work.duckdb"
    ledger = {
        row[0]: dict(
            zip(
                (
                    "status",
                    "rows_in",
                    "rows_loaded",
                    "rows_quarantined",
                    "notes",
                    "encoding",
                    "sha",
                ),
                row[1:],
                strict=True,
            )
        )
        for row in query(
            work_db,
            "select file_name, status, rows_in, rows_loaded, rows_quarantined, notes, encoding, "
            "file_sha256 from raw.file_ledger",
        )
    }
    return {"root": root, "work_db": work_db, "ledger": ledger, "first": first, "again": again}


def test_the_corpus_is_at_least_forty_entries():
    assert len(CASES) >= 40
    assert len({c.shown_name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.shown_name.replace("\n", " ") for c in CASES])
def test_each_hostile_entry_ends_as_expected(case, landed):
    ledger = landed["ledger"]
    if not case.taken:
        assert case.shown_name not in ledger
        return
    row = ledger[case.shown_name]
    assert row["status"] == (case.status or "loaded")
    # Nothing lost, nothing counted twice.
    assert row["rows_in"] == row["rows_loaded"] + row["rows_quarantined"]
    if case.rows_in is not None:
        assert row["rows_in"] == case.rows_in
    loaded = query(
        landed["work_db"],
        "select indicator_code, region_code, period_code, basis, value from raw.observations "
        "where file_sha256 = ? order by all",
        [row["sha"]],
    )
    assert loaded == sorted(case.loaded)
    reasons = dict(
        query(
            landed["work_db"],
            "select reason_code, count(*) from raw.quarantined_rows where file_sha256 = ? "
            "group by all",
            [row["sha"]],
        )
    )
    assert reasons == case.reasons
    for note in case.notes:
        assert note in (row["notes"] or "")
    if case.encoding:
        assert row["encoding"] == case.encoding


def test_what_a_quarantine_record_holds_is_bounded(landed):
    longest = query(
        landed["work_db"],
        "select max(length(message_zh)), max(length(raw_record)) from raw.quarantined_rows",
    )[0]
    assert longest[0] < 1000 and longest[1] <= MAX_TEXT_CHARS + 40
    # A 5 MB note is kept clipped, saying how long it was.
    [note] = query(
        landed["work_db"],
        "select note from raw.observations where file_name = '五兆备注.csv'",
    )[0]
    assert note.endswith(f"…（已截断，原文共 {5 * 1024 * 1024 // 3} 字）")
    assert len(note) < MAX_TEXT_CHARS + 40


def test_no_path_is_made_of_a_delivered_name(landed):
    root = landed["root"]
    for folder in ("archive", "report", "work"):
        for path in (root / folder).rglob("*"):
            assert "就业" not in path.name and "统" not in path.name, path
    reports = list((root / "report" / "quarantine").glob("*.csv"))
    assert reports and all(len(p.name) == len("20261206_0123456789ab.csv") for p in reports)


def test_the_next_run_finds_nothing_new_and_fails_on_nothing(landed):
    assert landed["again"] == {"files": []}
    taken = [c for c in CASES if c.taken]
    assert len(landed["first"]["files"]) == len(taken)


def test_a_parse_that_times_out_is_tried_again_then_given_up(tmp_path):
    """A timeout may only mean a busy machine: deferred twice (attempts counted in the
    ledger, offered again by discovery), quarantined for good on the third."""
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "慢.csv").write_text(HEADER + JOBS_ROW, "utf-8")
    with deployment_env(landing_dir=landing, warehouse=tmp_path / "hrss.duckdb"):
        settings = dataclasses.replace(Settings.load(), parse_timeout_s=0.001)
        statuses = []
        for attempt in range(1, 4):
            found = pipeline.discover({})["files"]
            assert len(found) == 1, attempt  # offered again while deferred
            summary = ingest_files(settings, found, f"slow-{attempt}")
            statuses.append(summary["files"][0]["status"])
        assert pipeline.discover({})["files"] == []  # settled
    assert statuses == ["deferred", "deferred", "quarantined"]
    [(status, attempts, error)] = query(
        tmp_path / "work" / "hrss_work.duckdb",
        "select status, attempts, first_error from raw.file_ledger",
    )
    assert (status, attempts) == ("quarantined", 3)
    assert error == "文件“慢.csv” 解析超时，未载入：超过 0.001 秒（已尝试 3 次，不再重试）"
    [(reason,)] = query(
        tmp_path / "work" / "hrss_work.duckdb", "select reason_code from raw.quarantined_rows"
    )
    assert reason == "parse_timeout"


def test_every_poison_file_beside_the_sample_leaves_the_run_whole(tmp_path, hrss):
    landing = tmp_path / "landing"
    landing.mkdir()
    for case in CASES:
        write(case, landing)
    for sample in (ROOT / "data" / "sample" / "landing").iterdir():
        shutil.copy(sample, landing / sample.name)
    warehouse = tmp_path / "warehouse" / "hrss.duckdb"
    done = hrss(
        "run", "--landing", landing, "--warehouse", warehouse, env={"HRSS_MAX_FILE_MB": "8"}
    )
    assert done.returncode == 0, done.stderr + done.stdout[-3000:]
    # The sample's figures are published: 技能人才总量 24.4万人 in 2024 (004 L89).
    assert query(
        warehouse,
        "select value from marts.fct_indicator_observation where indicator_code = "
        "'skilled_talent' and region_code = '330900' and period_code = '2024'",
    ) == [(24.4,)]
    summary = json.loads((warehouse.parent / "work" / "last_run.json").read_text("utf-8"))
    names = {f["file_name"] for f in summary["ingest"]["files"]}
    assert {c.shown_name for c in CASES if c.taken} <= names
    assert "Traceback" not in done.stdout + done.stderr
