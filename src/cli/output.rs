//! Output formats: human (rustc-like, via codespan-reporting), compact,
//! JSON, GitHub workflow commands, SARIF.

use std::io::{self, IsTerminal, Write};

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label, Severity as CsSeverity};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor};
use newsmark::analysis::{Diagnostic, FileId, Severity, Workspace};

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
    // Buffered: stdout is line-buffered, and a report can be millions of
    // lines (one write per line was a quarter of `check`'s time on 50 MB).
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(1 << 16, stdout.lock());
    match args.format {
        Format::Human => human(report, args, &counts)?,
        Format::Compact => {
            for (file, diags) in &report.files {
                for d in diags {
                    let (l, c) = line_col(report.ws, *file, d.range.start);
                    writeln!(out, "{}:{l}:{c}: {}[{}]: {}", path_of(report.ws, *file), d.severity, d.code, d.message)?;
                }
            }
            errors_to_stderr(report.errors)?;
        }
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &json_report(report, &counts))?;
            writeln!(out)?;
        }
        Format::Github => {
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
            serde_json::to_writer_pretty(&mut out, &super::sarif::sarif(report))?;
            writeln!(out)?;
            errors_to_stderr(report.errors)?;
        }
    }
    out.flush()?;
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
    let mut out = termcolor::BufferedStandardStream::stdout(color_choice(args.color));
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
    out.flush()
}

// The JSON report, as structs with their fields in alphabetical order (the
// order `serde_json::Value` objects print in, which the format has always
// had). Built per file on every core: ~280,000 diagnostics for 50 MB.

#[derive(serde::Serialize)]
struct JsonReport<'a> {
    diagnostics: Vec<JsonDiagnostic<'a>>,
    errors: Vec<JsonError<'a>>,
    summary: JsonSummary,
    version: u32,
}

#[derive(serde::Serialize)]
struct JsonDiagnostic<'a> {
    code: &'static str,
    help: Option<&'a str>,
    message: &'a str,
    #[serde(serialize_with = "shared_str")]
    path: std::sync::Arc<str>,
    range: JsonRange,
    related: Vec<JsonRelated<'a>>,
    severity: &'static str,
}

#[derive(serde::Serialize)]
struct JsonRelated<'a> {
    message: &'a str,
    path: String,
    range: JsonRange,
}

#[derive(serde::Serialize)]
struct JsonRange {
    end: JsonPosition,
    start: JsonPosition,
}

#[derive(serde::Serialize)]
struct JsonPosition {
    column: usize,
    line: usize,
}

#[derive(serde::Serialize)]
struct JsonError<'a> {
    message: &'a str,
    path: String,
}

#[derive(serde::Serialize)]
struct JsonSummary {
    errors: usize,
    files: usize,
    hints: usize,
    infos: usize,
    warnings: usize,
}

/// One path string per file, shared by its diagnostics.
fn shared_str<S: serde::Serializer>(s: &std::sync::Arc<str>, to: S) -> Result<S::Ok, S::Error> {
    to.serialize_str(s)
}

fn json_range(ws: &Workspace, file: FileId, range: &std::ops::Range<usize>) -> JsonRange {
    let (l, c) = line_col(ws, file, range.start);
    let (el, ec) = line_col(ws, file, range.end);
    JsonRange { end: JsonPosition { column: ec, line: el }, start: JsonPosition { column: c, line: l } }
}

fn json_report<'a>(report: &'a Report<'_>, counts: &Counts) -> JsonReport<'a> {
    let ws = report.ws;
    let files = &report.files;
    let indices: Vec<usize> = (0..files.len()).collect();
    let per_file = super::collect::parallel_map(&indices, |&i| {
        let (file, diags) = &files[i];
        let path: std::sync::Arc<str> = path_of(ws, *file).into();
        diags
            .iter()
            .map(|d| JsonDiagnostic {
                code: d.code.name(),
                help: d.help.as_deref(),
                message: &d.message,
                path: std::sync::Arc::clone(&path),
                range: json_range(ws, *file, &d.range),
                related: d
                    .related
                    .iter()
                    .map(|r| JsonRelated { message: &r.message, path: path_of(ws, r.file), range: json_range(ws, r.file, &r.range) })
                    .collect(),
                severity: d.severity.name(),
            })
            .collect::<Vec<_>>()
    });
    JsonReport {
        diagnostics: per_file.into_iter().flatten().collect(),
        errors: report.errors.iter().map(|e| JsonError { message: &e.message, path: e.path.display().to_string() }).collect(),
        summary: JsonSummary {
            errors: counts.errors,
            files: report.files.len(),
            hints: counts.hints,
            infos: counts.infos,
            warnings: counts.warnings,
        },
        version: 1,
    }
}

/// Escaping for workflow command data (the message).
fn gh_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escaping for workflow command properties (file, title).
fn gh_property(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}
