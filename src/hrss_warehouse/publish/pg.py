"""What both PostgreSQL modules need of a connection: a session that rolls back on
failure, identifiers quoted, a table's checksum.

``postgres.py`` (the copy, the audit, the swap, the BI role) and ``postgres_dbt.py``
(dbt building on the server, the audit copy back) share these, so there is one rule for
what an identifier may be and one way a connection ends.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

from hrss_warehouse.errors import PipelineError

# Names written into SQL (tables, columns, schemas) are plain lower-case identifiers.
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def quote(name: str) -> str:
    if not IDENTIFIER.match(name):
        raise PipelineError(f"unexpected identifier {name!r} in the marts")
    return f'"{name}"'


@contextmanager
def session(dsn: str):
    """A connection whose open transaction is rolled back on any failure, then closed."""
    pg = _connect(dsn)
    try:
        yield pg
    except BaseException:
        pg.rollback()
        raise
    finally:
        pg.close()


def _connect(dsn: str):
    import psycopg2

    try:
        return psycopg2.connect(dsn, connect_timeout=15)
    except psycopg2.Error as exc:
        # The DSN may carry a password: say what failed, not with what.
        raise PipelineError(
            f"cannot connect to the PostgreSQL warehouse: {type(exc).__name__}"
        ) from None


def checksum(cur, schema: str, name: str) -> str:
    """md5 of a table's rows in a fixed order (PostgreSQL's own text form of each row)."""
    cur.execute(
        f"select md5(coalesce(string_agg(t::text, E'\\n' order by t::text), '')) "
        f"from {quote(schema)}.{quote(name)} as t"
    )
    return cur.fetchone()[0]
