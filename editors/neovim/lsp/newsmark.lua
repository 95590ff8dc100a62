-- Neovim 0.11+ LSP config, picked up by `vim.lsp.enable('newsmark')`.
-- Override any field with `vim.lsp.config('newsmark', { ... })`.
return {
  cmd = { 'newsmark', 'lsp' },
  filetypes = { 'newsmark' },
  root_markers = { 'newsmark.toml', '.git' },
}
