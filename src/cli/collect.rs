//! Finding, reading and checking the files, in parallel.

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use newsmark::analysis::{Config, Diagnostic, FileId, FileSystem, RealFs, Workspace, file_diagnostics};
use newsmark::model::FileModel;
use newsmark::syntax::Document;

use super::CheckArgs;
use super::output::{Report, write_report};

/// A problem with the input itself (exit 2), named by file.
pub struct InputError {
    pub path: PathBuf,
    pub message: String,
}

/// The text of stdin, served under its `--stdin-path` name in front of the disk.
struct StdinFs {
    path: PathBuf,
    text: String,
}

impl FileSystem for StdinFs {
    fn read(&self, path: &Path) -> io::Result<String> {
        if path == self.path { Ok(self.text.clone()) } else { RealFs.read(path) }
    }

    fn exists(&self, path: &Path) -> bool {
        path == self.path || RealFs.exists(path)
    }
}

pub fn check(args: &CheckArgs) -> io::Result<u8> {
    let mut errors: Vec<InputError> = Vec::new();
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut stdin: Option<StdinFs> = None;

    for arg in &args.paths {
        if arg.as_os_str() == "-" {
            let mut bytes = Vec::new();
            io::stdin().read_to_end(&mut bytes)?;
            let path = args.stdin_path.clone().unwrap_or_else(|| PathBuf::from("<stdin>"));
            match String::from_utf8(bytes) {
                Ok(text) => {
                    paths.push(path.clone());
                    stdin = Some(StdinFs { path, text });
                }
                Err(e) => errors.push(InputError {
                    path,
                    message: format!("not UTF-8 (invalid byte at offset {})", e.utf8_error().valid_up_to()),
                }),
            }
        } else if arg.is_dir() {
            let found = walk(arg);
            if found.is_empty() {
                errors.push(InputError { path: arg.clone(), message: "no .nmk files in this directory".into() });
            }
            paths.extend(found);
        } else if arg.exists() {
            paths.push(arg.clone());
        } else {
            errors.push(InputError { path: arg.clone(), message: "no such file or directory".into() });
        }
    }
    paths.sort();
    paths.dedup();

    let fs: Arc<dyn FileSystem> = match stdin {
        Some(s) => Arc::new(s),
        None => Arc::new(RealFs),
    };
    let timing = std::env::var_os("NEWSMARK_TIMING").is_some();
    let t = std::time::Instant::now();
    let (loaded, read_errors) = read_and_parse(&paths, fs.as_ref());
    if timing {
        eprintln!("timing: read, parse and lower {:?}", t.elapsed());
    }
    errors.extend(read_errors);

    let mut ws = Workspace::new(Arc::clone(&fs));
    let ids = ws.insert_all(loaded, true);

    let mut configs: Vec<Arc<Config>> = Vec::with_capacity(ids.len());
    for &id in &ids {
        match ws.config_for(id) {
            Ok(c) => configs.push(c),
            Err(e) => {
                let message = match e.line_col {
                    Some((l, c)) => format!("{}:{l}:{c}: invalid config: {}", e.path.display(), e.message),
                    None => format!("{}: invalid config: {}", e.path.display(), e.message),
                };
                if !errors.iter().any(|x| x.message == message) {
                    errors.push(InputError { path: e.path.clone(), message });
                }
                configs.push(Arc::new(Config::default()));
            }
        }
    }

    if timing {
        eprintln!("timing: workspace {:?}", t.elapsed());
    }
    let diagnostics = diagnose(&ws, &ids, &configs);
    if timing {
        eprintln!("timing: diagnostics {:?}", t.elapsed());
    }
    let report = Report { ws: &ws, files: ids.iter().copied().zip(diagnostics).collect(), errors: &errors };
    let failed = write_report(&report, args)?;
    if timing {
        eprintln!("timing: report {:?}", t.elapsed());
    }
    // Freeing every model one by one takes a tenth of a large run, and the
    // process is about to end: leave that to the system.
    std::mem::forget(report);
    std::mem::forget(ws);
    Ok(if !errors.is_empty() {
        2
    } else if failed {
        1
    } else {
        0
    })
}

/// Every `*.nmk` under `dir`, honouring .gitignore (and .ignore) files, and
/// the nearest newsmark.toml's `[files] include/exclude` globs.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut builder = ignore::WalkBuilder::new(dir);
    builder.require_git(false);
    if let Some(config) = nearest_config(dir) {
        let root = config.path.as_ref().and_then(|p| p.parent()).unwrap_or(dir);
        let mut overrides = ignore::overrides::OverrideBuilder::new(root);
        for pattern in &config.include {
            let _ = overrides.add(pattern);
        }
        for pattern in &config.exclude {
            let _ = overrides.add(&format!("!{pattern}"));
        }
        if let Ok(o) = overrides.build() {
            builder.overrides(o);
        }
    }
    let mut out: Vec<PathBuf> = builder
        .build()
        .flatten()
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|x| x == "nmk"))
        .collect();
    out.sort();
    out
}

fn nearest_config(dir: &Path) -> Option<Config> {
    let path = newsmark::analysis::config::find_config_file(dir, |p| p.is_file())?;
    let text = std::fs::read_to_string(&path).ok()?;
    Config::parse(&path, &text).ok()
}

/// `f` over `items` on every core, results in the order of `items`.
pub(crate) fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(items.len().max(1));
    let mut all: Vec<(usize, R)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        out.push((i, f(item)));
                    }
                    out
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("a worker thread panicked")).collect()
    });
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, r)| r).collect()
}

/// Reads and parses files on every core.
fn read_and_parse(paths: &[PathBuf], fs: &dyn FileSystem) -> (Vec<(PathBuf, Document, FileModel)>, Vec<InputError>) {
    let results = parallel_map(paths, |path| {
        fs.read(path).map_err(|e| e.to_string()).map(|text| {
            let doc = Document::lazy(&text);
            let model = FileModel::lower(&doc);
            (doc, model)
        })
    });
    let mut loaded = Vec::new();
    let mut errors = Vec::new();
    for (path, result) in paths.iter().zip(results) {
        match result {
            Ok((doc, model)) => loaded.push((path.clone(), doc, model)),
            Err(message) => errors.push(InputError { path: path.clone(), message: format!("cannot read: {message}") }),
        }
    }
    (loaded, errors)
}

/// Diagnostics of every checked file, on every core.
fn diagnose(ws: &Workspace, ids: &[FileId], configs: &[Arc<Config>]) -> Vec<Vec<Diagnostic>> {
    let indexed: Vec<(FileId, &Arc<Config>)> = ids.iter().copied().zip(configs).collect();
    parallel_map(&indexed, |(id, config)| file_diagnostics(ws, *id, config))
}
