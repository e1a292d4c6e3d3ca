"""The Chinese font the report is drawn and shown with.

The report must read correctly offline on any machine, including one without a
Chinese font, so the page carries its own: the characters it uses, cut from Noto Sans
CJK SC (Debian's fonts-noto-cjk; ``make test`` and the Docker image install it) and
embedded as a WOFF ``@font-face``. The PNG charts are drawn with the same face.

``HRSS_REPORT_FONT`` overrides the search: a .ttf/.otf, or a .ttc with ``#<face>``
(e.g. ``/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc#2``).
"""

from __future__ import annotations

import base64
import io
import logging
import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from hrss_warehouse.errors import ConfigError

log = logging.getLogger(__name__)

FAMILY = "HRSS CJK"
# Simplified Chinese first: a collection's Japanese face draws some characters differently.
_WANTED = "Noto Sans CJK SC"
_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
)


@dataclass(frozen=True)
class FontFace:
    path: Path
    index: int  # face number within a .ttc collection (0 for a single font)
    name: str


@cache
def cjk_font() -> FontFace:
    override = os.environ.get("HRSS_REPORT_FONT")
    if override:
        text, _, face = override.partition("#")
        path = Path(text)
        if not path.is_file():
            raise ConfigError(f"HRSS_REPORT_FONT: no font file at {path}")
        index = int(face) if face.isdigit() else 0
        return FontFace(path, index, _face_name(path, index))
    candidates = [Path(p) for p in _CANDIDATES]
    if shutil.which("fc-match"):
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", f"{_WANTED}:lang=zh-cn"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        ).stdout.strip()
        if found:
            candidates.append(Path(found))
    for path in candidates:
        if path.is_file():
            index = _find_face(path, _WANTED)
            if index is not None:
                return FontFace(path, index, _WANTED)
    raise ConfigError(
        "no Chinese font for the report: install Debian's fonts-noto-cjk "
        "(`make test` and the Docker image do) or set HRSS_REPORT_FONT to a CJK font file"
    )


def _find_face(path: Path, wanted: str) -> int | None:
    from fontTools.ttLib import TTCollection, TTFont

    if path.suffix.lower() in (".ttc", ".otc"):
        for index, font in enumerate(TTCollection(str(path), lazy=True).fonts):
            if font["name"].getDebugName(1) == wanted:
                return index
        return None
    return 0 if TTFont(str(path), lazy=True)["name"].getDebugName(1) == wanted else None


def _face_name(path: Path, index: int) -> str:
    from fontTools.ttLib import TTFont

    return TTFont(str(path), fontNumber=index, lazy=True)["name"].getDebugName(1) or path.stem


def embedded_css(text: str) -> str:
    """An ``@font-face`` rule carrying exactly the glyphs ``text`` needs (WOFF, base64)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    face = cjk_font()
    # fontTools reports every pruned table at INFO: noise in the task log.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    options = subset.Options()
    options.flavor = "woff"  # zlib; WOFF2 would need brotli
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    # recalcTimestamp=False: the same page text embeds the same bytes (a reproducible report).
    font = TTFont(
        str(face.path), fontNumber=face.index, lazy=False, recalcBBoxes=False, recalcTimestamp=False
    )
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(text) | set("0123456789.%-—–·…"))))
    subsetter.subset(font)
    buffer = io.BytesIO()
    subset.save_font(font, buffer, options)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    log.info("report font: %s (%d glyph bytes embedded)", face.name, len(buffer.getvalue()))
    return (
        f"@font-face{{font-family:'{FAMILY}';"
        f"src:url(data:font/woff;base64,{data}) format('woff');font-display:block}}"
    )


@cache
def pillow_font(size: int):
    from PIL import ImageFont

    face = cjk_font()
    return ImageFont.truetype(str(face.path), size, index=face.index)
