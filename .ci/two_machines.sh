#!/usr/bin/env bash
# CI: two web "machines" — two gunicorn processes (2 workers each) on different ports — against
# one PostgreSQL, one Redis and one shared file store (the NFS path of a real deployment):
# .ci/two_machines.py shows a session, a rate limit, a spent CAPTCHA and an uploaded file shared
# between them. Needs .ci/deploy_prepare.sh and REDIS_URL.
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/deploy_env.sh
: "${REDIS_URL:?需要 REDIS_URL（两台机器共享 Redis）}"
RUN="$DEPLOY_WORK/machines"
rm -rf "$RUN" && mkdir -p "$RUN"
PORT_A=${PORT_A:-18101}
PORT_B=${PORT_B:-18102}
export SECURE_SSL_REDIRECT=0 PRIVATE_MEDIA_ACCEL_REDIRECT=
redis-cli -u "$REDIS_URL" flushdb >/dev/null

cleanup() {
  for pid in "$RUN"/*.pid; do [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null; done
  sleep 1
}
trap cleanup EXIT
for port in "$PORT_A" "$PORT_B"; do
  "$VENV/bin/gunicorn" config.wsgi:application --bind "127.0.0.1:$port" --workers 2 --timeout 120 \
    --pid "$RUN/gunicorn-$port.pid" --daemon --no-control-socket \
    --error-logfile "$RUN/gunicorn-$port.log" --capture-output
done
wait_http "http://127.0.0.1:$PORT_A/healthz"
wait_http "http://127.0.0.1:$PORT_B/healthz"
"$PY" manage.py shell -c "
import json
from accounts.models import User
from communities.models import Estate
user = User.objects.get(username='demo-town')
estate = Estate.objects.filter(community__parent=user.region).order_by('pk').first()
open('$RUN/ids.json', 'w').write(json.dumps({'estate': estate.pk}))
" >/dev/null
status=0
"$PY" .ci/two_machines.py "http://127.0.0.1:$PORT_A" "http://127.0.0.1:$PORT_B" "$RUN/ids.json" || status=$?
[ "$status" = "0" ] || tail -30 "$RUN"/gunicorn-*.log
exit $status
