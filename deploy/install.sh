#!/usr/bin/env bash
# Offline installer in the bundle (dist/wuye-<version>.tar.gz, `make bundle`): creates a virtualenv
# with Python 3.11 and installs the bundled wheels with `pip --no-index` — no package index, no
# network. Run it from the unpacked bundle:
#   ./install.sh [--venv /opt/wuye/venv] [--with-s3]
#   --venv     where the virtualenv goes (default /opt/wuye/venv, or $WUYE_VENV)
#   --with-s3  also the optional S3 client (django-storages, boto3) for object storage
# Then, with /etc/wuye/wuye.env filled in (deploy/wuye.env.example), as deploy/README.md says:
#   set -a; . /etc/wuye/wuye.env; set +a
#   /opt/wuye/venv/bin/python manage.py migrate && … collectstatic && … load_reference_data
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
VENV=${WUYE_VENV:-/opt/wuye/venv}
WITH_S3=0
while [ $# -gt 0 ]; do
  case "$1" in
    --venv) VENV=$2; shift 2 ;;
    --with-s3) WITH_S3=1; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "未知参数：$1" >&2; exit 2 ;;
  esac
done
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
"$PYTHON" -c "import sys; assert sys.version_info[:2] == (3, 11)" 2>/dev/null \
  || { echo "需要 Python 3.11（Debian 12: apt install python3 python3-venv）" >&2; exit 1; }
[ -d "$HERE/wheels" ] || { echo "找不到 wheels/ 目录：请在解压后的安装包目录中运行" >&2; exit 1; }

echo "== 创建虚拟环境 $VENV"
"$PYTHON" -m venv "$VENV"
REQS=(-r "$HERE/requirements.txt")
[ "$WITH_S3" = "1" ] && REQS+=(-r "$HERE/requirements-s3.txt")
echo "== 离线安装依赖（pip --no-index）"
PIP_NO_INDEX=1 "$VENV/bin/pip" install --no-index --find-links "$HERE/wheels" \
  --disable-pip-version-check -q -c "$HERE/wheels/constraints.txt" "${REQS[@]}"
"$VENV/bin/python" -c "import django, celery, psycopg2, gunicorn; print('== 已安装 Django', django.get_version())"
echo "== 完成。应用目录：$HERE；虚拟环境：$VENV"
