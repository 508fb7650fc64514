#!/usr/bin/env bash
# Set up repomodel on a fresh machine: find Python >= 3.12, make .venv, install the package.
#   bash scripts/setup.sh          # the model and its command (`repomodel run`)
#   bash scripts/setup.sh test     # everything the test suite needs, incl. Debian's chromium
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-run}"

find_python() {
  # Prefer 3.12 (what the project is tested on), then any later Python 3.
  local ok='import sys; sys.exit(sys.version_info < (3, 12))'
  for cand in "${PYTHON:-}" python3.12; do
    [ -n "$cand" ] && command -v "$cand" >/dev/null 2>&1 && "$cand" -c "$ok" 2>/dev/null \
      && { command -v "$cand"; return 0; }
  done
  # pyenv keeps other versions off the PATH: ask it for 3.12, then later versions.
  if command -v pyenv >/dev/null 2>&1; then
    for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.(1[2-9])(\.|$)' | sort -V); do
      p="$(pyenv prefix "$v")/bin/python"
      [ -x "$p" ] && { echo "$p"; return 0; }
    done
  fi
  for cand in python3.13 python3; do
    command -v "$cand" >/dev/null 2>&1 && "$cand" -c "$ok" 2>/dev/null && { command -v "$cand"; return 0; }
  done
  return 1
}

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
  py="$(find_python)" || { echo "setup: no Python >= 3.12 found (tried python3.12, python3.13, python3, pyenv)" >&2; exit 1; }
  echo "setup: creating .venv with $py" >&2
  rm -rf .venv
  "$py" -m venv .venv
fi
# pip's own chatter (build back-end notices, index locations this machine's pip.conf names) goes
# to a log, shown only when the install fails.
log=.venv/setup.log
install() {
  echo "setup: installing repomodel$1 and its dependencies into .venv (log: $log)" >&2
  if ! .venv/bin/python -m pip install -e ".$1" >"$log" 2>&1; then
    cat "$log" >&2
    echo "setup: pip install -e .$1 failed (the log above, also in $log)" >&2
    exit 1
  fi
}
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
if [ "$what" = "test" ]; then
  install '[all]'
  # The browser test drives Debian's chromium (never a downloaded browser build).
  if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ]; then
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >>"$log" 2>&1 \
        || echo "setup: could not install chromium (see $log); browser tests will be skipped" >&2
    else
      echo "setup: chromium missing and not root; browser tests will be skipped" >&2
    fi
  fi
else
  install ''
fi
# The browser page (repomodel viz) loads Solara's JavaScript from a public CDN unless a local
# copy exists; make it once where npm can reach its registry, so the page works offline.
if [ ! -d .assets/cdn ] && command -v npm >/dev/null 2>&1; then
  bash scripts/prepare_viz_assets.sh >>"$log" 2>&1 \
    || echo "setup: could not copy the page's JavaScript (see $log); repomodel viz will need the CDN" >&2
fi
echo "setup: ready (.venv, $(.venv/bin/python --version))" >&2
