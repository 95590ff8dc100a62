//! The model of one file: its blocks, lowered incrementally.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::Arc;


use crate::syntax::{Document, EditRecord};

use super::lower::{Scratch, lower_block};
use super::types::*;

/// A file's model: the lowered blocks in document order, grouped by the
/// document's segments.
///
/// Re-lowering after an edit moves the blocks of every segment the edit did
/// not re-parse as they are (their starts are relative to the segment), and
/// in the re-parsed segments reuses every block whose text the edits did not
/// touch and that tree-sitter parsed to the same extent: block ranges are
/// relative, and a block's parse depends only on its own text. So an edit
/// costs one segment, whatever the size of the file.
#[derive(Clone)]
pub struct FileModel {
    segments: Vec<ModelSegment>,
    /// What the file says about each id, kept up to date segment by
    /// segment, so `unused-definition` and hover cards need not read every
    /// block. Indexed by [`RefKind`].
    stats: [HashMap<Box<str>, IdStats>; 2],
}

/// What a file says about one party or source id.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IdStats {
    /// References to it, anywhere.
    pub references: u32,
    /// Claims whose attribution names it (a party).
    pub claims_asserted: u32,
    /// Of those, claims with no source.
    pub claims_unsourced: u32,
    /// Claims that cite it (a source), in the text or the attribution.
    pub claims_citing: u32,
}

impl std::ops::AddAssign for IdStats {
    fn add_assign(&mut self, other: IdStats) {
        self.references += other.references;
        self.claims_asserted += other.claims_asserted;
        self.claims_unsourced += other.claims_unsourced;
        self.claims_citing += other.claims_citing;
    }
}

type Stats = [HashMap<Box<str>, IdStats>; 2];

fn kind_index(kind: RefKind) -> usize {
    match kind {
        RefKind::Party => 0,
        RefKind::Source => 1,
    }
}

/// Adds (or takes away) what `block` says about each id.
fn tally(block: &Block, stats: &mut Stats, add: bool) {
    fn bump(stats: &mut Stats, kind: RefKind, id: &str, add: bool, field: fn(&mut IdStats) -> &mut u32) {
        let map = &mut stats[kind_index(kind)];
        if add {
            // One lookup when the id is known, as it mostly is.
            match map.get_mut(id) {
                Some(entry) => *field(entry) += 1,
                None => *field(map.entry(id.into()).or_default()) += 1,
            }
            return;
        }
        let Some(entry) = map.get_mut(id) else { return };
        let n = field(entry);
        *n = n.saturating_sub(1);
        if *entry == IdStats::default() {
            map.remove(id);
        }
    }
    for r in &block.references {
        bump(stats, r.kind, &r.id, add, |s| &mut s.references);
    }
    let (mut parties, mut sources): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
    for i in 0..block.claims.len() {
        parties.clear();
        sources.clear();
        for r in block.claim_references(i) {
            match (r.kind, r.context) {
                (RefKind::Party, RefContext::Attribution) if !parties.contains(&&*r.id) => parties.push(&r.id),
                (RefKind::Source, _) if !sources.contains(&&*r.id) => sources.push(&r.id),
                _ => {}
            }
        }
        for p in &parties {
            bump(stats, RefKind::Party, p, add, |s| &mut s.claims_asserted);
            if sources.is_empty() {
                bump(stats, RefKind::Party, p, add, |s| &mut s.claims_unsourced);
            }
        }
        for src in &sources {
            bump(stats, RefKind::Source, src, add, |s| &mut s.claims_citing);
        }
    }
}

#[derive(Clone)]
struct ModelSegment {
    /// Unique to these blocks: a segment moved by an edit elsewhere keeps
    /// it, a re-lowered one gets a new one. Caches key on it.
    id: u64,
    /// The segment's start in the document.
    start: usize,
    /// The index of its first block in the file.
    first: usize,
    blocks: Vec<BlockEntry>,
    /// Which of its blocks are definitions, so listing definitions does
    /// not read every block.
    definitions: Vec<u32>,
    /// Which are `%% allow:` comments naming codes.
    allows: Vec<u32>,
}

static NEXT_SEGMENT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl ModelSegment {
    fn new(start: usize, blocks: Vec<BlockEntry>) -> ModelSegment {
        let which = |f: fn(&Block) -> bool| -> Vec<u32> {
            blocks.iter().enumerate().filter(|(_, e)| f(&e.block)).map(|(k, _)| k as u32).collect()
        };
        let definitions = which(|b| b.definition.is_some());
        let allows = which(|b| b.kind == BlockKind::Comment && !b.allow.is_empty());
        let id = NEXT_SEGMENT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        ModelSegment { id, start, first: 0, blocks, definitions, allows }
    }

    fn tally(&self, stats: &mut Stats, add: bool) {
        for e in &self.blocks {
            tally(&e.block, stats, add);
        }
    }
}

#[derive(Clone)]
struct BlockEntry {
    /// Relative to the segment's start.
    start: usize,
    block: Arc<Block>,
}

/// One segment of the model.
#[derive(Clone, Copy)]
pub struct SegmentRef<'m> {
    /// Changes whenever any of its blocks does.
    pub id: u64,
    pub start: usize,
    segment: &'m ModelSegment,
}

impl<'m> SegmentRef<'m> {
    pub fn blocks(&self) -> impl Iterator<Item = BlockRef<'m>> + use<'m> {
        let s = self.segment;
        (0..s.blocks.len()).map(move |k| s.block_ref(k))
    }
}

impl ModelSegment {
    fn block_ref(&self, k: usize) -> BlockRef<'_> {
        let e = &self.blocks[k];
        BlockRef { index: self.first + k, start: self.start + e.start, block: &e.block, shared: &e.block }
    }
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

/// Old blocks that may be reused, at their places after the edits, in order.
struct Candidates<'a> {
    list: Vec<(usize, &'a Arc<Block>)>,
    at: usize,
}

impl Candidates<'_> {
    /// The old block that stands at `start` with the same extent and kind
    /// as `node`, if any.
    fn take(&mut self, start: usize, len: usize, node: crate::syntax::Node<'_>) -> Option<Arc<Block>> {
        while self.list.get(self.at).is_some_and(|(s, _)| *s < start) {
            self.at += 1;
        }
        match self.list.get(self.at) {
            // The new node must parse without errors too: an untouched
            // block can still turn into an ERROR when error recovery in
            // the block before it ends differently.
            Some((s, block)) if *s == start && block.len == len && !node.has_error() && same_kind(block, node) => {
                Some(Arc::clone(block))
            }
            _ => None,
        }
    }
}

impl FileModel {
    pub fn empty() -> FileModel {
        FileModel { segments: Vec::new(), stats: Default::default() }
    }

    /// Lowers `doc` from scratch, segments in parallel. Segments without a
    /// kept tree are parsed on the way and their trees dropped.
    pub fn lower(doc: &Document) -> FileModel {
        // Each worker tallies its own segments too; the tallies are then
        // summed, one entry per id and segment rather than per reference.
        let lowered = crate::syntax::par_segments(doc.segment_count(), |i| {
            let segment = ModelSegment::new(doc.segment_start(i), lower_segment(doc, i, &mut Candidates { list: Vec::new(), at: 0 }));
            let mut stats = Stats::default();
            segment.tally(&mut stats, true);
            (segment, stats)
        });
        let mut model = FileModel { segments: Vec::with_capacity(lowered.len()), stats: Default::default() };
        for (segment, stats) in lowered {
            model.segments.push(segment);
            for (total, part) in model.stats.iter_mut().zip(stats) {
                if total.is_empty() {
                    *total = part;
                    continue;
                }
                for (id, s) in part {
                    *total.entry(id).or_default() += s;
                }
            }
        }
        model.number();
        model
    }

    /// Lowers `doc` after `edits`, reusing what it can of `previous` (the
    /// model before the edits).
    pub fn relower(doc: &Document, previous: FileModel, edits: &[EditRecord]) -> FileModel {
        // Which of the document's segments are old ones, moved.
        let old_count = previous.segments.len();
        let mut origin: Vec<Option<usize>> = (0..old_count).map(Some).collect();
        for e in edits {
            let s = e.segments;
            if s.first + s.removed > origin.len() {
                return FileModel::lower(doc);
            }
            origin.splice(s.first..s.first + s.removed, std::iter::repeat_n(None, s.inserted));
        }
        if origin.len() != doc.segment_count() {
            return FileModel::lower(doc);
        }
        let mut kept = vec![false; old_count];
        for o in origin.iter().flatten() {
            kept[*o] = true;
        }
        let mut stats = previous.stats;
        let mut old: Vec<Option<ModelSegment>> = Vec::with_capacity(old_count);
        let mut replaced = Vec::new();
        for (o, seg) in previous.segments.into_iter().enumerate() {
            if kept[o] {
                old.push(Some(seg));
            } else {
                seg.tally(&mut stats, false);
                old.push(None);
                replaced.push(seg);
            }
        }
        // The blocks of re-parsed segments, at their new starts, for reuse.
        let mut list = Vec::new();
        for seg in &replaced {
            'blocks: for entry in &seg.blocks {
                // Error recovery can depend on text past the block (the
                // scanner looks at the next line), so a block with syntax
                // errors is always lowered again.
                if !entry.block.errors.is_empty() {
                    continue;
                }
                let start = seg.start + entry.start;
                let mut range = start..start + entry.block.len;
                for edit in edits {
                    if edit.touches(&range) {
                        continue 'blocks;
                    }
                    // A block's bytes follow its start: text inserted right
                    // there comes before them, not into the block.
                    match (edit.map_start(range.start), edit.map(range.end)) {
                        (Some(s), Some(e)) => range = s..e,
                        _ => continue 'blocks,
                    }
                }
                list.push((range.start, &entry.block));
            }
        }
        let mut reuse = Candidates { list, at: 0 };
        let mut segments = Vec::with_capacity(origin.len());
        for (i, o) in origin.iter().enumerate() {
            let start = doc.segment_start(i);
            let segment = match o.and_then(|o| old[o].take()) {
                Some(moved) => ModelSegment { start, ..moved },
                None => {
                    let fresh = ModelSegment::new(start, lower_segment(doc, i, &mut reuse));
                    fresh.tally(&mut stats, true);
                    fresh
                }
            };
            segments.push(segment);
        }
        drop(reuse);
        let mut model = FileModel { segments, stats };
        model.number();
        model
    }

    /// Sets each segment's first block index.
    fn number(&mut self) {
        let mut n = 0;
        for s in &mut self.segments {
            s.first = n;
            n += s.blocks.len();
        }
    }

    /// Lowers a text from scratch (for tools and tests).
    pub fn from_text(text: &str) -> (Document, FileModel) {
        let doc = Document::new(text);
        let model = FileModel::lower(&doc);
        (doc, model)
    }

    pub fn block_count(&self) -> usize {
        self.segments.last().map_or(0, |s| s.first + s.blocks.len())
    }

    pub fn blocks(&self) -> impl DoubleEndedIterator<Item = BlockRef<'_>> {
        self.segments.iter().flat_map(|s| (0..s.blocks.len()).map(move |k| s.block_ref(k)))
    }

    pub fn block(&self, index: usize) -> Option<BlockRef<'_>> {
        let si = self.segments.partition_point(|s| s.first <= index).checked_sub(1)?;
        let s = &self.segments[si];
        (index - s.first < s.blocks.len()).then(|| s.block_ref(index - s.first))
    }

    /// The block containing `offset` (the one before it, at a blank line).
    pub fn block_at(&self, offset: usize) -> Option<BlockRef<'_>> {
        // The last non-empty segment starting at or before `offset`.
        let mut si = self.segments.partition_point(|s| s.start <= offset);
        while si > 0 && self.segments[si - 1].blocks.is_empty() {
            si -= 1;
        }
        let s = &self.segments[si.checked_sub(1)?];
        let k = s.blocks.partition_point(|e| s.start + e.start <= offset).checked_sub(1)?;
        self.block(s.first + k)
    }

    pub fn front_matter(&self) -> &[Field] {
        match self.segments.first().and_then(|s| s.blocks.first()) {
            Some(e) if e.block.kind == BlockKind::FrontMatter => &e.block.front_matter,
            _ => &[],
        }
    }

    /// The front matter field `key`, with its block for absolute ranges.
    pub fn front_matter_field(&self, key: &str) -> Option<&Field> {
        self.front_matter().iter().find(|f| &*f.key == key)
    }

    pub fn definitions(&self) -> impl Iterator<Item = (BlockRef<'_>, &Definition)> {
        self.segments.iter().flat_map(|s| {
            s.definitions.iter().filter_map(move |&k| {
                let b = s.block_ref(k as usize);
                b.block.definition.as_deref().map(|d| (b, d))
            })
        })
    }

    /// The segments: their blocks with a stable identity, for caches.
    pub fn segments(&self) -> impl Iterator<Item = SegmentRef<'_>> {
        self.segments.iter().map(|s| SegmentRef { id: s.id, start: s.start, segment: s })
    }

    /// `%% allow:` comments that name codes.
    pub fn allow_comments(&self) -> impl Iterator<Item = BlockRef<'_>> {
        self.segments.iter().flat_map(|s| s.allows.iter().map(move |&k| s.block_ref(k as usize)))
    }

    /// What the file says about `id`.
    pub fn id_stats(&self, kind: RefKind, id: &str) -> IdStats {
        self.stats[kind_index(kind)].get(id).copied().unwrap_or_default()
    }

    /// Every id the file says something about, sorted (for tests and tools).
    pub fn all_id_stats(&self) -> Vec<(RefKind, &str, IdStats)> {
        let mut all: Vec<_> = [RefKind::Party, RefKind::Source]
            .into_iter()
            .flat_map(|k| self.stats[kind_index(k)].iter().map(move |(id, s)| (k, &**id, *s)))
            .collect();
        all.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        all
    }

    /// Every id some reference in the file names.
    pub fn referenced_ids(&self) -> impl Iterator<Item = (RefKind, &str)> {
        [RefKind::Party, RefKind::Source].into_iter().flat_map(move |k| {
            self.stats[kind_index(k)].iter().filter(|(_, s)| s.references > 0).map(move |(id, _)| (k, &**id))
        })
    }

    /// Whether any reference in the file names `id`.
    pub fn is_referenced(&self, kind: RefKind, id: &str) -> bool {
        self.id_stats(kind, id).references > 0
    }

    /// How many blocks were lowered anew rather than reused from `previous`.
    pub fn count_relowered(&self, previous: &FileModel) -> usize {
        let old: HashSet<*const Block> = previous.blocks().map(|b| Arc::as_ptr(b.shared)).collect();
        self.blocks().filter(|b| !old.contains(&Arc::as_ptr(b.shared))).count()
    }
}

/// Lowers segment `i` of `doc`, reusing old blocks where they fit.
fn lower_segment(doc: &Document, i: usize, reuse: &mut Candidates<'_>) -> Vec<BlockEntry> {
    let range = doc.segment_range(i);
    // One copy of the segment's text, sliced per block.
    let text: std::borrow::Cow<'_, str> = doc.rope().byte_slice(range.clone()).into();
    doc.with_segment_tree(i, |tree| {
        let mut scratch = Scratch::default();
        let root = tree.root_node();
        let mut cursor = root.walk();
        let mut out = Vec::new();
        if !cursor.goto_first_child() {
            return out;
        }
        loop {
            let node = cursor.node();
            if node.is_named() {
                let (s, e) = (node.start_byte(), node.end_byte().max(node.start_byte()));
                let block = reuse.take(range.start + s, e - s, node).unwrap_or_else(|| {
                    let block_text = match text.get(s..e.min(text.len())) {
                        Some(t) => std::borrow::Cow::Borrowed(t),
                        None => String::from_utf8_lossy(text.as_bytes().get(s..e).unwrap_or_default()),
                    };
                    Arc::new(lower_block(node, &block_text, &mut scratch))
                });
                out.push(BlockEntry { start: s, block });
            }
            if !cursor.goto_next_sibling() {
                break;
            }
        }
        out
    })
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

/// A claim's text as a reader sees it, line breaks folded to spaces.
pub fn claim_text(doc: &Document, block: BlockRef<'_>, claim: &Claim) -> String {
    let body = block.abs(&claim.body);
    let end = body.end.min(doc.len());
    let text: std::borrow::Cow<'_, str> = doc.rope().byte_slice(body.start.min(end)..end).into();
    super::lower::fold_whitespace(&text)
}
