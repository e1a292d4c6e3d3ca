"""Take files out of the landing folder safely, whatever departments and tools put there.

The landing folder is written by people and programs we do not control, so nothing
about an entry is trusted:

- **names**: a zip made on Windows and unpacked on Linux leaves GBK bytes that are not
  UTF-8 (Python holds them as surrogates, which JSON, logs and databases refuse). Every
  name is shown as its bytes decoded as UTF-8, else GB18030, else GB18030 with
  replacement characters, with control characters (a newline in a name) made visible.
  No path the pipeline writes is derived from a name: the archive, the spool and the
  reports are named by sha256.
- **files still arriving**: an upload in progress is not taken. Only regular files
  untouched for ``HRSS_LANDING_SETTLE_S`` seconds are, never ``.part``/``.tmp``/``~$…``
  and other in-flight names, and a file that changes while it is copied is left for
  the next run.
- **exactly these bytes**: a new file is copied into the archive while it is hashed,
  and parsed from there, so the ledger's sha256 names exactly the bytes archived and
  parsed, whatever happens to the landing copy afterwards.
- **links and devices**: a symlink is never followed (it could point at any file the
  worker can read), a FIFO or device never opened; each is refused with a reason and
  recorded once, under a key derived from its name.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import stat
import time
from dataclasses import asdict, dataclass
from pathlib import Path

log = logging.getLogger(__name__)

# Names upload tools and editors give files that are not finished or not data.
_IN_FLIGHT = re.compile(
    r"(^~\$|^\.|\.(part|partial|tmp|temp|crdownload|download|filepart|swp|lock)$|~$)",
    re.IGNORECASE,
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SUFFIX = re.compile(r"\.[a-z0-9]{1,8}$")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Landed:
    """One landing entry the ingest step will take: archived (``archive_path`` set) or
    refused before reading (``refused`` is a reason code). JSON-safe (an XCom)."""

    sha256: str
    file_name: str  # shown form of the name: always valid UTF-8, no control characters
    source_path: str  # shown form of the landing path
    size_bytes: int
    archive_path: str | None = None
    refused: str | None = None
    detail: str | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def shown_name(name: str) -> str:
    """A file name as people should see it. ``name`` is what the OS gave Python (bytes
    that are not UTF-8 arrive as surrogates): decode those bytes as GB18030, the
    encoding of a zip made on Chinese Windows, else with replacement characters."""
    try:
        text = name.encode("utf-8").decode("utf-8")
    except UnicodeEncodeError:
        raw = os.fsencode(name)
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            text = raw.decode("gb18030", errors="replace")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def archive_suffix(name: str) -> str:
    """The archived copy's extension: the name's own, lower-cased, when it is a plain
    one (.csv, .xlsx); nothing otherwise. It decides how the file is read."""
    match = _SUFFIX.search(shown_name(name).lower())
    return match.group() if match else ""


def in_flight(name: str) -> bool:
    return bool(_IN_FLIGHT.search(name))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def refused_key(kind: str, name: str, detail: str = "") -> str:
    """A stable ledger key for an entry that is never read (a symlink, a FIFO): the
    same entry is recorded once, not refused again every night."""
    return hashlib.sha256(
        f"{kind}\0".encode() + os.fsencode(name) + b"\0" + detail.encode("utf-8", "surrogateescape")
    ).hexdigest()


def scan(
    landing: Path, archive_dir: Path, known: set[str], *, settle_s: float, now: float | None = None
) -> list[Landed]:
    """The new entries of ``landing``, in name order: archived copies of settled regular
    files whose bytes are not in ``known``, and refusals for links and special files."""
    now = time.time() if now is None else now
    found: list[Landed] = []
    with os.scandir(landing) as entries:
        ordered = sorted(entries, key=lambda e: os.fsencode(e.name))
    for entry in ordered:
        name, shown = entry.name, shown_name(entry.name)
        where = shown_name(os.path.join(str(landing), name))
        if in_flight(name):
            log.info("skip %s: an upload or editor's temporary file", shown)
            continue
        info = entry.stat(follow_symlinks=False)
        refusal = _refusal(entry, info)
        if refusal:
            key = refused_key(refusal[0], name, refusal[1])
            if key not in known:
                found.append(Landed(key, shown, where, 0, refused=refusal[0], detail=refusal[1]))
            continue
        if stat.S_ISDIR(info.st_mode):
            log.info("skip %s/: folders are not searched (land files at the top level)", shown)
            continue
        if now - info.st_mtime < settle_s:
            log.info(
                "skip %s for now: changed %.0f s ago, may still be arriving",
                shown,
                now - info.st_mtime,
            )
            continue
        landed = _take(Path(entry.path), shown, where, info, archive_dir, known)
        if landed is not None:
            found.append(landed)
    return found


def _refusal(entry: os.DirEntry, info: os.stat_result) -> tuple[str, str] | None:
    if stat.S_ISLNK(info.st_mode):
        try:
            target = os.readlink(entry.path)
        except OSError:
            target = "?"
        return "symlink_refused", shown_name(target)
    if stat.S_ISDIR(info.st_mode) or stat.S_ISREG(info.st_mode):
        return None
    return "file_not_regular", stat.filemode(info.st_mode)


def _take(
    path: Path, shown: str, where: str, info: os.stat_result, archive_dir: Path, known: set[str]
) -> Landed | None:
    """Hash the file; if it is new, copy it into the archive while hashing again, and
    keep the copy only if both passes saw the same bytes (no writer in between)."""
    try:
        digest = _hash_no_follow(path)
    except OSError as exc:
        log.warning("skip %s for now: cannot read it (%s)", shown, exc)
        return None
    if digest in known:
        log.info("skip %s: identical bytes already loaded (sha256 %s)", shown, digest[:12])
        return None
    target = archive_dir / digest[:2] / f"{digest}{archive_suffix(path.name)}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{os.getpid()}.part")
        try:
            copied = _copy_no_follow(path, partial)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            log.warning("skip %s for now: cannot copy it (%s)", shown, exc)
            return None
        if copied != digest:
            partial.unlink(missing_ok=True)
            log.info("skip %s for now: it changed while being read (still arriving)", shown)
            return None
        os.replace(partial, target)
    return Landed(digest, shown, where, info.st_size, archive_path=str(target))


def _open_no_follow(path: Path) -> int:
    # O_NOFOLLOW: a file swapped for a link after the scan is not followed either;
    # O_NONBLOCK: a FIFO swapped in cannot hang the open.
    return os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)


def _hash_no_follow(path: Path) -> str:
    digest = hashlib.sha256()
    with os.fdopen(_open_no_follow(path), "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError("not a regular file")
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_no_follow(path: Path, target: Path) -> str:
    digest = hashlib.sha256()
    with os.fdopen(_open_no_follow(path), "rb") as source, target.open("wb") as sink:
        for chunk in iter(lambda: source.read(_CHUNK), b""):
            digest.update(chunk)
            sink.write(chunk)
        sink.flush()
        os.fsync(sink.fileno())
    return digest.hexdigest()
