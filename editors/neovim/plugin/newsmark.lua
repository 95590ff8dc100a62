-- Newsmark: filetype, `:NewsmarkBuildParser`, and tree-sitter highlighting
-- when the parser has been built (parser/newsmark.so beside this plugin, or any
-- `parser/newsmark.so` on 'runtimepath').
if vim.g.loaded_newsmark then
  return
end
vim.g.loaded_newsmark = true

-- Also done by ftdetect/, but that is only sourced by `:filetype on`.
vim.filetype.add({ extension = { nmk = 'newsmark' } })

vim.api.nvim_create_user_command('NewsmarkBuildParser', function()
  require('newsmark').build_parser()
end, { desc = 'Newsmark: compile the tree-sitter parser into parser/newsmark.so' })

local group = vim.api.nvim_create_augroup('newsmark.plugin', { clear = true })
vim.api.nvim_create_autocmd('FileType', {
  group = group,
  pattern = 'newsmark',
  desc = 'Newsmark: buffer options and tree-sitter highlighting',
  callback = function(args)
    require('newsmark').on_filetype(args.buf)
  end,
})
