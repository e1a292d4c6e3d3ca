"""The Chinese font the report is drawn and shown with.

The report must read correctly offline on any machine, including one without a
Chinese font, so the page carries its own: the characters it uses, cut from Noto Sans
CJK SC (Debian's fonts-noto-cjk; ``make run``, ``make test`` and the Docker image install
it) and embedded as a WOFF ``@font-face``. The PNG charts are drawn with the same face.

The font is looked for in ``HRSS_FONT_DIRS`` (default: the system font folders);
``HRSS_REPORT_FONT`` names a file instead: a .ttf/.otf, or a .ttc with ``#<face>`` (e.g.
``/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc#2``).

Without one (a pip-only install, a slim image) the report is still written: the page
names a CSS font stack and the reader's own CJK font draws it, the PNG charts (which
would show boxes for every character) are left out, and ``missing_font_warning`` says
what is missing and how to install it. A cosmetic gap never fails the night's run.
"""

from __future__ import annotations

import base64
import io
import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from hrss_warehouse.config import font_dirs, report_font_file

log = logging.getLogger(__name__)

FAMILY = "HRSS CJK"
# Simplified Chinese first: a collection's Japanese face draws some characters differently.
_WANTED = "Noto Sans CJK SC"
# File names Noto Sans CJK SC ships under: the collection (Debian, Fedora, Arch), the
# region-specific OTF, and Google Fonts' Noto Sans SC.
_FILE_PATTERNS = (
    "NotoSansCJK-Regular.ttc",
    "NotoSansCJKsc-Regular.otf",
    "NotoSansSC-Regular.otf",
    "NotoSansSC-Regular.ttf",
)
INSTALL_HINT = (
    "install Debian's fonts-noto-cjk (`apt-get install fonts-noto-cjk`; `make run` does it "
    "where it can) or set HRSS_REPORT_FONT to a CJK font file"
)


@dataclass(frozen=True)
class FontFace:
    path: Path
    index: int  # face number within a .ttc collection (0 for a single font)
    name: str


@cache
def cjk_font() -> FontFace | None:
    """The face to embed and draw with, or None when this machine has none."""
    override = report_font_file()
    if override:
        text, _, face = override.partition("#")
        path = Path(text)
        if not path.is_file():
            log.warning("HRSS_REPORT_FONT: no font file at %s", path)
            return None
        index = int(face) if face.isdigit() else 0
        return FontFace(path, index, _face_name(path, index))
    for directory in font_dirs():
        for pattern in _FILE_PATTERNS:
            for path in sorted(directory.rglob(pattern)) if directory.is_dir() else ():
                index = _find_face(path, _WANTED)
                if index is not None:
                    return FontFace(path, index, _WANTED)
    return None


def missing_font_warning() -> str | None:
    """One line for the run summary when the report has no Chinese font of its own."""
    if cjk_font() is not None:
        return None
    override = report_font_file()
    where = (
        f"HRSS_REPORT_FONT={override} is not a font file"
        if override
        else "no Noto Sans CJK SC in " + ", ".join(str(d) for d in font_dirs())
    )
    return (
        f"report written without its Chinese font ({where}): the page uses the reader's "
        f"own CJK font and the PNG charts for e-mail were skipped; {INSTALL_HINT}"
    )


def _find_face(path: Path, wanted: str) -> int | None:
    from fontTools.ttLib import TTCollection, TTFont

    if path.suffix.lower() in (".ttc", ".otc"):
        for index, font in enumerate(TTCollection(str(path), lazy=True).fonts):
            if font["name"].getDebugName(1) == wanted:
                return index
        return None
    # A regional OTF names its family "Noto Sans CJK SC"; Google's Noto Sans SC its own.
    name = TTFont(str(path), lazy=True)["name"].getDebugName(1)
    return 0 if name in (wanted, "Noto Sans SC") else None


def _face_name(path: Path, index: int) -> str:
    from fontTools.ttLib import TTFont

    return TTFont(str(path), fontNumber=index, lazy=True)["name"].getDebugName(1) or path.stem


def embedded_css(text: str) -> str:
    """An ``@font-face`` rule carrying exactly the glyphs ``text`` needs (WOFF, base64);
    empty without a font (the page's font stack then falls back to the reader's)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    face = cjk_font()
    if face is None:
        return ""
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


def can_draw_png() -> bool:
    """PNG charts need the font: Pillow has no CJK fallback and would draw boxes."""
    return cjk_font() is not None


@cache
def pillow_font(size: int):
    from PIL import ImageFont

    face = cjk_font()
    if face is None:
        raise RuntimeError(f"no Chinese font to draw PNG charts with: {INSTALL_HINT}")
    return ImageFont.truetype(str(face.path), size, index=face.index)
