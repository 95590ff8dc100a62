//! `newsmark lsp`: the language server. The only module that knows LSP types.
//!
//! Ordering: every handler does its work on the shared state synchronously,
//! before its first `.await`. tower-lsp-server runs handler futures
//! concurrently but starts them in arrival order, so edits are applied in
//! order and every request sees every earlier edit. Only publishing, which
//! carries the document version, happens after an `.await`.

mod convert;
mod framing;

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use newsmark::analysis::queries::{self, CompletionKind, SymbolKind as CoreSymbolKind};
use newsmark::analysis::{Code, FileId, Level, RealFs, Workspace, file_diagnostics};
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
}

struct Backend {
    client: Client,
    state: Arc<Mutex<State>>,
}

pub fn run() -> ExitCode {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(async {
        let (service, socket) = LspService::new(|client| Backend {
            client,
            state: Arc::new(Mutex::new(State {
                ws: Workspace::new(Arc::new(RealFs)),
                encoding: Encoding::Utf16,
                versions: HashMap::new(),
                roots: Vec::new(),
            })),
        });
        // stdin → guard → server → frames → stdout (see framing.rs).
        let (to_server, server_in) = tokio::io::duplex(1 << 16);
        let (server_out, from_server) = tokio::io::duplex(1 << 16);
        let (frames_tx, frames_rx) = tokio::sync::mpsc::unbounded_channel();
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

type Publish = Vec<(Uri, Vec<Diagnostic>, Option<i32>)>;

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
        for (uri, diags, version) in list {
            self.client.publish_diagnostics(uri, diags, version).await;
        }
    }
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
        let diags = file_diagnostics(&state.ws, id, &config)
            .iter()
            .map(|d| convert::diagnostic(&state.ws, id, d, state.encoding))
            .collect();
        if let Some(uri) = Uri::from_file_path(&file.path) {
            out.push((uri, diags, state.versions.get(&id).copied()));
        }
    }
    out
}

fn index_roots(state: &mut State) {
    let mut found = Vec::new();
    for root in &state.roots {
        for entry in ignore::WalkBuilder::new(root).require_git(false).build().flatten() {
            let p = entry.path();
            if p.extension().is_some_and(|x| x == "nmk") && p.is_file() {
                found.push(p.to_path_buf());
            }
        }
    }
    for path in found {
        if state.ws.file_id(&path).is_none() {
            if let Ok(text) = std::fs::read_to_string(&path) {
                let id = state.ws.set_text(&path, &text, true);
                state.ws.set_checked(id, true);
            }
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
                    ..Default::default()
                },
                server_info: Some(ServerInfo { name: "newsmark".into(), version: Some(env!("CARGO_PKG_VERSION").into()) }),
                offset_encoding: None,
            })
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let _ = self.with(|state| {
            index_roots(state);
            Ok(())
        });
        self.client.log_message(MessageType::INFO, "newsmark: workspace indexed").await;
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let publish = self.with(|state| {
            let Some(path) = doc.uri.to_file_path().map(|p| p.into_owned()) else { return Ok(Vec::new()) };
            let id = state.ws.set_text(&path, &doc.text, true);
            state.ws.load_imports();
            state.versions.insert(id, doc.version);
            Ok(diagnostics_for(state, id))
        });
        if let Ok(p) = publish {
            self.publish(p).await;
        }
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
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
            state.ws.load_imports();
            Ok(diagnostics_for(state, id))
        });
        if let Ok(p) = publish {
            self.publish(p).await;
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let _ = self.with(|state| {
            let id = file_of(state, &uri)?;
            state.versions.remove(&id);
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
        self.client.publish_diagnostics(uri, Vec::new(), None).await;
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let publish = self.with(|state| {
            if let Some(rules) = params.settings.get("newsmark").and_then(|n| n.get("rules")).or_else(|| params.settings.get("rules")) {
                state.ws.overrides = rules
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter_map(|(k, v)| Some((Code::from_name(k)?, v.as_str()?.parse::<Level>().ok()?)))
                    .collect();
            }
            let open: Vec<FileId> = state.versions.keys().copied().collect();
            Ok(open.into_iter().flat_map(|id| diagnostics_for(state, id)).collect::<Publish>())
        });
        if let Ok(p) = publish {
            self.publish(p).await;
        }
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let p = params.text_document_position_params;
        self.with(|state| {
            let id = file_of(state, &p.text_document.uri)?;
            let doc = &state.ws.file(id).expect("known").doc;
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
            let id = file_of(state, &p.text_document.uri)?;
            let offset = convert::to_offset(&state.ws.file(id).expect("known").doc, p.position, state.encoding);
            Ok(queries::definition_at(&state.ws, id, offset)
                .and_then(|loc| convert::location(&state.ws, &loc, state.encoding))
                .map(GotoDefinitionResponse::Scalar))
        })
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let p = params.text_document_position;
        self.with(|state| {
            let id = file_of(state, &p.text_document.uri)?;
            let offset = convert::to_offset(&state.ws.file(id).expect("known").doc, p.position, state.encoding);
            let locs = queries::references_at(&state.ws, id, offset, params.context.include_declaration);
            Ok(Some(locs.iter().filter_map(|l| convert::location(&state.ws, l, state.encoding)).collect()))
        })
    }

    async fn prepare_rename(&self, params: TextDocumentPositionParams) -> Result<Option<PrepareRenameResponse>> {
        self.with(|state| {
            let id = file_of(state, &params.text_document.uri)?;
            let doc = &state.ws.file(id).expect("known").doc;
            let offset = convert::to_offset(doc, params.position, state.encoding);
            Ok(queries::prepare_rename(&state.ws, id, offset).map(|(range, placeholder)| {
                PrepareRenameResponse::RangeWithPlaceholder { range: convert::to_lsp_range(doc, &range, state.encoding), placeholder }
            }))
        })
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let p = params.text_document_position;
        self.with(|state| {
            let id = file_of(state, &p.text_document.uri)?;
            let offset = convert::to_offset(&state.ws.file(id).expect("known").doc, p.position, state.encoding);
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
            let doc = &state.ws.file(id).expect("known").doc;
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
            let id = file_of(state, &params.text_document.uri)?;
            let doc = &state.ws.file(id).expect("known").doc;
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
