//! The `setup` block: how many users, how they are provisioned (admin or sign-up), their
//! user-name pattern and password, or a CSV of existing users.

use std::path::Path;

use serde_saphyr::Spanned;

use super::checker::{Checker, pos};
use crate::scenario::doc::ProvisionMethodDoc;
use crate::scenario::model::*;
use crate::scenario::secret::Secret;
use crate::yaml::DiagnosticKind;

pub(super) fn check_pattern(
    c: &mut Checker<'_>,
    s: &Spanned<String>,
    key: &str,
    needs_n: bool,
) -> Option<String> {
    let text = c.text(s, key)?;
    let mut rest = text.as_str();
    let mut ok = true;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            c.error(
                pos(s),
                key,
                DiagnosticKind::InvalidValue,
                format!("`{text}` has an unclosed `{{`"),
                Some("placeholders are {n} and {run}".to_string()),
            );
            return None;
        };
        let name = &after[..close];
        if !matches!(name, "n" | "run" | "flow") {
            c.error(
                pos(s),
                key,
                DiagnosticKind::InvalidValue,
                format!("unknown placeholder `{{{name}}}` in `{text}`"),
                Some(
                    "placeholders are {n} (the user's number), {run} (a per-run id) and {flow}"
                        .to_string(),
                ),
            );
            ok = false;
        }
        rest = &after[close + 1..];
    }
    if needs_n && !text.contains("{n}") {
        c.error(
            pos(s),
            key,
            DiagnosticKind::InvalidValue,
            format!("`{text}` has no `{{n}}`, so every user would get the same name"),
            Some(format!("write e.g. `{text}-{{n}}`")),
        );
        ok = false;
    }
    ok.then_some(text)
}

pub(super) fn check_setup(
    c: &mut Checker<'_>,
    setup: Option<&Spanned<crate::scenario::doc::SetupDoc>>,
    target: Option<&Target>,
) -> Option<Setup> {
    let Some(setup) = setup else {
        return Some(Setup {
            users: UserSource::None,
            username: DEFAULT_USERNAME_PATTERN.to_string(),
            password: None,
            rate: DEFAULT_SETUP_RATE,
            keep: false,
            mfa_totp: false,
        });
    };
    let s = &setup.value;
    let mut ok = true;
    let count = s.users.as_ref().and_then(|u| c.whole_u64(u, "setup.users"));
    if s.users.is_some() && count.is_none() {
        ok = false;
    }
    if let (Some(users), Some(csv)) = (&s.users, &s.csv) {
        c.error(
            pos(csv),
            "setup.csv",
            DiagnosticKind::Conflict,
            format!(
                "`csv` and `users` (line {}) cannot both be set",
                pos(users).line
            ),
            Some("provision `users: N`, or read existing users from `csv`, not both".to_string()),
        );
        ok = false;
    }
    if let (Some(method), None) = (&s.method, &s.users) {
        c.error(
            pos(method),
            "setup.method",
            DiagnosticKind::Conflict,
            "only applies to provisioned users",
            Some("add `users: N`, or remove `method`".to_string()),
        );
        ok = false;
    }
    let method = match s.method.as_ref().map(|m| m.value) {
        Some(ProvisionMethodDoc::SignUp) => ProvisionMethod::SignUp,
        _ => ProvisionMethod::Admin,
    };
    let capabilities = target.map(Target::capabilities);
    if let (Some(caps), Some(n)) = (capabilities, count)
        && n > 0
    {
        let at = s
            .method
            .as_ref()
            .map(pos)
            .or(s.users.as_ref().map(pos))
            .unwrap_or(pos(setup));
        if method == ProvisionMethod::Admin && !caps.admin {
            c.error(
                at,
                "setup.method",
                DiagnosticKind::Unsupported,
                "provisioning with `admin` needs admin credentials, and the target has `admin: none`",
                Some("set `admin: aws` (or `admin: env`) on the target, or read existing users from `csv`".to_string()),
            );
            ok = false;
        }
        if method == ProvisionMethod::SignUp && !caps.read_codes {
            c.error(
                at,
                "setup.method",
                DiagnosticKind::Unsupported,
                "`sign_up` provisioning confirms with the emailed code, which only the embedded target exposes",
                Some("use `method: admin` (with `admin: aws` or `admin: env`), or read existing users from `csv`".to_string()),
            );
            ok = false;
        }
    }
    let username = match &s.username {
        Some(u) => {
            let needs_n = count.is_some_and(|n| n > 1);
            let pattern = check_pattern(c, u, "setup.username", needs_n);
            ok &= pattern.is_some();
            pattern.unwrap_or_default()
        }
        None => DEFAULT_USERNAME_PATTERN.to_string(),
    };
    let password = match &s.password {
        Some(p) => {
            let secret = c.secret(p, "setup.password");
            ok &= secret.is_some();
            secret
        }
        None => None,
    };
    let rate = match &s.rate {
        Some(r) => {
            let rate =
                c.positive_rate(r, "setup.rate", "set a positive number of users per second");
            ok &= rate.is_some();
            rate.unwrap_or(DEFAULT_SETUP_RATE)
        }
        None => DEFAULT_SETUP_RATE,
    };
    let keep = s.keep.as_ref().is_some_and(|k| k.value);
    if keep && password.is_none() && count.is_some_and(|n| n > 0) {
        c.error(
            s.keep.as_ref().map(pos).unwrap_or(pos(setup)),
            "setup.keep",
            DiagnosticKind::Conflict,
            "kept users would have a random password no later run knows",
            Some("set `setup.password`".to_string()),
        );
        ok = false;
    }
    let mfa_totp = s.mfa.is_some();
    if let (Some(mfa), None) = (&s.mfa, &s.users) {
        c.error(
            pos(mfa),
            "setup.mfa",
            DiagnosticKind::Conflict,
            "enrols the provisioned users in TOTP, and the setup provisions none",
            Some("add `users: N`".to_string()),
        );
        ok = false;
    }
    let users = if let Some(csv) = &s.csv {
        if matches!(target, Some(Target::Embedded)) {
            c.error(
                pos(csv),
                "setup.csv",
                DiagnosticKind::Unsupported,
                "CSV users must already exist on the target, and the embedded target starts empty",
                Some("provision them with `users: N` instead".to_string()),
            );
            ok = false;
        }
        match read_csv(c, csv) {
            Some(source) => source,
            None => {
                ok = false;
                UserSource::None
            }
        }
    } else {
        match count {
            Some(count) => UserSource::Provision { count, method },
            None => UserSource::None,
        }
    };
    ok.then_some(Setup {
        users,
        username,
        password,
        rate,
        keep,
        mfa_totp,
    })
}

impl Checker<'_> {
    fn whole_u64(&mut self, s: &Spanned<i64>, key: &str) -> Option<u64> {
        match u64::try_from(s.value) {
            Ok(n) => Some(n),
            Err(_) => {
                self.error(
                    pos(s),
                    key,
                    DiagnosticKind::InvalidValue,
                    format!("must be >= 0 (got {})", s.value),
                    Some("give a number of users".to_string()),
                );
                None
            }
        }
    }
}

/// Reads the users CSV: a header row with `username`, `password` and any other columns, then
/// one user per row (RFC 4180 quotes allowed).
fn read_csv(c: &mut Checker<'_>, csv: &Spanned<String>) -> Option<UserSource> {
    let relative = c.text(csv, "setup.csv")?;
    let path = c.ctx.dir.join(&relative);
    let text = match read_users_file(&path) {
        Ok(text) => text,
        Err(message) => {
            c.error(
                pos(csv),
                "setup.csv",
                DiagnosticKind::UnknownReference,
                message,
                Some(format!(
                    "a regular UTF-8 file of at most {} MiB; the path is relative to the scenario file",
                    MAX_USERS_CSV_BYTES >> 20
                )),
            );
            return None;
        }
    };
    match parse_users_csv(&text) {
        Ok((_, users)) if users.is_empty() => {
            c.error(
                pos(csv),
                "setup.csv",
                DiagnosticKind::InvalidValue,
                format!("`{}` has no users", path.display()),
                Some("add rows `username,password` under the header".to_string()),
            );
            None
        }
        Ok((columns, users)) => Some(UserSource::Csv {
            path,
            columns,
            users,
        }),
        Err((line, message)) => {
            c.error(
                pos(csv),
                "setup.csv",
                DiagnosticKind::InvalidValue,
                format!("{}:{line}: {message}", relative_display(&path)),
                Some(
                    "the file needs a header with `username` and `password` (other columns are free) and one user per row with as many fields".to_string(),
                ),
            );
            None
        }
    }
}

/// The largest users CSV read: 64 MiB, about a million users with a few columns each.
pub const MAX_USERS_CSV_BYTES: u64 = 64 << 20;

/// Reads the users CSV at `path`: a regular file (not a device such as `/dev/zero`, a FIFO or a
/// directory) of at most [`MAX_USERS_CSV_BYTES`], in UTF-8. Errors name the file (and the line
/// of the first byte that is not UTF-8) and never repeat its content.
pub fn read_users_file(path: &Path) -> Result<String, String> {
    use std::io::Read as _;
    let shown = path.display();
    // Checked before opening: opening a FIFO would wait for a writer.
    let kind = std::fs::metadata(path).map_err(|e| format!("cannot read `{shown}`: {e}"))?;
    let not_regular = |kind: &std::fs::Metadata| {
        let what = if kind.is_dir() {
            "a directory"
        } else {
            "not a regular file (a device, FIFO or socket)"
        };
        format!("`{shown}` is {what}; setup.csv reads regular files only")
    };
    if !kind.is_file() {
        return Err(not_regular(&kind));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read `{shown}`: {e}"))?;
    let opened = file
        .metadata()
        .map_err(|e| format!("cannot read `{shown}`: {e}"))?;
    if !opened.is_file() {
        return Err(not_regular(&opened));
    }
    let too_big = || {
        format!(
            "`{shown}` is larger than {} MiB, the most setup.csv reads",
            MAX_USERS_CSV_BYTES >> 20
        )
    };
    if opened.len() > MAX_USERS_CSV_BYTES {
        return Err(too_big());
    }
    let mut bytes = Vec::new();
    file.take(MAX_USERS_CSV_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read `{shown}`: {e}"))?;
    if bytes.len() as u64 > MAX_USERS_CSV_BYTES {
        return Err(too_big());
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let before = &e.as_bytes()[..at];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = at
            - before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1)
            + 1;
        format!(
            "{shown}:{line}:{column}: not UTF-8 text (byte {} of the file)",
            at + 1
        )
    })
}

fn relative_display(path: &Path) -> String {
    path.display().to_string()
}

/// A parsed users CSV: the header's column names and the users.
pub type UsersCsv = (Vec<String>, Vec<CsvUser>);

/// Parses the users CSV. Every row has as many fields as the header; errors carry a 1-based
/// line number.
pub fn parse_users_csv(text: &str) -> Result<UsersCsv, (usize, String)> {
    let mut rows = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let fields = split_csv_line(line).map_err(|m| (index + 1, m))?;
        rows.push((index + 1, fields));
    }
    let mut rows = rows.into_iter();
    let Some((_, header)) = rows.next() else {
        return Ok((Vec::new(), Vec::new()));
    };
    let header: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    for (i, name) in header.iter().enumerate() {
        if name.is_empty() {
            return Err((1, format!("column {} of the header has no name", i + 1)));
        }
        if let Some(first) = header[..i]
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
        {
            return Err((
                1,
                format!(
                    "columns {} and {} of the header have the same name",
                    first + 1,
                    i + 1
                ),
            ));
        }
    }
    let find = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let (Some(u), Some(p)) = (find("username"), find("password")) else {
        // The header is not repeated: a wrong file (`/etc/passwd`) would be shown in the error.
        return Err((
            1,
            format!(
                "the header ({} columns) lacks `username` and `password` columns",
                header.len()
            ),
        ));
    };
    let mut users = Vec::new();
    for (line, fields) in rows {
        if fields.len() != header.len() {
            return Err((
                line,
                format!(
                    "expected {} fields (the header's), found {}",
                    header.len(),
                    fields.len()
                ),
            ));
        }
        let (Some(username), Some(password)) = (fields.get(u), fields.get(p)) else {
            return Err((
                line,
                format!("expected {} fields, found {}", header.len(), fields.len()),
            ));
        };
        if username.is_empty() {
            return Err((line, "empty username".to_string()));
        }
        users.push(CsvUser {
            username: username.clone(),
            password: Secret::new(password.clone()),
            row: fields.iter().cloned().map(Secret::new).collect(),
        });
    }
    Ok((header, users))
}

fn split_csv_line(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(ch) = chars.next() {
        match ch {
            '"' if at_start => {
                quoted = true;
                at_start = false;
            }
            '"' if quoted => {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                    if !matches!(chars.peek(), None | Some(',')) {
                        return Err("text after a closing quote".to_string());
                    }
                }
            }
            ',' if !quoted => {
                fields.push(std::mem::take(&mut field));
                at_start = true;
            }
            _ => {
                field.push(ch);
                at_start = false;
            }
        }
    }
    if quoted {
        return Err("unclosed quote".to_string());
    }
    fields.push(field);
    Ok(fields)
}
