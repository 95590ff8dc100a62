// External scanner for Newsmark: decides what a newline inside a block is.
//
// A newline is one of:
//   _line_break      the next line continues the block (a paragraph's next line,
//                    a list item's lazy continuation, a claim over two lines);
//   _quote_break     the next line is a `> ` line continuing the same quote;
//   _property_break  the next line is an indented `key: value` property line of
//                    the definition above;
//   _block_end       the next line is blank, starts another block, or the file
//                    ends (then the token is empty).
// The token itself is only the newline (`\n` or `\r\n`): the next line is looked
// at, never consumed. The scanner keeps no state, so it serialises to nothing.
//
// It also scans prose (`text`) on the common path: the generated lexer steps
// a state machine and marks the token's end on every character, which made
// lexing prose most of a full parse. Where prose could compete with another
// token (the start of a block, a `(` right after `}` or `]`) or needs the
// Unicode tables (a non-ASCII letter before `@`), the scanner declines and the
// grammar's own `text` rule, which stays the definition, decides.
//
// It also recognises two block openers that need more look-ahead than a
// token can have: the front matter's `---` (only valid as the first line, so
// a later `---` is prose) and a definition's `[@` / `[^` (only when the whole
// line starts `[@id]:`, so `[@x] said` is a paragraph).

#include "tree_sitter/parser.h"

#include <stdbool.h>
#include <stdint.h>

enum TokenType {
  LINE_BREAK,
  BLOCK_END,
  QUOTE_BREAK,
  PROPERTY_BREAK,
  FRONT_MATTER_START,
  PARTY_DEFINITION_START,
  SOURCE_DEFINITION_START,
  UNCLOSED_AT_EOF,
  ERROR_SENTINEL,
  TEXT,
};

void *tree_sitter_newsmark_external_scanner_create(void) { return NULL; }
void tree_sitter_newsmark_external_scanner_destroy(void *payload) { (void)payload; }
unsigned tree_sitter_newsmark_external_scanner_serialize(void *payload, char *buffer) {
  (void)payload;
  (void)buffer;
  return 0;
}
void tree_sitter_newsmark_external_scanner_deserialize(void *payload, const char *buffer,
                                                       unsigned length) {
  (void)payload;
  (void)buffer;
  (void)length;
}

static inline void advance(TSLexer *lexer) { lexer->advance(lexer, false); }

static inline bool is_line_end(TSLexer *lexer) {
  return lexer->eof(lexer) || lexer->lookahead == '\n' || lexer->lookahead == '\r';
}

static inline bool is_blank(int32_t c) { return c == ' ' || c == '\t'; }

// The kinds of line that can follow a newline.
typedef enum { NEXT_BLANK, NEXT_INDENTED, NEXT_QUOTE, NEXT_MARKER, NEXT_TEXT } NextLine;

// Reads the start of the next line (the lexer stands at its first character)
// and classifies it. Must agree with the block markers in grammar.js.
static NextLine classify_next_line(TSLexer *lexer) {
  unsigned spaces = 0;
  bool tab = false;
  while (is_blank(lexer->lookahead)) {
    if (lexer->lookahead == '\t') tab = true;
    spaces++;
    advance(lexer);
  }
  if (is_line_end(lexer)) return NEXT_BLANK;
  if (tab || spaces >= 2) return NEXT_INDENTED;
  if (spaces > 0) return NEXT_TEXT;

  switch (lexer->lookahead) {
    case '#': {
      unsigned hashes = 0;
      while (lexer->lookahead == '#' && hashes < 7) {
        hashes++;
        advance(lexer);
      }
      return (hashes <= 6 && is_blank(lexer->lookahead)) ? NEXT_MARKER : NEXT_TEXT;
    }
    case '-':
      advance(lexer);
      if (is_blank(lexer->lookahead)) return NEXT_MARKER;
      // `---` starts nothing after the front matter: plain text.
      return NEXT_TEXT;
    case '>':
      advance(lexer);
      return is_blank(lexer->lookahead) ? NEXT_QUOTE : NEXT_TEXT;
    case '%':
      advance(lexer);
      return lexer->lookahead == '%' ? NEXT_MARKER : NEXT_TEXT;
    case '[':
      // `[@id]:` or `[^id]:` starts a definition.
      advance(lexer);
      if (lexer->lookahead != '@' && lexer->lookahead != '^') return NEXT_TEXT;
      advance(lexer);
      while (!is_line_end(lexer) && lexer->lookahead != ']' && !is_blank(lexer->lookahead)) {
        advance(lexer);
      }
      if (lexer->lookahead != ']') return NEXT_TEXT;
      advance(lexer);
      return lexer->lookahead == ':' ? NEXT_MARKER : NEXT_TEXT;
    default:
      return NEXT_TEXT;
  }
}

// `---`, optional blanks, a newline: the opening line of the front matter.
static bool scan_front_matter_start(TSLexer *lexer) {
  for (int i = 0; i < 3; i++) {
    if (lexer->lookahead != '-') return false;
    advance(lexer);
  }
  while (is_blank(lexer->lookahead)) advance(lexer);
  if (lexer->lookahead == '\r') advance(lexer);
  if (lexer->lookahead != '\n') return false;
  advance(lexer);
  lexer->mark_end(lexer);
  lexer->result_symbol = FRONT_MATTER_START;
  return true;
}

// `[@` or `[^`, when the line goes on `id]:`. The token is the two characters.
static bool scan_definition_start(TSLexer *lexer, const bool *valid_symbols) {
  advance(lexer);  // '['
  enum TokenType type;
  if (lexer->lookahead == '@' && valid_symbols[PARTY_DEFINITION_START]) {
    type = PARTY_DEFINITION_START;
  } else if (lexer->lookahead == '^' && valid_symbols[SOURCE_DEFINITION_START]) {
    type = SOURCE_DEFINITION_START;
  } else {
    return false;
  }
  advance(lexer);
  lexer->mark_end(lexer);
  unsigned id_length = 0;
  while (!is_line_end(lexer) && lexer->lookahead != ']' && !is_blank(lexer->lookahead)) {
    id_length++;
    advance(lexer);
  }
  if (id_length == 0 || lexer->lookahead != ']') return false;
  advance(lexer);
  if (lexer->lookahead != ':') return false;
  lexer->result_symbol = type;
  return true;
}

// A character prose may hold: not a mark's opener or closer, an escape, or a
// line end (grammar.js: `[^{}\[\]@^\\\r\n]`).
static inline bool is_prose(TSLexer *lexer) {
  switch (lexer->lookahead) {
    // NUL too: the generated lexer never matches it (it reads as the end).
    case '{': case '}': case '[': case ']': case '@': case '^': case '\\': case '\r': case '\n': case 0:
      return false;
    default:
      return true;
  }
}

static inline bool is_ascii_alnum(int32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// `text`: a run of prose, where a letter or digit also takes the `@`/`^` after
// it (`press@kremlin.ru`, `x^2`). Declines where the grammar's rule must decide.
static bool scan_text(TSLexer *lexer, const bool *valid_symbols) {
  int32_t first = lexer->lookahead;
  // `(` may open an attribution or a link target (higher precedence).
  if (first == '(') return false;
  // At the start of a block, a marker, a blank line or a definition may
  // start here instead; only a plain first character is surely prose.
  if (valid_symbols[PARTY_DEFINITION_START] || valid_symbols[SOURCE_DEFINITION_START]) {
    switch (first) {
      case '#': case '-': case '>': case '%': case ' ': case '\t':
        return false;
    }
  }
  bool any = false;
  while (is_prose(lexer)) {
    int32_t c = lexer->lookahead;
    advance(lexer);
    any = true;
    if (lexer->lookahead == '@' || lexer->lookahead == '^') {
      // Whether `c` is a letter or a digit needs the Unicode tables beyond
      // ASCII: leave those to the grammar's rule.
      if (c >= 0x80) return false;
      if (is_ascii_alnum(c)) {
        while (lexer->lookahead == '@' || lexer->lookahead == '^') advance(lexer);
      }
    }
  }
  if (!any) return false;
  lexer->mark_end(lexer);
  lexer->result_symbol = TEXT;
  return true;
}

bool tree_sitter_newsmark_external_scanner_scan(void *payload, TSLexer *lexer,
                                                const bool *valid_symbols) {
  (void)payload;
  bool error_recovery = valid_symbols[ERROR_SENTINEL];
  if (!error_recovery) {
    if (valid_symbols[FRONT_MATTER_START] && lexer->lookahead == '-') {
      return scan_front_matter_start(lexer);
    }
    if ((valid_symbols[PARTY_DEFINITION_START] || valid_symbols[SOURCE_DEFINITION_START]) &&
        lexer->lookahead == '[' && lexer->get_column(lexer) == 0) {
      return scan_definition_start(lexer, valid_symbols);
    }
  }
  if (valid_symbols[TEXT] && !error_recovery && lexer->lookahead != '\n' && lexer->lookahead != '\r' &&
      !lexer->eof(lexer)) {
    return scan_text(lexer, valid_symbols);
  }
  if (!valid_symbols[LINE_BREAK] && !valid_symbols[BLOCK_END] && !valid_symbols[QUOTE_BREAK] &&
      !valid_symbols[PROPERTY_BREAK] && !valid_symbols[UNCLOSED_AT_EOF]) {
    return false;
  }
  // The common case, before every inline token: not a line end. (At the end
  // of the input the lookahead is 0.)
  if (lexer->lookahead != '\n' && lexer->lookahead != '\r' && lexer->lookahead != 0) return false;

  if (lexer->eof(lexer) && valid_symbols[UNCLOSED_AT_EOF] && !error_recovery) {
    lexer->result_symbol = UNCLOSED_AT_EOF;
    return true;
  }
  if (lexer->eof(lexer)) {
    // An empty block end at the end of the file closes the last block. Never
    // during error recovery: an empty token there could repeat forever.
    if (valid_symbols[BLOCK_END] && !error_recovery) {
      lexer->result_symbol = BLOCK_END;
      return true;
    }
    return false;
  }

  if (lexer->lookahead == '\r') {
    advance(lexer);
    if (lexer->lookahead != '\n') return false;
  }
  if (lexer->lookahead != '\n') return false;
  advance(lexer);
  lexer->mark_end(lexer);

  NextLine next = classify_next_line(lexer);

  if (next == NEXT_INDENTED && valid_symbols[PROPERTY_BREAK]) {
    lexer->result_symbol = PROPERTY_BREAK;
    return true;
  }
  if (next == NEXT_QUOTE && valid_symbols[QUOTE_BREAK]) {
    lexer->result_symbol = QUOTE_BREAK;
    return true;
  }
  if ((next == NEXT_TEXT || next == NEXT_INDENTED) && valid_symbols[LINE_BREAK]) {
    lexer->result_symbol = LINE_BREAK;
    return true;
  }
  // A blank line or another block's marker ends this block; where a block end
  // is not valid (inside a claim, say) the scanner declines, and tree-sitter's
  // error recovery closes what is open (a MISSING `}`) before the newline.
  if (valid_symbols[BLOCK_END]) {
    if (next == NEXT_BLANK) {
      // The blank lines after a block belong to its end: half as many
      // top-level nodes for an incremental re-parse to step over. The lexer
      // stands at the end of the first blank line.
      while (!lexer->eof(lexer)) {
        if (lexer->lookahead == '\r') advance(lexer);
        if (lexer->lookahead != '\n') break;
        advance(lexer);
        lexer->mark_end(lexer);
        while (is_blank(lexer->lookahead)) advance(lexer);
        if (!is_line_end(lexer)) break;
      }
      if (lexer->eof(lexer)) lexer->mark_end(lexer);
    }
    lexer->result_symbol = BLOCK_END;
    return true;
  }
  return false;
}
