//! Starts the real binary and speaks JSON-RPC to it over stdio.

#[path = "support/lsp_client.rs"]
mod lsp_client;

use lsp_client::Client;
use serde_json::{Value, json};

fn uri(path: &std::path::Path) -> String {
    format!("file://{}", path.display())
}

const CAST: &str = "[@putin]: Vladimir Putin\n  role: President of Russia\n[^tass]: TASS\n  kind: wire\n";

/// Hangul, Cyrillic and emoji before the marks, so UTF-8, UTF-16 and byte
/// columns all differ on the claim's line.
const ARTICLE: &str = "---\nuse: cast.nmk\n---\n\n한국어 Путин 😀 {Unsourced by @putin}(@putin) and {sourced}(^tass).\n";

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cast.nmk"), CAST).unwrap();
    std::fs::write(dir.path().join("article.nmk"), ARTICLE).unwrap();
    dir
}

fn open(c: &mut Client, path: &std::path::Path, text: &str) {
    c.notify("textDocument/didOpen", json!({"textDocument": {"uri": uri(path), "languageId": "newsmark", "version": 1, "text": text}}));
}

/// A workspace (cast + article), a server initialised with `encodings`,
/// and the article opened, with its first diagnostics.
struct Session {
    dir: tempfile::TempDir,
    article: std::path::PathBuf,
    c: Client,
    init: Value,
    first: Vec<Value>,
}

fn session(encodings: &[&str]) -> Session {
    let dir = workspace();
    let article = dir.path().join("article.nmk");
    let mut c = Client::start();
    let init = c.initialize(encodings);
    open(&mut c, &article, ARTICLE);
    let first = c.diagnostics(&uri(&article), 1);
    Session { dir, article, c, init, first }
}

#[test]
fn diagnostics_hover_definition_in_utf16() {
    let Session { dir, article, mut c, init, first: diags } = session(&["utf-16"]);
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(diags.len(), 1, "{diags:?}");
    let d = &diags[0];
    assert_eq!(d["code"], "unsourced-claim");
    assert_eq!(d["message"].as_str().unwrap().lines().next().unwrap(), "claim by Vladimir Putin has no source: add `^source` to its attribution");
    // "한국어 Путин 😀 " is 3+1+5+1+2+1 = 13 UTF-16 code units.
    assert_eq!(d["range"]["start"], json!({"line": 4, "character": 13}));

    let col = "한국어 Путин 😀 {Unsourced by @".encode_utf16().count() as u32;
    let hover = c.request("textDocument/hover", json!({"textDocument": {"uri": uri(&article)}, "position": {"line": 4, "character": col}}));
    let value = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(value.starts_with("**Vladimir Putin** — President of Russia"), "{value}");

    let def = c.request("textDocument/definition", json!({"textDocument": {"uri": uri(&article)}, "position": {"line": 4, "character": col}}));
    assert_eq!(def["result"]["uri"], uri(&dir.path().join("cast.nmk")));
    assert_eq!(def["result"]["range"]["start"], json!({"line": 0, "character": 2}));
    c.shutdown();
}

#[test]
fn utf8_is_negotiated_when_offered() {
    let Session { init, first: diags, c, dir: _dir, .. } = session(&["utf-8", "utf-16"]);
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-8");
    assert_eq!(diags[0]["range"]["start"]["character"], "한국어 Путин 😀 ".len());
    c.shutdown();
}

/// `count` pseudo-random one-line edits with multi-byte text, sent as
/// incremental changes (versions from `first`) and applied to `text` alike.
fn random_edits(c: &mut Client, uri: &str, text: &str, first: i64, count: i64, mut seed: u64) -> String {
    let pieces = ["{", "}", "@putin", "^tass", " ", "\n", "한", "😀", "Ж", "(", ")", "x", "\n\n", "@nobody"];
    let mut text: Vec<u16> = text.encode_utf16().collect();
    let mut rand = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    for version in first..first + count {
        let s = String::from_utf16_lossy(&text);
        let lines: Vec<&str> = s.split('\n').collect();
        let line = rand(lines.len());
        let chars: Vec<char> = lines[line].chars().collect();
        let a = rand(chars.len() + 1);
        let b = (a + rand(3)).min(chars.len());
        let cu = |k: usize| chars[..k].iter().map(|ch| ch.len_utf16()).sum::<usize>();
        let insert = pieces[rand(pieces.len())];
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version},
                   "contentChanges": [{"range": {"start": {"line": line, "character": cu(a)}, "end": {"line": line, "character": cu(b)}}, "text": insert}]}),
        );
        // Apply the same edit to our copy.
        let mut new_lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        let l: String = chars[..a].iter().collect::<String>() + insert + &chars[b..].iter().collect::<String>();
        new_lines[line] = l;
        text = new_lines.join("\n").encode_utf16().collect();
    }
    String::from_utf16(&text).unwrap()
}

/// Diagnostics as comparable values: code, range and message.
fn strip(v: &[Value]) -> Vec<(Value, Value, Value)> {
    v.iter().map(|d| (d["code"].clone(), d["range"].clone(), d["message"].clone())).collect()
}

#[test]
fn incremental_edits_match_a_fresh_open() {
    let Session { dir, article, mut c, .. } = session(&["utf-16"]);
    let final_text = random_edits(&mut c, &uri(&article), ARTICLE, 2, 299, 0x9e3779b97f4a7c15);
    let incremental = c.diagnostics(&uri(&article), 300);
    let other = dir.path().join("fresh.nmk");
    std::fs::write(&other, &final_text).unwrap();
    open(&mut c, &other, &final_text);
    let fresh = c.diagnostics(&uri(&other), 1);
    assert_eq!(strip(&incremental), strip(&fresh));
    c.shutdown();
}

/// A document of ~13 segments, edited all over: edits land in more
/// segments than keep their trees, merge and split segments, and shift the
/// lines of every cached diagnostic.
#[test]
fn edits_across_many_segments_match_a_fresh_open() {
    let Session { dir, article, mut c, .. } = session(&["utf-16"]);
    let mut big = ARTICLE.to_string();
    for i in 0..5000 {
        // Mostly clean prose, so each publish stays small; every tenth
        // paragraph has an unsourced claim.
        let attribution = if i % 10 == 0 { "(@putin)" } else { "(@putin ^tass)" };
        big.push_str(&format!("\nПункт {i}: 한국어 😀 {{claim {i}}}{attribution} and more prose about it.\n"));
    }
    assert!(big.len() > 12 * 32 * 1024, "{} bytes", big.len());
    c.notify("textDocument/didChange", json!({"textDocument": {"uri": uri(&article), "version": 2}, "contentChanges": [{"text": big}]}));
    let start = c.diagnostics(&uri(&article), 2);
    assert!(start.len() >= 500, "{} diagnostics", start.len());
    let final_text = random_edits(&mut c, &uri(&article), &big, 3, 120, 0x2545f4914f6cdd1d);
    let incremental = c.diagnostics(&uri(&article), 122);
    let other = dir.path().join("fresh.nmk");
    std::fs::write(&other, &final_text).unwrap();
    open(&mut c, &other, &final_text);
    let fresh = c.diagnostics(&uri(&other), 1);
    assert_eq!(strip(&incremental).len(), strip(&fresh).len());
    assert_eq!(strip(&incremental), strip(&fresh));
    c.shutdown();
}

#[test]
fn survives_unknown_methods_bad_params_and_bad_positions() {
    let dir = workspace();
    let article = dir.path().join("article.nmk");
    let mut c = Client::start();
    c.initialize(&[]);
    // Malformed messages are answered, and the server goes on serving.
    let framed = |body: &[u8]| [format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes(), body].concat();
    for (raw, code) in [
        (framed(b"{not json}"), -32700),
        (framed(b"[]"), -32600),
        (framed(br#"{"jsonrpc":"2.0","id":{},"method":"x"}"#), -32600),
        (framed(br#"{"jsonrpc":"1.0","id":7,"method":"x"}"#), -32600),
        (framed(b"\xff\xfe\xfd"), -32700),
        (framed(b"null"), -32600),
        (framed(br#""text""#), -32600),
        (framed(br#"{"jsonrpc":"2.0","id":8,"method":5}"#), -32600),
        (framed(br#"{"jsonrpc":"2.0","id":9,"method":"x","params":"no"}"#), -32600),
        (framed(br#"{"jsonrpc":"2.0","id":10}"#), -32600),
        (framed(br#"{"jsonrpc":"2.0","id":11,"method":"x","params":{"a":[1,{"b":"\u00e9"}]},"params":7}"#), -32600),
        (framed(br#"{"jsonrpc":"2.0","id":12,"method":"x","params":[1,2"#), -32700),
        // Strings that skipping would not decode: each used to stop the
        // server's reading for good.
        (framed(br#"{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"x":"\ud800"}}"#), -32700),
        (framed(br#"{"jsonrpc":"2.0","method":"x","params":[{"k\udfff":1}]}"#), -32700),
        (framed(b"{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":{\"x\":\"\xff\"}}"), -32700),
        (b"Bogus-Header\r\n\r\n".to_vec(), -32700),
    ] {
        c.send_raw(&raw);
        let reply = loop {
            let m = c.read();
            if m.get("method").is_none() {
                break m;
            }
        };
        assert_eq!(reply["error"]["code"], code, "{reply} for {:?}", String::from_utf8_lossy(&raw));
    }
    let r = c.request("newsmark/unknown", json!({}));
    assert_eq!(r["error"]["code"], -32601, "{r}");
    open(&mut c, &article, ARTICLE);
    c.diagnostics(&uri(&article), 1);
    let r = c.request("textDocument/hover", json!({"textDocument": {"uri": uri(&article)}, "position": {"line": 999, "character": 999}}));
    assert!(r.get("error").is_none(), "{r}");
    let r = c.request("textDocument/hover", json!({"textDocument": {"uri": "file:///nowhere.nmk"}, "position": {"line": 0, "character": 0}}));
    assert_eq!(r["error"]["code"], -32602, "{r}");
    let r = c.request("textDocument/hover", json!({"bogus": true}));
    assert_eq!(r["error"]["code"], -32602, "{r}");
    // An edit past the end is clamped, not fatal.
    c.notify("textDocument/didChange", json!({"textDocument": {"uri": uri(&article), "version": 2},
        "contentChanges": [{"range": {"start": {"line": 50, "character": 0}, "end": {"line": 60, "character": 5}}, "text": "\n{tail}"}]}));
    let diags = c.diagnostics(&uri(&article), 2);
    assert_eq!(diags.len(), 2, "{diags:?}");
    c.shutdown();
}

#[test]
fn rename_and_references_cross_files() {
    let Session { dir, article, mut c, .. } = session(&["utf-8"]);
    let col = "한국어 Путин 😀 {Unsourced by @".len();
    let refs = c.request("textDocument/references", json!({"textDocument": {"uri": uri(&article)}, "position": {"line": 4, "character": col}, "context": {"includeDeclaration": true}}));
    assert_eq!(refs["result"].as_array().unwrap().len(), 3, "{refs}");
    let bad = c.request("textDocument/rename", json!({"textDocument": {"uri": uri(&article)}, "position": {"line": 4, "character": col}, "newName": "1bad"}));
    assert_eq!(bad["error"]["code"], -32602);
    let r = c.request("textDocument/rename", json!({"textDocument": {"uri": uri(&article)}, "position": {"line": 4, "character": col}, "newName": "vladimir"}));
    let changes = r["result"]["changes"].as_object().unwrap();
    assert_eq!(changes[&uri(&article)].as_array().unwrap().len(), 2);
    assert_eq!(changes[&uri(&dir.path().join("cast.nmk"))].as_array().unwrap().len(), 1);
    let comp = c.request("textDocument/completion", json!({"textDocument": {"uri": uri(&article)}, "position": {"line": 4, "character": col}}));
    let labels: Vec<&str> = comp["result"].as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert_eq!(labels, vec!["putin"]);
    c.shutdown();
}

#[test]
fn indexing_progress_settings_and_watched_config() {
    let dir = workspace();
    let article = dir.path().join("article.nmk");
    let mut c = Client::start();
    c.settings = json!({"rules": {"unsourced-claim": "error"}});
    let r = c.request(
        "initialize",
        json!({"processId": null, "rootUri": uri(dir.path()),
               "capabilities": {"window": {"workDoneProgress": true},
                                "workspace": {"configuration": true, "didChangeWatchedFiles": {"dynamicRegistration": true}}}}),
    );
    assert!(r["result"]["capabilities"]["semanticTokensProvider"]["legend"]["tokenTypes"].is_array());
    c.notify("initialized", json!({}));
    // Indexing reports progress; the cast was indexed from disk, unopened.
    let symbols = loop {
        let s = c.request("workspace/symbol", json!({"query": "putin"}));
        if !s["result"].as_array().unwrap().is_empty() {
            break s;
        }
    };
    assert_eq!(symbols["result"][0]["name"], "@putin");
    let methods: Vec<&str> = c.server_requests.iter().map(|m| m["method"].as_str().unwrap()).collect();
    for m in ["workspace/configuration", "client/registerCapability", "window/workDoneProgress/create"] {
        assert!(methods.contains(&m), "server never sent {m}: {methods:?}");
    }
    // Notifications and responses travel on separate channels inside the
    // server, so the progress report may trail the symbols: wait for its end.
    while !c.notifications.iter().any(|n| n["method"] == "$/progress" && n["params"]["value"]["kind"] == "end") {
        let m = c.next();
        c.notifications.push(m);
    }
    let progress: Vec<&str> = c.notifications.iter().filter(|n| n["method"] == "$/progress").map(|n| n["params"]["value"]["kind"].as_str().unwrap()).collect();
    assert_eq!(progress.first(), Some(&"begin"), "{:?}", c.notifications.iter().map(|n| n["method"].clone()).collect::<Vec<_>>());
    open(&mut c, &article, ARTICLE);
    let d = c.diagnostics(&uri(&article), 1);
    assert_eq!((d[0]["code"].as_str(), d[0]["severity"].as_i64()), (Some("unsourced-claim"), Some(1)), "settings pulled at start apply");
    // newsmark.toml turns the rule off; the watcher notices and republishes.
    c.settings = json!({});
    c.notify("workspace/didChangeConfiguration", json!({"settings": {"newsmark": {"rules": {}}}}));
    c.diagnostics(&uri(&article), 1);
    std::fs::write(dir.path().join("newsmark.toml"), "[rules]\nunsourced-claim = \"off\"\n").unwrap();
    c.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": uri(&dir.path().join("newsmark.toml")), "type": 1}]}));
    let d = c.diagnostics(&uri(&article), 1);
    assert!(d.is_empty(), "{d:?}");
    c.shutdown();
}

#[test]
fn code_actions_tokens_folds_and_links() {
    let Session { dir, article, mut c, .. } = session(&["utf-16"]);
    let col = "한국어 Путин 😀 {Uns".encode_utf16().count() as u32;
    let actions = c.request("textDocument/codeAction", json!({"textDocument": {"uri": uri(&article)},
        "range": {"start": {"line": 4, "character": col}, "end": {"line": 4, "character": col}}, "context": {"diagnostics": []}}));
    let titles: Vec<&str> = actions["result"].as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert_eq!(titles, vec!["Cite `^tass` as the claim's source", "Allow `unsourced-claim` in this block"]);
    let edit = &actions["result"][0]["edit"]["changes"][uri(&article)][0];
    // Inserted before the attribution's `)`, in UTF-16 columns.
    let close = "한국어 Путин 😀 {Unsourced by @putin}(@putin".encode_utf16().count();
    assert_eq!(edit["range"]["start"], json!({"line": 4, "character": close}));
    assert_eq!(edit["newText"], " ^tass");

    let tokens = c.request("textDocument/semanticTokens/full", json!({"textDocument": {"uri": uri(&article)}}));
    let data: Vec<u64> = tokens["result"]["data"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    assert_eq!(data.len() % 5, 0);
    // First token: `use` key at line 1; then claim text at line 4 after the emoji.
    assert_eq!(&data[..5], &[1, 0, 3, 4, 0]);
    let claim_col = "한국어 Путин 😀 {".encode_utf16().count() as u64;
    assert_eq!(&data[5..10], &[3, claim_col, "Unsourced by ".len() as u64, 3, 0]);

    let folds = c.request("textDocument/foldingRange", json!({"textDocument": {"uri": uri(&article)}}));
    assert_eq!(folds["result"][0]["startLine"], 0);
    assert_eq!(folds["result"][0]["endLine"], 2);
    let links = c.request("textDocument/documentLink", json!({"textDocument": {"uri": uri(&article)}}));
    assert_eq!(links["result"][0]["target"], uri(&dir.path().join("cast.nmk")));
    c.shutdown();
}
