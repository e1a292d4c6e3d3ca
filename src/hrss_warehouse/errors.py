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


class TransientError(RuntimeError):
    """A failure of the moment (a lock held by another process, a full disk, memory):
    Airflow's retries are the remedy, and the message says which it was."""


# Causes a later attempt may not meet (cause_of codes).
TRANSIENT_CAUSES = ("lock_held", "disk_full", "out_of_memory")


def failure_for(text: str) -> Exception:
    """The exception a step raises for an error text: transient for the causes above
    (retried), permanent otherwise (fails at once) — classified the same everywhere."""
    message = one_line(text)
    return TransientError(message) if cause_of(text) in TRANSIENT_CAUSES else PipelineError(message)


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
    if not code or text.startswith(_CAUSE_ZH[code]):
        return text  # no known cause, or already named (a message passed on once more)
    return f"{_CAUSE_ZH[code]}：{text}"
