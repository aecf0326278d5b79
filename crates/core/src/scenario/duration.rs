//! Strict durations for scenario files: `500ms`, `30s`, `2m`, `1h30m`, `1.5s`.
//!
//! A duration is one or more `<number><unit>` parts with units `us` (or `µs`), `ms`, `s`, `m`
//! and `h`, largest unit first, each unit at most once. A bare number is rejected: `30` could
//! mean seconds (Artillery) or milliseconds (k6 thresholds), so the file must say which.

use std::time::Duration;

/// Why a duration did not parse. The text is written to be shown after the key's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error("is empty; write a duration such as 30s, 2m or 500ms")]
    Empty,
    #[error("`{0}` has no unit; write it with one, e.g. {0}s or {0}ms")]
    MissingUnit(String),
    #[error("`{text}` has an unknown unit `{unit}`; use us, ms, s, m or h")]
    UnknownUnit { text: String, unit: String },
    #[error("`{0}` is not a duration; write e.g. 30s, 2m, 1h30m or 500ms")]
    Malformed(String),
    #[error("`{0}` repeats a unit or puts a smaller unit first; write e.g. 1h30m, not 30m1h")]
    UnitOrder(String),
    #[error("`{0}` is too long (more than 100 years)")]
    TooLong(String),
    #[error("`{0}` is finer than a microsecond")]
    TooFine(String),
}

const UNITS: &[(&str, u128)] = &[
    ("h", 3_600_000_000_000),
    ("m", 60_000_000_000),
    ("s", 1_000_000_000),
    ("ms", 1_000_000),
    ("us", 1_000),
    ("µs", 1_000),
];

/// The longest duration accepted anywhere (a guard against typos such as `30000000h`).
const MAX_NANOS: u128 = 100 * 365 * 24 * 3_600_000_000_000;

/// Parses a strict duration (see the module docs).
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(DurationError::Empty);
    }
    let mut rest = trimmed;
    let mut total: u128 = 0;
    let mut last_rank: Option<usize> = None;
    while !rest.is_empty() {
        let number_len = rest
            .char_indices()
            .find(|(_, c)| !(c.is_ascii_digit() || *c == '.'))
            .map_or(rest.len(), |(i, _)| i);
        let (number, after) = rest.split_at(number_len);
        if number.is_empty() || number.starts_with('.') || number.ends_with('.') {
            return Err(DurationError::Malformed(trimmed.to_string()));
        }
        let unit_len = after
            .char_indices()
            .find(|(_, c)| c.is_ascii_digit() || *c == '.')
            .map_or(after.len(), |(i, _)| i);
        let (unit, next) = after.split_at(unit_len);
        if unit.is_empty() {
            return Err(DurationError::MissingUnit(trimmed.to_string()));
        }
        let Some(rank) = UNITS.iter().position(|(u, _)| *u == unit) else {
            return Err(DurationError::UnknownUnit {
                text: trimmed.to_string(),
                unit: unit.to_string(),
            });
        };
        // `us` and `µs` share a rank.
        let rank = rank.min(4);
        if last_rank.is_some_and(|last| rank <= last) {
            return Err(DurationError::UnitOrder(trimmed.to_string()));
        }
        last_rank = Some(rank);
        let scale = UNITS[rank].1;
        total = total
            .checked_add(scaled(number, scale, trimmed)?)
            .ok_or_else(|| DurationError::TooLong(trimmed.to_string()))?;
        if total > MAX_NANOS {
            return Err(DurationError::TooLong(trimmed.to_string()));
        }
        rest = next;
    }
    let secs = u64::try_from(total / 1_000_000_000)
        .map_err(|_| DurationError::TooLong(trimmed.to_string()))?;
    // The remainder is below 1e9 and fits.
    let nanos = (total % 1_000_000_000) as u32;
    Ok(Duration::new(secs, nanos))
}

/// `number` (digits with at most one `.`) times `scale` nanoseconds, exactly, to the microsecond.
fn scaled(number: &str, scale: u128, text: &str) -> Result<u128, DurationError> {
    let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
    if frac.contains('.') {
        return Err(DurationError::Malformed(text.to_string()));
    }
    if whole.len() > 20 || frac.len() > 18 {
        return Err(DurationError::TooLong(text.to_string()));
    }
    let too_long = || DurationError::TooLong(text.to_string());
    let whole: u128 = whole.parse().map_err(|_| too_long())?;
    let mut nanos = whole.checked_mul(scale).ok_or_else(too_long)?;
    if !frac.is_empty() {
        let digits: u128 = frac.parse().map_err(|_| too_long())?;
        let denominator = 10u128.pow(frac.len() as u32);
        let product = digits.checked_mul(scale).ok_or_else(too_long)?;
        if !product.is_multiple_of(denominator) || !(product / denominator).is_multiple_of(1_000) {
            return Err(DurationError::TooFine(text.to_string()));
        }
        nanos = nanos
            .checked_add(product / denominator)
            .ok_or_else(too_long)?;
    }
    Ok(nanos)
}

/// Formats a duration in the same notation, with the largest units first (`1h30m`, `250ms`).
pub fn format_duration(duration: Duration) -> String {
    let mut nanos = duration.as_nanos();
    if nanos == 0 {
        return "0s".to_string();
    }
    let mut out = String::new();
    for (unit, scale) in &UNITS[..5] {
        let n = nanos / scale;
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
            nanos -= n * scale;
        }
    }
    if nanos > 0 {
        out.push_str(&format!("{nanos}ns"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_single_and_compound_units() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("250us"), Ok(Duration::from_micros(250)));
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
    }

    #[test]
    fn rejects_bare_numbers_and_unknown_units() {
        assert_eq!(
            parse_duration("30"),
            Err(DurationError::MissingUnit("30".into()))
        );
        assert!(matches!(
            parse_duration("3d"),
            Err(DurationError::UnknownUnit { .. })
        ));
        assert!(matches!(
            parse_duration("30m1h"),
            Err(DurationError::UnitOrder(_))
        ));
        assert!(matches!(
            parse_duration("1..5s"),
            Err(DurationError::Malformed(_))
        ));
        assert!(matches!(
            parse_duration("-5s"),
            Err(DurationError::Malformed(_))
        ));
        assert!(matches!(
            parse_duration("0.0001us"),
            Err(DurationError::TooFine(_))
        ));
        assert!(matches!(
            parse_duration("99999999999999999999999h"),
            Err(DurationError::TooLong(_))
        ));
        assert_eq!(parse_duration(" "), Err(DurationError::Empty));
    }

    /// The limits a user meets: exactly 100 years is accepted and a microsecond more is not;
    /// `µs` is `us` (one unit, so not both); a fraction may reach the microsecond but not below.
    #[test]
    fn limits_sit_at_a_hundred_years_and_a_microsecond() {
        let hundred_years = Duration::from_secs(100 * 365 * 24 * 3600);
        assert_eq!(parse_duration("876000h"), Ok(hundred_years));
        assert_eq!(
            parse_duration("876000h1us"),
            Err(DurationError::TooLong("876000h1us".into()))
        );
        assert_eq!(parse_duration("5µs"), Ok(Duration::from_micros(5)));
        assert_eq!(parse_duration("1ms5µs"), Ok(Duration::from_micros(1005)));
        assert_eq!(
            parse_duration("1us1µs"),
            Err(DurationError::UnitOrder("1us1µs".into()))
        );
        assert_eq!(parse_duration("0.001ms"), Ok(Duration::from_micros(1)));
        assert_eq!(parse_duration("1.25s"), Ok(Duration::from_millis(1250)));
        assert_eq!(
            parse_duration("1.5us"),
            Err(DurationError::TooFine("1.5us".into()))
        );
        assert_eq!(
            parse_duration("1.2.5s"),
            Err(DurationError::Malformed("1.2.5s".into()))
        );
        assert_eq!(
            parse_duration("s"),
            Err(DurationError::Malformed("s".into()))
        );
        assert_eq!(
            parse_duration("5."),
            Err(DurationError::Malformed("5.".into()))
        );
    }

    /// Up to 20 integer and 18 fraction digits are read exactly; longer numbers are refused as
    /// too long, never by an overflow (a 40-digit fraction once meant a power of ten past u128).
    #[test]
    fn long_numbers_are_read_exactly_or_refused() {
        assert_eq!(
            parse_duration("00000000000000000001s"),
            Ok(Duration::from_secs(1))
        );
        assert_eq!(
            parse_duration("1.500000000000000000s"),
            Ok(Duration::from_millis(1500))
        );
        for text in [
            "000000000000000000001s",
            "1.5000000000000000000s",
            &format!("1.{}1s", "0".repeat(40)),
            &format!("{}h", "9".repeat(40)),
        ] {
            assert_eq!(
                parse_duration(text),
                Err(DurationError::TooLong(text.to_string())),
                "{text}"
            );
        }
    }

    #[test]
    fn formats_below_a_microsecond_in_nanoseconds() {
        assert_eq!(format_duration(Duration::ZERO), "0s");
        assert_eq!(format_duration(Duration::from_nanos(1_500)), "1us500ns");
        assert_eq!(format_duration(Duration::from_secs(3600)), "1h");
    }

    #[test]
    fn formats_round_trip() {
        for text in ["1h30m", "250ms", "8h", "1m30s", "1s500ms"] {
            let parsed = parse_duration(text).unwrap();
            assert_eq!(format_duration(parsed), text);
        }
    }
}
