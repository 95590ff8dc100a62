//! A small LSP client over the real binary's stdio, shared by the
//! integration tests and the latency benchmark.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::{Value, json};

pub struct Client {
    pub child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next_id: i64,
    /// Notifications received while waiting for responses.
    pub notifications: Vec<Value>,
    /// Requests the server sent us (answered at once).
    pub server_requests: Vec<Value>,
    /// What to answer `workspace/configuration` with.
    pub settings: Value,
}

impl Client {
    pub fn start() -> Client {
        // `NEWSMARK_SERVER` runs another build (to compare two in one run).
        let server = std::env::var_os("NEWSMARK_SERVER").unwrap_or_else(|| env!("CARGO_BIN_EXE_newsmark").into());
        let mut child = Command::new(server)
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(if std::env::var_os("NEWSMARK_TIMING").is_some() { Stdio::inherit() } else { Stdio::null() })
            .spawn()
            .expect("start newsmark lsp");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Client { child, stdin, stdout, next_id: 1, notifications: Vec::new(), server_requests: Vec::new(), settings: json!({}) }
    }

    pub fn send(&mut self, msg: &Value) {
        let body = serde_json::to_string(msg).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).unwrap();
        self.stdin.flush().unwrap();
    }

    /// The next response or notification; server requests are answered.
    pub fn next(&mut self) -> Value {
        loop {
            let msg = self.read();
            if msg.get("method").is_some() && msg.get("id").is_some() {
                let result = if msg["method"] == "workspace/configuration" { json!([self.settings.clone()]) } else { json!(null) };
                self.send(&json!({"jsonrpc": "2.0", "id": msg["id"].clone(), "result": result}));
                self.server_requests.push(msg);
                continue;
            }
            return msg;
        }
    }

    pub fn read(&mut self) -> Value {
        serde_json::from_slice(&self.read_frame()).unwrap()
    }

    /// The next message's body, unparsed.
    pub fn read_frame(&mut self) -> Vec<u8> {
        let mut len = 0;
        loop {
            let mut line = String::new();
            assert!(self.stdout.read_line(&mut line).unwrap() > 0, "server closed stdout");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(v) = line.strip_prefix("Content-Length: ") {
                len = v.parse().unwrap();
            }
        }
        let mut buf = vec![0; len];
        self.stdout.read_exact(&mut buf).unwrap();
        buf
    }

    /// Waits for diagnostics of `uri` at `version` and returns how many
    /// there are, skimming past their contents without building `Value`s:
    /// the latency benchmark measures the server, and at 10 MB a full parse
    /// of every publish in the client would cost more than the server's work.
    pub fn diagnostics_count(&mut self, uri: &str, version: i64) -> usize {
        use serde::Deserialize;
        use serde::de::IgnoredAny;
        use std::borrow::Cow;
        #[derive(Deserialize)]
        struct Peek<'a> {
            #[serde(borrow)]
            method: Option<Cow<'a, str>>,
            id: Option<IgnoredAny>,
            #[serde(borrow)]
            params: Option<PeekParams<'a>>,
        }
        #[derive(Deserialize)]
        struct PeekParams<'a> {
            #[serde(borrow)]
            uri: Option<Cow<'a, str>>,
            version: Option<i64>,
            diagnostics: Option<Vec<IgnoredAny>>,
        }
        loop {
            let buf = self.read_frame();
            // Params of other messages may not fit `PeekParams`.
            if let Ok(Peek { method: Some(m), id: None, params: Some(p) }) = serde_json::from_slice::<Peek<'_>>(&buf) {
                if m == "textDocument/publishDiagnostics" {
                    if p.uri.as_deref() == Some(uri) && p.version == Some(version) {
                        return p.diagnostics.map_or(0, |d| d.len());
                    }
                    continue;
                }
            }
            let msg: Value = serde_json::from_slice(&buf).unwrap();
            if msg.get("method").is_some() && msg.get("id").is_some() {
                let result = if msg["method"] == "workspace/configuration" { json!([self.settings.clone()]) } else { json!(null) };
                self.send(&json!({"jsonrpc": "2.0", "id": msg["id"].clone(), "result": result}));
                self.server_requests.push(msg);
            } else {
                self.notifications.push(msg);
            }
        }
    }

    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let msg = self.next();
            if msg.get("id") == Some(&json!(id)) && msg.get("method").is_none() {
                return msg;
            }
            self.notifications.push(msg);
        }
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    pub fn initialize(&mut self, encodings: &[&str]) -> Value {
        let r = self.request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": {"general": {"positionEncodings": encodings}}}),
        );
        self.notify("initialized", json!({}));
        r
    }

    /// Waits for diagnostics of `uri` with version `version`.
    pub fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        loop {
            if let Some(i) = self.notifications.iter().position(|n| {
                n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri && n["params"]["version"] == version
            }) {
                let n = self.notifications.remove(i);
                return n["params"]["diagnostics"].as_array().unwrap().clone();
            }
            let msg = self.next();
            self.notifications.push(msg);
        }
    }

    pub fn shutdown(mut self) {
        let r = self.request("shutdown", json!(null));
        assert!(r.get("error").is_none(), "{r}");
        self.notify("exit", json!(null));
        let status = self.child.wait().unwrap();
        assert!(status.success());
    }
}

