#!/usr/bin/env bash
# sha256 of timeseries.csv for every shipped scenario at seeds 0 and 3 and of the replay at
# seed 0: what a refactoring must leave byte for byte unchanged.
#   bash scripts/output_hashes.sh > before.txt; ...; bash scripts/output_hashes.sh | diff before.txt -
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
rm_=".venv/bin/repomodel"
for s in $(.venv/bin/python -c 'import repomodel; print(" ".join(repomodel.scenario_names()))'); do
  for seed in 0 3; do
    "$rm_" run --scenario "$s" --seed "$seed" --out "$out/$s-$seed" --quiet >/dev/null
    echo "$(sha256sum < "$out/$s-$seed/timeseries.csv" | cut -c1-64)  run $s seed $seed"
  done
done
"$rm_" replay --seed 0 --out "$out/replay-0" --quiet >/dev/null
echo "$(sha256sum < "$out/replay-0/timeseries.csv" | cut -c1-64)  replay seed 0"
