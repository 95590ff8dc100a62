//! Lowering reads error-free paragraphs and list items from their bytes
//! instead of walking their nodes (`src/model/from_bytes.rs`). These tests
//! lower the same blocks both ways and require the same model: over every
//! grammar corpus case, every example, and random prose built from the
//! pieces where the grammar's reading is subtle.

use std::path::Path;

use newsmark::model::shortcut_disagreement;
use proptest::prelude::*;

fn assert_agree(name: &str, text: &str) {
    if let Some(diff) = shortcut_disagreement(text) {
        panic!("{name}: reading bytes and walking the tree disagree on block {diff}");
    }
}

#[test]
fn examples_and_corpus_inputs_read_like_the_walk() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut seen = 0;
    for dir in ["examples/seed", "examples/diagnostics", "grammar/test/corpus"] {
        for entry in std::fs::read_dir(root.join(dir)).expect("directory exists").flatten() {
            let text = std::fs::read_to_string(entry.path()).expect("UTF-8 file");
            // Corpus files hold many cases; as one text they are prose,
            // rules and trees in a row, which is input enough.
            assert_agree(&entry.path().display().to_string(), &text);
            seen += 1;
        }
    }
    assert!(seen > 20, "only {seen} files found");
}

#[test]
fn subtle_readings_agree() {
    for text in [
        "press@kremlin.ru and x^2 and a@@b and a@^b and @a@b and @@a and @1 and @\n",
        "- item @putin {claim}(@putin ^tass) [Kim](@kim) [sic] [](x) [a](http://x.y/z?q=1)\n",
        "{a {nested}(@x) b}(^y) {empty} {  }(@p) {x}(bad item, !denied ^s @p-q)\n",
        "\\{not a claim\\} \\@not \\\\@yes {x\\}y}(@p) [a\\]b](@k) \\x@y\n",
        "@put-in- @a--b ^t_1 @A9 {x}^tass }no\n",
        "Line one {claim\nover lines}(@p\n^s) and\n[label\nover](@k) end\r\nCRLF {x}(@p)\r\n",
        "Путин@putin é@x 😀@putin {😀^tass}(@p) {x}(@é) [Пу](@k) @putinы\n",
        "[W](https://en.wikipedia.org/wiki/Mercury_(planet)) [x](a()) [y](a(b)c(d)e) [z](a(b)) [u](é(ü)ö)\n",
        // Suggested by a review of the reader against the grammar.
        "- [](@x) [\n](u) [\\\\](v) [a]\r\n(w) {x}\r\n(@p)\n",
        "{x}(@a- !b-. @c_ ^d-_ @ ! ,@e,)\n",
        "@a@b^c a@^b @a-@b @1@x x^^y @a^^b \\\\@z \\x@y \\!a@b _@c\n",
        "[W](a(b)c) [x](a()) {y [z](q(}r))}(@p) [m](x)(@n)\n",
        "{a\n> @x {b}(@p\n  ^s)}(\n@q\n#r)\nx\n-@a\n#b@c (d\n)@e\n",
        "{unclosed at the end @p",
        "{closed at the end}(@p)",
    ] {
        assert_agree(text, text);
    }
}

fn prose() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "a", "b1", " ", "  ", "\t", "\n", "\r\n", ",", ".", "-", "_", "!", "%", "(", ")", "{", "}", "[", "]", "@", "^",
            "\\", "\\{", "\\@", "\\\\", "@putin", "^tass", "!denied", "@p-", "x@y", "é", "Путин", "😀", "@é", "{c}",
            "(@p ^s)", "(@p, ^s !x bad)", "[L](@k)", "[L](^s)", "[L](http://x)", "[]", "- ", "> ", "# ", "%% ", "\n\n",
        ]),
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

/// Prose that mostly parses without errors, so it is read from bytes:
/// words, references, claims (nested too) with attributions, links. With
/// `unicode`, also the characters that send a block back to the walk.
fn well_formed(unicode: bool) -> impl Strategy<Value = String> {
    let mut leaves = vec![
        "word", " ", "\n", "\r\n", ", ", "x@y", "a@@b", "2^3", "@putin", "^tass", "@p-", "@1", "@", "\\{", "\\@", "\\x",
        "(aside)", "[sic]", "[]", "[L](@kim)", "[L](^s)", "[L](http://x.y/(z)", "[L](http://x.y/z)", "[L](w/a_(b))", "[L](a(b)c(d))", "[a\\]b](@k)", "!", "%", "_",
    ];
    let mut attributions = vec!["", "(@p ^s)", "(@p)", "(^s, !denied)", "(bad @p-x)", "(@p\n^s)", "()", " (@p)"];
    if unicode {
        leaves.extend(["é", "Путин", "😀", "@é", "é@p", "😀@p"]);
        attributions.push("(@é)");
    }
    let leaf = prop::sample::select(leaves).prop_map(str::to_string);
    leaf.prop_recursive(3, 40, 6, move |inner| {
        (prop::collection::vec(inner, 0..6), prop::sample::select(attributions.clone()))
            .prop_map(|(body, attribution)| format!("{{{}}}{attribution}", body.concat()))
    })
}

fn check_paragraph(parts: Vec<String>, list: bool) -> Result<(), TestCaseError> {
    let text = format!("{}{}\n", if list { "- " } else { "" }, parts.concat());
    if let Some(diff) = shortcut_disagreement(&text) {
        prop_assert!(false, "reading bytes and walking the tree disagree on block {}", diff);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn well_formed_ascii_prose_reads_like_the_walk(parts in prop::collection::vec(well_formed(false), 1..12), list in any::<bool>()) {
        check_paragraph(parts, list)?;
    }

    #[test]
    fn well_formed_unicode_prose_reads_like_the_walk(parts in prop::collection::vec(well_formed(true), 1..12), list in any::<bool>()) {
        check_paragraph(parts, list)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_prose_reads_like_the_walk(text in prose()) {
        if let Some(diff) = shortcut_disagreement(&text) {
            prop_assert!(false, "reading bytes and walking the tree disagree on block {}", diff);
        }
    }
}

#[test]
fn claims_nested_without_end_do_not_overflow_the_stack() {
    // A server thread's stack (2 MB), and text no reporter writes: a claim
    // in a claim in a claim … 100,000 deep, closed and unclosed.
    let worker = std::thread::Builder::new().stack_size(2 << 20).spawn(|| {
        let depth = 100_000;
        let closed = format!("{}x{}\n", "{".repeat(depth), "}".repeat(depth));
        let unclosed = format!("{}x\n", "{".repeat(depth));
        [closed, unclosed].map(|text| {
            let (_, model) = newsmark::model::FileModel::from_text(&text);
            let claims: usize = model.blocks().map(|b| b.block.claims.len()).sum();
            (model.block_count(), claims)
        })
    });
    let [closed, unclosed] = worker.expect("spawn").join().expect("lowering deep nesting must not overflow the stack");
    // Lowered to a depth of 64 below the outermost claim, then left as text.
    assert_eq!(closed, (1, 65));
    assert_eq!(unclosed.0, 1);
    assert!(unclosed.1 <= 65, "{unclosed:?}");
}
