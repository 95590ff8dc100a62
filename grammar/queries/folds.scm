; Newsmark folds (Neovim `@fold`). Single-line blocks never fold.

[
  (front_matter)
  (party_definition)
  (source_definition)
  (paragraph)
  (block_quote)
  (list_item)
] @fold
