//! The compiled Newsmark grammar (`grammar/src/parser.c`, built by `build.rs`).

use tree_sitter::Language;
use tree_sitter_language::LanguageFn;

unsafe extern "C" {
    fn tree_sitter_newsmark() -> *const ();
}

/// The tree-sitter language function, for crates that take a `LanguageFn`.
pub const LANGUAGE: LanguageFn = unsafe { LanguageFn::from_raw(tree_sitter_newsmark) };

pub fn language() -> Language {
    LANGUAGE.into()
}
