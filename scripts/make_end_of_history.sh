#!/usr/bin/env bash
# Regenerate repomodel/data/end_of_history.npz: the state at the close of the shipped history's
# last day (repomodel/data/history_inputs.csv), as the replay reaches it with the shipped
# parameters (base.toml + calibrated.toml) at the default seed. Forward runs start from it by
# default (`[start] snapshot = "end_of_history"` in base.toml), so rerun this after anything that
# changes the replay: a recalibration, a change of behaviour, agents or population, a new history.
#   bash scripts/make_end_of_history.sh
# The replay's folder goes to a scratch folder (results/replay is left alone); the snapshot is
# written beside the shipped one and moved over it only when whole, so a failed or interrupted
# run leaves the old file as it was. The same state gives the same bytes (no clock in the file).
set -euo pipefail
cd "$(dirname "$0")/.."
target="repomodel/data/end_of_history.npz"
work="$(mktemp -d)"
# a new name beside the shipped file (the replay refuses to write over a file that is not a
# snapshot, an empty one from mktemp included), on its file system so that mv is a rename
stage="$(mktemp -d "repomodel/data/.end_of_history.XXXXXX")"
staged="$stage/end_of_history.npz"
trap 'rm -rf "$work" "$stage"' EXIT
.venv/bin/repomodel replay --quiet --out "$work/replay" --snapshot "$staged"
.venv/bin/python - "$staged" <<'EOF'
import sys
from repomodel import snapshot
snap = snapshot.read(sys.argv[1])  # a whole, consistent snapshot, or exit 1 here
print(f"end of history: {snap.date}, reserves {snap.ledger['banks'].total('reserves'):,.1f} $ bn")
EOF
chmod 644 "$staged"
mv -f "$staged" "$target"
echo "wrote $target ($(sha256sum < "$target" | cut -c1-16))"
