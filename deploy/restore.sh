#!/usr/bin/env bash
# Restores a backup made by deploy/backup.sh into an EMPTY database and empty file directories:
#   deploy/restore.sh /var/backups/wuye/wuye-20261203-013000
# Settings from the environment: DATABASE_URL (the empty database, created by the DBA with the
# application's role as owner), PRIVATE_MEDIA_ROOT, MEDIA_ROOT (optional). Stop the web and worker
# units first (systemctl stop wuye-web wuye-worker@* wuye-beat). The checksums are verified before
# anything is written; a database that already has tables is refused.
set -euo pipefail
SOURCE=${1:?用法：deploy/restore.sh <备份目录>}
: "${DATABASE_URL:?DATABASE_URL 未设置}"
: "${PRIVATE_MEDIA_ROOT:?PRIVATE_MEDIA_ROOT 未设置}"
[ -f "$SOURCE/SHA256SUMS" ] || { echo "不是完整的备份目录：$SOURCE" >&2; exit 1; }

echo "== 校验备份文件"
(cd "$SOURCE" && sha256sum --quiet -c SHA256SUMS) || { echo "备份文件校验失败，未做任何恢复" >&2; exit 1; }

tables=$(psql -X -tA --dbname="$DATABASE_URL" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [ "$tables" != "0" ]; then
  echo "目标数据库已有 $tables 张表：只恢复到空数据库（请新建数据库后重试）" >&2
  exit 1
fi
for dir in "$PRIVATE_MEDIA_ROOT" ${MEDIA_ROOT:+"$MEDIA_ROOT"}; do
  if [ -d "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
    echo "目录不为空：$dir（请使用空目录）" >&2
    exit 1
  fi
done

echo "== 恢复数据库"
pg_restore --exit-on-error --no-owner --no-privileges --jobs=2 --dbname="$DATABASE_URL" "$SOURCE/database.dump"
# the planner's statistics are not in a dump
psql -X -q --dbname="$DATABASE_URL" -c "SET client_min_messages TO error" -c "ANALYZE"

echo "== 恢复文件"
mkdir -p "$PRIVATE_MEDIA_ROOT"
tar -C "$PRIVATE_MEDIA_ROOT" -xzf "$SOURCE/private_media.tar.gz"
if [ -n "${MEDIA_ROOT:-}" ]; then
  mkdir -p "$MEDIA_ROOT"
  tar -C "$MEDIA_ROOT" -xzf "$SOURCE/media.tar.gz"
fi
echo "恢复完成：$SOURCE → 数据库与文件。启动服务前可运行 manage.py migrate --check 确认版本一致。"
