//! Diagnostics: every code of the language, computed for one file against
//! the definitions it sees (its own and its imports') and the files that
//! refer to it.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::model::{Block, BlockKind, BlockRef, Definition, RefContext, RefKind, Span, split_list};

use super::codes::{Code, Level, Severity};
use super::config::Config;
use super::dates::is_iso8601;
use super::scope::Scope;
use super::workspace::{FileId, Workspace};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    /// Byte range in the file.
    pub range: Span,
    /// Shared: a cached block's diagnostics are copied on every change, and
    /// the LSP layer keys its serialised form on this allocation.
    pub message: Arc<str>,
    /// A suggestion shown under the message (`did you mean @kim?`).
    pub help: Option<Arc<str>>,
    pub related: Vec<Related>,
    /// The range is dead text (an unused definition): editors fade it.
    pub unnecessary: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub file: FileId,
    pub range: Span,
    pub message: String,
}

pub const PARTY_PROPERTIES: &[&str] = &["role", "kind", "aka", "wikidata", "url", "note"];
pub const SOURCE_PROPERTIES: &[&str] = &["kind", "url", "date", "by", "reason", "note"];
pub const FRONT_MATTER_KEYS: &[&str] = &["title", "date", "byline", "outlet", "lang", "use", "allow"];
pub const PARTY_KINDS: &[&str] = &["person", "organisation", "state", "group"];
pub const SOURCE_KINDS: &[&str] =
    &["document", "interview", "statement", "media", "state-media", "wire", "social", "dataset", "anonymous", "other"];

struct Sink {
    out: Vec<Diagnostic>,
}

impl Sink {
    fn push(&mut self, code: Code, range: Span, message: String) -> &mut Diagnostic {
        self.out.push(Diagnostic {
            code,
            severity: code.default_severity(),
            range,
            message: message.into(),
            help: None,
            related: Vec::new(),
            unnecessary: false,
        });
        self.out.last_mut().expect("just pushed")
    }
}

/// All diagnostics of file `id`, sorted by position, with the config's
/// levels applied and `allow:` suppressions removed.
pub fn file_diagnostics(ws: &Workspace, id: FileId, config: &Config) -> Vec<Diagnostic> {
    diagnostics(ws, id, config, None)
}

/// Per-block diagnostics of one file, kept between calls: a block that was
/// reused after an edit (same shared `Block`) and sees the same definitions
/// and statuses has the same diagnostics, shifted to its new place.
#[derive(Default)]
pub struct DiagnosticsCache {
    fingerprint: u64,
    /// Bumped on every use; entries not seen in a use are dropped.
    generation: u64,
    /// Keyed by the block's address; the `Arc` held here keeps the address
    /// from being reused by another block while the entry exists.
    entries: HashMap<usize, CacheEntry>,
    /// A whole segment's diagnostics, relative to its start, by segment
    /// id: an edit changes one segment, and the others cost one lookup.
    segments: HashMap<u64, (Vec<Diagnostic>, u64)>,
}

struct CacheEntry {
    _block: Arc<Block>,
    diagnostics: Vec<Diagnostic>,
    seen: u64,
}

/// What block diagnostics depend on beyond the block: the definitions in
/// scope (ids and names, for messages), the statuses, the file.
fn fingerprint(scope: &Scope<'_>, config: &Config, id: FileId) -> u64 {
    let mut defs: Vec<(RefKind, &str, &str)> = scope.definitions().map(|d| (d.def.kind, &*d.def.id, d.def.name.as_str())).collect();
    defs.sort_unstable();
    let mut h = rustc_hash::FxHasher::default();
    (defs, &config.statuses, id).hash(&mut h);
    h.finish()
}

pub fn file_diagnostics_cached(ws: &Workspace, id: FileId, config: &Config, cache: &mut DiagnosticsCache) -> Vec<Diagnostic> {
    diagnostics(ws, id, config, Some(cache))
}

/// One segment's diagnostics, relative to its start, worked out in a
/// worker: the cache is only read there, and updated afterwards.
struct SegmentWork {
    diagnostics: Vec<Diagnostic>,
    /// Cache entries used (by key) and made.
    used: Vec<usize>,
    made: Vec<(usize, CacheEntry)>,
}

fn diagnostics(ws: &Workspace, id: FileId, config: &Config, mut cache: Option<&mut DiagnosticsCache>) -> Vec<Diagnostic> {
    let Some(file) = ws.file(id) else { return Vec::new() };
    let model = &file.model;
    let scope = Scope::build(ws, id);
    if let Some(cache) = cache.as_deref_mut() {
        let print = fingerprint(&scope, config, id);
        if print != cache.fingerprint {
            cache.entries.clear();
            cache.segments.clear();
            cache.fingerprint = print;
        }
        cache.generation += 1;
    }
    let mut sink = Sink { out: Vec::new() };

    for dup in &scope.duplicates {
        let d = sink.push(Code::DuplicateDefinition, dup.range.clone(), dup.message.clone());
        d.related = dup.related.clone();
    }

    // The segments the cache does not hold, worked out on every core (an
    // edit leaves one, which is worked out here).
    let segments: Vec<_> = model.segments().collect();
    let missing: Vec<usize> = match cache.as_deref() {
        Some(c) => (0..segments.len()).filter(|&k| !c.segments.contains_key(&segments[k].id)).collect(),
        None => (0..segments.len()).collect(),
    };
    let entries = cache.as_deref().map(|c| &c.entries);
    let cx = BlockContext::new(&scope, config, model);
    let work = crate::syntax::par_segments(missing.len(), |m| {
        let segment = segments[missing[m]];
        let mut work = SegmentWork { diagnostics: Vec::new(), used: Vec::new(), made: Vec::new() };
        for block in segment.blocks() {
            let key = Arc::as_ptr(block.shared) as usize;
            let by = block.start - segment.start;
            if let Some(entry) = entries.and_then(|e| e.get(&key)) {
                work.used.push(key);
                work.diagnostics.extend(entry.diagnostics.iter().map(|d| shifted(d, by, id)));
                continue;
            }
            let mut local = Sink { out: Vec::new() };
            block_diagnostics(&mut local, &cx, BlockRef { start: 0, ..block });
            if entries.is_some() {
                work.diagnostics.extend(local.out.iter().map(|d| shifted(d, by, id)));
                work.made.push((key, CacheEntry { _block: Arc::clone(block.shared), diagnostics: local.out, seen: 0 }));
            } else {
                work.diagnostics.extend(local.out.into_iter().map(|d| shifted_owned(d, by, id)));
            }
        }
        work
    });

    match cache {
        Some(cache) => {
            let generation = cache.generation;
            for (m, work) in work.into_iter().enumerate() {
                for key in work.used {
                    if let Some(e) = cache.entries.get_mut(&key) {
                        e.seen = generation;
                    }
                }
                for (key, mut entry) in work.made {
                    entry.seen = generation;
                    cache.entries.insert(key, entry);
                }
                cache.segments.insert(segments[missing[m]].id, (work.diagnostics, generation));
            }
            for segment in &segments {
                let (diags, seen) = cache.segments.get_mut(&segment.id).expect("every segment is cached by now");
                *seen = generation;
                sink.out.extend(diags.iter().map(|d| shifted(d, segment.start, id)));
            }
            // Segments that are gone, and block entries not used this time:
            // only a re-lowered segment needs its blocks' entries, and it is
            // usually the one edited last time too.
            if cache.segments.len() > segments.len() {
                cache.segments.retain(|_, (_, seen)| *seen == generation);
                cache.entries.retain(|_, e| e.seen == generation);
            }
        }
        None => {
            for (m, work) in work.into_iter().enumerate() {
                let start = segments[missing[m]].start;
                sink.out.extend(work.diagnostics.into_iter().map(|d| shifted_owned(d, start, id)));
            }
        }
    }

    imports(&mut sink, ws, id);
    unused(&mut sink, ws, id);

    let mut out = suppress_and_level(sink.out, model, config);
    out.sort_by(|a, b| (a.range.start, a.range.end, a.code).cmp(&(b.range.start, b.range.end, b.code)));
    out.dedup();
    out
}

/// A block-relative diagnostic moved to the block's place.
fn shifted(d: &Diagnostic, by: usize, file: FileId) -> Diagnostic {
    shifted_owned(d.clone(), by, file)
}

fn shifted_owned(mut d: Diagnostic, by: usize, file: FileId) -> Diagnostic {
    d.range = d.range.start + by..d.range.end + by;
    for r in &mut d.related {
        if r.file == file {
            r.range = r.range.start + by..r.range.end + by;
        }
    }
    d
}

/// What block diagnostics read besides the block, worked out once per file.
struct BlockContext<'a> {
    scope: &'a Scope<'a>,
    config: &'a Config,
    /// The ids the file refers to that the scope does not define: most
    /// files have none, and then no reference needs looking up.
    undefined: HashSet<(RefKind, &'a str)>,
    /// The help line of an unsourced claim.
    sources_help: Option<Arc<str>>,
}

impl<'a> BlockContext<'a> {
    fn new(scope: &'a Scope<'a>, config: &'a Config, model: &'a crate::model::FileModel) -> BlockContext<'a> {
        let undefined = model
            .referenced_ids()
            .filter(|(kind, id)| scope.lookup(*kind, id).is_none())
            .collect();
        let sources_help = scope.has_sources().then(|| format!("sources in scope: {}", scope.some_sources(3)).into());
        BlockContext { scope, config, undefined, sources_help }
    }
}

/// Everything one block says wrong by itself, given the scope.
fn block_diagnostics(sink: &mut Sink, cx: &BlockContext<'_>, block: BlockRef<'_>) {
    let config = cx.config;
    for e in &block.block.errors {
        sink.push(Code::Syntax, block.abs(&e.range), e.message.clone());
    }
    match block.block.kind {
        BlockKind::FrontMatter => front_matter(sink, block),
        BlockKind::PartyDefinition | BlockKind::SourceDefinition => {
            if let Some(def) = &block.block.definition {
                definition(sink, block, def);
            }
        }
        _ => {}
    }
    for item in &block.block.allow {
        unknown_rule(sink, block.abs(&item.range), &item.value);
    }
    claims(sink, cx, block);
    references(sink, cx, block);
    for s in &block.block.statuses {
        if !config.is_status(&s.word) {
            let d = sink.push(
                Code::UnknownStatus,
                block.abs(&s.range),
                format!("unknown status `!{}`: expected one of {}", s.word, config.all_statuses().collect::<Vec<_>>().join(", ")),
            );
            d.help = nearest(&s.word, config.all_statuses()).map(|w| format!("did you mean `!{w}`?")).map(Arc::from);
        }
    }
}

fn front_matter(sink: &mut Sink, block: BlockRef<'_>) {
    for f in &block.block.front_matter {
        match &*f.key {
            "date" if !f.value.is_empty() && !is_iso8601(&f.value) => {
                sink.push(
                    Code::InvalidDate,
                    block.abs(&f.value_range),
                    format!("`{}` is not an ISO 8601 date: write it as YYYY-MM-DD, e.g. 2024-06-19", f.value),
                );
            }
            "allow" => {
                for item in split_list(&f.value, f.value_range.start) {
                    unknown_rule(sink, block.abs(&item.range), &item.value);
                }
            }
            key if !FRONT_MATTER_KEYS.contains(&key) => {
                let d = sink.push(
                    Code::UnknownProperty,
                    block.abs(&f.key_range),
                    format!("unknown front-matter key `{key}`: expected one of {}", FRONT_MATTER_KEYS.join(", ")),
                );
                d.help = nearest(key, FRONT_MATTER_KEYS.iter().copied()).map(|k| format!("did you mean `{k}`?")).map(Arc::from);
            }
            _ => {}
        }
    }
}

fn unknown_rule(sink: &mut Sink, range: Span, name: &str) {
    if Code::from_name(name).is_none() {
        let d = sink.push(Code::UnknownRule, range, format!("unknown diagnostic code `{name}`"));
        d.help = nearest(name, Code::ALL.iter().map(|c| c.name())).map(|c| format!("did you mean `{c}`?")).map(Arc::from);
    }
}

fn definition(sink: &mut Sink, block: BlockRef<'_>, def: &Definition) {
    let (known, kinds, what) = match def.kind {
        RefKind::Party => (PARTY_PROPERTIES, PARTY_KINDS, "party"),
        RefKind::Source => (SOURCE_PROPERTIES, SOURCE_KINDS, "source"),
    };
    for p in &def.properties {
        if !known.contains(&&*p.key) {
            let d = sink.push(
                Code::UnknownProperty,
                block.abs(&p.key_range),
                format!("unknown {what} property `{}`: expected one of {}", p.key, known.join(", ")),
            );
            d.help = nearest(&p.key, known.iter().copied()).map(|k| format!("did you mean `{k}`?")).map(Arc::from);
            continue;
        }
        match &*p.key {
            "kind" if !p.value.is_empty() && !kinds.contains(&p.value.as_str()) => {
                let d = sink.push(
                    Code::UnknownProperty,
                    block.abs(&p.value_range),
                    format!("unknown {what} kind `{}`: expected one of {}", p.value, kinds.join(", ")),
                );
                d.help = nearest(&p.value, kinds.iter().copied()).map(|k| format!("did you mean `{k}`?")).map(Arc::from);
            }
            "date" if !p.value.is_empty() && !is_iso8601(&p.value) => {
                sink.push(
                    Code::InvalidDate,
                    block.abs(&p.value_range),
                    format!("`{}` is not an ISO 8601 date: write it as YYYY-MM-DD, e.g. 2024-06-19", p.value),
                );
            }
            "wikidata" if !p.value.is_empty() && !is_wikidata_id(&p.value) => {
                sink.push(
                    Code::UnknownProperty,
                    block.abs(&p.value_range),
                    format!("`{}` is not a Wikidata item id: write it as Q followed by digits, e.g. Q7747", p.value),
                );
            }
            _ => {}
        }
    }
    if def.kind == RefKind::Source
        && def.property_value("kind") == Some("anonymous")
        && def.property_value("reason").is_none()
    {
        let range = def.property("kind").map_or(def.id_range.clone(), |p| p.range.clone());
        sink.push(
            Code::AnonymousSource,
            block.abs(&range),
            format!("anonymous source `^{}` gives no reason for its anonymity: add a `reason:` property", def.id),
        );
    }
}

fn is_wikidata_id(s: &str) -> bool {
    s.strip_prefix('Q').is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

fn claims(sink: &mut Sink, cx: &BlockContext<'_>, block: BlockRef<'_>) {
    let scope = cx.scope;
    let b = block.block;
    for (i, claim) in b.claims.iter().enumerate() {
        if let Some(parent) = claim.parent {
            let d = sink.push(
                Code::NestedClaim,
                block.abs(&claim.range),
                "a claim cannot hold another claim: close the outer claim before this one".to_string(),
            );
            d.related.push(Related {
                file: scope.file,
                range: block.abs(&b.claims[parent].range),
                message: "the outer claim".to_string(),
            });
        }
        if claim.empty {
            sink.push(Code::EmptyClaim, block.abs(&claim.range), "empty claim: write the claim's text between the braces".to_string());
            continue;
        }
        if claim.close.is_none() {
            // Unclosed: the syntax error says so; whether it is sourced is moot.
            continue;
        }
        let sourced = b.claim_references(i).any(|r| r.kind == RefKind::Source);
        if !sourced {
            // Who asserts it (attribution), else whom it is about (text).
            let name_of = |id: &str| {
                scope
                    .lookup(RefKind::Party, id)
                    .map(|d| d.def.name.clone())
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| format!("@{id}"))
            };
            let names = |attributed: bool| {
                let mut names: Vec<String> = Vec::new();
                for r in b.claim_references(i).filter(|r| r.kind == RefKind::Party) {
                    if (r.context == RefContext::Attribution) == attributed {
                        let name = name_of(&r.id);
                        if !names.contains(&name) {
                            names.push(name);
                        }
                    }
                }
                names
            };
            let by = names(true);
            let about = names(false);
            let message = if !by.is_empty() {
                format!("claim by {} has no source: add `^source` to its attribution", join_and(&by))
            } else if !about.is_empty() {
                format!("claim about {} has no source: add `^source` to its attribution", join_and(&about))
            } else {
                "claim has no source: add a `^source` to its attribution, `{…}(^source)`".to_string()
            };
            let d = sink.push(Code::UnsourcedClaim, block.abs(&claim.range), message);
            d.help = cx.sources_help.clone();
        }
    }
}

fn references(sink: &mut Sink, cx: &BlockContext<'_>, block: BlockRef<'_>) {
    if cx.undefined.is_empty() {
        return;
    }
    let scope = cx.scope;
    for r in &block.block.references {
        if !cx.undefined.contains(&(r.kind, &*r.id)) {
            continue;
        }
        let (code, form) = match r.kind {
            RefKind::Party => (Code::UndefinedParty, format!("[@{}]: Name", r.id)),
            RefKind::Source => (Code::UndefinedSource, format!("[^{}]: Title", r.id)),
        };
        let d = sink.push(
            code,
            block.abs(&r.range),
            format!(
                "{} `{}{}` is not defined: add `{form}` to this file or to an imported cast",
                r.kind.noun(),
                r.kind.sigil(),
                r.id
            ),
        );
        d.help = nearest(&r.id, scope.ids(r.kind)).map(|id| format!("did you mean `{}{id}`?", r.kind.sigil())).map(Arc::from);
    }
}

fn imports(sink: &mut Sink, ws: &Workspace, id: FileId) {
    let Some(file) = ws.file(id) else { return };
    for import in &file.imports {
        if import.target.is_none() {
            let reason = if ws.fs().exists(&import.path) { "cannot be read" } else { "does not exist" };
            sink.push(
                Code::ImportNotFound,
                import.item.range.clone(),
                format!("imported file `{}` {reason} (looked for {})", import.item.value, import.path.display()),
            );
        }
    }
    if let Some((entry, cycle)) = ws.import_cycle(id) {
        let names: Vec<String> = cycle
            .iter()
            .map(|f| {
                ws.file(*f)
                    .and_then(|f| f.path.file_name())
                    .map_or_else(|| "?".to_string(), |n| n.to_string_lossy().into_owned())
            })
            .collect();
        let range = file.imports[entry].item.range.clone();
        sink.push(
            Code::ImportCycle,
            range,
            format!("import cycle: {}; definitions still resolve, but move shared ones to one cast file", names.join(" → ")),
        );
    }
}

/// `unused-definition`: a definition of `id` that no checked file which
/// sees it refers to.
fn unused(sink: &mut Sink, ws: &Workspace, id: FileId) {
    let Some(file) = ws.file(id) else { return };
    if file.model.definitions().next().is_none() {
        return;
    }
    let users: Vec<&crate::model::FileModel> = std::iter::once(id)
        .chain(ws.importers(id).into_iter().filter(|f| ws.file(*f).is_some_and(|f| f.checked)))
        .filter_map(|f| ws.file(f).map(|f| &f.model))
        .collect();
    for (block, def) in file.model.definitions() {
        if !users.iter().any(|m| m.is_referenced(def.kind, &def.id)) {
            let d = sink.push(
                Code::UnusedDefinition,
                block.abs(&def.header),
                format!("{} `{}{}` is defined but never referred to", def.kind.noun(), def.kind.sigil(), def.id),
            );
            d.unnecessary = true;
        }
    }
}

/// Drops what `allow:` silences and what the config turns off, and sets
/// each remaining diagnostic's configured severity.
fn suppress_and_level(diags: Vec<Diagnostic>, model: &crate::model::FileModel, config: &Config) -> Vec<Diagnostic> {
    let file_allow: HashSet<String> = model
        .front_matter_field("allow")
        .map(|f| split_list(&f.value, 0).into_iter().map(|i| i.value.to_string()).collect())
        .unwrap_or_default();
    // `%% allow:` comments silence codes in the block after them (after a
    // run of comments, the first block that is not one): its range and
    // the codes, in order.
    let mut regions: Vec<(Span, Vec<&str>)> = Vec::new();
    for comment in model.allow_comments() {
        let target = (comment.index + 1..).map_while(|i| model.block(i)).find(|b| b.block.kind != BlockKind::Comment);
        let Some(target) = target else { continue };
        let codes = comment.block.allow.iter().map(|i| &*i.value);
        // To the next block's start: the last block's region takes in a
        // diagnostic at the very end of the file.
        let end = model.block(target.index + 1).map_or(usize::MAX, |b| b.start);
        match regions.last_mut() {
            Some((range, list)) if range.start == target.start => list.extend(codes),
            _ => regions.push((target.start..end, codes.collect())),
        }
    }
    let allowed_here = |d: &Diagnostic| {
        let i = regions.partition_point(|(r, _)| r.start <= d.range.start);
        i > 0 && {
            let (range, codes) = &regions[i - 1];
            d.range.start < range.end && codes.contains(&d.code.name())
        }
    };
    diags
        .into_iter()
        .filter(|d| file_allow.is_empty() || !file_allow.contains(d.code.name()))
        .filter(|d| regions.is_empty() || !allowed_here(d))
        .filter_map(|mut d| match config.level(d.code) {
            Level::Off => None,
            Level::On(severity) => {
                d.severity = severity;
                Some(d)
            }
        })
        .collect()
}

fn join_and(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The closest candidate by edit distance, if it is close enough to be a
/// likely typo.
pub fn nearest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_lowercase();
    candidates
        .map(|c| (strsim::damerau_levenshtein(&lower, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= 2.max(c.chars().count() / 4) && *d < word.chars().count().max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}
