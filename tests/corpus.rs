//! Runs every case of `grammar/test/corpus` against the parser compiled into
//! the crate, so the corpus (checked by `tree-sitter test` in CI) and the
//! runtime the server uses cannot drift apart.

use std::path::Path;

use newsmark::syntax::Document;

struct Case {
    file: String,
    name: String,
    input: String,
    expected: String,
    expect_error: bool,
}

fn is_rule(line: &str, c: char) -> bool {
    let t = line.trim_end_matches('\r');
    t.len() >= 3 && t.chars().all(|x| x == c)
}

fn parse_corpus(file: &str, text: &str) -> Vec<Case> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut cases = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if !is_rule(lines[i].trim_end_matches('\n'), '=') {
            i += 1;
            continue;
        }
        let name = lines[i + 1].trim().to_string();
        let mut j = i + 2;
        let mut expect_error = false;
        while !is_rule(lines[j].trim_end_matches('\n'), '=') {
            if lines[j].trim() == ":error" {
                expect_error = true;
            }
            j += 1;
        }
        let input_start = j + 1;
        // The section ends at the next header; the divider is its last rule
        // of dashes (the input itself may hold `---` front-matter lines).
        let mut m = input_start;
        while m < lines.len() && !(is_rule(lines[m].trim_end_matches('\n'), '=') && m + 2 < lines.len() && !is_rule(lines[m + 1].trim_end_matches('\n'), '=')) {
            m += 1;
        }
        let k = (input_start..m).rev().find(|&k| is_rule(lines[k].trim_end_matches('\n'), '-')).expect("a divider");
        let mut input: String = lines[input_start..k].concat();
        // tree-sitter drops the newline that precedes the divider.
        if input.ends_with('\n') {
            input.pop();
            if input.ends_with('\r') {
                input.pop();
            }
        }
        let expected: String = lines[k + 1..m].concat();
        cases.push(Case { file: file.to_string(), name, input, expected, expect_error });
        i = m;
    }
    cases
}

fn normalize(s: &str) -> String {
    let spaced = s.replace('(', " ( ").replace(')', " ) ");
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn strip_fields(s: &str) -> String {
    s.split(' ').filter(|t| !(t.ends_with(':') && t.len() > 1 && !t.starts_with('"'))).collect::<Vec<_>>().join(" ")
}

#[test]
fn corpus_matches_the_compiled_parser() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("grammar/test/corpus");
    let mut entries: Vec<_> = std::fs::read_dir(&dir).expect("grammar/test/corpus exists").flatten().collect();
    entries.sort_by_key(|e| e.path());
    let mut failures = Vec::new();
    let mut count = 0;
    for entry in entries {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "txt") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        for case in parse_corpus(&file, &text) {
            count += 1;
            let doc = Document::new(&case.input);
            let root = doc.tree().expect("documents made with `new` keep their trees").root_node();
            if case.expect_error {
                if !root.has_error() {
                    failures.push(format!("{} / {}: expected an error, got {}", case.file, case.name, root.to_sexp()));
                }
                continue;
            }
            let expected = normalize(&case.expected);
            let mut actual = normalize(&root.to_sexp());
            if !expected.contains(": (") && !expected.contains(": ") {
                actual = strip_fields(&actual);
            }
            if expected != actual {
                failures.push(format!("{} / {}:\n  expected {expected}\n  actual   {actual}", case.file, case.name));
            }
        }
    }
    assert!(count >= 50, "only {count} corpus cases found: is the corpus there?");
    assert!(failures.is_empty(), "{} of {count} corpus cases differ:\n{}", failures.len(), failures.join("\n"));
}

/// Every query file compiles against the grammar, and the Neovim plugin's
/// copies are the grammar's own (so the two cannot drift apart).
#[test]
fn queries_compile_and_the_neovim_copies_match() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let language = newsmark::syntax::language();
    let files = [
        "grammar/queries/highlights.scm",
        "grammar/queries/folds.scm",
        "editors/neovim/queries/newsmark/highlights.scm",
        "editors/neovim/queries/newsmark/folds.scm",
        "editors/helix/runtime/queries/newsmark/highlights.scm",
    ];
    for file in files {
        let source = std::fs::read_to_string(root.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        // Predicates (`#eq?`, `#match?`) are parsed, not evaluated, here.
        if let Err(e) = tree_sitter::Query::new(&language, &source) {
            panic!("{file} does not compile against the grammar: {e}");
        }
    }
    for name in ["highlights.scm", "folds.scm"] {
        let grammar = std::fs::read_to_string(root.join("grammar/queries").join(name)).unwrap();
        let neovim = std::fs::read_to_string(root.join("editors/neovim/queries/newsmark").join(name)).unwrap();
        assert_eq!(grammar, neovim, "editors/neovim/queries/newsmark/{name} differs from grammar/queries/{name}: copy it over");
    }
}
