#!/usr/bin/env bash
# CI: gunicorn (production settings) behind nginx (Debian package) on loopback, configured from
# deploy/nginx/wuye.conf with a self-signed certificate, and .ci/smoke_nginx.py through nginx:
# login, a ledger page, a public complaint with a photo, the photo served by X-Accel-Redirect to a
# permitted user only, the rate limits seeing the real client address. Needs .ci/deploy_prepare.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/deploy_env.sh
command -v nginx >/dev/null || { echo "需要 nginx（apt-get install nginx）" >&2; exit 1; }
RUN="$DEPLOY_WORK/smoke"
rm -rf "$RUN" && mkdir -p "$RUN/logs"
GUNICORN_PORT=${GUNICORN_PORT:-18000}
HTTP_PORT=${HTTP_PORT:-18080}
HTTPS_PORT=${HTTPS_PORT:-18443}
export PRIVATE_MEDIA_ACCEL_REDIRECT=/_private/
export HEALTH_MIN_FREE_BYTES=1
# With REDIS_URL (CI): Redis cache and sessions, a Celery worker on the three queues, and a
# heartbeat sent as beat would: /healthz must then report every part 正常. Without: one gunicorn
# worker (the rate limits live in its memory) and /healthz reports Redis and Celery as 未配置.
WEB_WORKERS=2
[ -n "${REDIS_URL:-}" ] || WEB_WORKERS=1
# rate-limit counters of an earlier run must not count here
[ -z "${REDIS_URL:-}" ] || redis-cli -u "$REDIS_URL" flushdb >/dev/null
export SECURE_SSL_REDIRECT=1

cleanup() {
  [ -f "$RUN/nginx.pid" ] && kill "$(cat "$RUN/nginx.pid")" 2>/dev/null || true
  [ -f "$RUN/gunicorn.pid" ] && kill "$(cat "$RUN/gunicorn.pid")" 2>/dev/null || true
  [ -f "$RUN/celery.pid" ] && kill "$(cat "$RUN/celery.pid")" 2>/dev/null || true
  sleep 1
}
trap cleanup EXIT

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -keyout "$RUN/tls.key" -out "$RUN/tls.crt" 2>/dev/null

sed -e "s#@SERVER_NAME@#127.0.0.1 localhost#" -e "s#@LISTEN_HTTP@#127.0.0.1:$HTTP_PORT#" \
    -e "s#@LISTEN_HTTPS@#127.0.0.1:$HTTPS_PORT#" -e "s#@TLS_CERT@#$RUN/tls.crt#" -e "s#@TLS_KEY@#$RUN/tls.key#" \
    -e "s#@UPSTREAM@#127.0.0.1:$GUNICORN_PORT#" -e "s#@STATIC_ROOT@#$STATIC_ROOT#" \
    -e "s#@PRIVATE_MEDIA_ROOT@#$PRIVATE_MEDIA_ROOT#" -e "s#/var/log/nginx/#$RUN/logs/#" \
    deploy/nginx/wuye.conf > "$RUN/site.conf"
if grep -q "@[A-Z_]*@" "$RUN/site.conf"; then echo "未替换的占位符" >&2; exit 1; fi
cat > "$RUN/nginx.conf" <<NGINX
$( [ "$(id -u)" = "0" ] && echo "user root;" )
worker_processes 1;
pid $RUN/nginx.pid;
error_log $RUN/logs/error.log warn;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path $RUN/body;
    proxy_temp_path $RUN/proxy;
    fastcgi_temp_path $RUN/fastcgi;
    uwsgi_temp_path $RUN/uwsgi;
    scgi_temp_path $RUN/scgi;
    access_log $RUN/logs/access.log;
    include $RUN/site.conf;
}
NGINX
nginx -t -c "$RUN/nginx.conf" -p "$RUN" 2>&1 | tail -2

"$VENV/bin/gunicorn" config.wsgi:application --bind "127.0.0.1:$GUNICORN_PORT" --workers "$WEB_WORKERS" --timeout 120 \
  --forwarded-allow-ips 127.0.0.1 --pid "$RUN/gunicorn.pid" --daemon --no-control-socket \
  --error-logfile "$RUN/logs/gunicorn.log" --capture-output
nginx -c "$RUN/nginx.conf" -p "$RUN"
if [ -n "${REDIS_URL:-}" ]; then
  "$VENV/bin/celery" -A config worker -Q default,imports,reports -c 1 -n "smoke-$$@%h" -l WARNING \
    --without-gossip --without-mingle --pidfile "$RUN/celery.pid" --logfile "$RUN/logs/celery.log" --detach
  for _ in $(seq 1 60); do
    "$VENV/bin/celery" -A config inspect ping -d "smoke-$$@$(hostname)" --timeout 1 >/dev/null 2>&1 && break
    sleep 1
  done
  "$PY" manage.py shell -c "from core.tasks import heartbeat; heartbeat.delay().get(timeout=30)" >/dev/null
fi
wait_http "http://127.0.0.1:$GUNICORN_PORT/healthz"
wait_http "https://127.0.0.1:$HTTPS_PORT/healthz"

# a town officer of another town: must not see the complaint's photo
"$PY" manage.py shell -c "
import json
from accounts.models import Role, User
from communities.models import Estate, Region
user = User.objects.get(username='demo-town')
estate = Estate.objects.filter(community__parent=user.region).order_by('pk').first()
other_town = Region.objects.filter(parent=user.region.parent, level=user.region.level).exclude(pk=user.region.pk).order_by('pk').first()
other, _ = User.objects.get_or_create(username='smoke-other-town', defaults={'role': Role.TOWN, 'region': other_town})
other.set_password('Smoke@2025x'); other.save()
open('$RUN/ids.json', 'w').write(json.dumps({'estate': estate.pk}))
" >/dev/null
cat "$RUN/ids.json"

status=0
"$PY" .ci/smoke_nginx.py --https "https://127.0.0.1:$HTTPS_PORT" --http "http://127.0.0.1:$HTTP_PORT" \
  --gunicorn "http://127.0.0.1:$GUNICORN_PORT" --cafile "$RUN/tls.crt" --ids "$RUN/ids.json" || status=$?
if [ "$status" != "0" ]; then
  echo "---- gunicorn log"; tail -40 "$RUN/logs/gunicorn.log"
  echo "---- nginx error log"; tail -20 "$RUN/logs/error.log"
fi
exit $status
