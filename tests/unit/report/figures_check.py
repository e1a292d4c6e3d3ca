"""Does a printed text agree with its own numbers? Shared by the unit test over hand-made
fct_plan_progress rows (test_printed_figures_agree.py) and the whole-run check
(tests/integration/test_figures_agree.py).

Reads what a reader reads — an alert line, a report row's visible text — and checks:

- N in 高于/低于时序进度 N 个百分点 equals |进度完成度 − 时序进度| as printed, to 0.1, and the
  word has the difference's direction (a total's 目标完成率（累计） is its progress);
- the gap is never printed without both figures it is the difference of;
- a bound prints no 目标完成率 and no 完成度 of any kind;
- 完成度 is never printed alone, only as 进度完成度.
"""

from __future__ import annotations

import html
import re

_ZH = {
    "progress": re.compile(r"(?:进度完成度|目标完成率（累计）)\s*(-?\d+(?:\.\d+)?)%"),
    "elapsed": re.compile(r"(?<![于与])时序进度\s*(-?\d+(?:\.\d+)?)%"),
    "gap": re.compile(r"(高于|低于)时序进度\s*(\d+(?:\.\d+)?)\s*个百分点|(与时序进度持平)"),
}
_EN = {
    "progress": re.compile(
        r"(?:progress since baseline|share of target to date)\s*(-?\d+(?:\.\d+)?)%"
    ),
    "elapsed": re.compile(r"(?<!the )time share\s*(-?\d+(?:\.\d+)?)%"),
    "gap": re.compile(
        r"(\d+(?:\.\d+)?) points (ahead of|behind) the time share|(on the time share)"
    ),
}


def visible_text(markup: str) -> str:
    """A report row as a reader sees it: tags gone (each a space), entities decoded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def _one(pattern: re.Pattern, text: str) -> re.Match | None:
    found = list(pattern.finditer(text))
    assert len(found) <= 1, f"printed twice: {pattern.pattern!r} in {text}"
    return found[0] if found else None


def _gap(match: re.Match, lang: str) -> float:
    """The signed gap a sentence states (+ ahead, − behind, 0 on the time share)."""
    if match.group(3):
        return 0.0
    if lang == "en":
        points, side = float(match.group(1)), match.group(2)
        return points if side == "ahead of" else -points
    side, points = match.group(1), float(match.group(2))
    return points if side == "高于" else -points


def check_agrees(text: str, *, bound: bool, lang: str = "zh") -> dict[str, float]:
    """Assert the text agrees with itself; return the figures it printed (percent)."""
    found: dict[str, float] = {}
    if lang == "zh":
        assert not re.search(r"(?<!进度)完成度", text), f"完成度 printed alone: {text}"
        if bound:
            assert "完成率" not in text and "完成度" not in text, f"a bound with a ratio: {text}"
            assert "时序进度" not in text, f"a bound with a time share: {text}"
    elif bound:
        assert "share of target" not in text and "progress since" not in text, text
        assert "time share" not in text, text
    patterns = _ZH if lang == "zh" else _EN
    progress, elapsed = _one(patterns["progress"], text), _one(patterns["elapsed"], text)
    gap = _one(patterns["gap"], text)
    if progress:
        found["progress"] = float(progress.group(1))
    if elapsed:
        found["elapsed"] = float(elapsed.group(1))
    if gap:
        assert progress and elapsed, f"a gap without the figures it is the difference of: {text}"
        stated = _gap(gap, lang)
        actual = found["progress"] - found["elapsed"]
        assert abs(abs(stated) - abs(actual)) <= 0.1 + 1e-9, f"{stated} vs {actual}: {text}"
        assert (stated > 0) == (actual > 0.05) and (stated < 0) == (actual < -0.05), (
            f"direction: {stated} vs {actual}: {text}"
        )
        found["gap"] = stated
    return found
