"""One-shot setup of the Metabase service: an admin account and the warehouse as a data
source, connected with the read-only role and limited to schema ``marts``.

Run by the ``metabase-init`` compose service (standard library only). Idempotent: on a
Metabase that is already set up it logs in and adds the data source only if missing.
Secrets come from the environment and are never printed.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.request

DATABASE_NAME = "人社规划指标仓库 (marts)"


def database_payload(env: dict[str, str]) -> dict:
    """The warehouse as Metabase sees it: PostgreSQL, role hrss_bi, schema marts only."""
    return {
        "engine": "postgres",
        "name": DATABASE_NAME,
        "details": {
            "host": env.get("WAREHOUSE_DB_HOST", "warehouse-db"),
            "port": 5432,
            "dbname": env.get("WAREHOUSE_DB_NAME", "hrss"),
            "user": env.get("HRSS_PG_BI_ROLE", "hrss_bi"),
            "password": env["HRSS_PG_BI_PASSWORD"],
            "ssl": False,
            "schema-filters-type": "inclusion",
            "schema-filters-patterns": "marts",
        },
        "is_full_sync": True,
    }


def _call(base: str, method: str, path: str, body: dict | None = None, session: str | None = None):
    request = urllib.request.Request(
        base + path,
        data=None if body is None else json.dumps(body).encode("utf-8"),
        method=method,
        headers={
            "Content-Type": "application/json",
            **({"X-Metabase-Session": session} if session else {}),
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read().decode("utf-8")
    return json.loads(text) if text else {}


def main() -> int:
    env = dict(os.environ)
    base = env.get("METABASE_URL", "http://metabase:3000")
    for _ in range(120):
        try:
            if _call(base, "GET", "/api/health").get("status") == "ok":
                break
        except (urllib.error.URLError, OSError, ValueError):
            pass
        time.sleep(5)
    else:
        print("metabase-init: Metabase did not become healthy", file=sys.stderr)
        return 1
    admin = {"email": env["MB_ADMIN_EMAIL"], "password": env["MB_ADMIN_PASSWORD"]}
    properties = _call(base, "GET", "/api/session/properties")
    if properties.get("has-user-setup"):
        session = _call(
            base,
            "POST",
            "/api/session",
            {"username": admin["email"], "password": admin["password"]},
        )["id"]
    else:
        session = _call(
            base,
            "POST",
            "/api/setup",
            {
                "token": properties["setup-token"],
                "user": {
                    **admin,
                    "first_name": "HRSS",
                    "last_name": "Admin",
                    "site_name": "人社规划指标",
                },
                "prefs": {
                    "site_name": "人社规划指标",
                    "site_locale": "zh",
                    "allow_tracking": False,
                },
            },
        )["id"]
    existing = _call(base, "GET", "/api/database", session=session)
    names = {
        d["name"]
        for d in (existing.get("data", existing) if isinstance(existing, dict) else existing)
    }
    if DATABASE_NAME in names:
        print("metabase-init: warehouse data source already present")
        return 0
    _call(base, "POST", "/api/database", database_payload(env), session=session)
    print("metabase-init: warehouse data source added (role hrss_bi, schema marts)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
