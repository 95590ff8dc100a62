; Newsmark highlights, Helix scope names.
;
; Helix takes the FIRST pattern that captures a node and drops every later
; match that captures the same node (Neovim is the other way round: the last
; pattern wins; see grammar/queries/highlights.scm). So the specific patterns
; come first here, the general ones after them.
;
; Each node should be captured by one pattern, or by the specific pattern
; before the general one: when Helix drops a later capture of a node it drops
; that pattern's whole match. Predicates therefore test real highlight
; captures, never throw-away `@_x` ones, which would win their node and leave
; it unhighlighted. The six heading patterns cover every marker (1-6 `#`), so
; there is no general `(heading)` pattern to interleave with them.

; ------------------------------------------------------------------ headings

((heading
  marker: (heading_marker) @markup.heading.marker) @markup.heading.6
  (#match? @markup.heading.marker "^######\\s"))

((heading
  marker: (heading_marker) @markup.heading.marker) @markup.heading.5
  (#match? @markup.heading.marker "^#####\\s"))

((heading
  marker: (heading_marker) @markup.heading.marker) @markup.heading.4
  (#match? @markup.heading.marker "^####\\s"))

((heading
  marker: (heading_marker) @markup.heading.marker) @markup.heading.3
  (#match? @markup.heading.marker "^###\\s"))

((heading
  marker: (heading_marker) @markup.heading.marker) @markup.heading.2
  (#match? @markup.heading.marker "^##\\s"))

((heading
  marker: (heading_marker) @markup.heading.marker) @markup.heading.1
  (#match? @markup.heading.marker "^#\\s"))

; ------------------------------------------------------------------ other blocks

(quote_marker) @punctuation.special

(block_quote) @markup.quote

(list_marker) @markup.list.unnumbered

; `%% allow: code, code` silences diagnostics in the next block.
(allow_list
  "allow:" @keyword.directive)

(allow_list
  "," @punctuation.delimiter)

(rule_code) @constant

(comment) @comment

; ------------------------------------------------------------------ front matter

(front_matter
  "---" @punctuation.special)

(front_matter_field
  key: (key) @attribute)

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

(name) @markup.bold

; Values with a meaning of their own, before the general `value` pattern.
((property
  key: (key) @attribute
  value: (value) @label)
  (#eq? @attribute "by"))

((property
  key: (key) @attribute
  value: (value) @markup.link.url)
  (#eq? @attribute "url"))

((property
  key: (key) @attribute
  value: (value) @constant)
  (#any-of? @attribute "kind" "wikidata"))

(property
  key: (key) @attribute)

(property
  value: (value) @string)

; ------------------------------------------------------------------ inline marks

(escape) @constant.character.escape

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
  label: (label) @markup.link.text)

(labelled_mention
  label: (label) @markup.link.text)

(labelled_citation
  label: (label) @markup.link.text)

(url) @markup.link.url

[
  "["
  "]"
  "("
  ")"
] @punctuation.bracket
