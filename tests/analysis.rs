//! Data-driven fixtures for the analysis core: one `check_*` helper per
//! feature, a fixture in (files marked `//- /name.nmk`, the cursor `$0`), a
//! rendering out, compared with an inline expectation. `UPDATE_EXPECT=1
//! cargo test --test analysis` rewrites the expectations.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use expect_test::{Expect, expect};
use newsmark::analysis::queries::{self, Item};
use newsmark::analysis::{Config, FileId, MemoryFs, Workspace, actions, file_diagnostics, structure};

struct Fixture {
    ws: Workspace,
    /// The file holding `$0` (else the last file), and the cursor offset.
    file: FileId,
    cursor: usize,
}

fn fixture(text: &str) -> Fixture {
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    if !text.trim_start().starts_with("//- ") {
        files.push((PathBuf::from("/ws/main.nmk"), text.to_string()));
    } else {
        for chunk in text.trim_start().split("//- ").skip(1) {
            let (name, body) = chunk.split_once('\n').unwrap();
            files.push((Path::new("/ws").join(name.trim().trim_start_matches('/')), body.to_string()));
        }
    }
    let mut cursor = None;
    let mut fs = MemoryFs::default();
    for (i, (path, body)) in files.iter_mut().enumerate() {
        if let Some(at) = body.find("$0") {
            body.replace_range(at..at + 2, "");
            cursor = Some((i, at));
        }
        fs.files.insert(path.clone(), body.clone());
    }
    let mut ws = Workspace::new(Arc::new(fs));
    let ids: Vec<FileId> = files.iter().map(|(p, t)| ws.set_text(p, t, true)).collect();
    ws.load_imports();
    let (index, cursor) = cursor.unwrap_or((files.len() - 1, 0));
    Fixture { ws, file: ids[index], cursor }
}

fn name(ws: &Workspace, file: FileId) -> String {
    ws.file(file).unwrap().path.file_name().unwrap().to_string_lossy().into_owned()
}

fn pos(ws: &Workspace, file: FileId, offset: usize) -> String {
    let (l, c) = ws.file(file).unwrap().doc.line_col_chars(offset);
    format!("{}:{}", l + 1, c + 1)
}

fn span(ws: &Workspace, file: FileId, r: &std::ops::Range<usize>) -> String {
    format!("{} {}-{}", name(ws, file), pos(ws, file, r.start), pos(ws, file, r.end))
}

fn check_diagnostics(text: &str, expect: Expect) {
    let mut f = fixture(text);
    let ids: Vec<FileId> = f.ws.checked_files().map(|(id, _)| id).collect();
    let mut out = String::new();
    for id in ids {
        let config = f.ws.config_for(id).unwrap();
        for d in file_diagnostics(&f.ws, id, &config) {
            out.push_str(&format!("{} {}[{}] {}\n", span(&f.ws, id, &d.range), d.severity, d.code, d.message));
            if let Some(h) = &d.help {
                out.push_str(&format!("  help: {h}\n"));
            }
            for r in &d.related {
                out.push_str(&format!("  related: {} {}\n", span(&f.ws, r.file, &r.range), r.message));
            }
            if d.unnecessary {
                out.push_str("  unnecessary\n");
            }
        }
    }
    expect.assert_eq(&out);
}

fn check_hover(text: &str, expect: Expect) {
    let f = fixture(text);
    let out = match queries::hover_at(&f.ws, f.file, f.cursor) {
        Some((r, md)) => format!("{}\n{md}\n", span(&f.ws, f.file, &r)),
        None => "no hover\n".to_string(),
    };
    expect.assert_eq(&out);
}

fn check_definition(text: &str, expect: Expect) {
    let f = fixture(text);
    let out = match queries::definition_at(&f.ws, f.file, f.cursor) {
        Some(l) => format!("{}\n", span(&f.ws, l.file, &l.range)),
        None => "no definition\n".to_string(),
    };
    expect.assert_eq(&out);
}

fn check_references(text: &str, expect: Expect) {
    let f = fixture(text);
    let out: String =
        queries::references_at(&f.ws, f.file, f.cursor, true).iter().map(|l| format!("{}\n", span(&f.ws, l.file, &l.range))).collect();
    expect.assert_eq(&out);
}

fn check_rename(text: &str, new: &str, expect: Expect) {
    let f = fixture(text);
    let out = match queries::rename_at(&f.ws, f.file, f.cursor, new) {
        Ok(edits) => edits.iter().map(|l| format!("{} -> {new}\n", span(&f.ws, l.file, &l.range))).collect(),
        Err(e) => format!("error: {e}\n"),
    };
    expect.assert_eq(&out);
}

fn check_completion(text: &str, expect: Expect) {
    let f = fixture(text);
    let out: String = queries::completions_at(&f.ws, f.file, f.cursor, &Config::default())
        .iter()
        .map(|c| format!("{:?} {} — {}\n", c.kind, c.label, c.detail))
        .collect();
    expect.assert_eq(&out);
}

fn check_actions(text: &str, expect: Expect) {
    let f = fixture(text);
    let mut out = String::new();
    for a in actions::code_actions(&f.ws, f.file, f.cursor..f.cursor, &Config::default()) {
        out.push_str(&format!("{}{}\n", a.title, if a.preferred { " (preferred)" } else { "" }));
        for e in &a.edits {
            out.push_str(&format!("  {} {:?}\n", span(&f.ws, e.file, &e.range), e.text));
        }
    }
    expect.assert_eq(&out);
}

fn check_item(text: &str, expect: Expect) {
    let f = fixture(text);
    let out = match queries::item_at(&f.ws, f.file, f.cursor) {
        Some(Item::Reference { kind, id, range }) => format!("reference {kind:?} {id} {}\n", span(&f.ws, f.file, &range)),
        Some(Item::Definition { kind, id, range }) => format!("definition {kind:?} {id} {}\n", span(&f.ws, f.file, &range)),
        Some(Item::Claim { range, .. }) => format!("claim {}\n", span(&f.ws, f.file, &range)),
        Some(Item::Import { range, .. }) => format!("import {}\n", span(&f.ws, f.file, &range)),
        None => "nothing\n".to_string(),
    };
    expect.assert_eq(&out);
}

fn check_structure(text: &str, expect: Expect) {
    let f = fixture(text);
    let ws = &f.ws;
    let file = f.file;
    let text = ws.file(file).unwrap().doc.text();
    let mut out = String::new();
    for t in structure::semantic_tokens(ws, file) {
        out.push_str(&format!("token {:?}{} {:?}\n", t.kind, if t.declaration { " decl" } else { "" }, &text[t.range.clone()]));
    }
    for (r, kind) in structure::folding_ranges(ws, file) {
        out.push_str(&format!("fold {kind:?} {}\n", span(ws, file, &r)));
    }
    for (r, target) in structure::document_links(ws, file) {
        out.push_str(&format!("link {} {target:?}\n", span(ws, file, &r)));
    }
    for s in queries::document_symbols(ws, file) {
        out.push_str(&format!("symbol {:?} {:?} {}\n", s.kind, s.name, span(ws, file, &s.selection)));
    }
    expect.assert_eq(&out);
}

const CAST: &str = "//- /cast.nmk
[@putin]: Vladimir Putin
  role: President of Russia
  kind: person
[@kim]: Kim Jong-Un
[^tass]: TASS
  kind: wire
  date: 2024-06-19
  by: @putin
";

// ------------------------------------------------------------ diagnostics

#[test]
fn diagnostics_for_every_code() {
    check_diagnostics(
        "---
date: 19 June
titel: x
allow: no-such-code
---

[@a]: A
  kind: persn
  born: 1952
  wikidata: 7747
[@a]: Again
[^anon]: Someone
  kind: anonymous
[^unused]: Nobody cites this

{Unsourced}(@a) and {}(^anon) and {outer {inner}(^anon)}(^anon).
{x}(^anon !maybe) @ghost ^nowhere {ok}(see)

{unclosed
",
        expect![[r#"
            main.nmk 2:7-2:14 warning[invalid-date] `19 June` is not an ISO 8601 date: write it as YYYY-MM-DD, e.g. 2024-06-19
            main.nmk 3:1-3:6 warning[unknown-property] unknown front-matter key `titel`: expected one of title, date, byline, outlet, lang, use, allow
              help: did you mean `title`?
            main.nmk 4:8-4:20 warning[unknown-rule] unknown diagnostic code `no-such-code`
            main.nmk 8:9-8:14 warning[unknown-property] unknown party kind `persn`: expected one of person, organisation, state, group
              help: did you mean `person`?
            main.nmk 9:3-9:7 warning[unknown-property] unknown party property `born`: expected one of role, kind, aka, wikidata, url, note
            main.nmk 10:13-10:17 warning[unknown-property] `7747` is not a Wikidata item id: write it as Q followed by digits, e.g. Q7747
            main.nmk 11:3-11:4 error[duplicate-definition] party `@a` is already defined in this file
              related: main.nmk 7:3-7:4 first defined here
            main.nmk 13:3-13:18 warning[anonymous-source] anonymous source `^anon` gives no reason for its anonymity: add a `reason:` property
            main.nmk 14:1-14:29 hint[unused-definition] source `^unused` is defined but never referred to
              unnecessary
            main.nmk 16:1-16:16 warning[unsourced-claim] claim by A has no source: add `^source` to its attribution
              help: sources in scope: ^anon, ^unused
            main.nmk 16:21-16:30 warning[empty-claim] empty claim: write the claim's text between the braces
            main.nmk 16:42-16:56 error[nested-claim] a claim cannot hold another claim: close the outer claim before this one
              related: main.nmk 16:35-16:64 the outer claim
            main.nmk 17:11-17:17 warning[unknown-status] unknown status `!maybe`: expected one of unverified, verified, disputed, false, misleading
            main.nmk 17:19-17:25 error[undefined-party] party `@ghost` is not defined: add `[@ghost]: Name` to this file or to an imported cast
            main.nmk 17:26-17:34 error[undefined-source] source `^nowhere` is not defined: add `[^nowhere]: Title` to this file or to an imported cast
            main.nmk 17:35-17:44 warning[unsourced-claim] claim has no source: add a `^source` to its attribution, `{…}(^source)`
              help: sources in scope: ^anon, ^unused
            main.nmk 17:40-17:43 error[syntax] `see` is not an attribution item: write `@party`, `^source` or `!status`, or escape the parenthesis as `\(` if it is prose
            main.nmk 19:1-19:2 error[syntax] unclosed claim: expected `}` before the end of the paragraph
        "#]],
    );
}

#[test]
fn imports_resolve_and_report_missing_files_and_cycles() {
    check_diagnostics(
        "//- /a.nmk
---
use: b.nmk, missing.nmk
---
{Claim}(@b ^sb)
//- /b.nmk
---
use: a.nmk
---
[@b]: B
[^sb]: Source B
",
        expect![[r#"
            a.nmk 2:6-2:11 warning[import-cycle] import cycle: a.nmk → b.nmk → a.nmk; definitions still resolve, but move shared ones to one cast file
            a.nmk 2:13-2:24 error[import-not-found] imported file `missing.nmk` does not exist (looked for /ws/missing.nmk)
            b.nmk 2:6-2:11 warning[import-cycle] import cycle: b.nmk → a.nmk → b.nmk; definitions still resolve, but move shared ones to one cast file
        "#]],
    );
}

#[test]
fn duplicates_across_imports_and_did_you_mean() {
    check_diagnostics(
        &format!(
            "{CAST}//- /article.nmk
---
use: cast.nmk
---
[@putin]: Putin again

{{Said}}(@putn ^tass).
"
        ),
        expect![[r#"
            cast.nmk 4:1-4:20 hint[unused-definition] party `@kim` is defined but never referred to
              unnecessary
            article.nmk 4:1-4:22 hint[unused-definition] party `@putin` is defined but never referred to
              unnecessary
            article.nmk 4:3-4:8 error[duplicate-definition] party `@putin` is already defined in an imported file
              related: cast.nmk 1:3-1:8 first defined here
            article.nmk 6:8-6:13 error[undefined-party] party `@putn` is not defined: add `[@putn]: Name` to this file or to an imported cast
              help: did you mean `@putin`?
        "#]],
    );
}

#[test]
fn allow_comments_and_front_matter_silence_codes() {
    check_diagnostics(
        "---
allow: undefined-party
---

%% allow: unsourced-claim — quoted verbatim from the wire
{Silenced}(@nobody)

{Reported}
",
        expect![[r#"
            main.nmk 8:1-8:11 warning[unsourced-claim] claim has no source: add a `^source` to its attribution, `{…}(^source)`
        "#]],
    );
}

#[test]
fn positions_count_characters_after_multibyte_text_and_crlf() {
    check_diagnostics(
        "\u{feff}Путин 한국어 😀 @ghost\r\n\r\n{x}\r\n",
        expect![[r#"
            main.nmk 1:13-1:19 error[undefined-party] party `@ghost` is not defined: add `[@ghost]: Name` to this file or to an imported cast
            main.nmk 3:1-3:4 warning[unsourced-claim] claim has no source: add a `^source` to its attribution, `{…}(^source)`
        "#]],
    );
}

// ------------------------------------------------------------ queries

#[test]
fn item_at_names_what_is_under_the_cursor() {
    check_item(&format!("{CAST}//- /a.nmk\n---\nuse: cast.nmk\n---\n{{Text}}(@pu$0tin)\n"), expect![[r#"
        reference Party putin a.nmk 4:8-4:14
    "#]]);
    check_item("[@pu$0tin]: Vladimir Putin\n", expect![[r#"
        definition Party putin main.nmk 1:3-1:8
    "#]]);
    check_item("---\nuse: ca$0st.nmk\n---\n", expect![[r#"
        import main.nmk 2:6-2:14
    "#]]);
    check_item("Plain {claim $0text} here.\n", expect![[r#"
        claim main.nmk 1:7-1:19
    "#]]);
    check_item("Plain $0text.\n", expect![[r#"
        nothing
    "#]]);
}

#[test]
fn hover_cards() {
    check_hover(
        &format!("{CAST}//- /a.nmk\n---\nuse: cast.nmk\n---\n{{One}}(@pu$0tin ^tass) {{Two}}(@putin)\n"),
        expect![[r#"
            a.nmk 4:7-4:13
            **Vladimir Putin** — President of Russia

            `@putin` · person

            Makes 2 claims in the workspace; 1 unsourced
        "#]],
    );
    check_hover(
        &format!("{CAST}//- /a.nmk\n---\nuse: cast.nmk\n---\n{{One claim}}(@putin ^ta$0ss)\n"),
        expect![[r#"
            a.nmk 4:20-4:25
            **TASS**

            `^tass` · wire · 2024-06-19

            Published by: Vladimir Putin

            Cited by 1 claim
            - One claim
        "#]],
    );
    check_hover(
        &format!("{CAST}//- /a.nmk\n---\nuse: cast.nmk\n---\n{{A claim$0 text}}(@putin !disputed)\n"),
        expect![[r#"
            a.nmk 4:1-4:33
            **Claim**: A claim text

            Asserted by: Vladimir Putin

            Sources: none (unsourced)

            Status: disputed
        "#]],
    );
}

#[test]
fn definition_goes_to_the_cast_and_to_imported_files() {
    check_definition(&format!("{CAST}//- /a.nmk\n---\nuse: cast.nmk\n---\n{{x}}(^ta$0ss)\n"), expect![[r#"
        cast.nmk 5:3-5:7
    "#]]);
    check_definition(&format!("{CAST}//- /a.nmk\n---\nuse: c$0ast.nmk\n---\n"), expect![[r#"
        cast.nmk 1:1-1:1
    "#]]);
    check_definition("{x}(@nob$0ody)\n", expect![[r#"
        no definition
    "#]]);
}

#[test]
fn references_and_rename_across_files() {
    let text = format!("{CAST}//- /a.nmk\n---\nuse: cast.nmk\n---\n{{x}}(@pu$0tin ^tass) [Putin](@putin)\n");
    check_references(&text, expect![[r#"
        cast.nmk 1:3-1:8
        cast.nmk 8:7-8:13
        a.nmk 4:5-4:11
        a.nmk 4:27-4:33
    "#]]);
    check_rename(&text, "vladimir", expect![[r#"
        cast.nmk 1:3-1:8 -> vladimir
        cast.nmk 8:8-8:13 -> vladimir
        a.nmk 4:6-4:11 -> vladimir
        a.nmk 4:28-4:33 -> vladimir
    "#]]);
    check_rename(&text, "1bad-", expect![[r#"
        error: `1bad-` is not a valid id: use a letter, then letters, digits, `_` or `-`, not ending in `-`
    "#]]);
}

#[test]
fn completion_after_sigils_and_for_keys() {
    let cast = format!("{CAST}//- /a.nmk\n---\nuse: cast.nmk\n---\n");
    check_completion(&format!("{cast}{{x}}(@$0)\n"), expect![[r#"
        Party kim — Kim Jong-Un
        Party putin — Vladimir Putin — President of Russia
    "#]]);
    check_completion(&format!("{cast}{{x}}(^t$0)\n"), expect![[r#"
        Source tass — TASS — wire
    "#]]);
    check_completion("{x}(!$0)\n", expect![[r#"
        Status unverified — claim status
        Status verified — claim status
        Status disputed — claim status
        Status false — claim status
        Status misleading — claim status
    "#]]);
    check_completion("[^s]: S\n  k$0\n", expect![[r#"
        Property kind:  — property
        Property url:  — property
        Property date:  — property
        Property by:  — property
        Property reason:  — property
        Property note:  — property
    "#]]);
}

#[test]
fn quick_fixes() {
    let cast = format!("{CAST}//- /a.nmk\n---\nuse: cast.nmk\n---\n");
    check_actions(&format!("{cast}{{x}}(@put$0n ^tass)\n"), expect![[r#"
        Change to `@putin` (preferred)
          a.nmk 4:6-4:10 "putin"
        Define `@putn` in this file
          a.nmk 4:1-4:1 "\n[@putn]: putn\n\n"
        Allow `undefined-party` in this block
          a.nmk 4:1-4:1 "%% allow: undefined-party\n"
    "#]]);
    check_actions(&format!("{cast}{{Unsour$0ced}}(@putin)\n"), expect![[r#"
        Cite `^tass` as the claim's source
          a.nmk 4:19-4:19 " ^tass"
        Allow `unsourced-claim` in this block
          a.nmk 4:1-4:1 "%% allow: unsourced-claim\n"
    "#]]);
    check_actions(&format!("{cast}{{Unsour$0ced}} text\n"), expect![[r#"
        Cite `^tass` as the claim's source
          a.nmk 4:12-4:12 "(^tass)"
        Allow `unsourced-claim` in this block
          a.nmk 4:1-4:1 "%% allow: unsourced-claim\n"
    "#]]);
    check_actions("[^s]: S\n\n{x}(^s !disputd$0)\n", expect![[r#"
        Change to `!unverified`
          main.nmk 3:9-3:16 "unverified"
        Change to `!verified`
          main.nmk 3:9-3:16 "verified"
        Change to `!disputed` (preferred)
          main.nmk 3:9-3:16 "disputed"
        Change to `!false`
          main.nmk 3:9-3:16 "false"
        Change to `!misleading`
          main.nmk 3:9-3:16 "misleading"
        Allow `unknown-status` in this block
          main.nmk 3:1-3:1 "%% allow: unknown-status\n"
    "#]]);
}

#[test]
fn tokens_folds_links_and_symbols() {
    check_structure(
        "---
use: cast.nmk
---

# Summit

[@putin]: Vladimir Putin
  url: https://kremlin.ru

%% one
%% two

{Putin @putin said
more}(^tass !verified) and [site](https://example.org).
",
        expect![[r#"
            token PropertyKey "use"
            token Party decl "putin"
            token PropertyKey "url"
            token Claim "Putin "
            token Party "@putin"
            token Claim " said\nmore"
            token Source "^tass"
            token Status "!verified"
            fold FrontMatter main.nmk 1:1-3:4
            fold Region main.nmk 7:1-8:26
            fold Comment main.nmk 10:1-11:7
            fold Region main.nmk 13:1-14:56
            link main.nmk 8:8-8:26 Url("https://kremlin.ru")
            link main.nmk 14:35-14:54 Url("https://example.org")
            symbol Heading "Summit" main.nmk 5:1-6:1
            symbol Party "@putin" main.nmk 7:3-7:8
            symbol Claim "Putin @putin said more" main.nmk 13:1-13:2
        "#]],
    );
}
