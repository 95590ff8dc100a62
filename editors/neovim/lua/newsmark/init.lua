-- Newsmark for Neovim.
--
-- Neovim 0.11+: `vim.lsp.enable('newsmark')` uses lsp/newsmark.lua; nothing
-- here is needed for the language server.
-- Neovim 0.10: `require('newsmark').setup({ ... })` starts the server with
-- `vim.lsp.start` for every newsmark buffer.
local M = {}

local uv = vim.uv or vim.loop

--- The directory holding this plugin (editors/neovim).
local function plugin_root()
  local src = debug.getinfo(1, 'S').source:sub(2)
  return vim.fn.fnamemodify(src, ':p:h:h:h')
end
M.plugin_root = plugin_root

M.defaults = {
  --- Command that starts the language server.
  cmd = { 'newsmark', 'lsp' },
  --- Files or directories that mark the project root.
  root_markers = { 'newsmark.toml', '.git' },
  --- Severity per diagnostic code (`error`, `warning`, `info`, `hint`, `off`),
  --- sent to the server as `workspace/configuration` section `newsmark`.
  rules = {},
  --- Extra fields for the client config (`on_attach`, `capabilities`, ...).
  client = {},
  --- Start tree-sitter highlighting when the parser is present.
  treesitter = true,
}

M.config = vim.deepcopy(M.defaults)

--- Path of the parser this plugin builds.
function M.parser_path()
  return plugin_root() .. '/parser/newsmark.so'
end

--- Whether a newsmark parser can be loaded (built here or found on 'runtimepath').
function M.has_parser()
  if uv.fs_stat(M.parser_path()) then
    return true
  end
  return #vim.api.nvim_get_runtime_file('parser/newsmark.so', false) > 0
end

--- Registers and starts tree-sitter highlighting for `buf`. Returns true on success.
function M.start_treesitter(buf)
  buf = buf or vim.api.nvim_get_current_buf()
  if not M.has_parser() then
    return false
  end
  local path = M.parser_path()
  if uv.fs_stat(path) then
    local ok = pcall(vim.treesitter.language.add, 'newsmark', { path = path })
    if not ok then
      return false
    end
  end
  return (pcall(vim.treesitter.start, buf, 'newsmark'))
end

--- Called by plugin/newsmark.lua on `FileType newsmark`.
function M.on_filetype(buf)
  vim.bo[buf].commentstring = '%% %s'
  vim.bo[buf].comments = ':%%'
  if vim.b[buf].newsmark_no_treesitter ~= true and M.config.treesitter ~= false then
    M.start_treesitter(buf)
  end
end

--- The root directory for `buf`: the nearest `root_markers`, else the file's folder.
function M.root_dir(buf)
  local name = vim.api.nvim_buf_get_name(buf)
  local root
  if vim.fs.root then
    root = vim.fs.root(buf, M.config.root_markers)
  else
    local found = vim.fs.find(M.config.root_markers, { upward = true, path = vim.fs.dirname(name) })[1]
    root = found and vim.fs.dirname(found) or nil
  end
  if root then
    return root
  end
  if name ~= '' then
    return vim.fs.dirname(name)
  end
  return uv.cwd()
end

--- The client config `vim.lsp.start` gets for `buf`.
function M.client_config(buf)
  local cfg = vim.tbl_deep_extend('force', {
    name = 'newsmark',
    cmd = M.config.cmd,
    root_dir = M.root_dir(buf),
    settings = { newsmark = { rules = M.config.rules } },
  }, M.config.client or {})
  return cfg
end

--- Starts (or reuses) the language server for `buf`.
function M.start_lsp(buf)
  buf = buf or vim.api.nvim_get_current_buf()
  local exe = M.config.cmd[1]
  if vim.fn.executable(exe) ~= 1 then
    vim.notify_once(
      ('newsmark: the language server %q was not found. Install it with `cargo install --path .` '
        .. 'in a Newsmark checkout, or pass `cmd` to setup().'):format(exe),
      vim.log.levels.ERROR
    )
    return nil
  end
  return vim.lsp.start(M.client_config(buf), { bufnr = buf })
end

--- Configures the plugin and, for Neovim 0.10 (or without `vim.lsp.enable`),
--- starts the language server for every newsmark buffer.
---@param opts? table see `M.defaults`
function M.setup(opts)
  M.config = vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), opts or {})
  if opts and opts.cmd then
    M.config.cmd = opts.cmd -- lists replace, not merge
  end
  if opts and opts.root_markers then
    M.config.root_markers = opts.root_markers
  end
  local group = vim.api.nvim_create_augroup('newsmark.lsp', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = 'newsmark',
    callback = function(args)
      M.start_lsp(args.buf)
    end,
  })
  -- Buffers that were already open.
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.bo[buf].filetype == 'newsmark' then
      M.start_lsp(buf)
    end
  end
end

--- Compiles the tree-sitter parser with the build-parser script.
---@param opts? { grammar_dir?: string, output?: string, cc?: string, silent?: boolean }
---@return boolean ok, string output
function M.build_parser(opts)
  opts = opts or {}
  local script = plugin_root() .. '/build-parser'
  local env = {}
  if opts.grammar_dir then
    env.NEWSMARK_GRAMMAR_DIR = opts.grammar_dir
  end
  if opts.output then
    env.NEWSMARK_PARSER_OUT = opts.output
  end
  if opts.cc then
    env.CC = opts.cc
  end
  local res
  if vim.system then
    res = vim.system({ 'sh', script }, { text = true, env = env }):wait()
  else
    local cmd = { 'env' }
    for k, v in pairs(env) do
      table.insert(cmd, k .. '=' .. v)
    end
    vim.list_extend(cmd, { 'sh', script })
    local out = vim.fn.system(cmd)
    res = { code = vim.v.shell_error, stdout = out, stderr = '' }
  end
  local output = vim.trim((res.stdout or '') .. (res.stderr or ''))
  local ok = res.code == 0
  if not opts.silent then
    vim.notify(
      ok and ('newsmark: ' .. output) or ('newsmark: building the parser failed:\n' .. output),
      ok and vim.log.levels.INFO or vim.log.levels.ERROR
    )
  end
  if ok then
    -- Start highlighting in open newsmark buffers now that the parser exists.
    for _, buf in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(buf) and vim.bo[buf].filetype == 'newsmark' then
        M.start_treesitter(buf)
      end
    end
  end
  return ok, output
end

return M
