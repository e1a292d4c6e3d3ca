#!/usr/bin/env bash
# Refuse to start the stack with missing or well-known secrets.
#
# docker compose's ${VAR:?} interpolation already rejects *unset or empty*
# secrets before any container exists; this script is the second gate, run by
# the one-shot check-secrets service that every service receiving a secret (and
# Metabase) waits for, and it also catches the values people copy from
# tutorials ("airflow", "admin", ...).
#
# It reports every offending variable by NAME and never prints a value, so its
# output is safe to keep in CI logs and `docker compose logs`.
#
# Exit codes: 0 = all secrets acceptable, 1 = at least one secret rejected.
set -uo pipefail

# Variables the stack cannot run safely without. Keep in sync with .env.example
# and docker-compose.yml (tests/unit/deploy/test_compose.py enforces that).
REQUIRED_SECRETS=(
  POSTGRES_PASSWORD
  AIRFLOW__CORE__FERNET_KEY
  AIRFLOW__API_AUTH__JWT_SECRET
  AIRFLOW__API__SECRET_KEY
  _AIRFLOW_WWW_USER_PASSWORD
  WAREHOUSE_DB_PASSWORD
  HRSS_PG_BI_PASSWORD
  MB_ADMIN_PASSWORD
)

# Compared case-insensitively after trimming whitespace. Includes the defaults
# of Airflow's own docker-compose.yaml and the usual placeholder words.
WELL_KNOWN_DEFAULTS=(
  airflow
  postgres
  admin
  changeme
  change-me
  change_me
  password
  secret
  airflow_jwt_secret
  default
  example
  test
)

# Human-chosen (admin) vs machine-generated secrets get different floors; the
# generation commands in .env.example comfortably exceed both.
min_length() {
  case "$1" in
    _AIRFLOW_WWW_USER_PASSWORD | MB_ADMIN_PASSWORD) echo 12 ;;
    POSTGRES_PASSWORD | WAREHOUSE_DB_PASSWORD | HRSS_PG_BI_PASSWORD) echo 16 ;;
    *) echo 32 ;;
  esac
}

failures=0

reject() {
  # $1 = variable name, $2 = reason. Never pass the value in here.
  printf 'check-secrets: %s rejected: %s\n' "$1" "$2" >&2
  failures=$((failures + 1))
}

for name in "${REQUIRED_SECRETS[@]}"; do
  if [[ -z "${!name+set}" ]]; then
    reject "$name" "not set (copy .env.example to .env and fill it in)"
    continue
  fi
  value="${!name}"
  # Trim surrounding whitespace for the comparisons below only.
  trimmed="${value#"${value%%[![:space:]]*}"}"
  trimmed="${trimmed%"${trimmed##*[![:space:]]}"}"
  if [[ -z "$trimmed" ]]; then
    reject "$name" "empty"
    continue
  fi
  lowered="${trimmed,,}"
  is_default=0
  for weak in "${WELL_KNOWN_DEFAULTS[@]}"; do
    if [[ "$lowered" == "$weak" ]]; then
      is_default=1
      break
    fi
  done
  if (( is_default )); then
    reject "$name" "left at a well-known default value"
    continue
  fi
  if [[ "$name" == "AIRFLOW__CORE__FERNET_KEY" ]]; then
    # A Fernet key is 32 random bytes, url-safe base64 encoded (44 chars);
    # anything else makes Airflow fail later, at first use of a connection.
    if [[ ! "$trimmed" =~ ^[A-Za-z0-9_-]{43}=$ ]]; then
      reject "$name" "not a Fernet key (expected 44 url-safe base64 characters; see .env.example)"
    fi
    continue
  fi
  if [[ "$name" =~ ^(POSTGRES_PASSWORD|WAREHOUSE_DB_PASSWORD)$ && ! "$trimmed" =~ ^[A-Za-z0-9._~-]+$ ]]; then
    # The password is embedded verbatim in the SQLAlchemy URL; reserved URL
    # characters (@ : / ? # %) would silently corrupt the connection string.
    reject "$name" "contains characters that are not URL-safe (use letters, digits, . _ ~ -)"
    continue
  fi
  floor="$(min_length "$name")"
  if (( ${#trimmed} < floor )); then
    reject "$name" "shorter than ${floor} characters"
    continue
  fi
done

if (( failures > 0 )); then
  printf 'check-secrets: refusing to start: %d secret(s) rejected; see .env.example\n' "$failures" >&2
  exit 1
fi
printf 'check-secrets: all %d required secrets present and non-default\n' "${#REQUIRED_SECRETS[@]}"
exit 0
