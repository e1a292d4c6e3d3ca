"""The repository stands alone: a clone in an empty folder has everything it reads.

A user's clone has no ``../shared`` (or any other folder) beside it, so no tracked file
may name a path outside the tree, and every document a ``source_ref`` cites must be in
``catalog_sources/documents/``."""

from __future__ import annotations

import csv
import re
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = ROOT / "catalog_sources" / "documents"

# What reaching out of the tree looks like in code: a relative climb out of the repository,
# the sibling folder the documents came from, or a chain of parents past the root.
_OUTSIDE = re.compile(r"\.\./shared|\.\./\.\.|parent\s*/\s*[\"']shared[\"']|ROOT\.parent")
_PARENTS = re.compile(r"__file__\)\.resolve\(\)\.parents\[(\d+)\]")


def _reaches_out(relative: Path, line: str) -> bool:
    """True for a line naming a path outside the tree; ``Path(__file__).parents[k]`` is
    outside once k reaches the file's depth (a file two folders down may climb 2: the root)."""
    climb = _PARENTS.search(line)
    return bool(_OUTSIDE.search(line)) or (
        climb is not None and int(climb[1]) >= len(relative.parts)
    )


_CODE = (".py", ".sh", ".toml", ".yml", ".yaml", ".cfg", ".sql", ".ini")


def _tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    return [ROOT / name.decode() for name in listed if name]


def test_no_tracked_code_reaches_outside_the_repository():
    files = [
        p
        for p in _tracked_files()
        if (p.suffix in _CODE or p.name in ("Makefile", "run", "Dockerfile", ".sqlfluff"))
        # This file spells the patterns out to test them.
        and p != Path(__file__).resolve()
    ]
    assert len(files) > 50  # the listing worked: this is the repository, not an empty folder
    offending = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in files
        if path.is_file()
        for number, line in enumerate(path.read_text("utf-8", errors="replace").splitlines(), 1)
        if _reaches_out(path.relative_to(ROOT), line)
    ]
    assert offending == []


def test_the_pattern_catches_what_the_old_tests_did():
    # Negative control: the lines the tests used before the documents moved in.
    assert _OUTSIDE.search('DOCS = ROOT.parent / "shared" / "seeds"')
    assert _OUTSIDE.search("see ../shared/seeds/003_a48a57afb8347c84.txt")
    assert not _OUTSIDE.search('DOCS = ROOT / "catalog_sources" / "documents"')
    climb = "ROOT = Path(__file__).resolve().parents[{}]"
    assert _reaches_out(Path("tests/unit/test_x.py"), climb.format(3))
    assert not _reaches_out(Path("tests/unit/test_x.py"), climb.format(2))
    assert not _reaches_out(Path("tests/unit/deploy/support.py"), climb.format(3))


def test_every_cited_document_is_in_the_repository():
    with (ROOT / "seeds" / "plan_indicators.csv").open(encoding="utf-8", newline="") as handle:
        refs = {row["source_ref"] for row in csv.DictReader(handle) if row["source_ref"]}
    with (ROOT / "seeds" / "plans.csv").open(encoding="utf-8", newline="") as handle:
        refs |= {row["source_ref"] for row in csv.DictReader(handle) if row["source_ref"]}
    cited = {ref.split(":")[0] for ref in refs}
    held = {p.name for p in DOCUMENTS.glob("*.txt")}
    # 003 (Zhoushan), 002 (the talent plans), 001 (Wenzhou) are cited by the catalog; 004
    # (the 2024 results) by the sample data and the tests; 000 is an excerpt of 003.
    assert len(held) == 5 and cited <= held and len(cited) >= 3, (cited, held)
    # Every document is described in the folder's README.
    readme = (DOCUMENTS / "README.md").read_text("utf-8")
    for document in held:
        assert f"`{document}`" in readme, document
