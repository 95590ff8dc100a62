-- End-to-end test of `require('newsmark').setup()`, the Neovim 0.10 path
-- (vim.lsp.start on FileType), and of the `rules` setting the server reads
-- through `workspace/configuration` (section `newsmark`):
--
--   NEWSMARK_BIN=/path/to/newsmark nvim --headless -u NONE -l setup.lua
--
-- Prints `N passed, M failed`; exits non-zero on failure.

local uv = vim.uv or vim.loop
local H = dofile(vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h') .. '/harness.lua')
local PLUGIN, REPO, BIN, SEED, TIMEOUT = H.PLUGIN, H.REPO, H.BIN, H.SEED, H.TIMEOUT
local out, check, finish, wait_for = H.out, H.check, H.finish, H.wait_for

if vim.fn.executable(BIN) ~= 1 then
  H.fatal('the newsmark binary is missing: ' .. BIN)
end

local WORK = vim.fn.tempname() .. '-newsmark-setup'
vim.fn.mkdir(WORK .. '/sub', 'p')
for name, kind in vim.fs.dir(SEED) do
  if kind == 'file' then
    uv.fs_copyfile(SEED .. '/' .. name, WORK .. '/sub/' .. name)
  end
end
-- The root marker sits one folder above the files: root detection must walk up.
local f = assert(io.open(WORK .. '/newsmark.toml', 'w'))
f:write('')
f:close()

vim.opt.runtimepath:prepend(PLUGIN)
vim.cmd('filetype on')
vim.cmd('runtime! plugin/newsmark.lua')
local newsmark = require('newsmark')

check('setup() accepts a cmd override and rules', function()
  newsmark.setup({ cmd = { BIN, 'lsp' }, rules = { ['unsourced-claim'] = 'error' } })
  assert(newsmark.config.cmd[1] == BIN, 'cmd not overridden')
  assert(newsmark.config.root_markers[1] == 'newsmark.toml', 'root markers lost')
end)

vim.cmd.edit(vim.fn.fnameescape(WORK .. '/sub/article.nmk'))
local buf = vim.api.nvim_get_current_buf()
local client

check('setup(): the server starts on FileType with the project root', function()
  wait_for('a client', function()
    return vim.lsp.get_clients({ bufnr = buf, name = 'newsmark' })[1] ~= nil
  end)
  client = vim.lsp.get_clients({ bufnr = buf, name = 'newsmark' })[1]
  local root = client.config.root_dir
  assert(vim.fs.normalize(root) == vim.fs.normalize(WORK), 'root_dir is ' .. tostring(root) .. ', want ' .. WORK)
  assert(client.config.cmd[1] == BIN, 'cmd is ' .. vim.inspect(client.config.cmd))
end)

check('setup(): a second buffer reuses the same client', function()
  assert(client, 'no client')
  vim.cmd.edit(vim.fn.fnameescape(WORK .. '/sub/cast.nmk'))
  local cast = vim.api.nvim_get_current_buf()
  wait_for('the client on cast.nmk', function()
    return vim.lsp.get_clients({ bufnr = cast, name = 'newsmark' })[1] ~= nil
  end)
  assert(vim.lsp.get_clients({ bufnr = cast, name = 'newsmark' })[1].id == client.id, 'a second client was started')
  vim.api.nvim_set_current_buf(buf)
end)

check('rules: unsourced-claim = "error" reaches the server (workspace/configuration)', function()
  wait_for('unsourced-claim diagnostics', function()
    return #vim.tbl_filter(function(d)
      return d.code == 'unsourced-claim'
    end, vim.diagnostic.get(buf)) > 0
  end)
  local sev = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == 'unsourced-claim' then
      sev[#sev + 1] = d.severity
    end
  end
  for _, s in ipairs(sev) do
    assert(s == vim.diagnostic.severity.ERROR, 'unsourced-claim severity ' .. s .. ', want ERROR (1)')
  end
end)

check('the filetype plugin sets commentstring', function()
  assert(vim.bo[buf].commentstring == '%% %s', 'commentstring is ' .. vim.bo[buf].commentstring)
end)

check('build_parser() builds parser/newsmark.so with the external scanner', function()
  local out_path = WORK .. '/parser/newsmark.so'
  local ok, output = newsmark.build_parser({ output = out_path, silent = true })
  assert(ok, output)
  assert(uv.fs_stat(out_path), 'no ' .. out_path)
  -- The built parser loads and parses.
  vim.treesitter.language.add('newsmark_check', { path = out_path, symbol_name = 'newsmark' })
  local tree = vim.treesitter.get_string_parser('{claim}(@a ^b !verified)\n', 'newsmark_check'):parse()[1]
  local sexp = tree:root():sexpr()
  assert(sexp:find('attribution') and not sexp:find('ERROR'), sexp)
end)

finish()
