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

/// Which segments an edit re-parsed: `removed` segments from index `first`
/// on were replaced by `inserted` new ones. Every other segment kept its
/// tree and its text (shifted, if it lies after the edit).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct SegmentSplice {
    pub first: usize,
    pub removed: usize,
    pub inserted: usize,
}

/// An applied edit, after clamping: `start..old_end` became `start..new_end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EditRecord {
    pub start: usize,
    pub old_end: usize,
    pub new_end: usize,
    pub segments: SegmentSplice,
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

    /// Where the text that started at `offset` before the edit starts after
    /// it: like [`EditRecord::map`], but at an insertion point it moves past
    /// the inserted text. For the start of a block, whose bytes follow it.
    pub fn map_start(&self, offset: usize) -> Option<usize> {
        if offset >= self.old_end {
            Some(offset - self.old_end + self.new_end)
        } else if offset <= self.start {
            Some(offset)
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

/// Documents are parsed in segments of about this many bytes, split at
/// blank lines. A block never spans a blank line, so a document parses the
/// same in one piece or in many; an edit then re-parses one segment, not the
/// whole file (tree-sitter's incremental re-parse still steps over every
/// top-level node of the tree it re-parses, which grows with its size).
pub const SEGMENT_SIZE: usize = 32 * 1024;

/// How many segment trees a document made with [`Document::lazy`] keeps:
/// the segments edited most recently. Trees cost ~7× their text; the model
/// keeps everything the analysis needs, so a segment's tree only matters
/// when it is edited (a segment without one is parsed from scratch, ~3 ms).
pub const TREE_BUDGET: usize = 8;

#[derive(Clone)]
struct Segment {
    /// Byte offset in the document; the segment runs to the next one's start.
    start: usize,
    /// `None` once evicted (see [`TREE_BUDGET`]).
    tree: Option<Tree>,
    /// When the tree was last parsed, for eviction.
    used: u64,
}

/// Text and trees. Holds no parser (parsers are per thread, see
/// [`parse_rope`]), so documents can be shared across threads read-only.
#[derive(Clone)]
pub struct Document {
    rope: Rope,
    segments: Vec<Segment>,
    segment_size: usize,
    /// How many segment trees to keep (`usize::MAX`: all of them).
    tree_budget: usize,
    clock: u64,
}

impl Document {
    /// Parses `text` and keeps every segment's tree.
    pub fn new(text: &str) -> Document {
        Document::with_segment_size(text, SEGMENT_SIZE)
    }

    /// A document split into segments of about `segment_size` bytes (tests
    /// use small ones to put many boundaries in small texts), every tree kept.
    pub fn with_segment_size(text: &str, segment_size: usize) -> Document {
        let mut doc = Document::lazy_with_segment_size(text, segment_size);
        doc.tree_budget = usize::MAX;
        let trees = par_segments(doc.segments.len(), |i| parse_range(&doc.rope, doc.segment_range(i), None));
        for (s, t) in doc.segments.iter_mut().zip(trees) {
            s.tree = Some(t);
        }
        doc
    }

    /// Cuts `text` into segments without parsing them: the model parses
    /// and lowers each segment and drops its tree (see [`TREE_BUDGET`]), so
    /// a large file never holds all its trees at once.
    pub fn lazy(text: &str) -> Document {
        Document::lazy_with_segment_size(text, SEGMENT_SIZE)
    }

    pub fn lazy_with_segment_size(text: &str, segment_size: usize) -> Document {
        let rope = Rope::from_str(text);
        let segments = segment_starts(&rope, segment_size)
            .into_iter()
            .map(|start| Segment { start, tree: None, used: 0 })
            .collect();
        Document { rope, segments, segment_size: segment_size.max(1), tree_budget: TREE_BUDGET, clock: 0 }
    }

    /// Keeps at most `n` segment trees from now on.
    pub fn set_tree_budget(&mut self, n: usize) {
        self.tree_budget = n;
        self.evict(0..0);
    }

    pub fn rope(&self) -> &Rope {
        &self.rope
    }

    /// The tree of the first segment, if kept: the whole document when it
    /// is smaller than a segment (as in tests).
    pub fn tree(&self) -> Option<&Tree> {
        self.segments[0].tree.as_ref()
    }

    pub fn segment_count(&self) -> usize {
        self.segments.len()
    }

    /// How many segment trees are held.
    pub fn tree_count(&self) -> usize {
        self.segments.iter().filter(|s| s.tree.is_some()).count()
    }

    pub fn segment_start(&self, i: usize) -> usize {
        self.segments[i].start
    }

    pub fn segment_range(&self, i: usize) -> Range<usize> {
        self.segments[i].start..self.segment_end(i)
    }

    /// Runs `f` on segment `i`'s tree: the kept one, or a fresh parse that
    /// is dropped afterwards. Node offsets are relative to the segment.
    pub fn with_segment_tree<R>(&self, i: usize, f: impl FnOnce(&Tree) -> R) -> R {
        match &self.segments[i].tree {
            Some(tree) => f(tree),
            None => f(&parse_range(&self.rope, self.segment_range(i), None)),
        }
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

    /// Replaces the whole text (a full-sync change); parses from scratch
    /// when every tree is kept, else leaves parsing to the model.
    pub fn replace_all(&mut self, text: &str) {
        let fresh = if self.tree_budget == usize::MAX {
            Document::with_segment_size(text, self.segment_size)
        } else {
            Document::lazy_with_segment_size(text, self.segment_size)
        };
        let budget = self.tree_budget;
        *self = fresh;
        self.set_tree_budget(budget);
    }

    /// Applies several edits in order (each in the coordinates left by the
    /// previous one).
    pub fn apply_edits(&mut self, edits: &[TextEdit]) -> Vec<EditRecord> {
        edits.iter().map(|e| self.edit(e.range.clone(), &e.text)).collect()
    }

    /// Applies one edit and re-parses the segment it falls in, incrementally
    /// when its tree is kept. Offsets past the end are clamped, and offsets
    /// inside a UTF-8 sequence are moved back to its start, so no edit can
    /// tear a character.
    pub fn edit(&mut self, range: Range<usize>, text: &str) -> EditRecord {
        let start = self.floor_char_boundary(range.start.min(range.end));
        let old_end = self.floor_char_boundary(range.end.max(range.start));
        let new_end = start + text.len();
        let count_before = self.segments.len();

        // The segments the edit falls in: first..=last.
        let first = self.segment_at(start);
        let last = if old_end > start { self.segment_at(old_end - 1) } else { first };
        let seg_start = self.segments[first].start;
        let old_points = (self.relative_point(seg_start, start), self.relative_point(seg_start, old_end));

        let start_char = self.rope.byte_to_char(start);
        let old_end_char = self.rope.byte_to_char(old_end);
        self.rope.remove(start_char..old_end_char);
        self.rope.insert(start_char, text);
        for s in &mut self.segments[last + 1..] {
            s.start = s.start + new_end - old_end;
        }

        if first == last {
            let new_point = self.relative_point(seg_start, new_end);
            let old = self.segments[first].tree.take().map(|mut tree| {
                tree.edit(&InputEdit {
                    start_byte: start - seg_start,
                    old_end_byte: old_end - seg_start,
                    new_end_byte: new_end - seg_start,
                    start_position: old_points.0,
                    old_end_position: old_points.1,
                    new_end_position: new_point,
                });
                tree
            });
            let range = self.segment_range(first);
            let tree = parse_range(&self.rope, range.clone(), old.as_ref());
            // tree-sitter's error recovery can end differently when it
            // re-parses around reused nodes than in a fresh parse. A segment
            // with errors is parsed again from scratch, so the tree never
            // depends on the edit history (it costs one segment, ~32 KB).
            let tree = if old.is_some() && tree.root_node().has_error() { parse_range(&self.rope, range, None) } else { tree };
            self.segments[first].tree = Some(tree);
        } else {
            self.segments.drain(first + 1..=last);
            self.reparse_from_scratch(first);
        }
        let (lo, hi) = self.repair_boundaries(first);
        self.clock += 1;
        for s in &mut self.segments[lo..hi] {
            s.used = self.clock;
        }
        self.evict(lo..hi);
        let inserted = hi - lo;
        let removed = count_before - (self.segments.len() - inserted);
        EditRecord { start, old_end, new_end, segments: SegmentSplice { first: lo, removed, inserted } }
    }

    /// Drops the least recently used trees beyond the budget, never those
    /// of `keep`.
    fn evict(&mut self, keep: Range<usize>) {
        if self.tree_budget == usize::MAX {
            return;
        }
        let mut held: Vec<(u64, usize)> =
            self.segments.iter().enumerate().filter(|(i, s)| s.tree.is_some() && !keep.contains(i)).map(|(i, s)| (s.used, i)).collect();
        let allowed = self.tree_budget.saturating_sub(keep.len());
        if held.len() <= allowed {
            return;
        }
        held.sort_unstable();
        for &(_, i) in &held[..held.len() - allowed] {
            self.segments[i].tree = None;
        }
    }

    /// The segment containing `offset` (the last one starting at or before it).
    fn segment_at(&self, offset: usize) -> usize {
        self.segments.partition_point(|s| s.start <= offset).saturating_sub(1)
    }

    fn segment_end(&self, i: usize) -> usize {
        self.segments.get(i + 1).map_or(self.rope.len_bytes(), |s| s.start)
    }

    fn relative_point(&self, seg_start: usize, byte: usize) -> Point {
        let p = point_at(&self.rope, byte);
        Point::new(p.row - self.rope.byte_to_line(seg_start), p.column)
    }

    fn reparse_from_scratch(&mut self, i: usize) {
        self.segments[i].tree = Some(parse_range(&self.rope, self.segment_range(i), None));
    }

    /// After an edit in segment `i`: a boundary the edit made invalid (the
    /// blank line before it is gone, or the front matter now runs past it)
    /// merges the segments on either side; a segment grown far past the
    /// segment size is split again. Returns the re-parsed segments.
    fn repair_boundaries(&mut self, mut i: usize) -> (usize, usize) {
        // Merge first, parse once: an edit that opens a front matter at the
        // top can invalidate every boundary after it.
        let mut merged = false;
        while i + 1 < self.segments.len() && !self.is_boundary(self.segments[i + 1].start) {
            self.segments.remove(i + 1);
            merged = true;
        }
        while i > 0 && !self.is_boundary(self.segments[i].start) {
            self.segments.remove(i);
            i -= 1;
            merged = true;
        }
        if merged {
            self.reparse_from_scratch(i);
        }
        let (start, end) = (self.segments[i].start, self.segment_end(i));
        if end - start > 4 * self.segment_size {
            let cuts = boundaries(&self.rope, start, end, self.segment_size);
            if !cuts.is_empty() {
                let mut starts = vec![start];
                starts.extend(cuts);
                let pieces: Vec<Segment> = starts
                    .iter()
                    .enumerate()
                    .map(|(k, &s)| {
                        let e = starts.get(k + 1).copied().unwrap_or(end);
                        Segment { start: s, tree: Some(parse_range(&self.rope, s..e, None)), used: 0 }
                    })
                    .collect();
                let n = pieces.len();
                self.segments.splice(i..=i, pieces);
                return (i, i + n);
            }
        }
        (i, i + 1)
    }

    /// Whether a segment may start at `at`: the start of a line that is not
    /// blank and not a `---` line, after a blank line, past the front matter.
    fn is_boundary(&self, at: usize) -> bool {
        at > 0
            && at < self.rope.len_bytes()
            && at >= front_matter_end(&self.rope)
            && self.rope.byte(at - 1) == b'\n'
            && {
                let line = self.rope.byte_to_line(at);
                line > 0 && is_blank_line(self.rope.line(line - 1)) && is_segment_start(self.rope.line(line))
            }
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

fn starts_with_dashes(line: ropey::RopeSlice<'_>) -> bool {
    line.bytes().take(3).eq(*b"---")
}

fn is_blank_line(line: ropey::RopeSlice<'_>) -> bool {
    line.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// A line a segment may start with: not blank, and not `---` (which the
/// grammar reads as front matter at the start of a parse).
fn is_segment_start(line: ropey::RopeSlice<'_>) -> bool {
    !is_blank_line(line) && !starts_with_dashes(line)
}

/// Where the front matter ends (0 when there is none). While it is not
/// closed, it runs to the end of the text, and no boundary may be placed.
fn front_matter_end(rope: &Rope) -> usize {
    let mut lines = rope.lines();
    let Some(first) = lines.next() else { return 0 };
    let first = if first.len_chars() > 0 && first.char(0) == '\u{feff}' { first.slice(1..) } else { first };
    if !starts_with_dashes(first) {
        return 0;
    }
    let mut at = rope.line_to_byte(1);
    for line in lines {
        at += line.len_bytes();
        if starts_with_dashes(line) {
            return at;
        }
    }
    usize::MAX
}

/// Segment starts in `from..to` (not `from` itself), each at least `size`
/// bytes after the previous one: the first line after that distance that
/// may start a segment. Jumps ahead `size` bytes at a time, so it reads a
/// few lines per segment, not every line.
fn boundaries(rope: &Rope, from: usize, to: usize, size: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let fm_end = front_matter_end(rope);
    if fm_end == usize::MAX {
        return out;
    }
    let to = to.min(rope.len_bytes());
    let mut last = from;
    loop {
        let earliest = (last + size.max(1)).max(fm_end).max(from + 1);
        if earliest >= to {
            break;
        }
        // The first line starting at or after `earliest`.
        let mut line = rope.byte_to_line(earliest);
        if rope.line_to_byte(line) < earliest {
            line += 1;
        }
        if line >= rope.len_lines() {
            break;
        }
        let mut at = rope.line_to_byte(line);
        let mut prev_blank = line > 0 && is_blank_line(rope.line(line - 1));
        let mut found = None;
        for l in rope.lines_at(line) {
            if at >= to {
                break;
            }
            if prev_blank && is_segment_start(l) {
                found = Some(at);
                break;
            }
            prev_blank = is_blank_line(l);
            at += l.len_bytes();
        }
        match found {
            Some(at) => {
                out.push(at);
                last = at;
            }
            None => break,
        }
    }
    out
}

/// Parses `range` of `rope` on its own, reusing `old` (already edited).
fn parse_range(rope: &Rope, range: Range<usize>, old: Option<&Tree>) -> Tree {
    PARSER.with(|parser| {
        let mut parser = parser.borrow_mut();
        let end = range.end.min(rope.len_bytes());
        let base = range.start.min(end);
        let mut read = |byte: usize, _: Point| -> &[u8] {
            let at = base + byte;
            if at >= end {
                return &[];
            }
            let (chunk, chunk_start, _, _) = rope.chunk_at_byte(at);
            let bytes = &chunk.as_bytes()[at - chunk_start..];
            &bytes[..bytes.len().min(end - at)]
        };
        parser
            .parse_with_options(&mut read, old, None)
            .expect("parsing without a timeout or cancellation always yields a tree")
    })
}

/// Where the segments of `rope` start.
fn segment_starts(rope: &Rope, size: usize) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(boundaries(rope, 0, rope.len_bytes(), size));
    starts
}

/// `f(0..n)`, on every core when there are several segments to share.
/// Interleaved, so both halves of a text cost the same.
pub fn par_segments<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    // Asked once: on Linux the answer reads cgroup files, which would cost
    // a keystroke more than the one segment it has to work out.
    static CORES: std::sync::LazyLock<usize> =
        std::sync::LazyLock::new(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if n < 4 || *CORES <= 1 {
        return (0..n).map(f).collect();
    }
    let workers = (*CORES).min(n);
    let mut slots: Vec<Option<T>> = (0..n).map(|_| None).collect();
    std::thread::scope(|s| {
        let f = &f;
        let handles: Vec<_> = (0..workers)
            .map(|w| s.spawn(move || (w..n).step_by(workers).map(|i| (i, f(i))).collect::<Vec<_>>()))
            .collect();
        for h in handles {
            // A panic in a worker is a bug; pass it on as it is.
            for (i, t) in h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)) {
                slots[i] = Some(t);
            }
        }
    });
    slots.into_iter().map(|t| t.expect("every segment done")).collect()
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
