#!/usr/bin/env bash
# CI: deploy/backup.sh of the seeded database and its files (after the smoke test: complaint photos
# among them), deploy/restore.sh into an empty database and empty directories, then every table's
# row count, every sequence's position and every stored file's checksum compared. Needs
# .ci/deploy_prepare.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/deploy_env.sh
RUN="$DEPLOY_WORK/backup"
RESTORE_DB=${DEPLOY_DB}_restored
rm -rf "$RUN" && mkdir -p "$RUN"

# at least one file besides the smoke test's photos: a JSON in the store, as reports write
"$PY" manage.py shell -c "
from django.core.files.base import ContentFile
from core.files import private_storage
private_storage.save('ci/backup-check.json', ContentFile(b'{\"ok\": true}'))
" >/dev/null

BACKUP_DIR="$RUN/backups" deploy/backup.sh
SOURCE=$(ls -d "$RUN"/backups/wuye-* | head -1)
# a damaged backup is refused before anything is written
cp -r "$SOURCE" "$RUN/damaged" && echo "x" >> "$RUN/damaged/private_media.tar.gz"
psql_url "$PG_BASE/postgres" -c "DROP DATABASE IF EXISTS $RESTORE_DB" -c "CREATE DATABASE $RESTORE_DB"
if DATABASE_URL="$PG_BASE/$RESTORE_DB" PRIVATE_MEDIA_ROOT="$RUN/restored_private" deploy/restore.sh "$RUN/damaged" 2>/dev/null; then
  echo "!!! 损坏的备份未被拒绝" >&2; exit 1
fi

DATABASE_URL="$PG_BASE/$RESTORE_DB" PRIVATE_MEDIA_ROOT="$RUN/restored_private" MEDIA_ROOT="$RUN/restored_media" \
  deploy/restore.sh "$SOURCE"
# a second restore onto the same database is refused
if DATABASE_URL="$PG_BASE/$RESTORE_DB" PRIVATE_MEDIA_ROOT="$RUN/other" deploy/restore.sh "$SOURCE" 2>/dev/null; then
  echo "!!! 向非空数据库恢复未被拒绝" >&2; exit 1
fi

"$PY" - "$PG_BASE/$DEPLOY_DB" "$PG_BASE/$RESTORE_DB" "$PRIVATE_MEDIA_ROOT" "$RUN/restored_private" <<'PY'
import hashlib, pathlib, sys
import psycopg2

def snapshot(url):
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        counts = {}
        for (table,) in cur.fetchall():
            cur.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cur.fetchone()[0]
        cur.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
        sequences = dict(cur.fetchall())
    return counts, sequences

def files(root):
    root = pathlib.Path(root)
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()}

(src_counts, src_seq), (dst_counts, dst_seq) = snapshot(sys.argv[1]), snapshot(sys.argv[2])
bad = [t for t in src_counts if src_counts[t] != dst_counts.get(t)]
assert src_counts.keys() == dst_counts.keys(), "表不一致"
assert not bad, f"行数不一致：{bad}"
assert src_seq == dst_seq, "序列位置不一致"
src_files, dst_files = files(sys.argv[3]), files(sys.argv[4])
assert src_files and src_files == dst_files, "文件或其校验和不一致"
photos = [name for name in src_files if name.startswith("complaints/")]
total = sum(src_counts.values())
print(f"== 备份恢复一致：{len(src_counts)} 张表共 {total} 行，{len(src_seq)} 个序列，"
      f"{len(src_files)} 个文件（其中投诉照片 {len(photos)} 个）的 SHA-256 相同")
PY
psql_url "$PG_BASE/postgres" -c "DROP DATABASE IF EXISTS $RESTORE_DB"
