//! Newsmark: a markup language for annotated news.
//!
//! Layers, each depending only on the ones above it:
//! - [`syntax`]: the tree-sitter grammar and incrementally re-parsed documents;
//! - [`model`]: what a document says (definitions, claims, references…), in
//!   byte ranges, lowered from the syntax tree block by block;
//! - [`analysis`]: diagnostics and queries across documents and imports;
//! - `cli` and `lsp` (in the binary): the two front ends. Only `lsp` knows LSP
//!   types; only `cli` knows terminals and output formats.

pub mod analysis;
pub mod model;
pub mod syntax;
