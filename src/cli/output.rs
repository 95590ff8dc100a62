//! Output formats: human (rustc-like, via codespan-reporting), compact,
//! JSON, GitHub workflow commands, SARIF.

use std::io::{self, IsTerminal, Write};

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label, Severity as CsSeverity};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor};
use newsmark::analysis::{Diagnostic, FileId, Severity, Workspace};
use serde_json::{Value, json};

use super::collect::InputError;
use super::{CheckArgs, ColorWhen, Format};

pub struct Report<'a> {
    pub ws: &'a Workspace,
    pub files: Vec<(FileId, Vec<Diagnostic>)>,
    pub errors: &'a [InputError],
}

/// 1-based line and column (in Unicode scalar values) of a byte offset.
pub fn line_col(ws: &Workspace, file: FileId, byte: usize) -> (usize, usize) {
    ws.file(file).map_or((1, 1), |f| {
        let (l, c) = f.doc.line_col_chars(byte);
        (l + 1, c + 1)
    })
}

pub fn path_of(ws: &Workspace, file: FileId) -> String {
    ws.file(file).map_or_else(|| "?".to_string(), |f| f.path.display().to_string())
}

#[derive(Default)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub hints: usize,
}

impl Counts {
    fn of<'a>(diags: impl Iterator<Item = &'a Diagnostic>) -> Counts {
        let mut c = Counts::default();
        for d in diags {
            match d.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Info => c.infos += 1,
                Severity::Hint => c.hints += 1,
            }
        }
        c
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}

/// Writes the report; returns whether anything reached `--fail-level`.
pub fn write_report(report: &Report<'_>, args: &CheckArgs) -> io::Result<bool> {
    let all = || report.files.iter().flat_map(|(_, d)| d.iter());
    let failed = all().any(|d| args.fail_level.fails(d.severity));
    let counts = Counts::of(all());
    let stdout = io::stdout();
    match args.format {
        Format::Human => human(report, args, &counts)?,
        Format::Compact => {
            let mut out = stdout.lock();
            for (file, diags) in &report.files {
                for d in diags {
                    let (l, c) = line_col(report.ws, *file, d.range.start);
                    writeln!(out, "{}:{l}:{c}: {}[{}]: {}", path_of(report.ws, *file), d.severity, d.code, d.message)?;
                }
            }
            errors_to_stderr(report.errors)?;
        }
        Format::Json => {
            let mut out = stdout.lock();
            serde_json::to_writer_pretty(&mut out, &json_report(report, &counts))?;
            writeln!(out)?;
        }
        Format::Github => {
            let mut out = stdout.lock();
            for (file, diags) in &report.files {
                for d in diags {
                    let (l, c) = line_col(report.ws, *file, d.range.start);
                    let (el, ec) = line_col(report.ws, *file, d.range.end);
                    let kind = match d.severity {
                        Severity::Error => "error",
                        Severity::Warning => "warning",
                        Severity::Info | Severity::Hint => "notice",
                    };
                    writeln!(
                        out,
                        "::{kind} file={},line={l},col={c},endLine={el},endColumn={ec},title={}::{}",
                        gh_property(&path_of(report.ws, *file)),
                        gh_property(&format!("newsmark({})", d.code)),
                        gh_data(&d.message)
                    )?;
                }
            }
            for e in report.errors {
                writeln!(out, "::error file={}::{}", gh_property(&e.path.display().to_string()), gh_data(&e.message))?;
            }
        }
        Format::Sarif => {
            let mut out = stdout.lock();
            serde_json::to_writer_pretty(&mut out, &super::sarif::sarif(report))?;
            writeln!(out)?;
            errors_to_stderr(report.errors)?;
        }
    }
    Ok(failed)
}

fn errors_to_stderr(errors: &[InputError]) -> io::Result<()> {
    let mut err = io::stderr().lock();
    for e in errors {
        writeln!(err, "newsmark: error: {}: {}", e.path.display(), e.message)?;
    }
    Ok(())
}

fn color_choice(when: ColorWhen) -> termcolor::ColorChoice {
    match when {
        ColorWhen::Always => termcolor::ColorChoice::Always,
        ColorWhen::Never => termcolor::ColorChoice::Never,
        ColorWhen::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            if !no_color && io::stdout().is_terminal() {
                termcolor::ColorChoice::Auto
            } else {
                termcolor::ColorChoice::Never
            }
        }
    }
}

fn human(report: &Report<'_>, args: &CheckArgs, counts: &Counts) -> io::Result<()> {
    let mut files = SimpleFiles::new();
    let writer = termcolor::StandardStream::stdout(color_choice(args.color));
    let mut out = writer.lock();
    let config = term::Config::default();
    let mut handles = std::collections::HashMap::new();
    let mut handle = |files: &mut SimpleFiles<String, String>, id: FileId| {
        *handles.entry(id).or_insert_with(|| {
            let f = report.ws.file(id).expect("reported files are loaded");
            files.add(f.path.display().to_string(), f.doc.text())
        })
    };
    for (file, diags) in &report.files {
        for d in diags {
            let h = handle(&mut files, *file);
            let severity = match d.severity {
                Severity::Error => CsSeverity::Error,
                Severity::Warning => CsSeverity::Warning,
                Severity::Info => CsSeverity::Note,
                Severity::Hint => CsSeverity::Help,
            };
            let mut labels = vec![Label::primary(h, d.range.clone())];
            for r in &d.related {
                let rh = handle(&mut files, r.file);
                labels.push(Label::secondary(rh, r.range.clone()).with_message(r.message.clone()));
            }
            let mut cs = CsDiagnostic::new(severity).with_code(d.code.name()).with_message(&d.message).with_labels(labels);
            if let Some(help) = &d.help {
                cs = cs.with_notes(vec![format!("help: {help}")]);
            }
            term::emit(&mut out, &config, &files, &cs).map_err(io::Error::other)?;
        }
    }
    for e in report.errors {
        let cs = CsDiagnostic::<usize>::error().with_message(format!("{}: {}", e.path.display(), e.message));
        term::emit(&mut out, &config, &files, &cs).map_err(io::Error::other)?;
    }
    let n_files = report.files.len();
    writeln!(
        out,
        "checked {}: {}, {}, {}, {}{}",
        plural(n_files, "file"),
        plural(counts.errors, "error"),
        plural(counts.warnings, "warning"),
        plural(counts.infos, "info"),
        plural(counts.hints, "hint"),
        if report.errors.is_empty() { String::new() } else { format!("; {} could not be read", plural(report.errors.len(), "input")) }
    )?;
    Ok(())
}

pub fn json_range(ws: &Workspace, file: FileId, range: &std::ops::Range<usize>) -> Value {
    let (l, c) = line_col(ws, file, range.start);
    let (el, ec) = line_col(ws, file, range.end);
    json!({ "start": { "line": l, "column": c }, "end": { "line": el, "column": ec } })
}

fn json_report(report: &Report<'_>, counts: &Counts) -> Value {
    let ws = report.ws;
    let diagnostics: Vec<Value> = report
        .files
        .iter()
        .flat_map(|(file, diags)| {
            diags.iter().map(move |d| {
                json!({
                    "path": path_of(ws, *file),
                    "code": d.code.name(),
                    "severity": d.severity.name(),
                    "message": &*d.message,
                    "help": d.help.as_deref(),
                    "range": json_range(ws, *file, &d.range),
                    "related": d.related.iter().map(|r| json!({
                        "path": path_of(ws, r.file),
                        "range": json_range(ws, r.file, &r.range),
                        "message": r.message,
                    })).collect::<Vec<_>>(),
                })
            })
        })
        .collect();
    json!({
        "version": 1,
        "diagnostics": diagnostics,
        "errors": report.errors.iter().map(|e| json!({ "path": e.path.display().to_string(), "message": e.message })).collect::<Vec<_>>(),
        "summary": {
            "files": report.files.len(),
            "errors": counts.errors,
            "warnings": counts.warnings,
            "infos": counts.infos,
            "hints": counts.hints,
        },
    })
}

/// Escaping for workflow command data (the message).
fn gh_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escaping for workflow command properties (file, title).
fn gh_property(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}
