#!/usr/bin/env bash
# Installs the independent implementations the interop tests and benchmarks talk to. Idempotent.
# They are test tools in their own folders, never dependencies of the library.
set -euo pipefail
cd "$(dirname "$0")"

apt_install() {
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  if command -v apt-get >/dev/null 2>&1; then
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@"
  else
    echo "apt-get not available: install $* by hand" >&2
  fi
}

missing=()
command -v litecoind >/dev/null 2>&1 || missing+=(litecoind)
/usr/bin/python3 -c 'import bitcoin.messages' >/dev/null 2>&1 || missing+=(python3-bitcoinlib)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} from Debian"
  apt_install "${missing[@]}"
fi

for partner in bcoin bitcore; do
  if [ ! -d "partners/$partner/node_modules" ]; then
    echo "installing partners/$partner from npm"
    # bcoin needs its install scripts (mrmr builds with node-gyp); the lock file pins every version.
    (cd "partners/$partner" && npm ci --no-audit --no-fund)
  fi
done
echo "interop partners ready"
