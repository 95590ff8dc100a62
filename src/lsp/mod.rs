//! `newsmark lsp`: the language server. The only module that knows LSP types.
//!
//! Ordering: every handler does its work on the shared state synchronously,
//! before its first `.await`. tower-lsp-server runs handler futures
//! concurrently but starts them in arrival order, so edits are applied in
//! order and every request sees every earlier edit. Only publishing, which
//! carries the document version, happens after an `.await`.

mod convert;
mod framing;
mod line_index;
mod memory;
mod publish;

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use newsmark::analysis::queries::{self, CompletionKind, SymbolKind as CoreSymbolKind};
use newsmark::analysis::{actions, structure};
use newsmark::analysis::{Code, DiagnosticsCache, FileId, Level, RealFs, Workspace, file_diagnostics_cached};
use newsmark::syntax::TextEdit as CoreEdit;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

use convert::Encoding;

struct State {
    ws: Workspace,
    encoding: Encoding,
    versions: HashMap<FileId, i32>,
    roots: Vec<PathBuf>,
    caps: ClientCaps,
    /// Per-block diagnostics of each open file and their serialised form,
    /// reused across keystrokes.
    diag_caches: HashMap<FileId, (DiagnosticsCache, publish::PublishCache)>,
}

/// What the client said it can do, where the server's behaviour depends on it.
#[derive(Default, Clone, Copy)]
struct ClientCaps {
    configuration: bool,
    work_done_progress: bool,
    watch_files_dynamically: bool,
}

struct Backend {
    client: Client,
    state: Arc<Mutex<State>>,
    /// Whole frames for stdout. Diagnostics are serialised straight into
    /// frames here rather than through tower-lsp-server's `Client`, which
    /// turns them into a `serde_json::Value` first: at 10 MB that is
    /// ~5,600 diagnostics per keystroke, and the detour doubled the cost.
    /// All publishes take this path, so they stay in order.
    frames: tokio::sync::mpsc::UnboundedSender<Vec<u8>>,
}

pub fn run() -> ExitCode {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(async {
        let (frames_tx, frames_rx) = tokio::sync::mpsc::unbounded_channel();
        let frames = frames_tx.clone();
        let (service, socket) = LspService::new(|client| Backend {
            client,
            frames,
            state: Arc::new(Mutex::new(State {
                ws: Workspace::new(Arc::new(RealFs)),
                encoding: Encoding::Utf16,
                versions: HashMap::new(),
                roots: Vec::new(),
                caps: ClientCaps::default(),
                diag_caches: HashMap::new(),
            })),
        });
        // stdin → guard → server → frames → stdout (see framing.rs).
        let (to_server, server_in) = tokio::io::duplex(1 << 16);
        let (server_out, from_server) = tokio::io::duplex(1 << 16);
        tokio::spawn(framing::filter_input(tokio::io::stdin(), to_server, frames_tx.clone()));
        tokio::spawn(framing::server_frames(from_server, frames_tx));
        let writer = tokio::spawn(framing::write_frames(tokio::io::stdout(), frames_rx));
        Server::new(server_in, server_out, socket).serve(service).await;
        // The server's output is closed: let the writer drain what is left.
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), writer).await;
    });
    // A blocking stdin read may still be pending; do not wait for it.
    runtime.shutdown_timeout(std::time::Duration::from_millis(50));
    ExitCode::SUCCESS
}

/// `publishDiagnostics` frames, each with its document.
type Publish = Vec<(Uri, Vec<u8>)>;

impl Backend {
    /// Runs `f` on the state; a panic becomes an error response, the state
    /// lock is recovered, and the server goes on.
    fn with<T>(&self, f: impl FnOnce(&mut State) -> Result<T>) -> Result<T> {
        let mut guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
        match catch_unwind(AssertUnwindSafe(|| f(&mut guard))) {
            Ok(r) => r,
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into());
                eprintln!("newsmark lsp: internal error in a handler: {what}");
                Err(Error { code: tower_lsp_server::jsonrpc::ErrorCode::InternalError, message: format!("internal error: {what}").into(), data: None })
            }
        }
    }

    async fn publish(&self, list: Publish) {
        for (_, frame) in list {
            // The receiver lives as long as the server's output.
            let _ = self.frames.send(frame);
        }
    }
}

/// Whether to print where a keystroke's time goes (`NEWSMARK_TIMING=1`),
/// read once: the environment is not looked up on every keystroke.
fn timing() -> bool {
    static TIMING: std::sync::LazyLock<bool> = std::sync::LazyLock::new(|| std::env::var_os("NEWSMARK_TIMING").is_some());
    *TIMING
}

/// A known document and its text: the first step of most request handlers.
fn doc_of<'s>(state: &'s State, uri: &Uri) -> Result<(FileId, &'s newsmark::syntax::Document)> {
    let id = file_of(state, uri)?;
    let file = state.ws.file(id).ok_or_else(|| Error::invalid_params(format!("unknown document: {}", uri.as_str())))?;
    Ok((id, &file.doc))
}

fn file_of(state: &State, uri: &Uri) -> Result<FileId> {
    let path = uri.to_file_path().ok_or_else(|| Error::invalid_params(format!("not a file URI: {}", uri.as_str())))?;
    state.ws.file_id(&path).ok_or_else(|| Error::invalid_params(format!("unknown document: {}", uri.as_str())))
}

/// Diagnostics for `changed` and every open file that may see it change.
fn diagnostics_for(state: &mut State, changed: FileId) -> Publish {
    let mut targets = vec![changed];
    targets.extend(state.ws.importers(changed));
    targets.extend(state.ws.visible_imports(changed).into_iter().map(|(f, _)| f));
    targets.retain(|f| state.versions.contains_key(f));
    targets.dedup();
    let mut out = Vec::new();
    for id in targets {
        let config = match state.ws.config_for(id) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("newsmark lsp: {e}");
                Arc::new(Default::default())
            }
        };
        let Some(file) = state.ws.file(id) else { continue };
        let Some(uri) = Uri::from_file_path(&file.path) else { continue };
        let (core_cache, tails) = state.diag_caches.entry(id).or_default();
        let t = std::time::Instant::now();
        let core = file_diagnostics_cached(&state.ws, id, &config, core_cache);
        let t1 = t.elapsed();
        let frame = publish::frame(&state.ws, id, &uri, state.versions.get(&id).copied(), &core, state.encoding, tails);
        if timing() {
            eprintln!("timing: core diagnostics {t1:?}, conversion and serialisation {:?}", t.elapsed() - t1);
        }
        {
            out.push((uri, frame));
        }
    }
    out
}

/// Every `*.nmk` under the roots, honouring .gitignore.
fn find_workspace_files(roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for root in roots {
        for entry in ignore::WalkBuilder::new(root).require_git(false).build().flatten() {
            let p = entry.path();
            if p.extension().is_some_and(|x| x == "nmk") && entry.file_type().is_some_and(|t| t.is_file()) {
                found.push(p.to_path_buf());
            }
        }
    }
    found.sort();
    found
}

/// Reads and lowers files off the event loop.
fn load_files(paths: Vec<PathBuf>) -> Vec<(PathBuf, newsmark::syntax::Document, newsmark::model::FileModel)> {
    paths
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            let doc = newsmark::syntax::Document::lazy(&text);
            let model = newsmark::model::FileModel::lower(&doc);
            Some((path, doc, model))
        })
        .collect()
}

/// Rule levels from the `newsmark` settings section (`{"rules": {…}}`).
fn rules_from_settings(settings: &serde_json::Value) -> Option<std::collections::BTreeMap<Code, Level>> {
    let rules = settings.get("rules")?.as_object()?;
    Some(rules.iter().filter_map(|(k, v)| Some((Code::from_name(k)?, v.as_str()?.parse::<Level>().ok()?))).collect())
}

impl Backend {
    /// Pulls the `newsmark` settings section, where the client supports it.
    async fn pull_settings(&self) {
        let supported = self.with(|s| Ok(s.caps.configuration)).unwrap_or(false);
        if !supported {
            return;
        }
        let item = ConfigurationItem { scope_uri: None, section: Some("newsmark".into()) };
        if let Ok(values) = self.client.configuration(vec![item]).await {
            if let Some(rules) = values.first().and_then(rules_from_settings) {
                let _ = self.with(|s| {
                    s.ws.overrides = rules;
                    Ok(())
                });
            }
        }
    }

    /// Indexes the workspace folders in batches, reporting progress.
    async fn index_workspace(&self) {
        let (roots, progress_ok) = self.with(|s| Ok((s.roots.clone(), s.caps.work_done_progress))).unwrap_or_default();
        let paths = tokio::task::spawn_blocking(move || find_workspace_files(&roots)).await.unwrap_or_default();
        let total = paths.len();
        let token = ProgressToken::String("newsmark/index".into());
        let progress = if progress_ok && total > 0 && self.client.create_work_done_progress(token.clone()).await.is_ok() {
            Some(self.client.progress(token, "Indexing Newsmark files").with_percentage(0).begin().await)
        } else {
            None
        };
        let mut done = 0;
        for batch in paths.chunks(64) {
            let batch: Vec<PathBuf> = batch.to_vec();
            let n = batch.len();
            let loaded = tokio::task::spawn_blocking(move || load_files(batch)).await.unwrap_or_default();
            let _ = self.with(|s| {
                // An open buffer is newer than the disk: keep it.
                let fresh: Vec<_> = loaded
                    .into_iter()
                    .filter(|(p, _, _)| s.ws.file_id(p).is_none_or(|id| !s.versions.contains_key(&id)))
                    .collect();
                s.ws.insert_all(fresh, true);
                Ok(())
            });
            done += n;
            if let Some(p) = &progress {
                p.report_with_message(format!("{done}/{total} files"), (done * 100 / total.max(1)) as u32).await;
            }
        }
        if let Some(p) = progress {
            p.finish_with_message(format!("{total} files indexed")).await;
        }
        self.client.log_message(MessageType::INFO, format!("newsmark: indexed {total} files")).await;
    }

    /// Diagnostics of every open file.
    fn all_open_diagnostics(state: &mut State) -> Publish {
        let open: Vec<FileId> = state.versions.keys().copied().collect();
        let mut seen = std::collections::HashSet::new();
        open.into_iter()
            .flat_map(|id| diagnostics_for(state, id))
            .filter(|(uri, _)| seen.insert(uri.clone()))
            .collect()
    }

    /// Registers file watching for `.nmk` files and configs, where supported.
    async fn watch_files(&self) {
        let supported = self.with(|s| Ok(s.caps.watch_files_dynamically)).unwrap_or(false);
        if !supported {
            return;
        }
        let watchers = ["**/*.nmk", "**/newsmark.toml"]
            .into_iter()
            .map(|g| FileSystemWatcher { glob_pattern: GlobPattern::String(g.into()), kind: None })
            .collect();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let registration = Registration {
            id: "newsmark-watch".into(),
            method: "workspace/didChangeWatchedFiles".into(),
            register_options: serde_json::to_value(options).ok(),
        };
        if let Err(e) = self.client.register_capability(vec![registration]).await {
            self.client.log_message(MessageType::WARNING, format!("newsmark: file watching not registered: {e}")).await;
        }
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        self.with(|state| {
            state.encoding = Encoding::negotiate(&params);
            #[allow(deprecated)]
            let mut roots: Vec<PathBuf> = params
                .workspace_folders
                .iter()
                .flatten()
                .filter_map(|f| f.uri.to_file_path().map(|p| p.into_owned()))
                .collect();
            #[allow(deprecated)]
            if roots.is_empty() {
                roots.extend(params.root_uri.as_ref().and_then(|u| u.to_file_path()).map(|p| p.into_owned()));
            }
            state.roots = roots;
            let caps = &params.capabilities;
            state.caps = ClientCaps {
                configuration: caps.workspace.as_ref().and_then(|w| w.configuration).unwrap_or(false),
                work_done_progress: caps.window.as_ref().and_then(|w| w.work_done_progress).unwrap_or(false),
                watch_files_dynamically: caps
                    .workspace
                    .as_ref()
                    .and_then(|w| w.did_change_watched_files.as_ref())
                    .and_then(|d| d.dynamic_registration)
                    .unwrap_or(false),
            };
            Ok(InitializeResult {
                capabilities: ServerCapabilities {
                    position_encoding: Some(state.encoding.kind()),
                    text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::INCREMENTAL)),
                    hover_provider: Some(HoverProviderCapability::Simple(true)),
                    definition_provider: Some(OneOf::Left(true)),
                    references_provider: Some(OneOf::Left(true)),
                    rename_provider: Some(OneOf::Right(RenameOptions { prepare_provider: Some(true), work_done_progress_options: Default::default() })),
                    completion_provider: Some(CompletionOptions {
                        trigger_characters: Some(vec!["@".into(), "^".into(), "!".into()]),
                        ..Default::default()
                    }),
                    document_symbol_provider: Some(OneOf::Left(true)),
                    workspace_symbol_provider: Some(OneOf::Left(true)),
                    code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                        code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                        ..Default::default()
                    })),
                    semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(SemanticTokensOptions {
                        legend: convert::semantic_legend(),
                        full: Some(SemanticTokensFullOptions::Bool(true)),
                        range: None,
                        work_done_progress_options: Default::default(),
                    })),
                    folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
                    document_link_provider: Some(DocumentLinkOptions { resolve_provider: Some(false), work_done_progress_options: Default::default() }),
                    ..Default::default()
                },
                server_info: Some(ServerInfo { name: "newsmark".into(), version: Some(env!("CARGO_PKG_VERSION").into()) }),
                offset_encoding: None,
            })
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        self.pull_settings().await;
        self.watch_files().await;
        self.index_workspace().await;
        // Imports may resolve now, and settings may have changed levels.
        if let Ok(p) = self.with(|s| Ok(Self::all_open_diagnostics(s))) {
            self.publish(p).await;
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let publish = self.with(|state| {
            for change in &params.changes {
                let Some(path) = change.uri.to_file_path().map(|p| p.into_owned()) else { continue };
                if Workspace::is_config_file(&path) {
                    state.ws.invalidate_configs();
                    continue;
                }
                if path.extension().is_none_or(|x| x != "nmk") {
                    continue;
                }
                // The editor's buffer wins over the disk while it is open.
                if state.ws.file_id(&path).is_some_and(|id| state.versions.contains_key(&id)) {
                    continue;
                }
                if change.typ == FileChangeType::DELETED {
                    state.ws.remove(&path);
                } else if let Ok(text) = std::fs::read_to_string(&path) {
                    state.ws.set_text(&path, &text, true);
                }
            }
            state.ws.load_imports();
            Ok(Self::all_open_diagnostics(state))
        });
        if let Ok(p) = publish {
            self.publish(p).await;
        }
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let large = doc.text.len() > memory::LARGE;
        let publish = self.with(|state| {
            let Some(path) = doc.uri.to_file_path().map(|p| p.into_owned()) else { return Ok(Vec::new()) };
            let id = state.ws.set_text(&path, &doc.text, true);
            state.ws.load_imports();
            state.versions.insert(id, doc.version);
            Ok(diagnostics_for(state, id))
        });
        drop(doc);
        if large {
            memory::release_freed();
        }
        if let Ok(p) = publish {
            self.publish(p).await;
        }
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let t0 = std::time::Instant::now();
        let publish = self.with(|state| {
            let id = file_of(state, &params.text_document.uri)?;
            // Versions only move forward: a stale change is dropped.
            if state.versions.get(&id).is_some_and(|v| *v >= params.text_document.version) {
                return Ok(Vec::new());
            }
            for change in &params.content_changes {
                match change.range {
                    Some(range) => {
                        let file = state.ws.file(id).expect("file_of found it");
                        let r = convert::to_range(&file.doc, range, state.encoding);
                        state.ws.edit(id, &[CoreEdit { range: r, text: change.text.clone() }]);
                    }
                    None => state.ws.replace_text(id, &change.text),
                }
            }
            state.versions.insert(id, params.text_document.version);
            let t1 = std::time::Instant::now();
            state.ws.load_imports();
            let p = diagnostics_for(state, id);
            if timing() {
                eprintln!("timing: edit {:?} diagnostics {:?}", t1.duration_since(t0), t1.elapsed());
            }
            Ok(p)
        });
        let t2 = std::time::Instant::now();
        if let Ok(p) = publish {
            self.publish(p).await;
        }
        if timing() {
            eprintln!("timing: publish {:?}", t2.elapsed());
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let _ = self.with(|state| {
            let id = file_of(state, &uri)?;
            state.versions.remove(&id);
            state.diag_caches.remove(&id);
            // Back to what is on disk, which other files still see.
            if let Some(path) = uri.to_file_path() {
                match std::fs::read_to_string(&path) {
                    Ok(text) => state.ws.replace_text(id, &text),
                    Err(_) => {
                        state.ws.remove(&path);
                    }
                }
            }
            Ok(())
        });
        let params = PublishDiagnosticsParams { uri: uri.clone(), diagnostics: Vec::new(), version: None };
        self.publish(vec![(uri, framing::notification("textDocument/publishDiagnostics", &params))]).await;
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        // Pushed settings (`{"newsmark": {"rules": …}}`) or, when the client
        // only signals a change, pulled ones.
        let pushed = params.settings.get("newsmark").and_then(rules_from_settings).or_else(|| rules_from_settings(&params.settings));
        match pushed {
            Some(rules) => {
                let _ = self.with(|s| {
                    s.ws.overrides = rules;
                    Ok(())
                });
            }
            None => self.pull_settings().await,
        }
        let publish = self.with(|state| Ok(Self::all_open_diagnostics(state)));
        if let Ok(p) = publish {
            self.publish(p).await;
        }
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let p = params.text_document_position_params;
        self.with(|state| {
            let (id, doc) = doc_of(state, &p.text_document.uri)?;
            let offset = convert::to_offset(doc, p.position, state.encoding);
            Ok(queries::hover_at(&state.ws, id, offset).map(|(range, text)| Hover {
                contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: text }),
                range: Some(convert::to_lsp_range(doc, &range, state.encoding)),
            }))
        })
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        let p = params.text_document_position_params;
        self.with(|state| {
            let (id, doc) = doc_of(state, &p.text_document.uri)?;
            let offset = convert::to_offset(doc, p.position, state.encoding);
            Ok(queries::definition_at(&state.ws, id, offset)
                .and_then(|loc| convert::location(&state.ws, &loc, state.encoding))
                .map(GotoDefinitionResponse::Scalar))
        })
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let p = params.text_document_position;
        self.with(|state| {
            let (id, doc) = doc_of(state, &p.text_document.uri)?;
            let offset = convert::to_offset(doc, p.position, state.encoding);
            let locs = queries::references_at(&state.ws, id, offset, params.context.include_declaration);
            Ok(Some(locs.iter().filter_map(|l| convert::location(&state.ws, l, state.encoding)).collect()))
        })
    }

    async fn prepare_rename(&self, params: TextDocumentPositionParams) -> Result<Option<PrepareRenameResponse>> {
        self.with(|state| {
            let (id, doc) = doc_of(state, &params.text_document.uri)?;
            let offset = convert::to_offset(doc, params.position, state.encoding);
            Ok(queries::prepare_rename(&state.ws, id, offset).map(|(range, placeholder)| {
                PrepareRenameResponse::RangeWithPlaceholder { range: convert::to_lsp_range(doc, &range, state.encoding), placeholder }
            }))
        })
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let p = params.text_document_position;
        self.with(|state| {
            let (id, doc) = doc_of(state, &p.text_document.uri)?;
            let offset = convert::to_offset(doc, p.position, state.encoding);
            let locs = queries::rename_at(&state.ws, id, offset, &params.new_name).map_err(Error::invalid_params)?;
            let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
            let new = params.new_name.trim_start_matches(['@', '^']).to_string();
            for loc in locs {
                if let Some(l) = convert::location(&state.ws, &loc, state.encoding) {
                    changes.entry(l.uri).or_default().push(TextEdit { range: l.range, new_text: new.clone() });
                }
            }
            Ok(Some(WorkspaceEdit { changes: Some(changes), ..Default::default() }))
        })
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let p = params.text_document_position;
        self.with(|state| {
            let id = file_of(state, &p.text_document.uri)?;
            let config = state.ws.config_for(id).unwrap_or_default();
            let (_, doc) = doc_of(state, &p.text_document.uri)?;
            let offset = convert::to_offset(doc, p.position, state.encoding);
            let items = queries::completions_at(&state.ws, id, offset, &config)
                .into_iter()
                .map(|c| CompletionItem {
                    label: c.label.clone(),
                    detail: Some(c.detail),
                    kind: Some(match c.kind {
                        CompletionKind::Party => CompletionItemKind::VARIABLE,
                        CompletionKind::Source => CompletionItemKind::REFERENCE,
                        CompletionKind::Status => CompletionItemKind::ENUM_MEMBER,
                        CompletionKind::Property => CompletionItemKind::PROPERTY,
                    }),
                    text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                        range: convert::to_lsp_range(doc, &c.replace, state.encoding),
                        new_text: c.label,
                    })),
                    ..Default::default()
                })
                .collect();
            Ok(Some(CompletionResponse::Array(items)))
        })
    }

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        self.with(|state| {
            let (id, doc) = doc_of(state, &params.text_document.uri)?;
            #[allow(deprecated)]
            let symbols = queries::document_symbols(&state.ws, id)
                .into_iter()
                .map(|s| DocumentSymbol {
                    name: if s.name.is_empty() { "(empty)".into() } else { s.name },
                    detail: s.detail,
                    kind: symbol_kind(&s.kind),
                    tags: None,
                    deprecated: None,
                    range: convert::to_lsp_range(doc, &s.range, state.encoding),
                    selection_range: convert::to_lsp_range(doc, &s.selection, state.encoding),
                    children: None,
                })
                .collect();
            Ok(Some(DocumentSymbolResponse::Nested(symbols)))
        })
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        self.with(|state| {
            let id = file_of(state, &params.text_document.uri)?;
            let config = state.ws.config_for(id).unwrap_or_default();
            let enc = state.encoding;
            let (_, doc) = doc_of(state, &params.text_document.uri)?;
            let ws = &state.ws;
            let range = convert::to_range(doc, params.range, enc);
            let actions = actions::code_actions(ws, id, range, &config)
                .into_iter()
                .map(|a| {
                    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
                    for e in &a.edits {
                        let Some(file) = ws.file(e.file) else { continue };
                        let Some(uri) = Uri::from_file_path(&file.path) else { continue };
                        changes.entry(uri).or_default().push(TextEdit { range: convert::to_lsp_range(&file.doc, &e.range, enc), new_text: e.text.clone() });
                    }
                    CodeActionOrCommand::CodeAction(CodeAction {
                        title: a.title,
                        kind: Some(CodeActionKind::QUICKFIX),
                        diagnostics: Some(vec![convert::diagnostic(ws, id, &a.diagnostic, enc)]),
                        edit: Some(WorkspaceEdit { changes: Some(changes), ..Default::default() }),
                        is_preferred: a.preferred.then_some(true),
                        ..Default::default()
                    })
                })
                .collect();
            Ok(Some(actions))
        })
    }

    async fn semantic_tokens_full(&self, params: SemanticTokensParams) -> Result<Option<SemanticTokensResult>> {
        self.with(|state| {
            let (id, doc) = doc_of(state, &params.text_document.uri)?;
            let tokens = structure::semantic_tokens(&state.ws, id);
            Ok(Some(SemanticTokensResult::Tokens(SemanticTokens { result_id: None, data: convert::semantic_tokens(doc, &tokens, state.encoding) })))
        })
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        self.with(|state| {
            let (id, doc) = doc_of(state, &params.text_document.uri)?;
            Ok(Some(
                structure::folding_ranges(&state.ws, id)
                    .into_iter()
                    .map(|(r, kind)| FoldingRange {
                        start_line: doc.rope().byte_to_line(r.start) as u32,
                        end_line: doc.rope().byte_to_line(r.end) as u32,
                        kind: Some(match kind {
                            structure::FoldKind::Comment => FoldingRangeKind::Comment,
                            structure::FoldKind::FrontMatter => FoldingRangeKind::Imports,
                            structure::FoldKind::Region => FoldingRangeKind::Region,
                        }),
                        ..Default::default()
                    })
                    .collect(),
            ))
        })
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        self.with(|state| {
            let (id, doc) = doc_of(state, &params.text_document.uri)?;
            Ok(Some(
                structure::document_links(&state.ws, id)
                    .into_iter()
                    .filter_map(|(r, target)| {
                        let target = match target {
                            structure::LinkTarget::Url(u) => u.parse::<Uri>().ok()?,
                            structure::LinkTarget::File(f) => Uri::from_file_path(&state.ws.file(f)?.path)?,
                        };
                        Some(DocumentLink { range: convert::to_lsp_range(doc, &r, state.encoding), target: Some(target), tooltip: None, data: None })
                    })
                    .collect(),
            ))
        })
    }

    async fn symbol(&self, params: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
        self.with(|state| {
            #[allow(deprecated)]
            let symbols = queries::workspace_symbols(&state.ws, &params.query)
                .into_iter()
                .filter_map(|(file, s)| {
                    let loc = convert::location(&state.ws, &queries::Location { file, range: s.selection.clone() }, state.encoding)?;
                    Some(SymbolInformation { name: s.name, kind: symbol_kind(&s.kind), tags: None, deprecated: None, location: loc, container_name: s.detail })
                })
                .collect();
            Ok(Some(WorkspaceSymbolResponse::Flat(symbols)))
        })
    }
}

fn symbol_kind(k: &CoreSymbolKind) -> SymbolKind {
    match k {
        CoreSymbolKind::Heading => SymbolKind::NAMESPACE,
        CoreSymbolKind::Party => SymbolKind::CLASS,
        CoreSymbolKind::Source => SymbolKind::FILE,
        CoreSymbolKind::Claim => SymbolKind::STRING,
    }
}
