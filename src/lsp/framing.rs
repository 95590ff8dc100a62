//! A guard in front of the server's stdin.
//!
//! tower-lsp-server answers one malformed message with a parse error and then
//! stops reading: its framed reader ends after the first decode error. A
//! client must not be able to kill the server that way, so every incoming
//! message is framed and checked here first; a malformed one is answered
//! here (`-32700` or `-32600`, id `null` when it has none), and only
//! well-formed ones reach the server. Answers are written between the
//! server's own messages, never inside one.

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

/// Largest message accepted; larger ones are answered and skipped.
const MAX_MESSAGE: usize = 256 * 1024 * 1024;

/// Reads framed messages from `input`; forwards well-formed ones to
/// `server`, sends an error response for others to `replies`.
pub async fn filter_input<R, W>(input: R, mut server: W, replies: mpsc::UnboundedSender<Vec<u8>>)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut input = BufReader::new(input);
    loop {
        // Headers, up to the blank line.
        let mut content_length: Option<usize> = None;
        let mut bad_header = false;
        let mut saw_any = false;
        loop {
            let mut line = String::new();
            match input.read_line(&mut line).await {
                Ok(0) => return, // end of input: the server sees EOF and ends
                Ok(_) => {}
                Err(_) => {
                    // Not UTF-8 in the headers: drop the line.
                    bad_header = true;
                    continue;
                }
            }
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                if saw_any {
                    break;
                }
                continue;
            }
            saw_any = true;
            match line.split_once(':') {
                Some((name, value)) if name.eq_ignore_ascii_case("content-length") => {
                    content_length = value.trim().parse().ok();
                    bad_header |= content_length.is_none();
                }
                Some(_) => {}
                None => bad_header = true,
            }
        }
        let Some(len) = content_length.filter(|l| *l <= MAX_MESSAGE) else {
            let _ = replies.send(frame(&error(Value::Null, -32700, "Parse error: missing or invalid Content-Length header")));
            continue;
        };
        let mut body = vec![0; len];
        if input.read_exact(&mut body).await.is_err() {
            return;
        }
        if bad_header {
            let _ = replies.send(frame(&error(Value::Null, -32700, "Parse error: malformed header")));
            continue;
        }
        match check(&body) {
            Ok(()) => {
                let header = format!("Content-Length: {len}\r\n\r\n");
                if server.write_all(header.as_bytes()).await.is_err() || server.write_all(&body).await.is_err() {
                    return;
                }
                let _ = server.flush().await;
            }
            Err(reply) => {
                let _ = replies.send(frame(&reply));
            }
        }
    }
}

fn error(id: Value, code: i64, message: &str) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } })
}

/// A message the server can decode: a JSON object, `"jsonrpc": "2.0"`, an
/// id that is a number, a string or null, and a method or a result/error.
/// Read in one pass that keeps nothing of `params` but its kind: a 10 MB
/// `didOpen` is not copied into a `Value` here only to be parsed again.
/// Every string is decoded on the way, which also rejects text that is not
/// UTF-8 (tower-lsp-server's decoder would stop for good on it).
fn check(body: &[u8]) -> Result<(), Value> {
    let envelope: Envelope =
        serde_json::from_slice(body).map_err(|e| error(Value::Null, -32700, &format!("Parse error: {e}")))?;
    let Envelope::Object { jsonrpc, id, method, params, reply } = envelope else {
        return Err(error(Value::Null, -32600, "Invalid Request: a message is a JSON object"));
    };
    let id = id.unwrap_or(Value::Null);
    let id_ok = matches!(id, Value::Null | Value::Number(_) | Value::String(_));
    let reply_id = if id_ok { id.clone() } else { Value::Null };
    if jsonrpc != Some(json!("2.0")) {
        return Err(error(reply_id, -32600, "Invalid Request: \"jsonrpc\" must be \"2.0\""));
    }
    if !id_ok {
        return Err(error(Value::Null, -32600, "Invalid Request: \"id\" must be a number, a string or null"));
    }
    match method {
        Some(Kind::String) => {
            if params.is_some_and(|p| !matches!(p, Kind::Object | Kind::Array | Kind::Null)) {
                return Err(error(reply_id, -32600, "Invalid Request: \"params\" must be an object or an array"));
            }
            Ok(())
        }
        Some(_) => Err(error(reply_id, -32600, "Invalid Request: \"method\" must be a string")),
        None if reply => Ok(()),
        None => Err(error(reply_id, -32600, "Invalid Request: no \"method\"")),
    }
}

/// A JSON value's kind, read without keeping its contents.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Null,
    Other,
    String,
    Array,
    Object,
}

/// A message's top level: the members `check` looks at.
enum Envelope {
    Object { jsonrpc: Option<Value>, id: Option<Value>, method: Option<Kind>, params: Option<Kind>, reply: bool },
    NotObject,
}

/// What one visit reads: a value's kind, or, for the message's top-level
/// object, the members `check` looks at. One visitor for both, so every
/// value is read the same way at every depth.
enum Read {
    Kind(Kind),
    Envelope(Envelope),
}

struct Visitor {
    top: bool,
}

impl Visitor {
    fn scalar(&self, kind: Kind) -> Read {
        if self.top { Read::Envelope(Envelope::NotObject) } else { Read::Kind(kind) }
    }
}

impl<'de> serde::de::Visitor<'de> for Visitor {
    type Value = Read;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Read, E> {
        Ok(self.scalar(Kind::Null))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Read, E> {
        Ok(self.scalar(Kind::Other))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Read, E> {
        Ok(self.scalar(Kind::Other))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Read, E> {
        Ok(self.scalar(Kind::Other))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Read, E> {
        Ok(self.scalar(Kind::Other))
    }
    fn visit_str<E>(self, _: &str) -> Result<Read, E> {
        Ok(self.scalar(Kind::String))
    }
    // Nested values are read as `Kind`s too, not skipped with `IgnoredAny`:
    // skipping does not decode strings, and a lone surrogate (`"\ud800"`)
    // that got past here would stop tower-lsp-server's decoder for good.
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Read, A::Error> {
        while seq.next_element::<Kind>()?.is_some() {}
        Ok(self.scalar(Kind::Array))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Read, A::Error> {
        if !self.top {
            while map.next_entry::<Kind, Kind>()?.is_some() {}
            return Ok(Read::Kind(Kind::Object));
        }
        let (mut jsonrpc, mut id, mut method, mut params, mut reply) = (None, None, None, None, false);
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match &*key {
                "jsonrpc" => jsonrpc = Some(map.next_value::<Value>()?),
                "id" => id = Some(map.next_value::<Value>()?),
                "method" => method = Some(map.next_value::<Kind>()?),
                "params" => params = Some(map.next_value::<Kind>()?),
                "result" | "error" => {
                    map.next_value::<Kind>()?;
                    reply = true;
                }
                _ => {
                    map.next_value::<Kind>()?;
                }
            }
        }
        Ok(Read::Envelope(Envelope::Object { jsonrpc, id, method, params, reply }))
    }
}

impl<'de> serde::Deserialize<'de> for Kind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Kind, D::Error> {
        match d.deserialize_any(Visitor { top: false })? {
            Read::Kind(kind) => Ok(kind),
            // Only the top level reads an envelope.
            Read::Envelope(_) => Ok(Kind::Object),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Envelope {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Envelope, D::Error> {
        match d.deserialize_any(Visitor { top: true })? {
            Read::Envelope(envelope) => Ok(envelope),
            // The top level always reads an envelope.
            Read::Kind(_) => Ok(Envelope::NotObject),
        }
    }
}

/// A notification from the server as a whole frame, serialised in one go.
pub fn notification<P: serde::Serialize>(method: &str, params: &P) -> Vec<u8> {
    #[derive(serde::Serialize)]
    struct Notification<'a, P> {
        jsonrpc: &'static str,
        method: &'a str,
        params: &'a P,
    }
    let body = serde_json::to_vec(&Notification { jsonrpc: "2.0", method, params })
        .expect("LSP types serialise to JSON");
    let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    frame.extend_from_slice(&body);
    frame
}

/// A reply as a whole frame.
pub fn frame(reply: &Value) -> Vec<u8> {
    let body = reply.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// Reads the server's output frame by frame and sends each whole frame on.
pub async fn server_frames<R: AsyncRead + Unpin>(server: R, frames: mpsc::UnboundedSender<Vec<u8>>) {
    let mut server = BufReader::new(server);
    while let Some(frame) = read_frame(&mut server).await {
        if frames.send(frame).is_err() {
            return;
        }
    }
    // The server is done: an empty frame tells the writer to stop.
    let _ = frames.send(Vec::new());
}

/// Writes whole frames, from the server or the guard, to `out`.
pub async fn write_frames<W: AsyncWrite + Unpin>(mut out: W, mut frames: mpsc::UnboundedReceiver<Vec<u8>>) {
    while let Some(frame) = frames.recv().await {
        if frame.is_empty() {
            return;
        }
        if out.write_all(&frame).await.is_err() {
            return;
        }
        let _ = out.flush().await;
    }
}

/// One whole message as the server wrote it, headers included.
async fn read_frame<R: AsyncRead + Unpin>(server: &mut BufReader<R>) -> Option<Vec<u8>> {
    let mut frame = Vec::new();
    let mut len = 0;
    loop {
        let mut line = String::new();
        if server.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        frame.extend_from_slice(line.as_bytes());
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        if let Some((_, v)) = trimmed.split_once(':').filter(|(n, _)| n.eq_ignore_ascii_case("content-length")) {
            len = v.trim().parse().ok()?;
        }
    }
    let start = frame.len();
    frame.resize(start + len, 0);
    server.read_exact(&mut frame[start..]).await.ok()?;
    Some(frame)
}
