/**
 * @file Newsmark: a markup language for annotated news.
 * @license MIT
 *
 * Newsmark is line-based prose with inline marks. "Only at the start of a line"
 * rules use tree-sitter's context-aware lexing (a block marker token is only
 * valid in the parse states that follow a newline) and lexical precedence (a
 * block marker beats the prose `text` token, which could match the same bytes).
 *
 * Newlines inside blocks come from the external scanner (`src/scanner.c`),
 * which looks at the next line before deciding what a newline is: a line break
 * inside the block, or the end of the block (a blank line, a line that starts
 * another block, or the end of the file). That one look-ahead is what keeps an
 * unclosed `{` inside its own paragraph: the block end is not valid inside a
 * claim, so recovery closes the claim with a MISSING `}` right there.
 *
 * Shape rule for incremental parsing: every block starts with a token or a
 * single node and ends with its newline token, never with a `repeat`, because
 * tree-sitter marks repeat nodes fragile and a node inherits fragility from its
 * first and last child; a fragile block would be re-parsed on every keystroke.
 */

// @ts-check
/// <reference types="tree-sitter-cli/dsl" />

// Identifiers: a letter, then letters, digits, `_` or `-`, not ending in `-`.
// Unicode letters and digits count.
const ID = /[\p{L}]/;
const ID_TAIL = /([\p{L}\p{N}_-]*[\p{L}\p{N}_])?/;

const PREC = {
  // Lexical precedences: higher wins over a longer match of a lower token.
  text: -1,
  stray: -2,
  invalid_item: -1,
  reference: 2, // `@id`, `^id`, `!status` over an invalid attribution item
  marker: 3, // block markers at the start of a line over prose text
  open_paren: 4, // `(` right after `}` or `]` over prose text starting with `(`
  blank: 5,
  newline: 6,
};

/**
 * A definition: its opener (`[@` or `[^`, from the scanner), the id, `]:`,
 * the name, then indented property lines.
 * @param {GrammarSymbols<string>} $
 * @param {RuleOrLiteral} opener
 */
function definition($, opener) {
  return seq(
    opener,
    field('id', alias(token.immediate(seq(ID, ID_TAIL)), $.identifier)),
    token.immediate(']:'),
    optional($._inline_space),
    optional(field('name', $.name)),
    repeat(seq($._property_break, $.property)),
    $._block_end,
  );
}

module.exports = grammar({
  name: 'newsmark',

  // Nothing is skipped: spaces are part of prose, and newlines are structure.
  extras: (_) => [],

  externals: ($) => [
    $._line_break, // newline; the next line continues this block
    $._block_end, // newline before a blank line or another block, or end of file
    $._quote_break, // newline; the next line is a `> ` line of the same quote
    $._property_break, // newline; the next line is an indented property line
    $._front_matter_start, // `---` + newline, only as the file's first line
    $._party_definition_start, // `[@`, only when the line is `[@id]: …`
    $._source_definition_start, // `[^`, only when the line is `[^id]: …`
    $._unclosed_at_eof, // empty: the file ends inside a claim
    $._error_sentinel, // never in the grammar: marks error recovery
    $.text, // prose, on the common path (the rule below still defines it)
  ],

  conflicts: (_) => [],

  rules: {
    document: ($) =>
      seq(
        optional($.front_matter),
        repeat(choice($._block, $._blank_line)),
      ),

    // A blank line (spaces or tabs only). Always longer than any prose `text`
    // it competes with, because it includes the newline.
    _blank_line: (_) => token(prec(PREC.blank, /[ \t]*\r?\n/)),
    // Newlines inside front matter (the scanner handles all others).
    _newline: (_) => token(prec(PREC.newline, /\r?\n/)),

    // ---------------------------------------------------------------- blocks

    _block: ($) =>
      choice(
        $.heading,
        $.paragraph,
        $.block_quote,
        $.list_item,
        $.comment,
        $.party_definition,
        $.source_definition,
      ),

    front_matter: ($) =>
      seq(
        alias($._front_matter_start, '---'),
        repeat(choice($.front_matter_field, $._blank_line, seq($.invalid_line, $._newline))),
        alias(token(prec(PREC.marker, /---[ \t]*/)), '---'),
        $._block_end,
      ),

    front_matter_field: ($) =>
      seq(
        field('key', $.key),
        optional($._inline_space),
        optional(field('value', $.value)),
        $._newline,
      ),

    heading: ($) =>
      seq(
        field('marker', $.heading_marker),
        repeat($._inline),
        $._block_end,
      ),
    heading_marker: (_) => token(prec(PREC.marker, /#{1,6}[ \t]+/)),

    // A paragraph is a run of lines; a line that starts with a block marker
    // (heading, list item, quote, comment, definition) interrupts it.

    paragraph: ($) =>
      seq($._inline, repeat($._flow), $._block_end),

    // More inline content, or a line break and the next line's content.
    _flow: ($) => choice($._inline, seq($._line_break, $._inline)),

    list_item: ($) =>
      seq(
        field('marker', $.list_marker),
        repeat($._flow),
        $._block_end,
      ),
    list_marker: (_) => token(prec(PREC.marker, /-[ \t]+/)),

    // Consecutive `> ` lines form one quote; an unmarked line after a quote
    // line continues it (a "lazy" continuation, as in Markdown).
    block_quote: ($) =>
      seq(
        field('marker', $.quote_marker),
        repeat(choice($._flow, seq($._quote_break, $.quote_marker))),
        $._block_end,
      ),
    quote_marker: (_) => token(prec(PREC.marker, />[ \t]/)),

    // `%%` comments are never published. `%% allow: code, code` silences
    // diagnostics in the block that follows.
    comment: ($) =>
      seq(
        alias(token(prec(PREC.marker, '%%')), '%%'),
        optional(choice($.allow_list, $.comment_text)),
        $._block_end,
      ),
    comment_text: (_) => token.immediate(/[^\r\n]+/),
    allow_list: ($) =>
      seq(
        alias(token.immediate(prec(1, /[ \t]*allow[ \t]*:/)), 'allow:'),
        optional($._inline_space),
        optional(seq(
          $.rule_code,
          repeat(seq(alias(token(prec(2, /[ \t]*,[ \t]*/)), ','), $.rule_code)),
          optional(field('note', $.note)),
        )),
        optional($._inline_space),
      ),
    // After the codes: why they are allowed (`%% allow: x — quoted verbatim`).
    note: (_) => token(prec(1, /[ \t]+[^ \t,\r\n][^\r\n]*/)),
    rule_code: (_) => /[A-Za-z][A-Za-z0-9_-]*/,

    party_definition: ($) => definition($, alias($._party_definition_start, '[@')),
    source_definition: ($) => definition($, alias($._source_definition_start, '[^')),

    name: (_) => /[^ \t\r\n][^\r\n]*/,

    // Indented by at least two spaces or a tab: `key: value`.
    property: ($) =>
      seq(
        token(prec(PREC.marker, /(  |\t)[ \t]*/)),
        choice(
          seq(
            field('key', alias($._immediate_key, $.key)),
            optional($._inline_space),
            optional(field('value', $.value)),
          ),
          alias($._immediate_invalid_line, $.invalid_line),
        ),
      ),

    // `key:` — the key with its colon, as one token: a line that has no colon
    // is then an `invalid_line` rather than a key waiting for a colon that
    // never comes (which would drag the next lines into error recovery).
    key: (_) => token(prec(1, /[^ \t\r\n:][^:\r\n]*:/)),
    _immediate_key: (_) => token.immediate(prec(1, /[^ \t\r\n:][^:\r\n]*:/)),
    invalid_line: (_) => token(prec(-1, /[^ \t\r\n][^\r\n]*/)),
    _immediate_invalid_line: (_) => token.immediate(prec(-1, /[^ \t\r\n][^\r\n]*/)),

    value: (_) => /[^ \t\r\n][^\r\n]*/,

    _inline_space: (_) => /[ \t]+/,

    // ---------------------------------------------------------------- inline

    _inline: ($) =>
      choice(
        $.text,
        $.escape,
        $.mention,
        $.citation,
        $.claim,
        $.link,
        $.labelled_mention,
        $.labelled_citation,
        $.bracketed,
        alias($._stray, $.text),
      ),

    // Prose. `@` and `^` belong to the text when they follow a letter or digit
    // (`press@kremlin.ru`, `x^2`): the second alternative eats them together
    // with that letter, so a reference can only start elsewhere. The external
    // scanner lexes most prose (faster); this rule decides where it declines.
    text: (_) =>
      token(prec(PREC.text, /([^{}\[\]@^\\\r\n]|[\p{L}\p{N}][@^]+)+/)),

    // A lone `@`/`^` not followed by an identifier, or a `\` that escapes
    // nothing, is plain text too.
    _stray: (_) => token(prec(PREC.stray, /[@^\\]/)),

    escape: (_) => token(/\\[{}\[\]()@^%\\!]/),

    mention: (_) => token(prec(PREC.reference, seq('@', ID, ID_TAIL))),
    citation: (_) => token(prec(PREC.reference, seq('^', ID, ID_TAIL))),

    claim: ($) =>
      seq(
        '{',
        optional(field('body', $.claim_text)),
        // A file that ends inside a claim (typing at the end of a buffer
        // with no final newline) ends the claim without a `}`: tree-sitter
        // would not accept an empty block end after a MISSING `}` there, and
        // the whole paragraph would become an ERROR. The analysis reports
        // the claim as unclosed.
        choice('}', $._unclosed_at_eof),
        optional(field('attribution', $.attribution)),
      ),

    // Claim text may run over several lines of its paragraph. It may hold
    // another claim syntactically; the analysis reports `nested-claim`.
    claim_text: ($) =>
      repeat1(choice($._inline, $._line_break, seq($._quote_break, $.quote_marker))),

    attribution: ($) =>
      seq(
        alias(token.immediate(prec(PREC.open_paren, '(')), '('),
        optional($._attribution_space),
        optional(seq(
          $._attribution_item,
          repeat(seq($._attribution_space, $._attribution_item)),
          optional($._attribution_space),
        )),
        ')',
      ),
    _attribution_space: ($) => repeat1(choice(/[ \t,]+/, $._line_break)),
    _attribution_item: ($) =>
      choice($.mention, $.citation, $.status, $.invalid_item),
    status: (_) => token(prec(PREC.reference, seq('!', ID, ID_TAIL))),
    invalid_item: (_) => token(prec(PREC.invalid_item, /[^ \t\r\n(),]+/)),

    // `[label](target)`: a link, a labelled mention or a labelled citation.
    // `[label]` with no target is plain bracketed prose (`[sic]`).
    link: ($) =>
      seq('[', field('label', $.label), ']', $._open_target, field('target', $.url), ')'),
    labelled_mention: ($) =>
      seq('[', field('label', $.label), ']', $._open_target, field('target', $.mention), ')'),
    labelled_citation: ($) =>
      seq('[', field('label', $.label), ']', $._open_target, field('target', $.citation), ')'),
    bracketed: ($) => seq('[', optional(field('label', $.label)), ']'),

    _open_target: (_) => alias(token.immediate(prec(PREC.open_paren, '(')), '('),
    label: ($) =>
      repeat1(choice($.text, $.escape, alias($._stray, $.text), $._line_break)),
    // No spaces; parentheses only in balanced pairs, one deep, as in
    // `https://en.wikipedia.org/wiki/Mercury_(planet)`.
    url: (_) => /[^ \t\r\n()@^]([^ \t\r\n()]|\([^ \t\r\n()]*\))*/,
  },
});
