#!/bin/sh
# Run by the postgres image at its volume's first start (docker-compose.yml): creates Disty's two
# roles and database with scripts/db-roles.sql, with the passwords compose passes in the
# environment (no default password: compose refuses to start without them).
set -eu
: "${DISTY_OWNER_PASSWORD:?set DISTY_OWNER_PASSWORD}"
: "${DISTY_APP_PASSWORD:?set DISTY_APP_PASSWORD}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_password="$DISTY_OWNER_PASSWORD" -v app_password="$DISTY_APP_PASSWORD" \
  -f /docker-entrypoint-initdb.d/disty/db-roles.sql
