#!/usr/bin/env bash
# Prepare a local copy of the JavaScript Solara otherwise loads from a public CDN at run time,
# so `repomodel viz` works without Internet access (air-gapped machines).
#
#   scripts/prepare_viz_assets.sh [DIR]        # DIR defaults to .assets/cdn
#
# Needs `npm` and access to an npm registry once (or a mirror: npm honours its usual config,
# e.g. `npm config set registry https://npm.internal.example/`). On a machine with no registry at
# all, run this script elsewhere and copy DIR over. Each package is unpacked as DIR/<spec>/,
# where <spec> is exactly what Solara requests from the CDN: an exact version for most, but a
# major-version range for the vega family (solara asks for vega@5/build/vega.min.js, so the folder
# must be called `vega@5`, not `vega@5.33.0`). `repomodel viz` serves from DIR when it exists by
# setting SOLARA_ASSETS_PROXY_CACHE_DIR.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${1:-$here/.assets/cdn}"
specs=(
  "@widgetti/solara-vuetify-app@10.1.1"
  "@widgetti/vue-grid-layout@2.3.13-alpha.2"
  "font-awesome@4.5.0"
  "requirejs@2.3.6"
  "vega@5"
  "vega-lite@5"
  "vega-embed@6"
)

command -v npm >/dev/null || { echo "prepare_viz_assets: npm not found: install Node.js (npm) first" >&2; exit 2; }
mkdir -p "$dest"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for spec in "${specs[@]}"; do
  target="$dest/$spec"
  if [ -d "$target" ] && [ -n "$(ls -A "$target")" ]; then
    echo "  $spec: present"
    continue
  fi
  tarball="$(cd "$work" && npm pack --silent "$spec" | tail -n 1)"
  mkdir -p "$work/unpack" && rm -rf "$work/unpack/"*
  tar -xzf "$work/$tarball" -C "$work/unpack"
  mkdir -p "$(dirname "$target")"
  rm -rf "$target.tmp" && mv "$work/unpack/package" "$target.tmp" && mv "$target.tmp" "$target"
  echo "  $spec: $tarball"
done
echo "assets ready in $dest"
