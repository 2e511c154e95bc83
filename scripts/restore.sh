#!/usr/bin/env bash
# Restore a dump made by scripts/backup.sh into a PostgreSQL database.
#
#   TARGET_DATABASE_URL=postgres://user@host:5432/portal_restore scripts/restore.sh portal-….dump
#
# The target database must exist (create it with ENCODING 'UTF8' LC_COLLATE/LC_CTYPE 'C.UTF-8',
# TEMPLATE template0). Existing objects of the dump are dropped first (--clean --if-exists);
# the whole restore runs in one transaction, so a failure leaves the target unchanged.
# Then run `manage.py migrate` (no-op when the code matches) and `manage.py check`.
set -euo pipefail

dump="${1:?usage: restore.sh <dump file>}"
: "${TARGET_DATABASE_URL:?TARGET_DATABASE_URL must point at the database to restore into}"
[ -f "$dump" ] || { echo "restore.sh: $dump not found" >&2; exit 2; }
if [ -f "$dump.sha256" ]; then
  (cd "$(dirname "$dump")" && sha256sum --check --quiet "$(basename "$dump").sha256")
fi

pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error \
  --dbname="$TARGET_DATABASE_URL" "$dump"
echo "restored $dump"
