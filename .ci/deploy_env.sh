# Sourced by the deployment CI scripts (.ci/deploy_prepare.sh, smoke_nginx.sh, two_machines.sh,
# backup_restore.sh): one seeded PostgreSQL database and one file store under $DEPLOY_WORK, the
# production settings, and helpers. Inputs: PG_BASE (postgres://user:pw@127.0.0.1:port, a role
# with CREATEDB), REDIS_URL (optional), VENV (default .venv), DEPLOY_WORK (default /tmp/wuye-deploy-ci).
: "${PG_BASE:?PG_BASE=postgres://user:pw@127.0.0.1:5432 is required}"
VENV=${VENV:-$(pwd)/.venv}
DEPLOY_WORK=${DEPLOY_WORK:-/tmp/wuye-deploy-ci}
DEPLOY_DB=${DEPLOY_DB:-wuye_deploy_ci}
export DJANGO_SETTINGS_MODULE=config.settings.prod
export SECRET_KEY=ci-deploy-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ
export FIELD_ENCRYPTION_KEY=ci-deploy-field-key-0123456789-abcdefghij
export ALLOWED_HOSTS=127.0.0.1,localhost
export DATABASE_URL="$PG_BASE/$DEPLOY_DB"
export PRIVATE_MEDIA_ROOT="$DEPLOY_WORK/private_media"
export MEDIA_ROOT="$DEPLOY_WORK/media"
export STATIC_ROOT="$DEPLOY_WORK/static"
export TRUSTED_PROXIES=127.0.0.1
export LOG_FORMAT=json LOG_LEVEL=WARNING
export COMPLAINTS_MIN_FILL_SECONDS=0
export PYTHONPATH=$(pwd)
PY="$VENV/bin/python"

psql_url() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

# wait_http URL: up to 60 s for any HTTP answer
wait_http() {
  for _ in $(seq 1 120); do
    if "$PY" -c "import sys, urllib.request, ssl; ctx = ssl._create_unverified_context()
try:
    urllib.request.urlopen(sys.argv[1], timeout=2, context=ctx)
except urllib.error.HTTPError:
    pass" "$1" 2>/dev/null; then return 0; fi
    sleep 0.5
  done
  echo "!!! $1 未在 60 秒内应答" >&2
  return 1
}
