//! The set of documents under analysis, their imports and their configs.
//!
//! Files come from a [`FileSystem`] (the disk for `check`, the disk under the
//! editor's open buffers for the language server). The workspace never writes.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::model::{FileModel, ListItem, split_list};
use crate::syntax::{Document, TextEdit};

use super::codes::{Code, Level};
use super::config::{CONFIG_FILE, Config, ConfigError, find_config_file};

pub type FileId = usize;

/// Where files come from. The language server puts its open buffers in
/// front of the disk; tests use a map.
pub trait FileSystem: Send + Sync {
    /// The file's text. A file that is not UTF-8 is an `InvalidData` error.
    fn read(&self, path: &Path) -> io::Result<String>;
    fn exists(&self, path: &Path) -> bool;
}

pub struct RealFs;

impl FileSystem for RealFs {
    fn read(&self, path: &Path) -> io::Result<String> {
        let bytes = std::fs::read(path)?;
        String::from_utf8(bytes).map_err(|e| {
            let at = e.utf8_error().valid_up_to();
            io::Error::new(io::ErrorKind::InvalidData, format!("not UTF-8 (invalid byte at offset {at})"))
        })
    }

    fn exists(&self, path: &Path) -> bool {
        path.is_file()
    }
}

/// An in-memory file system, for tests and for stdin.
#[derive(Default)]
pub struct MemoryFs {
    pub files: BTreeMap<PathBuf, String>,
}

impl FileSystem for MemoryFs {
    fn read(&self, path: &Path) -> io::Result<String> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such file"))
    }

    fn exists(&self, path: &Path) -> bool {
        self.files.contains_key(path)
    }
}

/// One `use:` entry of a file, resolved.
#[derive(Clone, Debug)]
pub struct Import {
    /// The path as written, with its range in the importing file.
    pub item: ListItem,
    pub path: PathBuf,
    /// `None` when the file does not exist (or could not be read).
    pub target: Option<FileId>,
}

pub struct SourceFile {
    pub path: PathBuf,
    pub doc: Document,
    pub model: FileModel,
    /// Part of the set being checked (its diagnostics are wanted, and its
    /// references count as uses), not only loaded as an import.
    pub checked: bool,
    pub imports: Vec<Import>,
}

pub struct Workspace {
    files: Vec<Option<SourceFile>>,
    by_path: HashMap<PathBuf, FileId>,
    fs: Arc<dyn FileSystem>,
    configs: HashMap<PathBuf, Result<Arc<Config>, ConfigError>>,
    /// Rule levels from the editor's settings; they win over newsmark.toml.
    pub overrides: BTreeMap<Code, Level>,
}

impl Workspace {
    pub fn new(fs: Arc<dyn FileSystem>) -> Workspace {
        Workspace { files: Vec::new(), by_path: HashMap::new(), fs, configs: HashMap::new(), overrides: BTreeMap::new() }
    }

    pub fn fs(&self) -> &Arc<dyn FileSystem> {
        &self.fs
    }

    pub fn file(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id).and_then(Option::as_ref)
    }

    pub fn file_id(&self, path: &Path) -> Option<FileId> {
        self.by_path.get(&normalize(path)).copied()
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().filter_map(|(i, f)| f.as_ref().map(|f| (i, f)))
    }

    pub fn checked_files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files().filter(|(_, f)| f.checked)
    }

    /// Adds or replaces a file with `doc` (already parsed).
    pub fn insert(&mut self, path: &Path, doc: Document, checked: bool) -> FileId {
        let model = FileModel::lower(&doc);
        let (id, added) = self.insert_lowered(path, doc, model, checked);
        if added {
            // A file that appeared may be what another file's `use:` missed.
            self.resolve_all_imports();
        } else {
            self.resolve_imports(id);
        }
        id
    }

    /// Adds many files at once (parsed and lowered elsewhere, in parallel),
    /// then resolves imports once and loads what they name.
    pub fn insert_all(&mut self, files: Vec<(PathBuf, Document, FileModel)>, checked: bool) -> Vec<FileId> {
        let ids = files.into_iter().map(|(p, d, m)| self.insert_lowered(&p, d, m, checked).0).collect();
        self.resolve_all_imports();
        self.load_imports();
        ids
    }

    fn insert_lowered(&mut self, path: &Path, doc: Document, model: FileModel, checked: bool) -> (FileId, bool) {
        let path = normalize(path);
        let file = SourceFile { path: path.clone(), doc, model, checked, imports: Vec::new() };
        let (id, added) = match self.by_path.get(&path) {
            Some(&id) => {
                let was_checked = self.files[id].as_ref().is_some_and(|f| f.checked);
                self.files[id] = Some(SourceFile { checked: checked || was_checked, ..file });
                (id, false)
            }
            None => {
                self.files.push(Some(file));
                let id = self.files.len() - 1;
                self.by_path.insert(path, id);
                (id, true)
            }
        };
        (id, added)
    }

    pub fn set_text(&mut self, path: &Path, text: &str, checked: bool) -> FileId {
        self.insert(path, Document::lazy(text), checked)
    }

    /// Applies edits to a file and re-lowers only what changed.
    pub fn edit(&mut self, id: FileId, edits: &[TextEdit]) {
        let Some(file) = self.files.get_mut(id).and_then(Option::as_mut) else { return };
        let records = file.doc.apply_edits(edits);
        let previous = std::mem::replace(&mut file.model, FileModel::empty());
        file.model = FileModel::relower(&file.doc, previous, &records);
        // Cheap: only the front matter's `use:` is read.
        self.resolve_imports(id);
    }

    /// Replaces a file's whole text, keeping what can be kept.
    pub fn replace_text(&mut self, id: FileId, text: &str) {
        let Some(file) = self.files.get_mut(id).and_then(Option::as_mut) else { return };
        file.doc.replace_all(text);
        file.model = FileModel::lower(&file.doc);
        self.resolve_imports(id);
    }

    pub fn remove(&mut self, path: &Path) -> Option<FileId> {
        let path = normalize(path);
        let id = self.by_path.remove(&path)?;
        self.files[id] = None;
        self.resolve_all_imports();
        Some(id)
    }

    /// Marks a file as checked or only loaded (an import).
    pub fn set_checked(&mut self, id: FileId, checked: bool) {
        if let Some(f) = self.files.get_mut(id).and_then(Option::as_mut) {
            f.checked = checked;
        }
    }

    /// Reads from the file system every file the loaded files import,
    /// transitively, that is not loaded yet.
    pub fn load_imports(&mut self) {
        let mut queue: VecDeque<FileId> = self.files().map(|(id, _)| id).collect();
        let mut seen: HashSet<PathBuf> = HashSet::new();
        while let Some(id) = queue.pop_front() {
            let Some(file) = self.file(id) else { continue };
            let wanted: Vec<PathBuf> =
                file.imports.iter().filter(|i| i.target.is_none()).map(|i| i.path.clone()).collect();
            for path in wanted {
                if !seen.insert(path.clone()) || self.by_path.contains_key(&path) {
                    continue;
                }
                if let Ok(text) = self.fs.read(&path) {
                    let new = self.set_text(&path, &text, false);
                    queue.push_back(new);
                }
            }
        }
    }

    pub fn resolve_all_imports(&mut self) {
        for id in 0..self.files.len() {
            self.resolve_imports(id);
        }
    }

    fn resolve_imports(&mut self, id: FileId) {
        let Some(file) = self.file(id) else { return };
        let imports = match file.model.front_matter_field("use") {
            Some(field) => {
                let dir = file.path.parent().unwrap_or(Path::new(""));
                let base = file.model.block(0).map_or(0, |b| b.start);
                split_list(&field.value, base + field.value_range.start)
                    .into_iter()
                    .map(|item| {
                        let path = normalize(&dir.join(&*item.value));
                        let target = self.by_path.get(&path).copied();
                        Import { item, path, target }
                    })
                    .collect()
            }
            None => Vec::new(),
        };
        if let Some(f) = self.files.get_mut(id).and_then(Option::as_mut) {
            f.imports = imports;
        }
    }

    /// The files whose definitions `id` sees: its imports, transitively,
    /// depth first in `use:` order, each once (cycles are cut), each with the
    /// top-level `use:` entry of `id` it was reached through. `id` itself is
    /// not included.
    pub fn visible_imports(&self, id: FileId) -> Vec<(FileId, usize)> {
        let mut out = Vec::new();
        let mut seen = HashSet::from([id]);
        let Some(file) = self.file(id) else { return out };
        for (entry, import) in file.imports.iter().enumerate() {
            let mut stack = Vec::from_iter(import.target);
            while let Some(f) = stack.pop() {
                if !seen.insert(f) {
                    continue;
                }
                out.push((f, entry));
                if let Some(file) = self.file(f) {
                    stack.extend(file.imports.iter().rev().filter_map(|i| i.target));
                }
            }
        }
        out
    }

    /// Files that see `id`'s definitions: importers of `id`, transitively.
    pub fn importers(&self, id: FileId) -> Vec<FileId> {
        // Who imports whom, read once: scanning every file for each file
        // reached was quadratic for a cast that 2,000 articles import.
        let mut imported_by: HashMap<FileId, Vec<FileId>> = HashMap::new();
        for (f, file) in self.files() {
            for target in file.imports.iter().filter_map(|i| i.target) {
                imported_by.entry(target).or_default().push(f);
            }
        }
        let mut out = Vec::new();
        let mut seen = HashSet::from([id]);
        let mut queue = VecDeque::from([id]);
        while let Some(target) = queue.pop_front() {
            for &f in imported_by.get(&target).into_iter().flatten() {
                if seen.insert(f) {
                    out.push(f);
                    queue.push_back(f);
                }
            }
        }
        out
    }

    /// An import path of `id` that leads back to `id`: the cycle's files,
    /// starting and ending with `id`, and the `use:` entry it starts from.
    pub fn import_cycle(&self, id: FileId) -> Option<(usize, Vec<FileId>)> {
        let file = self.file(id)?;
        for (entry, import) in file.imports.iter().enumerate() {
            let Some(start) = import.target else { continue };
            // Breadth first, so the shortest cycle is the one reported.
            let mut parent: HashMap<FileId, FileId> = HashMap::new();
            let mut queue = VecDeque::from([start]);
            let mut seen = HashSet::from([start]);
            while let Some(f) = queue.pop_front() {
                if f == id {
                    let mut back = vec![id];
                    let mut at = id;
                    while at != start {
                        at = parent[&at];
                        back.push(at);
                    }
                    back.reverse();
                    // id → start → … → id
                    let mut cycle = vec![id];
                    cycle.extend(back);
                    return Some((entry, cycle));
                }
                for t in self.file(f).into_iter().flat_map(|x| x.imports.iter().filter_map(|i| i.target)) {
                    if seen.insert(t) {
                        parent.insert(t, f);
                        queue.push_back(t);
                    }
                }
            }
        }
        None
    }

    /// The config for a file: the nearest `newsmark.toml`, with the editor's
    /// overrides on top. A config that fails to parse gives the error.
    pub fn config_for(&mut self, id: FileId) -> Result<Arc<Config>, ConfigError> {
        let dir = self.file(id).and_then(|f| f.path.parent().map(Path::to_path_buf)).unwrap_or_default();
        self.config_for_dir(&dir)
    }

    pub fn config_for_dir(&mut self, dir: &Path) -> Result<Arc<Config>, ConfigError> {
        if !self.configs.contains_key(dir) {
            let fs = Arc::clone(&self.fs);
            let loaded = match find_config_file(dir, |p| fs.exists(p)) {
                None => Ok(Arc::new(Config::default())),
                Some(path) => match fs.read(&path) {
                    Ok(text) => Config::parse(&path, &text).map(Arc::new),
                    Err(e) => Err(ConfigError { path, line_col: None, message: e.to_string() }),
                },
            };
            self.configs.insert(dir.to_path_buf(), loaded);
        }
        let config = self.configs[dir].clone()?;
        Ok(if self.overrides.is_empty() { config } else { Arc::new(config.with_overrides(&self.overrides)) })
    }

    /// A config file changed on disk: forget every cached config.
    pub fn invalidate_configs(&mut self) {
        self.configs.clear();
    }

    pub fn is_config_file(path: &Path) -> bool {
        path.file_name().is_some_and(|n| n == CONFIG_FILE)
    }
}

/// Makes a path absolute-looking and free of `.` and `..` without touching
/// the disk (symlinks are kept as written), so one file has one key.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            c => out.push(c.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn importers_are_found_transitively_once_each_in_breadth_first_order() {
        let mut ws = Workspace::new(Arc::new(MemoryFs::default()));
        let file = |ws: &mut Workspace, name: &str, uses: &str| {
            let text = if uses.is_empty() { "Text.\n".to_string() } else { format!("---\nuse: {uses}\n---\n\nText.\n") };
            ws.set_text(Path::new(&format!("/w/{name}")), &text, true)
        };
        let cast = file(&mut ws, "cast.nmk", "");
        let a = file(&mut ws, "a.nmk", "cast.nmk");
        let b = file(&mut ws, "b.nmk", "a.nmk, cast.nmk");
        let c = file(&mut ws, "c.nmk", "b.nmk, b.nmk");
        let lone = file(&mut ws, "lone.nmk", "");
        // A cycle back to the cast must not loop or list the cast itself.
        let d = file(&mut ws, "d.nmk", "c.nmk");
        ws.set_text(Path::new("/w/cast.nmk"), "---\nuse: d.nmk\n---\n", true);
        assert_eq!(ws.importers(cast), vec![a, b, c, d]);
        assert_eq!(ws.importers(c), vec![d, cast, a, b]);
        assert!(ws.importers(lone).is_empty());
    }
}
