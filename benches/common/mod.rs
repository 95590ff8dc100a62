//! Generated articles with a realistic density of marks: a definitions
//! block, then paragraphs where every second sentence is a claim (most with
//! an attribution and a source, some unsourced), mentions and labelled
//! mentions, block quotes and list items, a heading every few paragraphs.
#![allow(dead_code)]

pub const PARTIES: &[(&str, &str, &str)] = &[
    ("putin", "Vladimir Putin", "President of Russia"),
    ("kim", "Kim Jong-Un", "Leader of North Korea"),
    ("pallin", "Carolina Vendil Pallin", "Research leader, FOI"),
    ("russia", "Russia", "State"),
    ("nk", "North Korea", "State"),
    ("foi", "Swedish Defence Research Agency", "Agency"),
];
pub const SOURCES: &[(&str, &str, &str)] = &[
    ("kremlin-media", "Russian state-controlled media", "state-media"),
    ("pallin-interview", "Interview with Carolina Vendil Pallin", "interview"),
    ("agreement", "The partnership agreement", "document"),
    ("tass", "TASS", "wire"),
];

const WORDS: &[&str] = &[
    "the", "agreement", "provides", "for", "mutual", "assistance", "in", "event", "of", "an", "attack", "on", "one",
    "parties", "leaders", "met", "Pyongyang", "summit", "cooperation", "military", "economic", "weapons", "deliveries",
    "ammunition", "position", "technology", "transfer", "countries", "relations", "Ukraine", "war", "support",
];

/// A small deterministic generator (xorshift), so every run sees the same text.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }
    pub fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

fn sentence(rng: &mut Rng, out: &mut String) {
    let n = 8 + rng.next(10);
    for i in 0..n {
        if i > 0 {
            out.push(' ');
        }
        if rng.next(12) == 0 {
            let (id, name, _) = PARTIES[rng.next(PARTIES.len())];
            if rng.next(2) == 0 {
                out.push('@');
                out.push_str(id);
            } else {
                out.push_str(&format!("[{name}](@{id})"));
            }
        } else {
            out.push_str(WORDS[rng.next(WORDS.len())]);
        }
    }
}

fn claim(rng: &mut Rng, out: &mut String) {
    out.push('{');
    sentence(rng, out);
    out.push('}');
    // One claim in eight is unsourced.
    let (party, _, _) = PARTIES[rng.next(PARTIES.len())];
    if rng.next(8) == 0 {
        out.push_str(&format!("(@{party})"));
    } else {
        let (source, _, _) = SOURCES[rng.next(SOURCES.len())];
        out.push_str(&format!("(@{party} ^{source})"));
    }
    out.push('.');
}

/// The definitions block (the cast).
pub fn definitions() -> String {
    let mut out = String::new();
    for (id, name, role) in PARTIES {
        out.push_str(&format!("[@{id}]: {name}\n  role: {role}\n  kind: person\n"));
    }
    for (id, title, kind) in SOURCES {
        out.push_str(&format!("[^{id}]: {title}\n  kind: {kind}\n  date: 2024-06-19\n"));
    }
    out
}

/// An article of about `bytes` bytes.
pub fn article(bytes: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut out = String::with_capacity(bytes + 1024);
    out.push_str("---\ntitle: Generated article\ndate: 2024-06-19\n---\n\n");
    out.push_str(&definitions());
    let mut paragraph = 0;
    while out.len() < bytes {
        out.push('\n');
        if paragraph % 6 == 0 {
            out.push_str("# ");
            sentence(&mut rng, &mut out);
            out.push_str("\n\n");
        }
        match rng.next(10) {
            0 => {
                out.push_str("> ");
                claim(&mut rng, &mut out);
                out.push_str("\n> ");
                sentence(&mut rng, &mut out);
                out.push('\n');
            }
            1 => {
                for _ in 0..3 {
                    out.push_str("- ");
                    claim(&mut rng, &mut out);
                    out.push('\n');
                }
            }
            _ => {
                for s in 0..4 {
                    if s > 0 {
                        out.push(if s == 2 { '\n' } else { ' ' });
                    }
                    if s % 2 == 0 {
                        claim(&mut rng, &mut out);
                    } else {
                        sentence(&mut rng, &mut out);
                        out.push('.');
                    }
                }
                out.push('\n');
            }
        }
        paragraph += 1;
    }
    out
}

/// The byte offset of the middle of some prose near the middle of `text`,
/// where typing one character changes only that paragraph.
pub fn middle_edit_point(text: &str) -> usize {
    let mut at = text.len() / 2;
    while !text.is_char_boundary(at) {
        at += 1;
    }
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    // Inside a word of the line, away from marks.
    let line = &text[line_start..];
    let word = line.find(" the ").or_else(|| line.find(' ')).unwrap_or(0);
    line_start + word + 1
}

pub fn rss_bytes() -> usize {
    status_bytes("VmRSS:")
}

/// Peak resident memory of this process so far.
#[allow(dead_code)]
pub fn peak_rss_bytes() -> usize {
    status_bytes("VmHWM:")
}

fn status_bytes(field: &str) -> usize {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field)).and_then(|l| l.split_whitespace().nth(1)?.parse::<usize>().ok()))
        .map_or(0, |kb| kb * 1024)
}
