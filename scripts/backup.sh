#!/usr/bin/env bash
# Back up the portal database: PostgreSQL custom-format dump (pg_dump -Fc), then verify it.
#
#   DATABASE_URL=postgres://user@host:5432/portal scripts/backup.sh [/path/to/backups]
#
# Writes <dir>/portal-YYYYmmdd-HHMMSS.dump (mode 600) and a .sha256 beside it; prints the file name.
# The dump holds ID and phone numbers only as ciphertext; keep FIELD_ENCRYPTION_KEY and
# BLIND_INDEX_KEY in a separate safe place — a dump without the keys cannot be read, a dump
# with lost keys cannot be restored to use. Copy the dumps off-site (docs/security.md).
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL must point at the PostgreSQL database to back up}"
case "$DATABASE_URL" in
  postgres://*|postgresql://*) ;;
  *) echo "backup.sh: DATABASE_URL is not a PostgreSQL URL" >&2; exit 2 ;;
esac

dir="${1:-${BACKUP_DIR:-./backups}}"
mkdir -p "$dir"
umask 077
file="$dir/portal-$(date -u +%Y%m%d-%H%M%S).dump"

pg_dump --format=custom --compress=6 --no-owner --no-privileges --file="$file" "$DATABASE_URL"
# A dump that pg_restore cannot list is not a backup.
pg_restore --list "$file" > /dev/null
sha256sum "$file" > "$file.sha256"
echo "$file"
