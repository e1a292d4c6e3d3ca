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
