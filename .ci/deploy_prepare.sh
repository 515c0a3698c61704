#!/usr/bin/env bash
# CI: the seeded database and file store the deployment tests share: an empty database, migrate,
# reference data, the demo county (seed_demo), collectstatic — all under production settings.
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/deploy_env.sh
rm -rf "$DEPLOY_WORK" && mkdir -p "$DEPLOY_WORK"
psql_url "$PG_BASE/postgres" -c "DROP DATABASE IF EXISTS $DEPLOY_DB" -c "CREATE DATABASE $DEPLOY_DB"
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py load_reference_data >/dev/null
"$PY" manage.py seed_demo >/dev/null
"$PY" manage.py collectstatic --noinput -v0
echo "== 部署测试数据库 $DEPLOY_DB 已就绪"
