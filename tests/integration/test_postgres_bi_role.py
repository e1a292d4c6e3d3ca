"""The read-only BI role on a real PostgreSQL server (started and stopped here, with every
statement logged): its password reaches the server only as a SCRAM-SHA-256 verifier, it
logs in over SCRAM, it cannot create temporary tables while the pipeline's owner role
still can, its statement timeout cancels long queries and its connection limit holds.

The pipeline connects as the warehouse database's owner, not as a superuser (superusers
bypass every privilege, so only an owner shows the TEMPORARY grant is right)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import time
from contextlib import ExitStack, closing
from unittest import mock

import duckdb
import psycopg2
import pytest

from hrss_warehouse.config import pg_settings
from hrss_warehouse.errors import PipelineError
from hrss_warehouse.publish.postgres import ensure_bi_role, publish_postgres
from tests.integration.postgres import PostgresServer

pytestmark = pytest.mark.integration

OWNER, DATABASE = "hrss_owner", "hrss_wh"
BI_ROLE, ROTATED = "hrss_bi", "bi_rotated"
# Random per run, so a match in the log cannot come from an earlier run.
BI_PASSWORD = f"bi-pass-{secrets.token_hex(8)}"
TIMEOUT, LIMIT = "250ms", 3
# How PostgreSQL stores a SCRAM secret: iterations, salt, StoredKey, ServerKey (base64).
VERIFIER = re.compile(
    r"^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]{44}):([A-Za-z0-9+/=]{44})$"
)


@pytest.fixture(scope="module")
def postgres():
    server = PostgresServer(
        settings={"log_statement": "all"},
        hba=[f"host all {BI_ROLE},{ROTATED} 127.0.0.1/32 scram-sha-256"],
    ).start()
    yield server
    server.stop()


def connect(server: PostgresServer, user: str, password: str | None = None, dbname=DATABASE):
    return closing(
        psycopg2.connect(
            host="127.0.0.1",
            port=server.port,
            user=user,
            password=password,
            dbname=dbname,
            connect_timeout=10,
        )
    )


def rows(server: PostgresServer, sql: str, params=None, **login) -> list[tuple]:
    login = {"user": "postgres", **login}
    with connect(server, **login) as con, con.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def superuser(server: PostgresServer, *statements: str) -> None:
    with connect(server, "postgres", dbname="postgres") as con, con.cursor() as cur:
        con.autocommit = True  # CREATE DATABASE refuses a transaction
        for statement in statements:
            cur.execute(statement)


def options(dsn: str, **env: str) -> dict:
    """pg_settings() as the pipeline reads it, from these variables only."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HRSS_")}
    with mock.patch.dict(os.environ, {**clean, "HRSS_PG_DSN": dsn, **env}, clear=True):
        return pg_settings()


@pytest.fixture(scope="module")
def warehouse(postgres, tmp_path_factory):
    """The role prepared as airflow-init does, then one publish, as the database owner."""
    superuser(
        postgres,
        f"create role {OWNER} login createrole",
        f"create database {DATABASE} owner {OWNER}",
    )
    marts = tmp_path_factory.mktemp("bi_role") / "hrss.duckdb"
    with duckdb.connect(str(marts)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.dim_region as select '330900' as region_code")
    settings = options(
        f"postgresql://{OWNER}@127.0.0.1:{postgres.port}/{DATABASE}",
        HRSS_PG_BI_PASSWORD=BI_PASSWORD,
        HRSS_PG_BI_STATEMENT_TIMEOUT=TIMEOUT,
        HRSS_PG_BI_CONNECTION_LIMIT=str(LIMIT),
    )
    ensure_bi_role(settings)
    return publish_postgres(marts, settings)


def bi_sessions_gone(server: PostgresServer) -> None:
    """A closed session's backend exits a moment later; until then it counts."""
    for _ in range(50):
        sql = "select count(*) from pg_stat_activity where usename = %s"
        if rows(server, sql, [BI_ROLE], dbname="postgres") == [(0,)]:
            return
        time.sleep(0.1)
    raise AssertionError(f"{BI_ROLE} sessions still open")


def scram_keys(password: str, salt: bytes, iterations: int) -> tuple[bytes, bytes]:
    """StoredKey and ServerKey of RFC 5802 / RFC 7677 (the password is ASCII: SASLprep
    leaves it as it is)."""
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    server_key = hmac.new(salted, b"Server Key", "sha256").digest()
    return hashlib.sha256(client_key).digest(), server_key


def test_the_owner_publishes_and_the_bi_role_reads(warehouse, postgres):
    assert warehouse == {"tables": {"marts.dim_region": 1}, "bi_role": BI_ROLE}
    sql = "select region_code from marts.dim_region"
    assert rows(postgres, sql, user=BI_ROLE, password=BI_PASSWORD) == [("330900",)]


def test_the_password_is_stored_only_as_its_scram_verifier(warehouse, postgres):
    ((stored,),) = rows(postgres, "select rolpassword from pg_authid where rolname = %s", [BI_ROLE])
    iterations, salt, stored_key, server_key = VERIFIER.match(stored).groups()
    assert (iterations, len(base64.b64decode(salt))) == ("4096", 16)
    expected = scram_keys(BI_PASSWORD, base64.b64decode(salt), 4096)
    assert (base64.b64decode(stored_key), base64.b64decode(server_key)) == expected


def test_the_bi_role_logs_in_over_scram_with_its_password_only(warehouse, postgres):
    login = {"user": BI_ROLE, "dbname": DATABASE}
    assert rows(postgres, "select current_user", password=BI_PASSWORD, **login) == [(BI_ROLE,)]
    # pg_hba.conf asks this role for SCRAM, so a wrong password is refused (not trusted).
    with pytest.raises(psycopg2.OperationalError, match="password authentication failed"):
        rows(postgres, "select 1", password=BI_PASSWORD + "x", **login)


def test_the_password_never_reaches_the_server_log(warehouse, postgres):
    canary = f"log-canary-{secrets.token_hex(4)}"
    rows(postgres, f"select '{canary}'", dbname="postgres")
    ((stored,),) = rows(postgres, "select rolpassword from pg_authid where rolname = %s", [BI_ROLE])
    log = postgres.log_file.read_text(encoding="utf-8", errors="replace")
    assert canary in log  # every statement is logged ...
    assert BI_PASSWORD not in log
    # ... the role's too, carrying the verifier.
    assert f"with login connection limit {LIMIT} password '{stored}'" in log


def test_the_bi_role_cannot_create_temporary_tables_and_the_owner_can(warehouse, postgres):
    temp = "create temp table scratch as select 1 as x"
    with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="temporary tables"):
        rows(postgres, temp + "; select 1", user=BI_ROLE, password=BI_PASSWORD)
    assert rows(postgres, temp + "; select count(*) from scratch", user=OWNER) == [(1,)]
    # TEMPORARY left PUBLIC ("=c": CONNECT only) on the warehouse database alone.
    acl = dict(rows(postgres, "select datname, datacl::text from pg_database", dbname="postgres"))
    assert acl[DATABASE] == f"{{=c/{OWNER},{OWNER}=CTc/{OWNER}}}"
    assert acl["postgres"] is None  # still the defaults


def test_a_bi_statement_beyond_the_timeout_is_cancelled(warehouse, postgres):
    sql = (
        "select setconfig from pg_db_role_setting join pg_roles on oid = setrole where rolname = %s"
    )
    assert rows(postgres, sql, [BI_ROLE]) == [([f"statement_timeout={TIMEOUT}"],)]
    login = {"user": BI_ROLE, "password": BI_PASSWORD}
    assert rows(postgres, "show statement_timeout", **login) == [(TIMEOUT,)]
    started = time.monotonic()
    with pytest.raises(psycopg2.errors.QueryCanceled, match="statement timeout"):
        rows(postgres, "select pg_sleep(5)", **login)
    assert time.monotonic() - started < 2.5


def test_the_connection_limit_is_visible_and_enforced(warehouse, postgres):
    sql = "select rolconnlimit from pg_roles where rolname = %s"
    assert rows(postgres, sql, [BI_ROLE]) == [(LIMIT,)]
    bi_sessions_gone(postgres)
    with ExitStack() as held:
        for _ in range(LIMIT):
            held.enter_context(connect(postgres, BI_ROLE, BI_PASSWORD))
        with pytest.raises(psycopg2.OperationalError, match="too many connections for role"):
            connect(postgres, BI_ROLE, BI_PASSWORD)


def test_running_it_again_applies_new_settings_and_password(warehouse, postgres):
    dsn = f"postgresql://{OWNER}@127.0.0.1:{postgres.port}/{DATABASE}"
    first, second = f"first-{secrets.token_hex(8)}", f"第二-密码-{secrets.token_hex(8)}"
    for password, timeout, limit in [(first, "1min", "5"), (second, "2s", "7")]:
        ensure_bi_role(
            options(
                dsn,
                HRSS_PG_BI_ROLE=ROTATED,
                HRSS_PG_BI_PASSWORD=password,
                HRSS_PG_BI_STATEMENT_TIMEOUT=timeout,
                HRSS_PG_BI_CONNECTION_LIMIT=limit,
            )
        )
    sql = "select rolconnlimit, current_setting('statement_timeout'), current_user from pg_roles "
    sql += "where rolname = current_user"
    assert rows(postgres, sql, user=ROTATED, password=second) == [(7, "2s", ROTATED)]
    with pytest.raises(psycopg2.OperationalError, match="password authentication failed"):
        rows(postgres, "select 1", user=ROTATED, password=first)


def test_a_dsn_user_that_does_not_own_the_database_is_refused(postgres):
    superuser(postgres, "create role not_owner login createrole", "create database other_wh")
    settings = options(
        f"postgresql://not_owner@127.0.0.1:{postgres.port}/other_wh",
        HRSS_PG_BI_ROLE="bi_refused",
        HRSS_PG_BI_PASSWORD=BI_PASSWORD,
    )
    with pytest.raises(PipelineError, match="bi_refused can still create temporary tables") as e:
        ensure_bi_role(settings)
    assert BI_PASSWORD not in str(e.value)
    # Nothing half-done: the role was not created, the database's privileges are as before.
    assert rows(postgres, "select 1 from pg_roles where rolname = 'bi_refused'") == []
    sql = "select datacl from pg_database where datname = 'other_wh'"
    assert rows(postgres, sql, dbname="postgres") == [(None,)]
