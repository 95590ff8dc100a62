; Newsmark highlights, Neovim (nvim-treesitter) capture names.
;
; Neovim: when two captures of the same priority cover the same text, the one
; from the LATER pattern wins; nested captures are layered (a mention inside a
; claim is both italic and coloured). So: broad patterns first, specific
; patterns after them. (The Helix copy in editors/helix is ordered the other
; way round, because Helix takes the FIRST matching pattern.)
;
; Predicates test real highlight captures, not throw-away `@_x` ones: in
; highlighters that keep one capture per node (tree-sitter-highlight, used by
; `tree-sitter highlight`, keeps the last), a `@_x` capture on a node would
; replace that node's real highlight with nothing.

; ------------------------------------------------------------------ prose

(text) @spell

(comment_text) @spell

; ------------------------------------------------------------------ blocks

((heading
  marker: (heading_marker) @punctuation.special) @markup.heading.1
  (#match? @punctuation.special "^#\\s"))

((heading
  marker: (heading_marker) @punctuation.special) @markup.heading.2
  (#match? @punctuation.special "^##\\s"))

((heading
  marker: (heading_marker) @punctuation.special) @markup.heading.3
  (#match? @punctuation.special "^###\\s"))

((heading
  marker: (heading_marker) @punctuation.special) @markup.heading.4
  (#match? @punctuation.special "^####\\s"))

((heading
  marker: (heading_marker) @punctuation.special) @markup.heading.5
  (#match? @punctuation.special "^#####\\s"))

((heading
  marker: (heading_marker) @punctuation.special) @markup.heading.6
  (#match? @punctuation.special "^######\\s"))

(block_quote) @markup.quote

(quote_marker) @punctuation.special

(list_marker) @markup.list

; Comments are never published. `%% allow: code, code` silences diagnostics.
(comment) @comment

(allow_list
  "allow:" @keyword.directive)

(allow_list
  "," @punctuation.delimiter)

(rule_code) @constant

; ------------------------------------------------------------------ front matter

(front_matter
  "---" @punctuation.special)

(front_matter_field
  key: (key) @property)

(front_matter_field
  value: (value) @string)

; ------------------------------------------------------------------ definitions

[
  "[@"
  "[^"
] @punctuation.bracket

"]:" @punctuation.delimiter

(party_definition
  id: (identifier) @label)

(source_definition
  id: (identifier) @string.special)

(name) @markup.strong

(property
  key: (key) @property)

(property
  value: (value) @string)

; Values with a meaning of their own (later patterns win).
((property
  key: (key) @property
  value: (value) @constant)
  (#any-of? @property "kind" "wikidata"))

((property
  key: (key) @property
  value: (value) @label)
  (#eq? @property "by"))

((property
  key: (key) @property
  value: (value) @markup.link.url)
  (#eq? @property "url"))

; ------------------------------------------------------------------ inline marks

(escape) @string.escape

; A party reference: `@id`.
(mention) @label

; A source reference: `^id`.
(citation) @string.special

; `{claim text}(attribution)`
(claim
  [
    "{"
    "}"
  ] @punctuation.bracket)

(claim_text) @markup.italic

(attribution
  [
    "("
    ")"
  ] @punctuation.bracket)

; `!unverified`, `!disputed`, …
(status) @keyword

; `[label](target)` and `[sic]`
(link
  [
    "["
    "]"
    "("
    ")"
  ] @punctuation.bracket)

(labelled_mention
  [
    "["
    "]"
    "("
    ")"
  ] @punctuation.bracket)

(labelled_citation
  [
    "["
    "]"
    "("
    ")"
  ] @punctuation.bracket)

(bracketed
  [
    "["
    "]"
  ] @punctuation.bracket)

(link
  label: (label) @markup.link.label)

(labelled_mention
  label: (label) @markup.link.label)

(labelled_citation
  label: (label) @markup.link.label)

(url) @nospell

(url) @markup.link.url
