"""Exceptions that separate *permanent* pipeline failures from transient ones.

Airflow retries a failed task; retrying a deterministic failure (a dbt test that
fails, a configuration mistake) only delays the alert. Code raises
``PipelineError`` for those, and the Airflow adapter turns it into a fail-fast
``AirflowFailException``; anything else (a held DuckDB lock, a full disk) is
left to Airflow's retries.
"""


class PipelineError(RuntimeError):
    """A failure that will not go away by retrying."""


class ConfigError(PipelineError):
    """A setting is missing or malformed."""


# What an operator reads when a run stops: one line, the cause first, in the words of the
# people who fix it. The same text arrives from an exception in this process, from a task's
# log line, or from dbt's output, so the rules match on text.
_CAUSES = (
    ("disk_full", ("No space left on device", "[Errno 28]", "Disk quota exceeded")),
    ("lock_held", ("Could not set lock on file", "database is locked")),
    ("permission_denied", ("Permission denied", "[Errno 13]")),
    ("out_of_memory", ("Out of Memory Error", "MemoryError", "Cannot allocate memory")),
)
_CAUSE_ZH = {
    "disk_full": "磁盘空间不足",
    "lock_held": "仓库文件被另一进程占用",
    "permission_denied": "没有读写权限",
    "out_of_memory": "内存不足",
}


def cause_of(text: str) -> str | None:
    """The stable code of a known environmental cause in an error text, else None."""
    for code, needles in _CAUSES:
        if any(needle in text for needle in needles):
            return code
    return None


def one_line(error: BaseException | str) -> str:
    """The reason a run failed, on one line: ``磁盘空间不足：<the error>`` for the causes
    above, otherwise the error itself (its type named when it is an exception)."""
    if isinstance(error, BaseException):
        text = (
            f"{type(error).__name__}: {error}"
            if not isinstance(error, PipelineError)
            else str(error)
        )
    else:
        text = error
    text = " ".join(text.split())[:500]
    code = cause_of(text)
    return f"{_CAUSE_ZH[code]}：{text}" if code else text
