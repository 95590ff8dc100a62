//! Where lines start, per segment, cached: LSP positions for every
//! diagnostic of a large file without reading the file.
//!
//! A keystroke changes one segment of the model (and its id); every other
//! segment keeps its text, so its newline offsets, relative to the segment,
//! are kept between publishes, and the segment's first line is the sum of
//! the newlines before it. An offset's line is then two binary searches;
//! its column is the distance from the line start, counted in UTF-16 only
//! on lines that are not ASCII.

use std::collections::HashMap;
use std::sync::Arc;

use newsmark::model::FileModel;
use newsmark::syntax::Document;
use tower_lsp_server::ls_types::Position;

use super::convert::{Encoding, utf16_len};

/// Set on a newline's offset when the line it ends has non-ASCII bytes.
const WIDE: u32 = 1 << 31;

struct SegmentLines {
    /// Offsets of the segment's newlines, relative to its start, each with
    /// [`WIDE`] set when its line is not all ASCII.
    newlines: Arc<[u32]>,
    /// Whether the text after the last newline is not all ASCII.
    last_wide: bool,
    seen: u64,
}

#[derive(Default)]
pub struct LineIndex {
    segments: HashMap<u64, SegmentLines>,
    generation: u64,
}

impl LineIndex {
    /// The positions of `offsets` in `doc`, whose model is `model`.
    pub fn positions(&mut self, doc: &Document, model: &FileModel, offsets: &[usize], enc: Encoding) -> Vec<Position> {
        self.generation += 1;
        let generation = self.generation;
        let len = doc.len();
        let segments: Vec<_> = model.segments().collect();
        // Per segment: start, first line, newlines.
        let mut table = Vec::with_capacity(segments.len());
        let mut line = 0usize;
        for (i, s) in segments.iter().enumerate() {
            let end = segments.get(i + 1).map_or(len, |n| n.start);
            let lines = self.segments.entry(s.id).or_insert_with(|| scan(doc, s.start..end));
            lines.seen = generation;
            table.push((s.start, line, Arc::clone(&lines.newlines), lines.last_wide));
            line += lines.newlines.len();
        }
        if self.segments.len() > segments.len() {
            self.segments.retain(|_, s| s.seen == generation);
        }
        offsets
            .iter()
            .map(|&offset| {
                let offset = offset.min(len);
                let k = table.partition_point(|(start, ..)| *start <= offset);
                let Some((start, first_line, newlines, last_wide)) = k.checked_sub(1).map(|k| &table[k]) else {
                    return Position::default();
                };
                let rel = (offset - start) as u32;
                let n = newlines.partition_point(|&nl| nl & !WIDE < rel);
                let line_start = if n == 0 { 0 } else { (newlines[n - 1] & !WIDE) + 1 };
                let wide = newlines.get(n).map_or(*last_wide, |nl| nl & WIDE != 0);
                // Only a line with non-ASCII text can put an offset inside a
                // character; it is moved back to the character's start.
                let character = match enc {
                    Encoding::Utf16 if wide => units16(doc, start + line_start as usize..doc.floor_char_boundary(offset)),
                    Encoding::Utf8 if wide => doc.floor_char_boundary(offset).max(start + line_start as usize) - start - line_start as usize,
                    _ => (rel - line_start) as usize,
                };
                Position { line: (first_line + n) as u32, character: character as u32 }
            })
            .collect()
    }
}

/// The newlines of `range` of `doc`.
fn scan(doc: &Document, range: std::ops::Range<usize>) -> SegmentLines {
    let mut newlines = Vec::new();
    let mut wide = false;
    let mut at = 0u32;
    for chunk in doc.rope().byte_slice(range).chunks() {
        let bytes = chunk.as_bytes();
        let mut from = 0;
        for nl in memchr::memchr_iter(b'\n', bytes) {
            wide |= !bytes[from..nl].is_ascii();
            newlines.push((at + nl as u32) | if wide { WIDE } else { 0 });
            wide = false;
            from = nl + 1;
        }
        wide |= !bytes[from..].is_ascii();
        at += bytes.len() as u32;
    }
    SegmentLines { newlines: newlines.into(), last_wide: wide, seen: 0 }
}

fn units16(doc: &Document, range: std::ops::Range<usize>) -> usize {
    doc.rope().byte_slice(range.start.min(range.end)..range.end).chunks().map(|c| utf16_len(c.as_bytes())).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lsp::convert::tests::reference;

    fn check(index: &mut LineIndex, doc: &Document, model: &FileModel, text: &str) {
        let offsets: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            let got = index.positions(doc, model, &offsets, enc);
            for (k, &o) in offsets.iter().enumerate() {
                assert_eq!(got[k], reference(text, o, enc), "at {o} ({enc:?})");
            }
            // Out of order and past the end.
            let odd = [text.len() + 5, 3, 0];
            let got = index.positions(doc, model, &odd, enc);
            assert_eq!(got[0], reference(text, text.len(), enc));
            assert_eq!(got[2], Position::default());
        }
    }

    #[test]
    fn positions_match_a_plain_count_across_segments_and_edits() {
        let mut text = String::new();
        for i in 0..300 {
            let line = match i % 3 {
                0 => format!("Plain ASCII paragraph {i} with a longer line of prose.\n\n"),
                1 => format!("Путин {i} 한국어 😀 {{claim}}(@putin)\r\nline two é\n\n"),
                _ => format!("- item {i}\n> quote\n\n"),
            };
            text.push_str(&line);
        }
        let mut doc = Document::lazy_with_segment_size(&text, 512);
        assert!(doc.segment_count() > 20);
        let mut model = FileModel::lower(&doc);
        let mut index = LineIndex::default();
        check(&mut index, &doc, &model, &text);
        // Edits that add and remove lines, wide and narrow, in one segment
        // and across several; cached segments must stay right.
        for (at, len, insert) in [(100, 0, "x\n😀\n"), (5000, 3, "\n\n"), (7000, 900, "Ёж"), (0, 0, "é\n\n")] {
            let at = (0..=at).rev().find(|&i| text.is_char_boundary(i)).unwrap();
            let end = (at + len..=text.len()).find(|&i| text.is_char_boundary(i)).unwrap();
            text.replace_range(at..end, insert);
            let record = doc.edit(at..end, insert);
            model = FileModel::relower(&doc, model, &[record]);
            check(&mut index, &doc, &model, &text);
        }
    }
}
