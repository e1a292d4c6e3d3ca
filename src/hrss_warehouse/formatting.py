"""Numbers and targets as a bureau writes them: 24.4万人, 93.8%, ≤3%, 35%以上.

Shared by the report (page, charts, `hrss status`) and the alert texts, so the same
figure reads the same everywhere.
"""

from __future__ import annotations


def fmt_number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    # Published figures carry at most two decimals (12.34万人, 38.58%).
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{_unsigned_zero(text)}{unit}"


def fmt_percent(ratio: float | None) -> str:
    return "—" if ratio is None else f"{_unsigned_zero(f'{100 * ratio:.1f}')}%"


# A plan writes "35%以上", "3000人左右": the unit goes before these words, not after.
_QUALIFIERS = ("以上", "以下", "左右", "以内")


def fmt_target(notation: str | None, value: float | None, unit: str) -> str:
    """The target as the plan writes it (its notation: ≤3, >96, (22), [18], 35以上) with
    the unit in its place; "—" when the plan printed none."""
    text = notation or ("" if value is None else fmt_number(value))
    if not text or text in ("—", "——", "-"):
        return "—"
    for word in _QUALIFIERS:
        if text.endswith(word):
            return f"{text[: -len(word)]}{unit}{word}"
    return text + unit


def _unsigned_zero(text: str) -> str:
    # -0.001 rounds to "-0"; a bureau never writes a signed zero.
    return text[1:] if text.startswith("-") and float(text) == 0 else text
