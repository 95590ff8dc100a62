//! Queries the editor asks, answered in core types and byte offsets.

use crate::model::{BlockKind, Definition, RefContext, RefKind, Span, claim_text, is_identifier};

use super::config::Config;
use super::diagnostics::{FRONT_MATTER_KEYS, PARTY_PROPERTIES, SOURCE_PROPERTIES};
use super::scope::{DefLoc, Scope};
use super::workspace::{FileId, Workspace};

/// What stands at an offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// `@id` / `^id` (in text, an attribution, a labelled mark or `by:`).
    Reference { kind: RefKind, id: String, range: Span },
    /// The id of a `[@id]:` / `[^id]:` definition.
    Definition { kind: RefKind, id: String, range: Span },
    /// A claim: block index and claim index.
    Claim { block: usize, claim: usize, range: Span },
    /// A `use:` path.
    Import { index: usize, range: Span },
}

impl Item {
    pub fn range(&self) -> &Span {
        match self {
            Item::Reference { range, .. } | Item::Definition { range, .. } | Item::Claim { range, .. } | Item::Import { range, .. } => range,
        }
    }

    fn symbol(&self) -> Option<(RefKind, &str)> {
        match self {
            Item::Reference { kind, id, .. } | Item::Definition { kind, id, .. } => Some((*kind, id)),
            _ => None,
        }
    }
}

pub fn item_at(ws: &Workspace, file: FileId, offset: usize) -> Option<Item> {
    let f = ws.file(file)?;
    for (index, import) in f.imports.iter().enumerate() {
        if import.item.range.start <= offset && offset <= import.item.range.end {
            return Some(Item::Import { index, range: import.item.range.clone() });
        }
    }
    let block = f.model.block_at(offset)?;
    let b = block.block;
    let inside = |r: &Span| {
        let r = block.abs(r);
        r.start <= offset && offset <= r.end
    };
    if let Some(r) = b.references.iter().find(|r| inside(&r.range)) {
        return Some(Item::Reference { kind: r.kind, id: r.id.to_string(), range: block.abs(&r.range) });
    }
    if let Some(d) = &b.definition {
        if inside(&d.header) {
            return Some(Item::Definition { kind: d.kind, id: d.id.to_string(), range: block.abs(&d.id_range) });
        }
    }
    // The innermost claim: the last one that contains the offset.
    b.claims
        .iter()
        .enumerate()
        .filter(|(_, c)| inside(&c.range))
        .last()
        .map(|(i, c)| Item::Claim { block: block.index, claim: i, range: block.abs(&c.range) })
}

/// Where the reference or definition at `offset` is defined.
pub fn definition_at(ws: &Workspace, file: FileId, offset: usize) -> Option<Location> {
    match item_at(ws, file, offset)? {
        Item::Import { index, .. } => {
            let target = ws.file(file)?.imports.get(index)?.target?;
            Some(Location { file: target, range: 0..0 })
        }
        item => {
            let (kind, id) = item.symbol()?;
            let def = Scope::build(ws, file).lookup(kind, id)?;
            Some(Location { file: def.file, range: def.abs(&def.def.id_range) })
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: FileId,
    pub range: Span,
}

/// Every place that names the party or source at `offset`: its definition
/// (when `include_definition`) and every reference in the files that see it.
pub fn references_at(ws: &Workspace, file: FileId, offset: usize, include_definition: bool) -> Vec<Location> {
    let Some(item) = item_at(ws, file, offset) else { return Vec::new() };
    let Some((kind, id)) = item.symbol() else { return Vec::new() };
    let def = Scope::build(ws, file).lookup(kind, id);
    // The files that see the definition: its file and its importers. An
    // undefined id: the files that see this one's definitions.
    let home = def.map_or(file, |d| d.file);
    let mut files = vec![home];
    files.extend(ws.importers(home));
    let mut out = Vec::new();
    if let (Some(d), true) = (def, include_definition) {
        out.push(Location { file: d.file, range: d.abs(&d.def.id_range) });
    }
    for f in files {
        let Some(source) = ws.file(f) else { continue };
        for block in source.model.blocks() {
            for r in &block.block.references {
                if r.kind == kind && &*r.id == id {
                    out.push(Location { file: f, range: block.abs(&r.range) });
                }
            }
        }
    }
    out
}

/// The edits that rename the party or source at `offset` to `new_id`,
/// across the workspace: definition ids and every reference's id.
pub fn rename_at(ws: &Workspace, file: FileId, offset: usize, new_id: &str) -> Result<Vec<Location>, String> {
    let new_id = new_id.trim_start_matches(['@', '^']);
    if !is_identifier(new_id) {
        return Err(format!(
            "`{new_id}` is not a valid id: use a letter, then letters, digits, `_` or `-`, not ending in `-`"
        ));
    }
    let item = item_at(ws, file, offset).ok_or("nothing to rename here: place the cursor on a party or source")?;
    if item.symbol().is_none() {
        return Err("only party and source ids can be renamed".to_string());
    }
    let mut edits = Vec::new();
    for loc in references_at(ws, file, offset, true) {
        // A reference range holds the sigil; a definition range is the id.
        let text = ws.file(loc.file).map(|f| f.doc.rope().byte_slice(loc.range.clone()).to_string()).unwrap_or_default();
        let start = if text.starts_with(['@', '^']) { loc.range.start + 1 } else { loc.range.start };
        edits.push(Location { file: loc.file, range: start..loc.range.end });
    }
    Ok(edits)
}

/// The range and id that a rename at `offset` would change.
pub fn prepare_rename(ws: &Workspace, file: FileId, offset: usize) -> Option<(Span, String)> {
    match item_at(ws, file, offset)? {
        Item::Reference { id, range, .. } => Some((range.start + 1..range.end, id)),
        Item::Definition { id, range, .. } => Some((range, id)),
        _ => None,
    }
}

/// A hover card in Markdown.
pub fn hover_at(ws: &Workspace, file: FileId, offset: usize) -> Option<(Span, String)> {
    let item = item_at(ws, file, offset)?;
    let scope = Scope::build(ws, file);
    let text = match &item {
        Item::Reference { kind, id, .. } | Item::Definition { kind, id, .. } => match scope.lookup(*kind, id) {
            Some(def) => card(ws, &scope, def),
            None => format!("{} `{}{id}` is not defined", kind.noun(), kind.sigil()),
        },
        Item::Claim { block, claim, .. } => claim_card(ws, file, &scope, *block, *claim)?,
        Item::Import { index, .. } => {
            let import = ws.file(file)?.imports.get(*index)?;
            match import.target {
                Some(t) => {
                    let n = ws.file(t).map_or(0, |f| f.model.definitions().count());
                    format!("`{}` — {n} definitions", import.path.display())
                }
                None => format!("`{}` does not exist", import.path.display()),
            }
        }
    };
    Some((item.range().clone(), text))
}

fn card(ws: &Workspace, scope: &Scope<'_>, def: DefLoc<'_>) -> String {
    let d: &Definition = def.def;
    let title = if d.name.is_empty() { format!("{}{}", d.kind.sigil(), d.id) } else { d.name.clone() };
    let mut s = format!("**{title}**");
    match d.kind {
        RefKind::Party => {
            if let Some(role) = d.property_value("role") {
                s.push_str(&format!(" — {role}"));
            }
            s.push_str(&format!("\n\n`@{}`", d.id));
            if let Some(kind) = d.property_value("kind") {
                s.push_str(&format!(" · {kind}"));
            }
            if let Some(aka) = d.property_value("aka") {
                s.push_str(&format!("\n\nAlso known as: {aka}"));
            }
            if let Some(q) = d.property_value("wikidata") {
                s.push_str(&format!("\n\nWikidata: [{q}](https://www.wikidata.org/wiki/{q})"));
            }
            let (claims, unsourced) = party_claims(ws, scope, &d.id);
            s.push_str(&format!("\n\nMakes {claims} claim{} in the workspace; {unsourced} unsourced", if claims == 1 { "" } else { "s" }));
        }
        RefKind::Source => {
            s.push_str(&format!("\n\n`^{}`", d.id));
            if let Some(kind) = d.property_value("kind") {
                s.push_str(&format!(" · {kind}"));
            }
            if let Some(date) = d.property_value("date") {
                s.push_str(&format!(" · {date}"));
            }
            if let Some(by) = d.property_value("by") {
                let publisher = by
                    .strip_prefix('@')
                    .and_then(|id| scope.lookup(RefKind::Party, id))
                    .map_or(by.to_string(), |p| p.def.name.clone());
                s.push_str(&format!("\n\nPublished by: {publisher}"));
            }
            if let Some(url) = d.property_value("url") {
                s.push_str(&format!("\n\n<{url}>"));
            }
            let (count, citing) = citing_claims(ws, scope, &d.id, 5);
            s.push_str(&format!("\n\nCited by {count} claim{}", if count == 1 { "" } else { "s" }));
            for text in &citing {
                s.push_str(&format!("\n- {}", ellipsize(text, 80)));
            }
        }
    }
    if let Some(note) = d.property_value("note") {
        s.push_str(&format!("\n\n_{note}_"));
    }
    s
}

/// Files that see the definitions `scope` sees (itself and its importers).
fn audience(ws: &Workspace, scope: &Scope<'_>) -> Vec<FileId> {
    let mut files = vec![scope.file];
    files.extend(ws.importers(scope.file));
    files
}

/// (claims the party asserts, of which unsourced) across its audience.
fn party_claims(ws: &Workspace, scope: &Scope<'_>, id: &str) -> (usize, usize) {
    audience(ws, scope).into_iter().filter_map(|f| ws.file(f)).fold((0, 0), |(all, unsourced), file| {
        let s = file.model.id_stats(RefKind::Party, id);
        (all + s.claims_asserted as usize, unsourced + s.claims_unsourced as usize)
    })
}

/// How many claims cite source `id` across its audience, and the text of
/// the first `n`.
fn citing_claims(ws: &Workspace, scope: &Scope<'_>, id: &str, n: usize) -> (usize, Vec<String>) {
    let files: Vec<_> = audience(ws, scope).into_iter().filter_map(|f| ws.file(f)).collect();
    let count = files.iter().map(|f| f.model.id_stats(RefKind::Source, id).claims_citing as usize).sum();
    let mut texts = Vec::new();
    'files: for file in files.into_iter().filter(|f| f.model.id_stats(RefKind::Source, id).claims_citing > 0) {
        for block in file.model.blocks() {
            let b = block.block;
            for (i, c) in b.claims.iter().enumerate() {
                if texts.len() == n {
                    break 'files;
                }
                if b.claim_references(i).any(|r| r.kind == RefKind::Source && &*r.id == id) {
                    texts.push(claim_text(&file.doc, block, c));
                }
            }
        }
    }
    (count, texts)
}

fn claim_card(ws: &Workspace, file: FileId, scope: &Scope<'_>, block: usize, claim: usize) -> Option<String> {
    let f = ws.file(file)?;
    let block = f.model.block(block)?;
    let b = block.block;
    let c = b.claims.get(claim)?;
    let name = |kind: RefKind, id: &str| {
        scope.lookup(kind, id).map(|d| d.def.name.clone()).filter(|n| !n.is_empty()).unwrap_or_else(|| format!("{}{id}", kind.sigil()))
    };
    let by: Vec<String> = b
        .claim_references(claim)
        .filter(|r| r.kind == RefKind::Party && r.context == RefContext::Attribution)
        .map(|r| name(RefKind::Party, &r.id))
        .collect();
    let sources: Vec<String> = b.claim_references(claim).filter(|r| r.kind == RefKind::Source).map(|r| name(RefKind::Source, &r.id)).collect();
    let statuses: Vec<String> = b.claim_statuses(claim).map(|s| s.word.to_string()).collect();
    let mut s = format!("**Claim**: {}", ellipsize(&claim_text(&f.doc, block, c), 120));
    s.push_str(&format!("\n\nAsserted by: {}", if by.is_empty() { "—".to_string() } else { by.join(", ") }));
    s.push_str(&format!("\n\nSources: {}", if sources.is_empty() { "none (unsourced)".to_string() } else { sources.join(", ") }));
    if !statuses.is_empty() {
        s.push_str(&format!("\n\nStatus: {}", statuses.join(", ")));
    }
    Some(s)
}

fn ellipsize(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_string() } else { format!("{}…", s.chars().take(max).collect::<String>()) }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    Party,
    Source,
    Status,
    Property,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    pub label: String,
    pub detail: String,
    pub kind: CompletionKind,
    /// The text before the cursor this completion replaces.
    pub replace: Span,
}

/// Completions at `offset`: after `@`, `^` and `!`, and property keys at
/// the start of an indented line under a definition or in the front matter.
pub fn completions_at(ws: &Workspace, file: FileId, offset: usize, config: &Config) -> Vec<Completion> {
    let Some(f) = ws.file(file) else { return Vec::new() };
    let rope = f.doc.rope();
    let offset = f.doc.floor_char_boundary(offset);
    let line = rope.byte_to_line(offset);
    let line_start = rope.line_to_byte(line);
    let before: String = rope.byte_slice(line_start..offset).into();
    // The word being typed, back to a sigil or a non-id character.
    let word_len: usize = before
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
        .map(char::len_utf8)
        .sum();
    let word_start = offset - word_len;
    let sigil = before[..before.len() - word_len].chars().last();
    let scope = Scope::build(ws, file);
    let mut out = Vec::new();
    match sigil {
        Some(s @ ('@' | '^')) => {
            let kind = if s == '@' { RefKind::Party } else { RefKind::Source };
            let mut defs: Vec<_> = scope.definitions().filter(|d| d.def.kind == kind).collect();
            defs.sort_by(|a, b| a.def.id.cmp(&b.def.id));
            for d in defs {
                let detail = match kind {
                    RefKind::Party => [Some(d.def.name.as_str()), d.def.property_value("role")].into_iter().flatten().collect::<Vec<_>>().join(" — "),
                    RefKind::Source => [Some(d.def.name.as_str()), d.def.property_value("kind")].into_iter().flatten().collect::<Vec<_>>().join(" — "),
                };
                out.push(Completion {
                    label: d.def.id.to_string(),
                    detail,
                    kind: if kind == RefKind::Party { CompletionKind::Party } else { CompletionKind::Source },
                    replace: word_start..offset,
                });
            }
        }
        Some('!') => {
            for s in config.all_statuses() {
                out.push(Completion { label: s.to_string(), detail: "claim status".into(), kind: CompletionKind::Status, replace: word_start..offset });
            }
        }
        _ => {
            let indented = before.starts_with("  ") || before.starts_with('\t');
            let only_key = before.trim_start().len() == word_len;
            if !only_key {
                return out;
            }
            let block = f.model.block_at(offset);
            let keys: &[&str] = match block.map(|b| b.block.kind) {
                Some(BlockKind::FrontMatter) if !indented => FRONT_MATTER_KEYS,
                Some(BlockKind::PartyDefinition) if indented => PARTY_PROPERTIES,
                Some(BlockKind::SourceDefinition) if indented => SOURCE_PROPERTIES,
                _ => &[],
            };
            for k in keys {
                out.push(Completion { label: format!("{k}: "), detail: "property".into(), kind: CompletionKind::Property, replace: word_start..offset });
            }
        }
    }
    out
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    Heading,
    Party,
    Source,
    Claim,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    pub range: Span,
    pub selection: Span,
}

/// The outline of a file: headings, definitions and claims, in order.
pub fn document_symbols(ws: &Workspace, file: FileId) -> Vec<Symbol> {
    let Some(f) = ws.file(file) else { return Vec::new() };
    let mut out = Vec::new();
    for block in f.model.blocks() {
        let b = block.block;
        if let (BlockKind::Heading(_), Some(h)) = (b.kind, &b.heading) {
            out.push(Symbol { name: h.clone(), detail: None, kind: SymbolKind::Heading, range: block.range(), selection: block.range() });
        }
        if let Some(d) = &b.definition {
            out.push(Symbol {
                name: format!("{}{}", d.kind.sigil(), d.id),
                detail: Some(d.name.clone()),
                kind: if d.kind == RefKind::Party { SymbolKind::Party } else { SymbolKind::Source },
                range: block.range(),
                selection: block.abs(&d.id_range),
            });
        }
        for c in &b.claims {
            out.push(Symbol {
                name: ellipsize(&claim_text(&f.doc, block, c), 60),
                detail: None,
                kind: SymbolKind::Claim,
                range: block.abs(&c.range),
                selection: block.abs(&c.open),
            });
        }
    }
    out
}

/// Definitions across the workspace whose id or name contains `query`.
pub fn workspace_symbols(ws: &Workspace, query: &str) -> Vec<(FileId, Symbol)> {
    let q = query.to_lowercase();
    let mut out = Vec::new();
    for (id, f) in ws.files() {
        for (block, d) in f.model.definitions() {
            if q.is_empty() || d.id.to_lowercase().contains(&q) || d.name.to_lowercase().contains(&q) {
                out.push((
                    id,
                    Symbol {
                        name: format!("{}{}", d.kind.sigil(), d.id),
                        detail: Some(d.name.clone()),
                        kind: if d.kind == RefKind::Party { SymbolKind::Party } else { SymbolKind::Source },
                        range: block.range(),
                        selection: block.abs(&d.id_range),
                    },
                ));
            }
        }
    }
    out
}
