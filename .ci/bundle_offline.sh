#!/usr/bin/env bash
# CI: `make bundle`, then install the bundle into a fresh virtualenv with the package index refused
# (PIP_INDEX_URL points at a closed port and install.sh passes --no-index), and run
# `manage.py check --deploy` from the unpacked bundle under production settings.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

PIP=${PIP:-$(pwd)/.venv/bin/pip} make bundle
ARCHIVE=$(ls -t dist/wuye-*.tar.gz | head -1)
(cd dist && sha256sum -c "$(basename "$ARCHIVE").sha256")
tar -C "$WORK" -xzf "$ARCHIVE"
APP=$(ls -d "$WORK"/wuye-*)

echo "== 离线安装到新的虚拟环境（软件源不可达）"
env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL PIP_INDEX_URL=http://127.0.0.1:9/ PIP_RETRIES=0 PIP_TIMEOUT=2 \
  "$APP/install.sh" --venv "$WORK/venv" --with-s3

echo "== manage.py check --deploy（生产配置）"
cd "$APP"
env -i PATH=/usr/bin:/bin HOME="$WORK" DJANGO_SETTINGS_MODULE=config.settings.prod \
  SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(64))')" \
  FIELD_ENCRYPTION_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')" \
  ALLOWED_HOSTS=wuye.example.gov.cn DATABASE_URL=postgres://wuye:wuye@127.0.0.1:1/wuye \
  REDIS_URL=redis://127.0.0.1:1/0 TRUSTED_PROXIES=127.0.0.1 PRIVATE_MEDIA_ROOT="$WORK/private" \
  STATIC_ROOT="$WORK/static" LOG_FORMAT=json \
  "$WORK/venv/bin/python" manage.py check --deploy --fail-level WARNING
env -i PATH=/usr/bin:/bin HOME="$WORK" DJANGO_SETTINGS_MODULE=config.settings.prod \
  SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(64))')" \
  FIELD_ENCRYPTION_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')" \
  ALLOWED_HOSTS=wuye.example.gov.cn STATIC_ROOT="$WORK/static" \
  "$WORK/venv/bin/python" manage.py collectstatic --noinput -v0
test -f "$WORK/static/staticfiles.json"
echo "== bundle installs offline and passes check --deploy"
