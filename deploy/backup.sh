#!/usr/bin/env bash
# Backup of 物业整治案件管理: the database (pg_dump custom format) and the file store (private
# media; the public MEDIA_ROOT too when it has files left from older versions), in one dated
# directory with a SHA256SUMS file:
#   $BACKUP_DIR/wuye-YYYYmmdd-HHMMSS/{database.dump,private_media.tar.gz,media.tar.gz,SHA256SUMS,INFO}
# Settings from the environment (the deployment's /etc/wuye/wuye.env): DATABASE_URL,
# PRIVATE_MEDIA_ROOT, MEDIA_ROOT (optional); BACKUP_DIR (default /var/backups/wuye), BACKUP_KEEP_DAYS
# (default 30; older backups are deleted after a successful one). Restore: deploy/restore.sh.
# The database is dumped first, then the files: a file uploaded in between is in the archive without
# its row, never a row without its file. With S3 storage back up the bucket with the object store's
# own tools (mc mirror) instead; this script then backs up the database only.
set -euo pipefail
: "${DATABASE_URL:?DATABASE_URL 未设置}"
BACKUP_DIR=${BACKUP_DIR:-/var/backups/wuye}
KEEP_DAYS=${BACKUP_KEEP_DAYS:-30}
STAMP=$(TZ=Asia/Shanghai date +%Y%m%d-%H%M%S)
TARGET="$BACKUP_DIR/wuye-$STAMP"
PARTIAL="$TARGET.partial"
umask 077
mkdir -p "$PARTIAL"
trap 'rm -rf "$PARTIAL"' EXIT

pg_dump --format=custom --compress=6 --no-owner --no-privileges --dbname="$DATABASE_URL" --file="$PARTIAL/database.dump"

archive() {  # archive NAME DIR: tar.gz of DIR's contents (an empty archive when DIR is missing)
  local name=$1 dir=$2
  if [ -n "$dir" ] && [ -d "$dir" ]; then
    tar -C "$dir" -czf "$PARTIAL/$name.tar.gz" .
  else
    tar -czf "$PARTIAL/$name.tar.gz" --files-from /dev/null
  fi
}
archive private_media "${PRIVATE_MEDIA_ROOT:-}"
archive media "${MEDIA_ROOT:-}"

{
  echo "time=$STAMP"
  echo "database=$(printf '%s' "$DATABASE_URL" | sed -E 's#//([^:@/]*):[^@]*@#//\1:***@#')"
  echo "pg_dump=$(pg_dump --version)"
  echo "private_media_files=$(find "${PRIVATE_MEDIA_ROOT:-/nonexistent}" -type f 2>/dev/null | wc -l)"
} > "$PARTIAL/INFO"
(cd "$PARTIAL" && sha256sum database.dump private_media.tar.gz media.tar.gz INFO > SHA256SUMS)
mv "$PARTIAL" "$TARGET"
trap - EXIT
echo "备份完成：$TARGET（$(du -sh "$TARGET" | cut -f1)）"

# older backups go only after this one is complete
find "$BACKUP_DIR" -maxdepth 1 -type d -name 'wuye-*' ! -name '*.partial' -mtime +"$KEEP_DAYS" -print -exec rm -rf {} + \
  | sed 's/^/已删除过期备份：/'
