//! The definitions a file sees: its own and its imports', with duplicates.

use rustc_hash::FxHashMap as HashMap;

use crate::model::{Definition, RefKind, Span};

use super::diagnostics::Related;
use super::workspace::{FileId, Workspace};

/// Where a definition stands.
#[derive(Clone, Copy)]
pub struct DefLoc<'w> {
    pub file: FileId,
    /// The definition block's absolute start.
    pub block_start: usize,
    pub def: &'w Definition,
}

impl DefLoc<'_> {
    pub fn abs(&self, span: &Span) -> Span {
        self.block_start + span.start..self.block_start + span.end
    }
}

pub struct Duplicate {
    pub range: Span,
    pub message: String,
    pub related: Vec<Related>,
}

pub struct Scope<'w> {
    pub file: FileId,
    defs: HashMap<(RefKind, &'w str), DefLoc<'w>>,
    /// Duplicates to report in `file`.
    pub duplicates: Vec<Duplicate>,
}

impl<'w> Scope<'w> {
    /// Imports first (depth first, in `use:` order), then the file's own
    /// definitions, so a clash between the file and a cast is reported on
    /// the file's definition, which is the one its author can change.
    pub fn build(ws: &'w Workspace, file: FileId) -> Scope<'w> {
        let mut scope = Scope { file, defs: HashMap::default(), duplicates: Vec::new() };
        let imports = ws.visible_imports(file);
        let order = imports.iter().map(|(f, entry)| (*f, Some(*entry))).chain(std::iter::once((file, None)));
        for (f, entry) in order {
            let Some(source) = ws.file(f) else { continue };
            for (block, def) in source.model.definitions() {
                let here = DefLoc { file: f, block_start: block.start, def };
                let key = (def.kind, &*def.id);
                let Some(first) = scope.defs.get(&key).copied() else {
                    scope.defs.insert(key, here);
                    continue;
                };
                let what = format!("{} `{}{}`", def.kind.noun(), def.kind.sigil(), def.id);
                let first_at = Related { file: first.file, range: first.abs(&first.def.id_range), message: "first defined here".into() };
                if f == file {
                    scope.duplicates.push(Duplicate {
                        range: here.abs(&def.id_range),
                        message: format!("{what} is already defined{}", if first.file == file { " in this file" } else { " in an imported file" }),
                        related: vec![first_at],
                    });
                } else if first.file != f && first.file != file {
                    // Two imports clash: report on the `use:` entry that
                    // brought in the second one.
                    let entry = entry.expect("imports have an entry");
                    let range = ws.file(file).map(|x| x.imports[entry].item.range.clone()).unwrap_or(0..0);
                    scope.duplicates.push(Duplicate {
                        range,
                        message: format!("{what} is defined by two imported files"),
                        related: vec![
                            first_at,
                            Related { file: f, range: here.abs(&def.id_range), message: "defined again here".into() },
                        ],
                    });
                }
                // Twice in one imported file: reported when that file is checked.
            }
        }
        scope
    }

    pub fn lookup(&self, kind: RefKind, id: &str) -> Option<DefLoc<'w>> {
        self.defs.get(&(kind, id)).copied()
    }

    pub fn ids(&self, kind: RefKind) -> impl Iterator<Item = &'w str> + '_ {
        self.defs.keys().filter(move |(k, _)| *k == kind).map(|(_, id)| *id)
    }

    pub fn definitions(&self) -> impl Iterator<Item = DefLoc<'w>> + '_ {
        self.defs.values().copied()
    }

    pub fn has_sources(&self) -> bool {
        self.defs.keys().any(|(k, _)| *k == RefKind::Source)
    }

    /// Up to `n` source ids, sorted, as `^a, ^b, ^c`.
    pub fn some_sources(&self, n: usize) -> String {
        let mut ids: Vec<&str> = self.ids(RefKind::Source).collect();
        ids.sort_unstable();
        let more = ids.len() > n;
        let mut s = ids.iter().take(n).map(|id| format!("^{id}")).collect::<Vec<_>>().join(", ");
        if more {
            s.push_str(", …");
        }
        s
    }
}
