"""Unit tests for hrss_warehouse.ingest.parse.parse_file and landing.sha256_of.

Landing files are written into pytest's tmp_path and parsed against the real catalog
(<repo>/seeds). Nothing here touches DuckDB (no discover / ingest_files).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest

from hrss_warehouse.catalog.names import Catalog
from hrss_warehouse.ingest.landing import sha256_of
from hrss_warehouse.ingest.parse import FileResult, parse_file

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
TODAY = date(2024, 6, 30)
HEADER = "指标名称,地区,统计期,数值,单位,口径"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(ROOT / "seeds")


def write(tmp_path: Path, name: str, lines: list[str], encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def by_line(result: FileResult) -> dict[int | None, dict[str, object]]:
    return {q["row_number"]: q for q in result.quarantined}


GOOD = [
    HEADER,
    "新引进高校毕业生,舟山市,2023年,21078,人,",  # 2
    '城镇登记失业率,定海区,2024年3月,"2.5%",,当期',  # 3: unit taken from the % sign
    '城镇新增就业人数,全市,2024年1-3月,"1,234",人,累计',  # 4: year to date
    "失业保险参保人数,普陀区,2024Q1,２６．５,万人,期末",  # 5: full-width digits
]


def check_good(result: FileResult) -> None:
    assert result.rows_in == 4
    assert result.quarantined == []
    assert result.status == "loaded"
    obs = {o["row_number"]: o for o in result.observations}
    assert sorted(obs) == [2, 3, 4, 5]

    grads = obs[2]
    assert grads["indicator_code"] == "new_graduates_attracted"
    assert grads["region_code"] == "330900"
    assert grads["period_code"] == "2023"
    assert grads["period_grain"] == "year"
    assert grads["period_start_date"] == date(2023, 1, 1)
    assert grads["period_end_date"] == date(2023, 12, 31)
    assert grads["basis"] == "period"
    assert grads["value"] == 2.1078  # 21078 人 × 0.0001 = 2.1078 万人, binary noise rounded
    assert grads["unit"] == "万人"
    assert grads["value_as_reported"] == "21078"
    assert grads["unit_as_reported"] == "人"
    assert grads["source"] is None
    assert grads["note"] is None

    rate = obs[3]
    assert rate["indicator_code"] == "registered_unemployment_rate"
    assert rate["region_code"] == "330902"
    assert (rate["period_code"], rate["period_grain"]) == ("2024-03", "month")
    assert rate["period_start_date"] == date(2024, 3, 1)
    assert rate["value"] == 2.5
    assert rate["unit"] == "%"
    assert rate["unit_as_reported"] == "%"
    assert rate["value_as_reported"] == "2.5%"

    jobs = obs[4]
    assert jobs["indicator_code"] == "urban_new_jobs"
    assert jobs["region_code"] == "330900"
    assert jobs["period_code"] == "2024-03"
    assert jobs["period_start_date"] == date(2024, 1, 1)
    assert jobs["period_end_date"] == date(2024, 3, 31)
    assert jobs["basis"] == "ytd"
    assert jobs["value"] == 0.1234  # 1,234 人 → 0.1234 万人
    assert jobs["value_as_reported"] == "1,234"

    insured = obs[5]
    assert insured["indicator_code"] == "unemployment_insurance_insured"
    assert insured["region_code"] == "330903"
    assert (insured["period_code"], insured["period_grain"]) == ("2024-Q1", "quarter")
    assert insured["basis"] == "end"
    assert insured["value"] == 26.5
    assert insured["value_as_reported"] == "２６．５"


def test_good_utf8_file(tmp_path, catalog):
    check_good(parse_file(write(tmp_path, "good.csv", GOOD), catalog, TODAY))


def test_utf8_with_bom_parses_the_same(tmp_path, catalog):
    plain = parse_file(write(tmp_path, "plain.csv", GOOD), catalog, TODAY)
    bom_path = write(tmp_path, "bom.csv", GOOD, encoding="utf-8-sig")
    assert bom_path.read_bytes().startswith(b"\xef\xbb\xbf")
    bom = parse_file(bom_path, catalog, TODAY)
    check_good(bom)
    assert bom.observations == plain.observations


def test_crlf_line_endings(tmp_path, catalog):
    path = tmp_path / "crlf.csv"
    path.write_bytes(("\r\n".join(GOOD) + "\r\n").encode("utf-8"))
    check_good(parse_file(path, catalog, TODAY))


def test_english_header_with_codes_source_and_note(tmp_path, catalog):
    path = write(
        tmp_path,
        "codes.csv",
        [
            "indicator_code,region_code,period,value,unit,basis,source,note",
            "urban_new_jobs,330902,2024Q1,1.5,万人,当期,市人社局,初步数",
        ],
    )
    result = parse_file(path, catalog, TODAY)
    assert result.quarantined == []
    [obs] = result.observations
    assert obs["indicator_code"] == "urban_new_jobs"
    assert obs["region_code"] == "330902"
    assert obs["period_code"] == "2024-Q1"
    assert obs["basis"] == "period"
    assert obs["value"] == 1.5
    assert obs["source"] == "市人社局"
    assert obs["note"] == "初步数"
    assert obs["row_number"] == 2


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_chinese_encodings_parse_the_same(tmp_path, catalog, encoding):
    path = write(tmp_path, f"{encoding}.csv", GOOD, encoding=encoding)
    result = parse_file(path, catalog, TODAY)
    check_good(result)
    assert result.encoding == ("utf-8" if encoding == "utf-8-sig" else "gb18030")


def test_bytes_in_no_supported_encoding_are_one_file_level_quarantine(tmp_path, catalog):
    path = tmp_path / "binary.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    result = parse_file(path, catalog, TODAY)
    assert (result.observations, result.rows_in, result.status) == ([], 0, "quarantined")
    [problem] = result.quarantined
    assert (problem["reason_code"], problem["row_number"], problem["raw_record"]) == (
        "file_encoding_unknown",
        None,
        None,
    )
    assert problem["message_zh"] == (
        "文件“binary.csv” 文件编码无法识别（支持UTF-8、GBK/GB18030、UTF-16）："
        "不是UTF-8、GBK/GB18030或UTF-16编码的文本（疑似二进制文件）"
    )


@pytest.mark.parametrize(("name", "shown"), [("data.txt", ".txt"), ("data.json", ".json")])
def test_unsupported_file_type(tmp_path, catalog, name, shown):
    path = write(tmp_path, name, GOOD)
    result = parse_file(path, catalog, TODAY)
    assert result.observations == []
    assert result.rows_in == 0
    [problem] = result.quarantined
    assert problem["reason_code"] == "file_type_unsupported"
    assert problem["row_number"] is None
    assert problem["message_zh"] == (
        f"文件“{name}” 文件类型不受支持（应为 .csv、.xlsx 或 .xls）：{shown}"
    )


def test_file_without_extension(tmp_path, catalog):
    [problem] = parse_file(write(tmp_path, "README", GOOD), catalog, TODAY).quarantined
    assert problem["reason_code"] == "file_type_unsupported"
    assert problem["message_zh"] == (
        "文件“README” 文件类型不受支持（应为 .csv、.xlsx 或 .xls）：无扩展名"
    )


def test_upper_case_csv_suffix_is_supported(tmp_path, catalog):
    check_good(parse_file(write(tmp_path, "GOOD.CSV", GOOD), catalog, TODAY))


def test_header_missing_value_column_quarantines_every_row(tmp_path, catalog):
    lines = [
        "指标名称,地区,统计期,单位",
        "城镇新增就业人数,舟山市,2024年3月,万人",  # 2
        "失业保险参保人数,舟山市,2024年3月,万人",  # 3
        "",  # 4: blank, skipped
        "技能人才总量,舟山市,2024年3月,万人",  # 5
    ]
    result = parse_file(write(tmp_path, "nohdr.csv", lines), catalog, TODAY)
    assert result.rows_in == 3
    assert result.observations == []
    assert [q["row_number"] for q in result.quarantined] == [2, 3, 5]
    assert {q["reason_code"] for q in result.quarantined} == {"header_missing_column"}
    assert result.quarantined[0]["message_zh"] == "文件“nohdr.csv”第2行：“数值” 表头缺少必填列"
    assert json.loads(result.quarantined[2]["raw_record"]) == {
        "指标名称": "技能人才总量",
        "地区": "舟山市",
        "统计期": "2024年3月",
        "单位": "万人",
    }
    assert len(result.observations) + len(result.quarantined) == result.rows_in


def test_header_missing_several_columns_names_them_all(tmp_path, catalog):
    lines = ["指标名称,统计期,数值", "城镇新增就业人数,2024年3月,1"]
    [problem] = parse_file(write(tmp_path, "h.csv", lines), catalog, TODAY).quarantined
    assert problem["reason_code"] == "header_missing_column"
    assert problem["message_zh"] == "文件“h.csv”第2行：“地区代码|地区、单位” 表头缺少必填列"


def test_header_missing_column_without_rows(tmp_path, catalog):
    result = parse_file(write(tmp_path, "h0.csv", ["指标名称,地区,统计期,单位"]), catalog, TODAY)
    assert result.rows_in == 0
    [problem] = result.quarantined
    assert problem["reason_code"] == "header_missing_column"
    assert problem["row_number"] is None
    assert problem["message_zh"] == "文件“h0.csv” 表头缺少必填列：数值"


def test_header_only_is_file_empty(tmp_path, catalog):
    result = parse_file(write(tmp_path, "empty.csv", [HEADER, "", ""]), catalog, TODAY)
    assert result.rows_in == 0
    assert result.observations == []
    [problem] = result.quarantined
    assert problem["reason_code"] == "file_empty"
    assert problem["row_number"] is None


def test_zero_byte_file_is_file_empty(tmp_path, catalog):
    path = tmp_path / "zero.csv"
    path.write_bytes(b"")
    [problem] = parse_file(path, catalog, TODAY).quarantined
    assert problem["reason_code"] == "file_empty"
    assert problem["row_number"] is None


BAD = [
    HEADER,  # 1
    "城镇新增就业人数,舟山市,2024年1-3月,1.2,万人,累计",  # 2: good
    "失业保险参保人数,舟山市,2024年3月,四点六,万人,期末",  # 3: value_not_numeric
    "不存在的指标,舟山市,2024年3月,1,万人,",  # 4: indicator_unknown
    "",  # 5: blank, skipped but counted as a line
    "失业保险参保人数,定海区,2024年3月,26,公斤,期末",  # 6: unit_not_convertible
    "失业保险参保人数,普陀区,2024年13月,26,万人,期末",  # 7: period_invalid
    "失业保险参保人数,岱山县,2024年7月,26,万人,期末",  # 8: period_in_future (ends 07-31)
    "城镇新增就业人数,全市,2024年1-3月,1.3,万人,累计",  # 9: duplicate of 2 (全市 = 舟山市)
    "失业保险参保人数,嵊泗县,2024年6月,3.1,万人,期末",  # 10: good (ends on TODAY)
    "失业保险参保人数,普陀区,2024年5月,—,万人,期末",  # 11: value_missing
    "城镇登记失业率,舟山市,2024年1-3月,2.1,%,当期",  # 12: basis_conflict
    "城镇登记失业率,舟山市,2024年3月,2.1,,当期",  # 13: unit_missing
    ",舟山市,2024年3月,1,万人,",  # 14: indicator_missing
    "失业保险参保人数,杭州市,2024年3月,1,万人,",  # 15: region_unknown
    "失业保险参保人数,舟山市,,1,万人,",  # 16: period_missing
    "失业保险参保人数,舟山市,2024年3月,1,万人,同比",  # 17: basis_invalid
]

BAD_EXPECTED = {
    3: ("value_not_numeric", "value", "文件“bad.csv”第3行 字段“数值”：“四点六” 数值无法识别为数字"),
    4: (
        "indicator_unknown",
        "indicator_name",
        "文件“bad.csv”第4行 字段“指标名称”：“不存在的指标” 指标不在目录中",
    ),
    6: (
        "unit_not_convertible",
        "unit",
        "文件“bad.csv”第6行 字段“单位”：“公斤→万人” 单位无法换算为目录单位",
    ),
    7: (
        "period_invalid",
        "period",
        "文件“bad.csv”第7行 字段“统计期”：“2024年13月” 统计期格式无法识别",
    ),
    8: (
        "period_in_future",
        "period",
        "文件“bad.csv”第8行 字段“统计期”：“2024年7月” 统计期晚于今天",
    ),
    9: ("duplicate_in_file", None, "文件“bad.csv”第9行 同一文件内重复的指标、地区、统计期"),
    11: ("value_missing", "value", "文件“bad.csv”第11行 字段“数值”：“—” 数值为空"),
    12: ("basis_conflict", "basis", "文件“bad.csv”第12行 字段“口径”：“当期” 口径与统计期矛盾"),
    13: ("unit_missing", "unit", "文件“bad.csv”第13行 字段“单位” 单位为空"),
    14: (
        "indicator_missing",
        "indicator_name",
        "文件“bad.csv”第14行 字段“指标名称” 指标代码和指标名称均为空",
    ),
    15: (
        "region_unknown",
        "region_name",
        "文件“bad.csv”第15行 字段“地区”：“杭州市” 地区不在目录中",
    ),
    16: ("period_missing", "period", "文件“bad.csv”第16行 字段“统计期” 统计期为空"),
    17: (
        "basis_invalid",
        "basis",
        "文件“bad.csv”第17行 字段“口径”：“同比” 口径无法识别（应为 当期/累计/期末）",
    ),
}


@pytest.fixture
def bad_result(tmp_path, catalog) -> FileResult:
    return parse_file(write(tmp_path, "bad.csv", BAD), catalog, TODAY)


def test_bad_rows_counts_balance(bad_result):
    assert bad_result.rows_in == 15  # lines 2-17, less the blank line 5
    assert len(bad_result.observations) == 2
    assert len(bad_result.quarantined) == 13
    assert len(bad_result.observations) + len(bad_result.quarantined) == bad_result.rows_in
    assert bad_result.status == "partially_loaded"


def test_bad_rows_good_rows_still_load(bad_result):
    obs = {o["row_number"]: o for o in bad_result.observations}
    assert sorted(obs) == [2, 10]
    assert obs[2]["indicator_code"] == "urban_new_jobs"
    assert obs[2]["value"] == 1.2  # the first of the duplicates wins
    assert obs[2]["basis"] == "ytd"
    assert obs[10]["region_code"] == "330922"
    assert obs[10]["period_end_date"] == TODAY  # ends today: not in the future
    assert obs[10]["value"] == 3.1


@pytest.mark.parametrize("line", sorted(BAD_EXPECTED))
def test_bad_row_reason_and_message(bad_result, line):
    reason, field, message = BAD_EXPECTED[line]
    problem = by_line(bad_result)[line]
    assert problem["reason_code"] == reason
    assert problem["field_name"] == field
    assert problem["message_zh"] == message
    assert "bad.csv" in problem["message_zh"]
    assert f"第{line}行" in problem["message_zh"]


def test_bad_rows_quarantined_in_file_order(bad_result):
    assert [q["row_number"] for q in bad_result.quarantined] == sorted(BAD_EXPECTED)


def test_bad_row_keeps_the_raw_record(bad_result):
    raw = json.loads(by_line(bad_result)[3]["raw_record"])
    assert raw == {
        "指标名称": "失业保险参保人数",
        "地区": "舟山市",
        "统计期": "2024年3月",
        "数值": "四点六",
        "单位": "万人",
        "口径": "期末",
    }
    assert "四点六" in by_line(bad_result)[3]["raw_record"]  # ensure_ascii=False


def test_future_period_depends_on_today(tmp_path, catalog):
    lines = [HEADER, "失业保险参保人数,舟山市,2024年7月,26,万人,期末"]
    path = write(tmp_path, "f.csv", lines)
    [problem] = parse_file(path, catalog, date(2024, 7, 30)).quarantined
    assert problem["reason_code"] == "period_in_future"
    later = parse_file(path, catalog, date(2024, 7, 31))
    assert later.quarantined == []
    assert later.observations[0]["period_code"] == "2024-07"


def test_year_period_is_future_until_the_year_ends(tmp_path, catalog):
    path = write(tmp_path, "y.csv", [HEADER, "失业保险参保人数,舟山市,2024,26,万人,期末"])
    [problem] = parse_file(path, catalog, TODAY).quarantined
    assert problem["reason_code"] == "period_in_future"
    assert parse_file(path, catalog, date(2024, 12, 31)).quarantined == []


def test_duplicates_across_period_spellings(tmp_path, catalog):
    lines = [
        HEADER,
        "失业保险参保人数,舟山市,2024年3月,26,万人,期末",  # 2
        "失业保险参保人数,全市,2024-03,26.1,万人,期末",  # 3: same key, other spellings
        "失业保险参保人数,舟山市,2024年3月,26,万人,当期",  # 4: other basis: not a duplicate
        "失业保险参保人数,舟山市,2024Q1,26,万人,期末",  # 5: other grain: not a duplicate
    ]
    result = parse_file(write(tmp_path, "dup.csv", lines), catalog, TODAY)
    assert [o["row_number"] for o in result.observations] == [2, 4, 5]
    [problem] = result.quarantined
    assert (problem["row_number"], problem["reason_code"]) == (3, "duplicate_in_file")


def test_status_property():
    assert FileResult().status == "quarantined"
    assert FileResult(observations=[{}]).status == "loaded"
    assert FileResult(observations=[{}], quarantined=[{}]).status == "partially_loaded"
    assert FileResult(quarantined=[{}]).status == "quarantined"


# --------------------------------------------------------------------------- sha256_of


def test_sha256_of_known_digests(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    abc = tmp_path / "abc.csv"
    abc.write_bytes(b"abc")
    assert sha256_of(empty) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert sha256_of(abc) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_sha256_of_reads_past_the_chunk_size(tmp_path):
    data = bytes(range(256)) * 8192 + b"tail"  # 2 MiB + 4 bytes: three reads
    path = tmp_path / "big.csv"
    path.write_bytes(data)
    assert sha256_of(path) == hashlib.sha256(data).hexdigest()
    path.write_bytes(data[:-1] + b"X")
    assert sha256_of(path) != hashlib.sha256(data).hexdigest()


def test_sha256_of_is_content_only(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_bytes("指标名称\n".encode())
    b.write_bytes("指标名称\n".encode())
    assert sha256_of(a) == sha256_of(b)
