//! ISO 8601 dates: `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, and date-times
//! `YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]`, with real calendar days.

pub fn is_iso8601(s: &str) -> bool {
    let (date, time) = match s.split_once(['T', 't']) {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let parts: Vec<&str> = date.split('-').collect();
    let ok_date = match parts.as_slice() {
        [y] => digits(y, 4) && time.is_none(),
        [y, m] => digits(y, 4) && digits(m, 2) && month(m).is_some() && time.is_none(),
        [y, m, d] => {
            digits(y, 4)
                && digits(m, 2)
                && digits(d, 2)
                && match (y.parse::<u32>(), month(m), d.parse::<u32>()) {
                    (Ok(y), Some(m), Ok(d)) => d >= 1 && d <= days_in_month(y, m),
                    _ => false,
                }
        }
        _ => false,
    };
    ok_date && time.is_none_or(is_time)
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

fn month(m: &str) -> Option<u32> {
    m.parse::<u32>().ok().filter(|m| (1..=12).contains(m))
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn is_time(t: &str) -> bool {
    let (clock, zone) = if let Some(c) = t.strip_suffix(['Z', 'z']) {
        (c, None)
    } else if let Some(i) = t.rfind(['+', '-']) {
        (&t[..i], Some(&t[i + 1..]))
    } else {
        (t, None)
    };
    let hm = |s: &str, max_h: u32| {
        let p: Vec<&str> = s.split(':').collect();
        match p.as_slice() {
            [h, m] => digits(h, 2) && digits(m, 2) && h.parse::<u32>().is_ok_and(|h| h <= max_h) && m.parse::<u32>().is_ok_and(|m| m < 60),
            _ => false,
        }
    };
    let clock_ok = match clock.split_once(':').and_then(|(h, rest)| rest.split_once(':').map(|(m, s)| (h, m, s))) {
        Some((h, m, s)) => {
            let (sec, frac) = s.split_once('.').unwrap_or((s, "0"));
            hm(&format!("{h}:{m}"), 23) && digits(sec, 2) && sec.parse::<u32>().is_ok_and(|s| s <= 60) && !frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit())
        }
        None => hm(clock, 23),
    };
    clock_ok && zone.is_none_or(|z| hm(z, 14))
}

#[cfg(test)]
mod tests {
    use super::is_iso8601;

    #[test]
    fn accepts_iso_dates() {
        for ok in ["2024-06-19", "2024-06", "2024", "2024-02-29", "2024-06-19T14:30", "2024-06-19T14:30:05Z", "2024-06-19T14:30:05.25+02:00"] {
            assert!(is_iso8601(ok), "{ok}");
        }
    }

    #[test]
    fn rejects_non_dates() {
        for bad in ["19/06/2024", "2024-13-01", "2023-02-29", "2024-6-19", "June 19, 2024", "2024-06-19T25:00", "", "2024-06-31"] {
            assert!(!is_iso8601(bad), "{bad}");
        }
    }
}
