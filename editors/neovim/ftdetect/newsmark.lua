vim.filetype.add({ extension = { nmk = 'newsmark' } })
