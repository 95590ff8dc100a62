//! The syntax layer: the tree-sitter grammar, node kinds, and documents that
//! re-parse incrementally. Parsing never fails: a tree always comes back,
//! with `ERROR`/`MISSING` nodes where the text does not fit the grammar.

mod document;
mod kinds;
mod language;

pub use document::{
    Document, EditRecord, SEGMENT_SIZE, SegmentSplice, TREE_BUDGET, TextEdit, new_parser, par_segments, parse_rope, parse_rope_with,
    point_at,
};
pub use kinds::{Kind, field, kind_of};
pub use language::{LANGUAGE, language};
pub use tree_sitter::{Node, Tree, TreeCursor};
