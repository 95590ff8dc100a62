//! The model of one file: its blocks, lowered incrementally.

use rustc_hash::FxHashSet as HashSet;
use std::sync::Arc;


use crate::syntax::{Document, EditRecord};

use super::lower::lower_block;
use super::types::*;

/// A file's model: the lowered blocks in document order.
///
/// Re-lowering after an edit reuses every block whose text the edits did not
/// touch and that tree-sitter parsed to the same extent: block ranges are
/// relative, and a block's parse depends only on its own text, so only the
/// edited blocks are lowered again.
#[derive(Clone)]
pub struct FileModel {
    blocks: Vec<BlockEntry>,
}

#[derive(Clone)]
struct BlockEntry {
    start: usize,
    block: Arc<Block>,
}

/// A block with its absolute position.
#[derive(Clone, Copy)]
pub struct BlockRef<'m> {
    pub index: usize,
    pub start: usize,
    pub block: &'m Block,
    /// The same block, shared: its identity survives re-lowering when the
    /// block was reused, which caches key on.
    pub shared: &'m Arc<Block>,
}

impl BlockRef<'_> {
    pub fn abs(&self, span: &Span) -> Span {
        self.start + span.start..self.start + span.end
    }

    /// The block's own lines (without the blank lines after it).
    pub fn range(&self) -> Span {
        self.start..self.start + self.block.content_len
    }
}

impl FileModel {
    pub fn empty() -> FileModel {
        FileModel { blocks: Vec::new() }
    }

    /// Lowers `doc` from scratch.
    pub fn lower(doc: &Document) -> FileModel {
        Self::relower(doc, None, &[])
    }

    /// Lowers `doc` after `edits`, reusing the blocks of `previous` (the model
    /// before the edits) that the edits did not touch.
    pub fn relower(doc: &Document, previous: Option<&FileModel>, edits: &[EditRecord]) -> FileModel {
        let rope = doc.rope();
        // Untouched old blocks at their new starts, in order (edits keep
        // the order of what they do not touch), for a merge walk below.
        let mut reusable: Vec<(usize, &Arc<Block>)> = Vec::new();
        if let Some(previous) = previous {
            'blocks: for entry in &previous.blocks {
                // Error recovery can depend on text past the block (the
                // scanner looks at the next line), so a block with syntax
                // errors is always lowered again.
                if !entry.block.errors.is_empty() {
                    continue;
                }
                let mut range = entry.start..entry.start + entry.block.len;
                for edit in edits {
                    if edit.touches(&range) {
                        continue 'blocks;
                    }
                    match (edit.map(range.start), edit.map(range.end)) {
                        (Some(s), Some(e)) => range = s..e,
                        _ => continue 'blocks,
                    }
                }
                reusable.push((range.start, &entry.block));
            }
        }
        let nodes = doc.top_level_nodes();
        let mut blocks = Vec::with_capacity(nodes.len());
        let mut candidates = reusable.into_iter().peekable();
        for (base, node) in nodes {
            let start = base + node.start_byte();
            let len = node.end_byte().saturating_sub(node.start_byte());
            while candidates.peek().is_some_and(|(s, _)| *s < start) {
                candidates.next();
            }
            let block = match candidates.peek() {
                // The new node must parse without errors too: an untouched
                // block can still turn into an ERROR when error recovery in
                // the block before it ends differently.
                Some((s, block)) if *s == start && block.len == len && !node.has_error() && same_kind(block, node) => {
                    Arc::clone(block)
                }
                _ => {
                    let end = (start + len).min(rope.len_bytes());
                    let text: String = rope.byte_slice(start.min(end)..end).into();
                    Arc::new(lower_block(node, &text))
                }
            };
            blocks.push(BlockEntry { start, block });
        }
        FileModel { blocks }
    }

    /// Lowers a text from scratch (for tools and tests).
    pub fn from_text(text: &str) -> (Document, FileModel) {
        let doc = Document::new(text);
        let model = FileModel::lower(&doc);
        (doc, model)
    }

    pub fn blocks(&self) -> impl DoubleEndedIterator<Item = BlockRef<'_>> + ExactSizeIterator {
        self.blocks
            .iter()
            .enumerate()
            .map(|(index, e)| BlockRef { index, start: e.start, block: &e.block, shared: &e.block })
    }

    pub fn block(&self, index: usize) -> Option<BlockRef<'_>> {
        self.blocks.get(index).map(|e| BlockRef { index, start: e.start, block: &e.block, shared: &e.block })
    }

    /// The block containing `offset` (the one before it, at a blank line).
    pub fn block_at(&self, offset: usize) -> Option<BlockRef<'_>> {
        let i = self.blocks.partition_point(|e| e.start <= offset);
        self.block(i.checked_sub(1)?)
    }

    pub fn front_matter(&self) -> &[Field] {
        match self.blocks.first() {
            Some(e) if e.block.kind == BlockKind::FrontMatter => &e.block.front_matter,
            _ => &[],
        }
    }

    /// The front matter field `key`, with its block for absolute ranges.
    pub fn front_matter_field(&self, key: &str) -> Option<&Field> {
        self.front_matter().iter().find(|f| &*f.key == key)
    }

    pub fn definitions(&self) -> impl Iterator<Item = (BlockRef<'_>, &Definition)> {
        self.blocks().filter_map(|b| b.block.definition.as_ref().map(|d| (b, d)))
    }

    /// How many blocks were lowered anew rather than reused from `previous`.
    pub fn count_relowered(&self, previous: &FileModel) -> usize {
        let old: HashSet<*const Block> =
            previous.blocks.iter().map(|e| Arc::as_ptr(&e.block)).collect();
        self.blocks.iter().filter(|e| !old.contains(&Arc::as_ptr(&e.block))).count()
    }
}

/// Whether a lowered block and a syntax node are the same kind of block.
fn same_kind(block: &Block, node: crate::syntax::Node<'_>) -> bool {
    use crate::syntax::Kind;
    matches!(
        (block.kind, crate::syntax::kind_of(node)),
        (BlockKind::FrontMatter, Kind::FrontMatter)
            | (BlockKind::Heading(_), Kind::Heading)
            | (BlockKind::Paragraph, Kind::Paragraph)
            | (BlockKind::Quote, Kind::BlockQuote)
            | (BlockKind::ListItem, Kind::ListItem)
            | (BlockKind::Comment, Kind::Comment)
            | (BlockKind::PartyDefinition, Kind::PartyDefinition)
            | (BlockKind::SourceDefinition, Kind::SourceDefinition)
    )
}

/// Splits a comma-separated value (`use:`, `allow:`, `aka:`) into trimmed
/// items with their ranges; `base` is the value's start.
pub fn split_list(value: &str, base: usize) -> Vec<ListItem> {
    let mut items = Vec::new();
    let mut offset = 0;
    for part in value.split(',') {
        let lead = part.len() - part.trim_start().len();
        let trimmed = part.trim();
        if !trimmed.is_empty() {
            let start = base + offset + lead;
            items.push(ListItem { value: trimmed.into(), range: start..start + trimmed.len() });
        }
        offset += part.len() + 1;
    }
    items
}
