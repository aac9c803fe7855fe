#!/usr/bin/env bash
# Idempotent set-up on a fresh machine: virtual environment with the pinned stack, this package, offline data.
# Used by `make demo` and `make test` (and so by CI).  Safe to run again: finished steps are skipped quickly.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=${VENV:-.venv}

if [ ! -x "$VENV/bin/python" ]; then
  echo "== creating $VENV"
  "$PY" -m venv "$VENV"
fi
stamp="$VENV/.installed-$(cat requirements.txt pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "== installing the pinned requirements (first time: a few minutes, torch is large)"
  start=$(date +%s)
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -r requirements.txt
  "$VENV/bin/python" -m pip install -q --no-deps -e .
  echo "== installed in $(( $(date +%s) - start )) s"
  touch "$stamp"
fi

# bubblewrap sandboxes student code while grading (course/sandbox.py); without it grading still works, unsandboxed.
if ! command -v bwrap >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "== installing bubblewrap"
  (apt-get update -qq && apt-get install -y -qq bubblewrap >/dev/null) || echo "   (not available; grading runs unsandboxed)"
fi

# Debian's Chromium and its WebDriver: the course website's browser tests (tests/test_site.py) drive them with selenium.
if ! command -v chromedriver >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "== installing chromium and chromium-driver (browser tests of the course website)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
    || echo "   (not available; the browser tests are skipped)"
fi

# Offline data: Fashion-MNIST from Debian, the rest from ../shared/data (see README).  Online machines need neither:
# torchvision downloads on first use.
if [ ! -d /usr/share/datasets/fashion-mnist ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "== installing Debian's dataset-fashion-mnist"
  (apt-get update -qq && apt-get install -y -qq dataset-fashion-mnist >/dev/null) || echo "   (not available; skipped)"
fi
for src in ../shared/data /usr/share/datasets/fashion-mnist; do
  if [ -d "$src" ]; then
    "$VENV/bin/course" data import "$src" >/dev/null && echo "== imported data from $src"
  fi
done
# Lab 5.6's corrupted MNIST is derived from the cached MNIST (a few seconds, once).
if [ -d "$("$VENV/bin/python" -c 'from course import data; print(data.root())')/MNIST" ]; then
  "$VENV/bin/python" -c "from course import corrupt_mnist; corrupt_mnist.make()" && echo "== corrupted MNIST ready" \
    || echo "   (corrupted MNIST not built; lab 5.6 builds it on first use)"
fi
