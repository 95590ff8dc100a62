//! Random edit sequences: the incrementally re-parsed tree must equal a
//! fresh parse of the final text (shape and byte ranges), and the rope must
//! equal the expected string.

use newsmark::model::FileModel;
use newsmark::syntax::{Document, Node};
use proptest::prelude::*;

const SEED: &str = "---\ntitle: T\n---\n\n[@putin]: Vladimir Putin\n  role: President\n[^tass]: TASS\n  kind: wire\n\n{Claim one}(@putin ^tass) and Путин @putin.\nMore text 한국어 😀 here.\n\n> quote {two}(^tass)\n- item [x](@putin)\n%% allow: empty-claim\n";

/// S-expression with every node's byte range, so shape and positions count.
fn dump(node: Node<'_>, out: &mut String) {
    out.push_str(&format!("({} {}..{}", node.kind(), node.start_byte(), node.end_byte()));
    if node.is_missing() {
        out.push_str(" MISSING");
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        out.push(' ');
        dump(child, out);
    }
    out.push(')');
}

fn tree_dump(doc: &Document) -> String {
    let mut s = String::new();
    dump(doc.tree().expect("documents made with `new` keep their trees").root_node(), &mut s);
    s
}

fn fragment() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "a", " ", "\n", "\r\n", "{", "}", "(", ")", "[", "]", "@", "^", "!", "\\", "%%", "# ", "- ", "> ", "  ",
            "putin", "Путин", "한", "😀", "é", "---\n", "[@x]: X\n", "  kind: wire\n", ":", ",",
        ]),
        0..6,
    )
    .prop_map(|parts| parts.concat())
}

#[derive(Debug, Clone)]
struct Edit {
    start: usize,
    len: usize,
    text: String,
}

fn edit() -> impl Strategy<Value = Edit> {
    (any::<usize>(), 0usize..12, fragment()).prop_map(|(start, len, text)| Edit { start, len, text })
}

/// Moves `i` down to a char boundary of `s`.
fn floor(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn incremental_parse_equals_fresh_parse(edits in prop::collection::vec(edit(), 1..25)) {
        let mut doc = Document::new(SEED);
        let mut model = FileModel::lower(&doc);
        let mut expected = SEED.to_string();
        for e in &edits {
            let start = floor(&expected, if expected.is_empty() { 0 } else { e.start % (expected.len() + 1) });
            let end = floor(&expected, start + e.len);
            expected.replace_range(start..end, &e.text);
            let record = doc.edit(start..end, &e.text);
            model = FileModel::relower(&doc, model, &[record]);
            prop_assert_eq!(doc.text(), expected.clone());
        }
        let fresh = Document::new(&expected);
        prop_assert_eq!(tree_dump(&doc), tree_dump(&fresh));
        // The model re-lowered block by block equals one lowered from scratch.
        let fresh_model = FileModel::lower(&fresh);
        let a: Vec<_> = model.blocks().map(|b| (b.start, b.block.clone())).collect();
        let b: Vec<_> = fresh_model.blocks().map(|b| (b.start, b.block.clone())).collect();
        prop_assert_eq!(a, b);
        // So are the per-id tallies kept alongside.
        prop_assert_eq!(model.all_id_stats(), fresh_model.all_id_stats());
    }
}

#[test]
fn edits_past_the_end_or_inside_a_character_are_clamped() {
    let mut doc = Document::new("Путин");
    doc.edit(1..1, "x"); // inside `П`: moved to its start
    assert_eq!(doc.text(), "xПутин");
    doc.edit(100..200, "!"); // past the end: appended
    assert_eq!(doc.text(), "xПутин!");
    doc.edit(5..3, ""); // reversed: treated as 3..5
    assert_eq!(doc.text(), "xПтин!".replace("Пт", "Пт"));
}

#[test]
fn an_edit_relowers_only_the_edited_block() {
    let mut text = String::new();
    for i in 0..200 {
        text.push_str(&format!("Paragraph {i} {{claim {i}}}(^s) text.\n\n"));
    }
    let mut doc = Document::new(&text);
    let before = FileModel::lower(&doc);
    let at = text.find("claim 100").unwrap();
    let record = doc.edit(at..at, "X");
    let after = FileModel::relower(&doc, before.clone(), &[record]);
    assert_eq!(after.count_relowered(&before), 1);
    assert_eq!(after.block_count(), 200);
}

/// A longer text, cut into many small segments, edited with whole marks,
/// blank lines and block openers: the model must equal that of a fresh
/// parse in one piece whenever the text has no syntax errors.
fn safe_fragment() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "a", " ", "word ", "\n", "\n\n", "\n\n\n", "@putin ", "^tass ", "{claim}(@putin ^tass) ", "Путин ", "😀", "# Heading\n", "- item\n",
            "> quote\n", "%% note\n", "[@new]: New\n", "  role: x\n", "---\n", "\r\n",
        ]),
        0..4,
    )
    .prop_map(|parts| parts.concat())
}

fn safe_edit() -> impl Strategy<Value = Edit> {
    (any::<usize>(), 0usize..3, safe_fragment()).prop_map(|(start, len, text)| Edit { start, len, text })
}

fn blocks_of(doc: &Document) -> Vec<(usize, newsmark::model::Block)> {
    FileModel::lower(doc).blocks().map(|b| (b.start, b.block.clone())).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn segmented_documents_parse_like_whole_ones(edits in prop::collection::vec(safe_edit(), 1..30)) {
        let mut text = String::new();
        for i in 0..40 {
            text.push_str(&format!("Paragraph {i} with @putin and {{a claim {i}}}(@putin ^tass).\nSecond line.\n\n"));
            if i % 7 == 0 {
                text.push_str("[@putin]: Vladimir Putin\n  role: President\n\n");
            }
        }
        // Lazy, with room for two trees: segments lose their trees and are
        // parsed from scratch when edited again.
        let mut doc = Document::lazy_with_segment_size(&text, 64);
        doc.set_tree_budget(2);
        let mut model = FileModel::lower(&doc);
        prop_assert!(doc.segment_count() > 10);
        prop_assert_eq!(doc.tree_count(), 0);
        for e in &edits {
            // Only at line starts or between words, where the safe
            // fragments cannot split a mark.
            let at = floor(&text, e.start % (text.len() + 1));
            let at = text[..at].rfind([' ', '\n']).map_or(0, |i| i + 1);
            let end = floor(&text, at + e.len);
            let end = if text[at..end].contains(|c: char| !c.is_alphanumeric() && c != ' ') { at } else { end };
            text.replace_range(at..end, &e.text);
            let record = doc.edit(at..end, &e.text);
            model = FileModel::relower(&doc, model, &[record]);
            prop_assert_eq!(doc.text(), text.clone());
            prop_assert!(doc.tree_count() <= 2.max(record.segments.inserted), "{} trees kept", doc.tree_count());
        }
        let whole = Document::with_segment_size(&text, usize::MAX / 4);
        prop_assert_eq!(whole.segment_count(), 1);
        let (ours, theirs) = (blocks_of(&doc), blocks_of(&whole));
        // The model re-lowered segment by segment equals one lowered from
        // scratch, errors or not.
        let relowered: Vec<_> = model.blocks().map(|b| (b.start, b.block.clone())).collect();
        prop_assert_eq!(&relowered, &ours);
        let fresh_model = FileModel::lower(&doc);
        prop_assert_eq!(model.all_id_stats(), fresh_model.all_id_stats());
        // Always: the blocks tile the text, in order, with no gap (but for
        // blank lines at the very start, which belong to no block).
        let mut at = ours.first().map_or(text.len(), |(s, _)| *s);
        prop_assert!(text[..at].trim().is_empty(), "text before the first block: {:?}", &text[..at]);
        for (start, block) in &ours {
            prop_assert_eq!(*start, at);
            at += block.len;
        }
        prop_assert_eq!(at, text.len());
        // Without syntax errors, blocks do not depend on where segments
        // are cut. (Error recovery may: a `---` that opens an unclosed front
        // matter, or an indented line after a blank one, is recovered from
        // within its segment.)
        if theirs.iter().all(|(_, b)| b.errors.is_empty() && b.kind != newsmark::model::BlockKind::Error) {
            prop_assert_eq!(ours, theirs);
        }
    }
}
