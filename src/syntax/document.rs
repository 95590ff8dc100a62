//! A document: its text as a rope and its syntax tree, kept in step.
//!
//! Every edit is applied to both: the rope is spliced, the old tree is told
//! about the edit (`Tree::edit`), and the parser re-parses incrementally,
//! reading the rope chunk by chunk — there is no whole-text copy per keystroke.

use std::cell::RefCell;
use std::ops::Range;

use ropey::Rope;
use tree_sitter::{InputEdit, Parser, Point, Tree};

use super::language::language;

/// One text change in byte offsets: replace `range` with `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    pub range: Range<usize>,
    pub text: String,
}

/// An applied edit, after clamping: `start..old_end` became `start..new_end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EditRecord {
    pub start: usize,
    pub old_end: usize,
    pub new_end: usize,
}

impl EditRecord {
    /// Where an offset before the edit is after it; `None` if it was inside
    /// the replaced text.
    pub fn map(&self, offset: usize) -> Option<usize> {
        if offset <= self.start {
            Some(offset)
        } else if offset >= self.old_end {
            Some(offset - self.old_end + self.new_end)
        } else {
            None
        }
    }

    /// Whether the edit touches the text of `range` (an insertion exactly at
    /// either end does not).
    pub fn touches(&self, range: &Range<usize>) -> bool {
        if self.start == self.old_end {
            range.start < self.start && self.start < range.end
        } else {
            self.start < range.end && self.old_end > range.start
        }
    }
}

/// Text and tree. Holds no parser (parsers are per thread, see
/// [`parse_rope`]), so documents can be shared across threads read-only.
#[derive(Clone)]
pub struct Document {
    rope: Rope,
    tree: Tree,
}

impl Document {
    pub fn new(text: &str) -> Document {
        let rope = Rope::from_str(text);
        let tree = parse_rope(&rope, None);
        Document { rope, tree }
    }

    pub fn rope(&self) -> &Rope {
        &self.rope
    }

    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    pub fn len(&self) -> usize {
        self.rope.len_bytes()
    }

    pub fn is_empty(&self) -> bool {
        self.rope.len_bytes() == 0
    }

    /// The whole text as one `String` (for tests and whole-file consumers;
    /// the edit path never calls it).
    pub fn text(&self) -> String {
        self.rope.to_string()
    }

    /// Replaces the whole text (a full-sync change) and parses from scratch.
    pub fn replace_all(&mut self, text: &str) {
        self.rope = Rope::from_str(text);
        self.tree = parse_rope(&self.rope, None);
    }

    /// Applies several edits in order (each in the coordinates left by the
    /// previous one), then re-parses once.
    pub fn apply_edits(&mut self, edits: &[TextEdit]) -> Vec<EditRecord> {
        let records = edits.iter().map(|e| self.splice(e.range.clone(), &e.text)).collect();
        self.tree = parse_rope(&self.rope, Some(&self.tree));
        records
    }

    /// Applies one edit and re-parses incrementally.
    pub fn edit(&mut self, range: Range<usize>, text: &str) -> EditRecord {
        let record = self.splice(range, text);
        self.tree = parse_rope(&self.rope, Some(&self.tree));
        record
    }

    /// Splices the rope and records the edit in the tree, without parsing.
    /// Offsets past the end are clamped, and offsets inside a UTF-8 sequence
    /// are moved back to its start, so no edit can tear a character.
    fn splice(&mut self, range: Range<usize>, text: &str) -> EditRecord {
        let start = self.floor_char_boundary(range.start.min(range.end));
        let old_end = self.floor_char_boundary(range.end.max(range.start));
        let start_position = self.point_at(start);
        let old_end_position = self.point_at(old_end);

        let start_char = self.rope.byte_to_char(start);
        let old_end_char = self.rope.byte_to_char(old_end);
        self.rope.remove(start_char..old_end_char);
        self.rope.insert(start_char, text);

        let new_end = start + text.len();
        let new_end_position = self.point_at(new_end);
        self.tree.edit(&InputEdit {
            start_byte: start,
            old_end_byte: old_end,
            new_end_byte: new_end,
            start_position,
            old_end_position,
            new_end_position,
        });
        EditRecord { start, old_end, new_end }
    }

    /// The largest char boundary at or below `byte`, clamped to the text.
    pub fn floor_char_boundary(&self, byte: usize) -> usize {
        let byte = byte.min(self.rope.len_bytes());
        // byte_to_char rounds down to the char containing `byte`.
        self.rope.char_to_byte(self.rope.byte_to_char(byte))
    }

    /// 0-based line and 0-based column counted in Unicode scalar values
    /// (a leading BOM is not counted).
    pub fn line_col_chars(&self, byte: usize) -> (usize, usize) {
        let byte = self.floor_char_boundary(byte);
        let line = self.rope.byte_to_line(byte);
        let line_start = self.rope.line_to_byte(line);
        let mut col = self.rope.byte_to_char(byte) - self.rope.byte_to_char(line_start);
        if line == 0 && col > 0 && self.rope.len_chars() > 0 && self.rope.char(0) == '\u{feff}' {
            col -= 1;
        }
        (line, col)
    }

    /// A tree-sitter point: row, and column in bytes from the line start.
    pub fn point_at(&self, byte: usize) -> Point {
        point_at(&self.rope, byte)
    }
}

/// Row and byte column of `byte` in `rope`. Rows end at LF only (ropey is
/// built without `unicode_lines`/`cr_lines`), exactly as tree-sitter counts.
pub fn point_at(rope: &Rope, byte: usize) -> Point {
    let byte = byte.min(rope.len_bytes());
    let row = rope.byte_to_line(byte);
    Point::new(row, byte - rope.line_to_byte(row))
}

pub fn new_parser() -> Parser {
    let mut parser = Parser::new();
    parser
        .set_language(&language())
        .expect("the bundled grammar's ABI is supported by the tree-sitter runtime");
    parser
}

thread_local! {
    // A parser holds scratch buffers worth reusing; one per thread keeps
    // documents free of it (and `Sync`).
    static PARSER: RefCell<Parser> = RefCell::new(new_parser());
}

/// Parses `rope`, reusing `old` (already edited) where nothing changed.
pub fn parse_rope(rope: &Rope, old: Option<&Tree>) -> Tree {
    PARSER.with(|parser| parse_rope_with(&mut parser.borrow_mut(), rope, old))
}

pub fn parse_rope_with(parser: &mut Parser, rope: &Rope, old: Option<&Tree>) -> Tree {
    let len = rope.len_bytes();
    let mut read = |byte: usize, _: Point| -> &[u8] {
        if byte >= len {
            return &[];
        }
        let (chunk, chunk_start, _, _) = rope.chunk_at_byte(byte);
        &chunk.as_bytes()[byte - chunk_start..]
    };
    parser
        .parse_with_options(&mut read, old, None)
        // Only a cancellation flag, a timeout or a missing language make
        // tree-sitter return None; this parser has none of them.
        .expect("parsing without a timeout or cancellation always yields a tree")
}
