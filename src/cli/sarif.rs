//! SARIF 2.1.0, for GitHub code scanning and other SARIF consumers.

use newsmark::analysis::{Code, Severity};
use serde_json::{Value, json};

use super::output::{Report, line_col, path_of};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "note",
    }
}

fn region(report: &Report<'_>, file: usize, range: &std::ops::Range<usize>) -> Value {
    let (l, c) = line_col(report.ws, file, range.start);
    let (el, ec) = line_col(report.ws, file, range.end);
    json!({ "startLine": l, "startColumn": c, "endLine": el, "endColumn": ec })
}

fn location(report: &Report<'_>, file: usize, range: &std::ops::Range<usize>) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": path_of(report.ws, file).replace('\\', "/") },
            "region": region(report, file, range),
        }
    })
}

pub fn sarif(report: &Report<'_>) -> Value {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.name(),
                "name": c.name(),
                "shortDescription": { "text": c.summary() },
                "fullDescription": { "text": c.summary() },
                "help": { "text": c.help() },
                "defaultConfiguration": { "level": level(c.default_severity()) },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .files
        .iter()
        .flat_map(|(file, diags)| {
            diags.iter().map(move |d| {
                let mut text = d.message.to_string();
                if let Some(help) = &d.help {
                    text.push_str(&format!(" ({help})"));
                }
                let related: Vec<Value> = d
                    .related
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        let mut loc = location(report, r.file, &r.range);
                        loc["id"] = json!(i);
                        loc["message"] = json!({ "text": r.message });
                        loc
                    })
                    .collect();
                let mut result = json!({
                    "ruleId": d.code.name(),
                    "ruleIndex": Code::ALL.iter().position(|c| *c == d.code).unwrap_or(0),
                    "level": level(d.severity),
                    "message": { "text": text },
                    "locations": [location(report, *file, &d.range)],
                });
                if !related.is_empty() {
                    result["relatedLocations"] = json!(related);
                }
                result
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "newsmark",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://example.invalid/newsmark",
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}
