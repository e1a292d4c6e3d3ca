"""The one place that knows Airflow: calls a pipeline step and maps its errors.

A ``PipelineError`` (dbt test failed, bad configuration, audit failed) will not
go away by retrying, so it becomes ``AirflowFailException`` and the task fails at
once; any other exception is left to the DAG's retries, its known cause (a lock held,
a full disk, memory: errors.cause_of) named first in the one line the log, `hrss run`
and the failure alert show.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def run_step(step: str, conf: Mapping[str, Any] | None, **inputs: Any) -> dict[str, Any]:
    from airflow.sdk.exceptions import AirflowFailException

    from hrss_warehouse import pipeline
    from hrss_warehouse.errors import PipelineError, TransientError, cause_of, one_line

    try:
        return getattr(pipeline, step)(dict(conf or {}), **inputs)
    except PipelineError as exc:
        raise AirflowFailException(str(exc)) from exc
    except TransientError:
        raise
    except Exception as exc:
        if cause_of(str(exc)):
            raise TransientError(one_line(exc)) from exc
        raise
