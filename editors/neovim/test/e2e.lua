-- End-to-end test of the Newsmark Neovim plugin against the real language
-- server, in real headless Neovim 0.11+:
--
--   NEWSMARK_BIN=/path/to/newsmark nvim --headless -u NONE -l e2e.lua
--
-- (run.sh sets everything up). Works on a copy of examples/seed. Prints one
-- line per check and a closing `N passed, M failed`; exits non-zero on failure.

local uv = vim.uv or vim.loop

local H = dofile(vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h') .. '/harness.lua')
local PLUGIN, REPO, BIN, SEED, TIMEOUT = H.PLUGIN, H.REPO, H.BIN, H.SEED, H.TIMEOUT
local out, check, finish, fatal, wait_for = H.out, H.check, H.finish, H.fatal, H.wait_for

-- --------------------------------------------------------------- preflight

if vim.fn.has('nvim-0.11') ~= 1 then
  fatal('Neovim 0.11+ is required, this is ' .. tostring(vim.version()))
end
if vim.fn.executable(BIN) ~= 1 then
  fatal('the newsmark binary is missing or not executable: ' .. BIN .. ' (set NEWSMARK_BIN)')
end
for _, f in ipairs({ 'article.nmk', 'cast.nmk' }) do
  if not uv.fs_stat(SEED .. '/' .. f) then
    fatal('missing example ' .. SEED .. '/' .. f)
  end
end

-- A private copy of the seed example: the rename test edits it.
local WORK = vim.fn.tempname() .. '-newsmark-nvim'
vim.fn.mkdir(WORK, 'p')
for name, kind in vim.fs.dir(SEED) do
  if kind == 'file' then
    uv.fs_copyfile(SEED .. '/' .. name, WORK .. '/' .. name)
  end
end
-- Mark the project root so root detection has something to find.
if not uv.fs_stat(WORK .. '/newsmark.toml') then
  local f = assert(io.open(WORK .. '/newsmark.toml', 'w'))
  f:write('')
  f:close()
end
local ARTICLE = WORK .. '/article.nmk'
local CAST = WORK .. '/cast.nmk'

-- ------------------------------------------------------------------- set up

vim.opt.runtimepath:prepend(PLUGIN)
vim.cmd('filetype on')
vim.cmd('runtime! plugin/newsmark.lua')
vim.lsp.config('newsmark', { cmd = { BIN, 'lsp' } })
vim.lsp.enable('newsmark')

-- ---------------------------------------------------------------- helpers


local function buf_text(buf)
  return vim.api.nvim_buf_get_lines(buf, 0, -1, false)
end

--- 0-based {row, col} of the n-th plain-text occurrence of `needle` in `buf`.
local function find(buf, needle, n)
  n = n or 1
  for row, line in ipairs(buf_text(buf)) do
    local init = 1
    while true do
      local s = line:find(needle, init, true)
      if not s then
        break
      end
      n = n - 1
      if n == 0 then
        return row - 1, s - 1
      end
      init = s + 1
    end
  end
  error(('text %q not found in %s'):format(needle, vim.api.nvim_buf_get_name(buf)), 2)
end

local function client_for(buf)
  return vim.lsp.get_clients({ bufnr = buf, name = 'newsmark' })[1]
end

--- LSP position params at a 0-based (row, byte col) of `buf`.
local function params_at(buf, row, col, client)
  local win = vim.api.nvim_get_current_win()
  vim.api.nvim_win_set_buf(win, buf)
  vim.api.nvim_win_set_cursor(win, { row + 1, col })
  return vim.lsp.util.make_position_params(win, client.offset_encoding)
end

local function request(client, method, params, buf)
  local res, err = client:request_sync(method, params, TIMEOUT, buf)
  if not res then
    error(method .. ' failed: ' .. tostring(err), 2)
  end
  if res.err then
    error(method .. ' returned an error: ' .. vim.inspect(res.err), 2)
  end
  return res.result
end

local function hover_text(result)
  if not result then
    return ''
  end
  local c = result.contents
  if type(c) == 'string' then
    return c
  end
  if c.value then
    return c.value
  end
  local parts = {}
  for _, item in ipairs(c) do
    parts[#parts + 1] = type(item) == 'string' and item or item.value
  end
  return table.concat(parts, '\n')
end

local function diagnostics(buf, code)
  local all = vim.diagnostic.get(buf)
  if not code then
    return all
  end
  return vim.tbl_filter(function(d)
    return d.code == code
  end, all)
end

local function describe(ds)
  local s = {}
  for _, d in ipairs(ds) do
    s[#s + 1] = ('%s@%d:%d-%d:%d'):format(tostring(d.code), d.lnum, d.col, d.end_lnum or -1, d.end_col or -1)
  end
  return table.concat(s, ', ')
end

local function covers(d, row)
  return d.lnum <= row and row <= (d.end_lnum or d.lnum)
end

local function first_location(result)
  if not result then
    return nil
  end
  if result.uri or result.targetUri then
    return result
  end
  return result[1]
end

local function loc_uri(l)
  return l.uri or l.targetUri
end
local function loc_range(l)
  return l.targetSelectionRange or l.range or l.targetRange
end

-- -------------------------------------------------------------- the checks

vim.cmd.edit(vim.fn.fnameescape(ARTICLE))
local article = vim.api.nvim_get_current_buf()
local client

check('filetype detection: article.nmk is newsmark', function()
  assert(vim.bo[article].filetype == 'newsmark', 'filetype is ' .. vim.bo[article].filetype)
end)

check('the language server attaches', function()
  wait_for('the newsmark client', function()
    return client_for(article) ~= nil
  end)
  client = client_for(article)
  wait_for('initialization', function()
    return client.initialized
  end)
  local root = client.config.root_dir or (client.workspace_folders and client.workspace_folders[1].name)
  assert(
    root and vim.fs.normalize(root) == vim.fs.normalize(uv.fs_realpath(WORK) or WORK) or root == WORK,
    'root_dir ' .. tostring(root) .. ' is not ' .. WORK
  )
end)

if not client then
  fatal('no language client, cannot go on (check ' .. vim.lsp.get_log_path() .. ')')
end

-- The claims the seed article leaves unsourced on purpose, and one sourced one.
local UNSOURCED = { 'is said to have supplied', 'entirely defence-oriented' }

check('diagnostics: unsourced-claim on the unsourced claims, by code and line', function()
  wait_for('unsourced-claim diagnostics', function()
    return #diagnostics(article, 'unsourced-claim') > 0
  end)
  local ds = diagnostics(article, 'unsourced-claim')
  for _, needle in ipairs(UNSOURCED) do
    local row = find(article, needle)
    local hit = vim.tbl_filter(function(d)
      return covers(d, row)
    end, ds)
    assert(#hit >= 1, ('no unsourced-claim covering line %d (%q); got %s'):format(row + 1, needle, describe(ds)))
    assert(hit[1].severity == vim.diagnostic.severity.WARN, 'unsourced-claim is not a warning by default')
    assert(hit[1].source == nil or hit[1].source == 'newsmark', 'source is ' .. tostring(hit[1].source))
  end
end)

check('diagnostics: no unsourced-claim on a sourced claim, nothing undefined', function()
  local row = find(article, 'The comprehensive partnership agreement signed today')
  for _, d in ipairs(diagnostics(article, 'unsourced-claim')) do
    assert(not covers(d, row), 'sourced claim flagged: ' .. describe({ d }))
  end
  for _, code in ipairs({ 'undefined-party', 'undefined-source', 'syntax', 'import-not-found' }) do
    local ds = diagnostics(article, code)
    assert(#ds == 0, code .. ' in the seed article: ' .. describe(ds))
  end
end)

-- A plain `@putin` mention (in an attribution) and a labelled one.
local putin_row, putin_col = find(article, '(@putin ^kremlin-media)')
putin_col = putin_col + 2 -- on the `p` of `@putin`

check('hover on @putin shows the party card', function()
  local res = request(client, 'textDocument/hover', params_at(article, putin_row, putin_col, client), article)
  local text = hover_text(res)
  assert(text:find('Vladimir Putin', 1, true), 'hover lacks the name: ' .. vim.inspect(text))
  assert(text:find('President of Russia', 1, true), 'hover lacks the role: ' .. vim.inspect(text))
end)

check('hover on a labelled mention [Kim Jong-Un](@kim) shows the party card', function()
  local row, col = find(article, '(@kim)')
  local res = request(client, 'textDocument/hover', params_at(article, row, col + 2, client), article)
  local text = hover_text(res)
  assert(text:find('Kim Jong-Un', 1, true), 'hover lacks the name: ' .. vim.inspect(text))
end)

check('go to definition on @putin lands on [@putin]: in cast.nmk', function()
  local res = request(client, 'textDocument/definition', params_at(article, putin_row, putin_col, client), article)
  local loc = first_location(res)
  assert(loc, 'no definition result')
  local path = vim.uri_to_fname(loc_uri(loc))
  assert(vim.fs.basename(path) == 'cast.nmk', 'definition is in ' .. path)
  local lines = vim.fn.readfile(CAST)
  local want
  for i, l in ipairs(lines) do
    if l:find('[@putin]:', 1, true) == 1 then
      want = i - 1
    end
  end
  assert(want, '[@putin]: not found in cast.nmk')
  local r = loc_range(loc)
  assert(r.start.line == want, ('definition at line %d, want %d'):format(r.start.line + 1, want + 1))
  -- And jumping there moves the cursor, as `gd`/CTRL-] would.
  vim.lsp.util.show_document(loc, client.offset_encoding, { focus = true })
  assert(vim.fs.basename(vim.api.nvim_buf_get_name(0)) == 'cast.nmk', 'jump did not open cast.nmk')
  assert(vim.api.nvim_win_get_cursor(0)[1] == want + 1, 'cursor not on the definition line')
end)

check('go to definition on a citation lands on its [^id]: definition', function()
  vim.api.nvim_set_current_buf(article)
  local row, col = find(article, '^pallin-interview')
  local res = request(client, 'textDocument/definition', params_at(article, row, col + 1, client), article)
  local loc = first_location(res)
  assert(loc, 'no definition result')
  assert(vim.fs.basename(vim.uri_to_fname(loc_uri(loc))) == 'cast.nmk', 'not in cast.nmk')
  local line = vim.fn.readfile(CAST)[loc_range(loc).start.line + 1]
  assert(line and line:find('[^pallin-interview]:', 1, true) == 1, 'lands on ' .. vim.inspect(line))
end)

check('tree-sitter highlight captures at chosen positions', function()
  vim.api.nvim_set_current_buf(article)
  local has_parser = require('newsmark').has_parser()
  assert(has_parser, 'no parser: run build-parser (' .. require('newsmark').parser_path() .. ')')
  assert(vim.treesitter.highlighter.active[article], 'the plugin did not start tree-sitter highlighting')
  vim.treesitter.get_parser(article, 'newsmark'):parse()
  local function captures(row, col)
    local names = {}
    for _, c in ipairs(vim.treesitter.get_captures_at_pos(article, row, col)) do
      names[#names + 1] = c.capture
    end
    return names
  end
  local function expect(desc, row, col, capture)
    local names = captures(row, col)
    assert(vim.tbl_contains(names, capture), ('%s at %d:%d: want @%s, got %s'):format(desc, row + 1, col, capture, vim.inspect(names)))
  end
  expect('mention @putin', putin_row, putin_col, 'label')
  local r, c = find(article, '^kremlin-media)')
  expect('citation ^kremlin-media', r, c + 1, 'string.special')
  r, c = find(article, '(!unverified)')
  expect('status !unverified', r, c + 2, 'keyword')
  r, c = find(article, '%% Unsourced on purpose')
  expect('comment', r, c + 3, 'comment')
  r, c = find(article, 'is said to have supplied')
  expect('claim text', r, c, 'markup.italic')
  r, c = find(article, '## "Support')
  expect('heading', r, c + 4, 'markup.heading.2')
  r, c = find(article, 'title: ')
  expect('front-matter key', r, c, 'property')
end)

check('rename @kim edits cast.nmk and article.nmk', function()
  -- Open the cast too, so the server sees both edited buffers.
  vim.cmd.edit(vim.fn.fnameescape(CAST))
  local cast = vim.api.nvim_get_current_buf()
  wait_for('the client on cast.nmk', function()
    return client_for(cast) ~= nil
  end)
  vim.api.nvim_set_current_buf(article)
  local before = #vim.tbl_filter(function(l)
    return l:find('@kim', 1, true) ~= nil
  end, buf_text(article))
  local row, col = find(article, '(@kim)')
  local params = params_at(article, row, col + 2, client)
  params.newName = 'kim-jong-un'
  local edit = request(client, 'textDocument/rename', params, article)
  assert(edit and (edit.changes or edit.documentChanges), 'empty rename result')
  vim.lsp.util.apply_workspace_edit(edit, client.offset_encoding)
  local cast_lines = table.concat(buf_text(cast), '\n')
  local art_lines = table.concat(buf_text(article), '\n')
  assert(cast_lines:find('[@kim-jong-un]:', 1, true), 'cast.nmk definition not renamed')
  assert(not cast_lines:find('[@kim]:', 1, true), 'old definition still in cast.nmk')
  assert(not art_lines:find('@kim[^%w_-]'), 'an old @kim mention is left in article.nmk')
  local after = #vim.tbl_filter(function(l)
    return l:find('@kim-jong-un', 1, true) ~= nil
  end, buf_text(article))
  assert(after == before and after > 0, ('%d lines had @kim, %d have @kim-jong-un'):format(before, after))
  -- The server sees both edits (two didChange notifications, so there may be
  -- a moment between them with undefined parties): the diagnostics settle
  -- with no undefined-party, in the article and in the cast.
  local ok = vim.wait(TIMEOUT, function()
    return #diagnostics(article, 'undefined-party') == 0 and #diagnostics(cast, 'undefined-party') == 0
  end, 50)
  local undefined = vim.list_extend(diagnostics(article, 'undefined-party'), diagnostics(cast, 'undefined-party'))
  assert(ok, 'still there ' .. TIMEOUT .. ' ms after the rename: ' .. describe(undefined))
end)

finish()
