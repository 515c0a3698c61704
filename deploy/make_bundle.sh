#!/usr/bin/env bash
# `make bundle`: one archive that installs on an intranet machine with no network —
#   wuye-<version>/            the application (the checkout's tracked files: code, templates,
#                              the vendored static/, deploy/, requirements*.txt)
#   wuye-<version>/wheels/     wheels for Linux x86_64 / CPython 3.11 of every pinned requirement
#                              (requirements.txt and the optional requirements-s3.txt) and of
#                              their dependencies, with constraints.txt naming the exact versions
#   wuye-<version>/install.sh  the offline installer (deploy/install.sh)
# Output: dist/wuye-<version>.tar.gz and its .sha256. Needs the package index once, here.
set -euo pipefail
cd "$(dirname "$0")/.."
PIP=${PIP:-.venv/bin/pip}
[ -x "$PIP" ] || PIP="python3 -m pip"
VERSION=${VERSION:-$(git describe --always --dirty 2>/dev/null || date +%Y%m%d)}
NAME="wuye-$VERSION"
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
ROOT="$STAGE/$NAME"
mkdir -p "$ROOT/wheels" dist

echo "== 复制应用文件（git 跟踪的文件）"
git ls-files -z --cached --others --exclude-standard \
  | python3 -c 'import os, sys; sys.stdout.write("".join(f + "\0" for f in sys.stdin.read().split("\0") if f and os.path.isfile(f)))' \
  | tar --null -T - -cf - | tar -C "$ROOT" -xf -

echo "== 下载 Linux x86_64 / CPython 3.11 的 wheel"
# manylinux2014 (glibc 2.17) up to manylinux_2_36 (Debian 12's glibc): nothing is built on the target
$PIP download -q --disable-pip-version-check --only-binary=:all: \
  --platform manylinux_2_36_x86_64 --platform manylinux2014_x86_64 \
  --python-version 3.11 --implementation cp --abi cp311 \
  -d "$ROOT/wheels" -r requirements.txt -r requirements-s3.txt
# the exact versions pip resolved (the dependencies of the pins too): install.sh installs these
python3 - "$ROOT/wheels" <<'PY'
import pathlib, sys
folder = pathlib.Path(sys.argv[1])
pins = set()
for wheel in folder.glob("*.whl"):
    name, version = wheel.name.split("-")[:2]
    pins.add(f"{name.replace('_', '-').lower()}=={version}")
(folder / "constraints.txt").write_text("\n".join(sorted(pins)) + "\n")
PY
cp deploy/install.sh "$ROOT/install.sh"
chmod +x "$ROOT/install.sh"
echo "$VERSION" > "$ROOT/VERSION"

tar -C "$STAGE" -czf "dist/$NAME.tar.gz" "$NAME"
(cd dist && sha256sum "$NAME.tar.gz" > "$NAME.tar.gz.sha256")
echo "== dist/$NAME.tar.gz（$(du -h "dist/$NAME.tar.gz" | cut -f1)，$(ls "$ROOT/wheels"/*.whl | wc -l) 个 wheel）"
