//! The document model: what a Newsmark file says — its front matter,
//! definitions, claims, references and syntax errors — in byte ranges, with
//! no knowledge of editors, terminals or other files.

mod file;
mod from_bytes;
mod lower;
mod types;

pub use file::{BlockRef, FileModel, IdStats, SegmentRef, claim_text, split_list};
pub use lower::{is_identifier, shortcut_disagreement};
pub use types::*;
