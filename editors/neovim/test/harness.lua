-- The shared part of the Neovim end-to-end tests: paths, one `check` per
-- assertion, the closing `N passed, M failed` line and the exit code.
-- Loaded with dofile() by e2e.lua and setup.lua.

local H = {}
local here = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
H.PLUGIN = vim.fn.fnamemodify(here, ':h') -- editors/neovim
H.REPO = vim.fn.fnamemodify(H.PLUGIN, ':h:h')
H.BIN = os.getenv('NEWSMARK_BIN') or (H.REPO .. '/target/debug/newsmark')
H.SEED = os.getenv('NEWSMARK_SEED') or (H.REPO .. '/examples/seed')
H.TIMEOUT = tonumber(os.getenv('NEWSMARK_TIMEOUT_MS') or '') or 20000

local passed, failed = 0, 0

function H.out(s)
  io.stdout:write(s .. '\n')
  io.stdout:flush()
end

--- Runs one check; `fn` raises (error/assert) to fail.
function H.check(name, fn)
  local ok, err = xpcall(fn, debug.traceback)
  if ok then
    passed = passed + 1
    H.out('ok   - ' .. name)
  else
    failed = failed + 1
    H.out('FAIL - ' .. name .. '\n       ' .. tostring(err):gsub('\n', '\n       '))
  end
  return ok
end

--- Prints the summary and exits: non-zero on any failure, or on no check.
function H.finish()
  H.out(('%d passed, %d failed'):format(passed, failed))
  os.exit(failed == 0 and passed > 0 and 0 or 1)
end

--- A failure that stops the run.
function H.fatal(msg)
  failed = failed + 1
  H.out('FAIL - ' .. msg)
  H.finish()
end

function H.wait_for(what, cond, ms)
  if not vim.wait(ms or H.TIMEOUT, cond, 50) then
    error('timed out after ' .. (ms or H.TIMEOUT) .. ' ms waiting for ' .. what, 2)
  end
end

return H
