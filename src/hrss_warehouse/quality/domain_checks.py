"""Domain rules on one delivered file, as a pass/fail per row that GX then expects.

Each check compares the file's rows (``raw.observations`` columns) with each other and
with ``earlier``: the latest figure per key already loaded from other files, minus the
keys this file re-delivers (a re-delivery is a revision, and the file wins). A check
returns a :class:`Verdict` aligned to the file's rows: ``ok`` (True where the rule
holds or does not apply) and ``message_zh`` (why not, for the department), so the
suite reports the rule and the quarantine / flag names the row.

Figures are compared at the precision they were printed with: 8.6 stands for anything
in [8.55, 8.65), so a share of 35.3 % agrees with 8.6 / 24.4 = 35.25 % (004 L15, L89).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd

KEY = ["indicator_code", "region_code", "period_code", "basis"]
_NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.(\d+))?")


@dataclass
class Verdict:
    ok: pd.Series
    message_zh: pd.Series

    @classmethod
    def passing(cls, rows: pd.DataFrame) -> Verdict:
        return cls(
            pd.Series(True, index=rows.index), pd.Series(None, index=rows.index, dtype=object)
        )

    def fail(self, index, messages) -> None:
        self.ok.loc[index] = False
        self.message_zh.loc[index] = list(messages)


def half_unit(value: float, as_reported: object) -> float:
    """Half a unit of the last printed digit, in the catalog unit: "8.6" → 0.05;
    "213000" 人 stored as 21.3 万人 → 0.00005. Unknown printing → exact (0)."""
    match = _NUMBER.search(str(as_reported or ""))
    if match is None or value is None or (isinstance(value, float) and math.isnan(value)):
        return 0.0
    printed = float(match.group(0).replace(",", ""))
    decimals = len(match.group(1) or "")
    scale = abs(value / printed) if printed else 1.0
    return 0.5 * 10 ** (-decimals) * scale


def _fmt(value: float) -> str:
    return f"{value:.6g}"


def _with_earlier(rows: pd.DataFrame, earlier: pd.DataFrame | None) -> pd.DataFrame:
    """The file's rows (``_mine``) plus earlier figures for keys it does not deliver."""
    mine = rows.assign(_mine=True, _row=rows.index)
    if earlier is None or earlier.empty:
        return mine
    delivered = pd.MultiIndex.from_frame(rows[KEY])
    context = earlier[~pd.MultiIndex.from_frame(earlier[KEY]).isin(delivered)]
    return pd.concat([mine, context.assign(_mine=False, _row=-1)], ignore_index=True)


def _tolerance(frame: pd.DataFrame) -> pd.Series:
    return pd.Series(
        [half_unit(v, r) for v, r in zip(frame["value"], frame["value_as_reported"], strict=True)],
        index=frame.index,
        dtype=float,
    )


def _flag_pairs(verdict: Verdict, pairs: pd.DataFrame, bad: pd.Series, message: pd.Series) -> None:
    """Mark the file's own rows on either side of each failing pair."""
    for side in ("_row_a", "_row_b"):
        hit = pairs[bad & (pairs[side] >= 0)]
        if not hit.empty:
            verdict.fail(hit[side].astype(int).to_numpy(), message[hit.index])


def december_matches_annual(rows: pd.DataFrame, earlier: pd.DataFrame | None) -> Verdict:
    """December's year-to-date (1-12月) must equal the year's figure (当期 for a flow;
    a December 期末 stock equals the year-end stock), within printed rounding."""
    verdict = Verdict.passing(rows)
    frame = _with_earlier(rows, earlier)
    frame = frame.assign(_tol=_tolerance(frame), _year=frame["period_code"].str[:4])
    december = frame[
        (frame["period_grain"] == "month")
        & frame["period_code"].str.endswith("-12")
        & frame["basis"].isin(["ytd", "end"])
    ]
    annual = frame[(frame["period_grain"] == "year") & frame["basis"].isin(["period", "end"])]
    annual = annual.assign(basis=annual["basis"].replace({"period": "ytd"}))
    pairs = december.merge(
        annual, on=["indicator_code", "region_code", "_year", "basis"], suffixes=("_a", "_b")
    )
    pairs = pairs[pairs["_mine_a"] | pairs["_mine_b"]]
    if pairs.empty:
        return verdict
    bad = (pairs["value_a"] - pairs["value_b"]).abs() > pairs["_tol_a"] + pairs["_tol_b"]
    message = pairs.apply(
        lambda p: (
            f"{p['_year']}年12月{'累计' if p['basis'] == 'ytd' else '期末'}值 {_fmt(p['value_a'])}"
            f" 与全年值 {_fmt(p['value_b'])} 不一致"
        ),
        axis=1,
    )
    _flag_pairs(verdict, pairs, bad, message)
    return verdict


def share_matches_components(
    rows: pd.DataFrame, earlier: pd.DataFrame | None, derivations: pd.DataFrame
) -> tuple[Verdict, Verdict]:
    """A reported share must agree with its components (seeds/indicator_derivations.csv:
    高技能人才占比 = 高技能人才 / 技能人才 × 100) within the rounding of all three.

    Returns (within the file, against earlier files): a file contradicting itself is
    wrong; one contradicting an earlier delivery may be the correction, so that is a
    warning."""
    in_file, cross = Verdict.passing(rows), Verdict.passing(rows)
    frame = _with_earlier(rows, earlier)
    frame = frame.assign(_tol=_tolerance(frame))
    join = ["region_code", "period_code", "basis"]
    for d in derivations.itertuples():
        share = frame[frame["indicator_code"] == d.indicator_code]
        numerator = frame[frame["indicator_code"] == d.numerator_indicator_code]
        denominator = frame[frame["indicator_code"] == d.denominator_indicator_code]
        parts = share.merge(numerator, on=join, suffixes=("", "_n")).merge(
            denominator.add_suffix("_d").rename(columns={f"{c}_d": c for c in join}), on=join
        )
        parts = parts[parts["_mine"] | parts["_mine_n"] | parts["_mine_d"]]
        parts = parts[parts["value_d"] - parts["_tol_d"] > 0]
        if parts.empty:
            continue
        factor = float(d.factor)
        low = (parts["value_n"] - parts["_tol_n"]) / (parts["value_d"] + parts["_tol_d"]) * factor
        high = (parts["value_n"] + parts["_tol_n"]) / (parts["value_d"] - parts["_tol_d"]) * factor
        bad = (parts["value"] + parts["_tol"] < low) | (parts["value"] - parts["_tol"] > high)
        message = parts.apply(
            lambda p, f=factor: (
                f"占比 {_fmt(p['value'])} 与分项 {_fmt(p['value_n'])} / {_fmt(p['value_d'])}"
                f" × {_fmt(f)} = {p['value_n'] / p['value_d'] * f:.2f} 不一致（超出四舍五入误差）"
            ),
            axis=1,
        )
        all_mine = parts["_mine"] & parts["_mine_n"] & parts["_mine_d"]
        for verdict, scope in ((in_file, all_mine), (cross, ~all_mine)):
            for side in ("_row", "_row_n", "_row_d"):
                hit = parts[bad & scope & (parts[side] >= 0)]
                if not hit.empty:
                    verdict.fail(hit[side].astype(int).to_numpy(), message[hit.index])
    return in_file, cross


def change_within_band(
    rows: pd.DataFrame,
    earlier: pd.DataFrame | None,
    *,
    max_change: float,
    max_change_pp: float,
) -> Verdict:
    """Against the same period a year earlier: a rate may move at most ``max_change_pp``
    points, anything else at most ``max_change`` of itself (0.5: half). Beyond that the
    figure is probably a unit or keying slip — but may be real, so it is a warning."""
    verdict = Verdict.passing(rows)
    if earlier is not None and not earlier.empty:
        context = pd.concat([rows, earlier], ignore_index=True)
    else:
        context = rows
    mine = rows.assign(
        _prev_code=(rows["period_code"].str[:4].astype(int) - 1).astype(str)
        + rows["period_code"].str[4:],
        _row=rows.index,
    )
    previous = context.drop_duplicates(KEY, keep="first")[[*KEY, "value"]].rename(
        columns={"period_code": "_prev_code", "value": "value_prev"}
    )
    pairs = mine.merge(previous, on=["indicator_code", "region_code", "_prev_code", "basis"])
    if pairs.empty:
        return verdict
    is_rate = pairs["unit"] == "%"
    change = pairs["value"] - pairs["value_prev"]
    relative = change / pairs["value_prev"].where(pairs["value_prev"] > 0)
    bad = (is_rate & (change.abs() > max_change_pp)) | (~is_rate & (relative.abs() > max_change))
    message = pairs.apply(
        lambda p: (
            f"与上年同期（{p['_prev_code']}：{_fmt(p['value_prev'])}）相比"
            + (
                f"变化 {p['value'] - p['value_prev']:+.1f} 个百分点，超出 ±{_fmt(max_change_pp)} 个百分点"
                if p["unit"] == "%"
                else f"变化 {(p['value'] / p['value_prev'] - 1) * 100:+.0f}%，"
                f"超出 ±{max_change * 100:.0f}%"
            )
            + "，请核实"
        ),
        axis=1,
    )
    hit = pairs[bad]
    if not hit.empty:
        verdict.fail(hit["_row"].to_numpy(), message[hit.index])
    return verdict


def report_key(file_name: str) -> str:
    """The recurring report a file is an issue of: its name without the digits
    (舟山市2024年1-3月就业统计.xlsx and …2024年1-4月… are the same report)."""
    return re.sub(r"\d+", "#", file_name.rsplit("/", 1)[-1]).lower()


def usual_row_count(previous_counts: list[int], tolerance: float) -> tuple[int, int] | None:
    """The range a recurring report's row count usually falls in: from (1 − tolerance)
    × the smallest to (1 + tolerance) × the largest of its recent issues; None until
    it has been delivered twice."""
    if len(previous_counts) < 2:
        return None
    return (
        math.floor(min(previous_counts) * (1 - tolerance)),
        math.ceil(max(previous_counts) * (1 + tolerance)),
    )
