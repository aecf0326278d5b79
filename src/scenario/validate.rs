//! Checks a [`ScenarioDoc`] and builds the [`Scenario`] model, before any traffic.
//!
//! Validation collects every error rather than stopping at the first, each located and phrased
//! as `key: what is wrong; what to do`. Beyond types it checks what only the whole file shows:
//! executor options against the executor, captures against earlier steps, steps against the
//! target's capabilities, threshold scopes against the flows, steps and quota categories that
//! exist, and users against the flows that need them.
//!
//! Rates that the executor may not deliver (an arrival rate whose iterations need more VUs than
//! `max_vus`, assuming [`ASSUMED_LATENCY`] per request) are warnings, not errors: the estimate
//! rests on a latency guess, and k6's answer (drop the iteration and count it) is a result
//! worth measuring.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_saphyr::Spanned;

use super::doc::{
    AdminDoc, ConfirmViaDoc, ExecutorDoc, FlowDoc, LoadDoc, ProvisionMethodDoc, ScenarioDoc,
    StepDoc, StepKindDoc, TargetDoc, TokenUseDoc, UserSelectionDoc,
};
use super::duration::{format_duration, parse_duration};
use super::env;
use super::model::*;
use super::schedule;
use super::secret::Secret;
use super::thresholds::{Metric, Threshold, parse_expression};
use super::scope::Scope;
use crate::quota::QuotaCategory;
use crate::yaml::{Diagnostic, DiagnosticKind, Diagnostics, Severity};

/// Latency assumed per request where validation must guess how long an iteration takes.
pub const ASSUMED_LATENCY: Duration = Duration::from_millis(100);

/// A scenario that passed validation, and the warnings it raised.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub scenario: Scenario,
    pub warnings: Vec<Diagnostic>,
}

/// What validation needs besides the document.
pub(crate) struct Context<'a> {
    /// The file as named by the user, for messages.
    pub file: String,
    pub path: PathBuf,
    /// Relative paths (the setup CSV) are resolved against this directory.
    pub dir: PathBuf,
    pub source: &'a str,
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

#[derive(Debug, Clone, Copy)]
struct Pos {
    line: u64,
    column: u64,
}

fn pos<T>(s: &Spanned<T>) -> Pos {
    Pos {
        line: s.referenced.line(),
        column: s.referenced.column(),
    }
}

struct Checker<'a> {
    ctx: &'a Context<'a>,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn push(
        &mut self,
        severity: Severity,
        at: Pos,
        key: &str,
        kind: DiagnosticKind,
        message: impl Into<String>,
        fix: Option<String>,
    ) {
        let diagnostic = Diagnostic {
            file: self.ctx.file.clone(),
            line: at.line,
            column: at.column,
            key: key.to_string(),
            kind,
            severity,
            message: message.into(),
            fix,
        };
        match severity {
            Severity::Error => self.errors.push(diagnostic),
            Severity::Warning => self.warnings.push(diagnostic),
        }
    }

    fn error(
        &mut self,
        at: Pos,
        key: &str,
        kind: DiagnosticKind,
        message: impl Into<String>,
        fix: impl Into<Option<String>>,
    ) {
        self.push(Severity::Error, at, key, kind, message, fix.into());
    }

    fn warn(
        &mut self,
        at: Pos,
        key: &str,
        kind: DiagnosticKind,
        message: impl Into<String>,
        fix: impl Into<Option<String>>,
    ) {
        self.push(Severity::Warning, at, key, kind, message, fix.into());
    }

    /// `${ENV}`-interpolated text.
    fn text(&mut self, s: &Spanned<String>, key: &str) -> Option<String> {
        match env::interpolate(&s.value, self.ctx.env) {
            Ok(text) => Some(text),
            Err(e) => {
                let kind = match e {
                    env::EnvError::Missing { .. } => DiagnosticKind::MissingEnv,
                    _ => DiagnosticKind::InvalidValue,
                };
                let (message, fix) = match e.to_string().split_once("; ") {
                    Some((m, f)) => (m.to_string(), Some(f.to_string())),
                    None => (e.to_string(), None),
                };
                self.error(pos(s), key, kind, message, fix);
                None
            }
        }
    }

    fn secret(&mut self, s: &Spanned<String>, key: &str) -> Option<Secret> {
        self.text(s, key).map(Secret::new)
    }

    fn duration(&mut self, s: &Spanned<String>, key: &str) -> Option<Duration> {
        match parse_duration(&s.value) {
            Ok(d) => Some(d),
            Err(e) => {
                let text = e.to_string();
                let (message, fix) = match text.split_once("; ") {
                    Some((m, f)) => (m.to_string(), Some(f.to_string())),
                    None => (text, None),
                };
                self.error(pos(s), key, DiagnosticKind::InvalidValue, message, fix);
                None
            }
        }
    }

    fn positive_duration(&mut self, s: &Spanned<String>, key: &str) -> Option<Duration> {
        let d = self.duration(s, key)?;
        if d.is_zero() {
            self.error(
                pos(s),
                key,
                DiagnosticKind::InvalidValue,
                "must be longer than 0s",
                Some("give a duration such as 30s or 5m".to_string()),
            );
            return None;
        }
        Some(d)
    }

    fn positive_rate(&mut self, s: &Spanned<f64>, key: &str, fix: &str) -> Option<f64> {
        if s.value.is_finite() && s.value > 0.0 {
            Some(s.value)
        } else {
            self.error(
                pos(s),
                key,
                DiagnosticKind::InvalidValue,
                format!("must be > 0 (got {})", s.value),
                Some(fix.to_string()),
            );
            None
        }
    }

    fn non_negative_rate(&mut self, s: &Spanned<f64>, key: &str) -> Option<f64> {
        if s.value.is_finite() && s.value >= 0.0 {
            Some(s.value)
        } else {
            self.error(
                pos(s),
                key,
                DiagnosticKind::InvalidValue,
                format!("must be >= 0 (got {})", s.value),
                None,
            );
            None
        }
    }

    fn whole(&mut self, s: &Spanned<i64>, key: &str, min: i64, fix: &str) -> Option<u32> {
        match u32::try_from(s.value) {
            Ok(n) if s.value >= min => Some(n),
            _ => {
                let bound = if s.value > i64::from(u32::MAX) {
                    format!("must be at most {}", u32::MAX)
                } else {
                    format!("must be >= {min}")
                };
                self.error(
                    pos(s),
                    key,
                    DiagnosticKind::InvalidValue,
                    format!("{bound} (got {})", s.value),
                    Some(fix.to_string()),
                );
                None
            }
        }
    }

    /// The column of character `offset` inside a scalar, skipping an opening quote.
    fn inside(&self, s: &Spanned<String>, offset: usize) -> Pos {
        let start = pos(s);
        let quoted = s
            .referenced
            .span()
            .byte_offset()
            .and_then(|b| usize::try_from(b).ok())
            .and_then(|b| self.ctx.source.get(b..))
            .and_then(|rest| rest.chars().next())
            .is_some_and(|c| c == '"' || c == '\'');
        Pos {
            line: start.line,
            column: start.column + u64::from(quoted) + u64::try_from(offset).unwrap_or(0),
        }
    }
}

fn is_name(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The document start, for errors about the whole file.
const TOP: Pos = Pos { line: 1, column: 1 };

pub(crate) fn validate(doc: ScenarioDoc, ctx: &Context<'_>) -> Result<Loaded, Diagnostics> {
    let mut c = Checker {
        ctx,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let target = check_target(&mut c, doc.target.as_ref());
    let capabilities = target.as_ref().map(Target::capabilities);
    let setup = check_setup(&mut c, doc.setup.as_ref(), target.as_ref());
    let shared_load = doc
        .load
        .as_ref()
        .and_then(|l| check_load(&mut c, l, "load"));
    let flows = check_flows(
        &mut c,
        &doc.flows,
        doc.load.is_some(),
        capabilities,
        setup.as_ref(),
    );
    check_users(&mut c, &doc, &flows, setup.as_ref(), shared_load.as_ref());
    if let (Some(setup), Some(target)) = (&setup, &target) {
        check_cleanup(&mut c, &doc, setup, target, &flows);
    }
    check_capacity(&mut c, &doc, &flows, shared_load.as_ref());
    let categories = categories_of(&flows);
    let thresholds = doc
        .thresholds
        .as_ref()
        .map(|t| check_thresholds(&mut c, t, &flows, &categories))
        .unwrap_or_default();
    if !c.errors.is_empty() {
        return Err(Diagnostics(c.errors));
    }
    // Every part is `Some` when no error was reported; stay total anyway.
    let (Some(target), Some(setup)) = (target, setup) else {
        return Err(Diagnostics(c.errors));
    };
    Ok(Loaded {
        scenario: Scenario {
            path: ctx.path.clone(),
            description: doc.description,
            target,
            setup,
            shared_load,
            flows,
            thresholds,
        },
        warnings: c.warnings,
    })
}

/// The client's loopback rule (`protocol::endpoints`), so a scenario that validates is one the
/// client accepts.
fn is_loopback(url: &url::Url) -> bool {
    url.host()
        .is_some_and(|h| crate::protocol::endpoints::is_loopback_host(&h))
}

fn check_url(c: &mut Checker<'_>, s: &Spanned<String>, key: &str) -> Option<url::Url> {
    let text = c.text(s, key)?;
    match url::Url::parse(&text) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Some(u),
        Ok(u) => {
            c.error(
                pos(s),
                key,
                DiagnosticKind::InvalidValue,
                format!("`{text}` is not an http(s) URL (scheme `{}`)", u.scheme()),
                Some("write e.g. https://cognito-idp.eu-west-1.amazonaws.com".to_string()),
            );
            None
        }
        Err(e) => {
            c.error(
                pos(s),
                key,
                DiagnosticKind::InvalidValue,
                format!("`{text}` is not a URL ({e})"),
                Some("write e.g. https://cognito-idp.eu-west-1.amazonaws.com".to_string()),
            );
            None
        }
    }
}

fn check_target(c: &mut Checker<'_>, target: Option<&Spanned<TargetDoc>>) -> Option<Target> {
    let Some(target) = target else {
        return Some(Target::Embedded);
    };
    let e = match &target.value {
        TargetDoc::Embedded => return Some(Target::Embedded),
        TargetDoc::Endpoint(e) => e,
    };
    let endpoint = check_url(c, &e.endpoint, "target.endpoint");
    let region = c.text(&e.region, "target.region");
    let user_pool_id = c.text(&e.user_pool_id, "target.user_pool_id");
    let client_id = c.text(&e.client_id, "target.client_id");
    for (value, s, key) in [
        (&region, &e.region, "target.region"),
        (&user_pool_id, &e.user_pool_id, "target.user_pool_id"),
        (&client_id, &e.client_id, "target.client_id"),
    ] {
        if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
            c.error(
                pos(s),
                key,
                DiagnosticKind::InvalidValue,
                "is empty",
                Some("set it, or take it from the environment with ${NAME}".to_string()),
            );
        }
    }
    let client_secret = e
        .client_secret
        .as_ref()
        .and_then(|s| c.secret(s, "target.client_secret"));
    let oauth_domain = e
        .oauth_domain
        .as_ref()
        .and_then(|s| check_url(c, s, "target.oauth_domain"));
    if let Some(r) = &region
        && !r.trim().is_empty()
        && !r
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        c.error(
            pos(&e.region),
            "target.region",
            DiagnosticKind::InvalidValue,
            format!("`{r}` is not an AWS region name"),
            Some("write it like eu-west-1".to_string()),
        );
    }
    // Defaults follow Cognito's layout, which emulators copy: the issuer and the JWKS live under
    // the pool id on the API endpoint's host.
    let pool_url = match (&endpoint, &user_pool_id) {
        (Some(endpoint), Some(pool)) => Some(crate::protocol::endpoints::join_segments(
            endpoint,
            &[pool.as_str()],
        )),
        _ => None,
    };
    let issuer = match &e.issuer {
        Some(s) => c.text(s, "target.issuer"),
        None => pool_url
            .as_ref()
            .map(|u| u.as_str().trim_end_matches('/').to_string()),
    };
    let jwks_url = match &e.jwks_url {
        Some(s) => check_url(c, s, "target.jwks_url"),
        None => pool_url
            .as_ref()
            .map(|u| crate::protocol::endpoints::join_segments(u, &[".well-known", "jwks.json"])),
    };
    let allow_remote = e.allow_remote.as_ref().is_some_and(|a| a.value);
    let admin = match e.admin.as_ref().map(|a| a.value) {
        Some(AdminDoc::Env) => AdminCredentials::Env,
        Some(AdminDoc::None) | None => AdminCredentials::None,
    };
    let urls = [
        ("target.endpoint", Some(&e.endpoint), endpoint.as_ref()),
        (
            "target.oauth_domain",
            e.oauth_domain.as_ref(),
            oauth_domain.as_ref(),
        ),
        ("target.jwks_url", e.jwks_url.as_ref(), jwks_url.as_ref()),
    ];
    for (key, written, url) in urls {
        let (Some(written), Some(url)) = (written, url) else {
            continue;
        };
        if !allow_remote && !is_loopback(url) {
            c.error(
                pos(written),
                key,
                DiagnosticKind::Conflict,
                format!(
                    "`{}` is not a loopback address, and load tests against remote pools must be opted into",
                    url.host_str().unwrap_or_default()
                ),
                Some("add `allow_remote: true` to the target if you mean to send this load there".to_string()),
            );
        }
    }
    Some(Target::Endpoint(Box::new(Endpoint {
        endpoint: endpoint?,
        region: region?,
        user_pool_id: user_pool_id?,
        client_id: client_id?,
        client_secret,
        oauth_domain,
        jwks_url: jwks_url?,
        issuer: issuer?,
        admin,
        allow_remote,
    })))
}

fn check_pattern(
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

fn check_setup(
    c: &mut Checker<'_>,
    setup: Option<&Spanned<super::doc::SetupDoc>>,
    target: Option<&Target>,
) -> Option<Setup> {
    let Some(setup) = setup else {
        return Some(Setup {
            users: UserSource::None,
            username: DEFAULT_USERNAME_PATTERN.to_string(),
            password: None,
            rate: DEFAULT_SETUP_RATE,
            keep: false,
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
                Some("set `admin: env` on the target, or read existing users from `csv`".to_string()),
            );
            ok = false;
        }
        if method == ProvisionMethod::SignUp && !caps.read_codes {
            c.error(
                at,
                "setup.method",
                DiagnosticKind::Unsupported,
                "`sign_up` provisioning confirms with the emailed code, which only the embedded target exposes",
                Some("use `method: admin` (with `admin: env`), or read existing users from `csv`".to_string()),
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

/// Reads `username,password` rows (a header row first; RFC 4180 quotes allowed).
fn read_csv(c: &mut Checker<'_>, csv: &Spanned<String>) -> Option<UserSource> {
    let relative = c.text(csv, "setup.csv")?;
    let path = c.ctx.dir.join(&relative);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            c.error(
                pos(csv),
                "setup.csv",
                DiagnosticKind::UnknownReference,
                format!("cannot read `{}`: {e}", path.display()),
                Some("the path is relative to the scenario file".to_string()),
            );
            return None;
        }
    };
    match parse_users_csv(&text) {
        Ok(users) if users.is_empty() => {
            c.error(
                pos(csv),
                "setup.csv",
                DiagnosticKind::InvalidValue,
                format!("`{}` has no users", path.display()),
                Some("add rows `username,password` under the header".to_string()),
            );
            None
        }
        Ok(users) => Some(UserSource::Csv { path, users }),
        Err((line, message)) => {
            c.error(
                pos(csv),
                "setup.csv",
                DiagnosticKind::InvalidValue,
                format!("{}:{line}: {message}", relative_display(&path)),
                Some(
                    "the file needs a header `username,password` and one user per row".to_string(),
                ),
            );
            None
        }
    }
}

fn relative_display(path: &Path) -> String {
    path.display().to_string()
}

/// Parses the users CSV. Errors carry a 1-based line number.
pub fn parse_users_csv(text: &str) -> Result<Vec<CsvUser>, (usize, String)> {
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
        return Ok(Vec::new());
    };
    let find = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let (Some(u), Some(p)) = (find("username"), find("password")) else {
        return Err((
            1,
            format!(
                "header `{}` lacks `username` and `password` columns",
                header.join(",")
            ),
        ));
    };
    let mut users = Vec::new();
    for (line, fields) in rows {
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
        });
    }
    Ok(users)
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

fn check_load(c: &mut Checker<'_>, load: &Spanned<LoadDoc>, key: &str) -> Option<Load> {
    let l = &load.value;
    let executor = l.executor.value;
    let present: Vec<(&str, Pos)> = [
        ("rate", l.rate.as_ref().map(pos)),
        ("time_unit", l.time_unit.as_ref().map(pos)),
        ("duration", l.duration.as_ref().map(pos)),
        ("pre_allocated_vus", l.pre_allocated_vus.as_ref().map(pos)),
        ("max_vus", l.max_vus.as_ref().map(pos)),
        ("start_rate", l.start_rate.as_ref().map(pos)),
        ("stages", l.stages.as_ref().map(pos)),
        ("vus", l.vus.as_ref().map(pos)),
        ("start_vus", l.start_vus.as_ref().map(pos)),
        ("start_time", l.start_time.as_ref().map(pos)),
        ("graceful_stop", l.graceful_stop.as_ref().map(pos)),
    ]
    .into_iter()
    .filter_map(|(name, p)| p.map(|p| (name, p)))
    .collect();
    let mut ok = true;
    for (name, at) in &present {
        if !executor.keys().contains(name) {
            c.error(
                *at,
                &format!("{key}.{name}"),
                DiagnosticKind::UnknownKey,
                format!("not an option of {}", executor.name()),
                Some(format!(
                    "{} takes: executor, {}",
                    executor.name(),
                    executor.keys().join(", ")
                )),
            );
            ok = false;
        }
    }
    let at = pos(&l.executor);
    let require = |c: &mut Checker<'_>, name: &str, present: bool| {
        if !present {
            c.error(
                at,
                &format!("{key}.{name}"),
                DiagnosticKind::MissingKey,
                format!("{} needs `{name}`", executor.name()),
                Some(format!("add `{name}:` to {key}")),
            );
            false
        } else {
            true
        }
    };
    let start_time = match &l.start_time {
        Some(s) => c.duration(s, &format!("{key}.start_time")),
        None => Some(Duration::ZERO),
    };
    let graceful_stop = match &l.graceful_stop {
        Some(s) => c.duration(s, &format!("{key}.graceful_stop")),
        None => Some(DEFAULT_GRACEFUL_STOP),
    };
    let time_unit = match &l.time_unit {
        Some(s) => c.positive_duration(s, &format!("{key}.time_unit")),
        None => Some(Duration::from_secs(1)),
    };
    let vus_pair = |c: &mut Checker<'_>| -> Option<(u32, u32)> {
        let max = match &l.max_vus {
            Some(m) => Some(c.whole(m, &format!("{key}.max_vus"), 1, "allow at least one VU")?),
            None => None,
        };
        let pre = match &l.pre_allocated_vus {
            Some(p) => c.whole(
                p,
                &format!("{key}.pre_allocated_vus"),
                1,
                "pre-allocate at least one VU",
            )?,
            None => DEFAULT_PRE_ALLOCATED_VUS.min(max.unwrap_or(DEFAULT_MAX_VUS)),
        };
        let max = max.unwrap_or(DEFAULT_MAX_VUS.max(pre));
        if pre > max {
            let at = l.max_vus.as_ref().map(pos).unwrap_or(at);
            c.error(
                at,
                &format!("{key}.max_vus"),
                DiagnosticKind::Conflict,
                format!("max_vus ({max}) is below pre_allocated_vus ({pre})"),
                Some("raise max_vus or lower pre_allocated_vus".to_string()),
            );
            return None;
        }
        Some((pre, max))
    };
    let stages = |c: &mut Checker<'_>, whole: bool| -> Option<Vec<Stage>> {
        let stages = l.stages.as_ref()?;
        if stages.value.is_empty() {
            c.error(
                pos(stages),
                &format!("{key}.stages"),
                DiagnosticKind::InvalidValue,
                "is empty",
                Some("add at least one `{ target: N, duration: 1m }`".to_string()),
            );
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for (i, stage) in stages.value.iter().enumerate() {
            let skey = format!("{key}.stages[{i}]");
            let target = c.non_negative_rate(&stage.value.target, &format!("{skey}.target"));
            if whole && target.is_some_and(|t| t.fract() != 0.0) {
                c.error(
                    pos(&stage.value.target),
                    &format!("{skey}.target"),
                    DiagnosticKind::InvalidValue,
                    format!(
                        "a VU count must be whole (got {})",
                        stage.value.target.value
                    ),
                    None,
                );
                ok = false;
            }
            let duration = c.duration(&stage.value.duration, &format!("{skey}.duration"));
            match (target, duration) {
                (Some(target), Some(duration)) => out.push(Stage { target, duration }),
                _ => ok = false,
            }
        }
        ok.then_some(out)
    };
    let executor = match executor {
        ExecutorDoc::ConstantArrivalRate => {
            ok &= require(c, "rate", l.rate.is_some());
            ok &= require(c, "duration", l.duration.is_some());
            let rate = l.rate.as_ref().and_then(|r| {
                c.positive_rate(
                    r,
                    &format!("{key}.rate"),
                    "set a positive rate per time_unit",
                )
            });
            let duration = l
                .duration
                .as_ref()
                .and_then(|d| c.positive_duration(d, &format!("{key}.duration")));
            let vus = vus_pair(c);
            match (rate, time_unit, duration, vus) {
                (Some(rate), Some(time_unit), Some(duration), Some((pre, max))) => {
                    Some(Executor::ConstantArrivalRate {
                        rate,
                        time_unit,
                        duration,
                        pre_allocated_vus: pre,
                        max_vus: max,
                    })
                }
                _ => None,
            }
        }
        ExecutorDoc::RampingArrivalRate => {
            ok &= require(c, "stages", l.stages.is_some());
            let start_rate = match &l.start_rate {
                Some(r) => c.non_negative_rate(r, &format!("{key}.start_rate")),
                None => Some(0.0),
            };
            let stages = stages(c, false);
            let vus = vus_pair(c);
            match (start_rate, time_unit, stages, vus) {
                (Some(start_rate), Some(time_unit), Some(stages), Some((pre, max))) => {
                    if start_rate == 0.0 && stages.iter().all(|s| s.target == 0.0) {
                        c.error(
                            l.stages.as_ref().map(pos).unwrap_or(pos(&l.executor)),
                            &format!("{key}.stages"),
                            DiagnosticKind::InvalidValue,
                            "every target and start_rate is 0, so no iteration would start",
                            Some("give a stage a positive target".to_string()),
                        );
                        None
                    } else {
                        Some(Executor::RampingArrivalRate {
                            start_rate,
                            time_unit,
                            stages,
                            pre_allocated_vus: pre,
                            max_vus: max,
                        })
                    }
                }
                _ => None,
            }
        }
        ExecutorDoc::ConstantVus => {
            ok &= require(c, "vus", l.vus.is_some());
            ok &= require(c, "duration", l.duration.is_some());
            let vus = l
                .vus
                .as_ref()
                .and_then(|v| c.whole(v, &format!("{key}.vus"), 1, "run at least one VU"));
            let duration = l
                .duration
                .as_ref()
                .and_then(|d| c.positive_duration(d, &format!("{key}.duration")));
            match (vus, duration) {
                (Some(vus), Some(duration)) => Some(Executor::ConstantVus { vus, duration }),
                _ => None,
            }
        }
        ExecutorDoc::RampingVus => {
            ok &= require(c, "stages", l.stages.is_some());
            let start_vus = match &l.start_vus {
                Some(v) => c.whole(
                    v,
                    &format!("{key}.start_vus"),
                    0,
                    "start from 0 or more VUs",
                ),
                None => Some(0),
            };
            let stages = stages(c, true);
            match (start_vus, stages) {
                (Some(start_vus), Some(stages)) => Some(Executor::RampingVus { start_vus, stages }),
                _ => None,
            }
        }
    };
    if !ok {
        return None;
    }
    Some(Load {
        executor: executor?,
        start_time: start_time?,
        graceful_stop: graceful_stop?,
    })
}

fn check_flows(
    c: &mut Checker<'_>,
    flows: &Spanned<super::doc::NamedMap<Spanned<FlowDoc>>>,
    shared: bool,
    capabilities: Option<Capabilities>,
    setup: Option<&Setup>,
) -> Vec<Flow> {
    if flows.value.0.is_empty() {
        c.error(
            pos(flows),
            "flows",
            DiagnosticKind::InvalidValue,
            "no flows",
            Some("add at least one flow with steps and a load".to_string()),
        );
    }
    let mut out = Vec::new();
    for (name, flow) in &flows.value.0 {
        let key = format!("flows.{}", name.value);
        if !is_name(&name.value) {
            c.error(
                pos(name),
                &key,
                DiagnosticKind::InvalidValue,
                format!("`{}` is not a valid flow name", name.value),
                Some(
                    "use letters, digits, `_` and `-` (thresholds refer to steps as `flow.step`)"
                        .to_string(),
                ),
            );
        } else if name.value == "run" || QuotaCategory::from_name(&name.value).is_some() {
            c.error(
                pos(name),
                &key,
                DiagnosticKind::Conflict,
                format!("`{}` is reserved for a threshold scope", name.value),
                Some("rename the flow".to_string()),
            );
        }
        if let Some(flow) = check_flow(c, &name.value, &key, flow, shared, capabilities, setup) {
            out.push(flow);
        }
    }
    out
}

fn check_flow(
    c: &mut Checker<'_>,
    name: &str,
    key: &str,
    flow: &Spanned<FlowDoc>,
    shared: bool,
    capabilities: Option<Capabilities>,
    setup: Option<&Setup>,
) -> Option<Flow> {
    let f = &flow.value;
    let load = match (shared, &f.load, &f.weight) {
        (true, Some(load), _) => {
            c.error(
                pos(load),
                &format!("{key}.load"),
                DiagnosticKind::Conflict,
                "the scenario has a top-level `load` that flows share by `weight`",
                Some(
                    "remove this load and give the flow a `weight`, or remove the top-level load"
                        .to_string(),
                ),
            );
            None
        }
        (true, None, weight) => match weight {
            Some(w) => c
                .whole(w, &format!("{key}.weight"), 1, "give a weight of 1 or more")
                .map(|weight| FlowLoad::Shared { weight }),
            None => Some(FlowLoad::Shared { weight: 1 }),
        },
        (false, _, Some(weight)) => {
            c.error(
                pos(weight),
                &format!("{key}.weight"),
                DiagnosticKind::Conflict,
                "`weight` shares a top-level `load`, and the scenario has none",
                Some("remove `weight`, or move the flows' load to a top-level `load`".to_string()),
            );
            None
        }
        (false, Some(load), None) => check_load(c, load, &format!("{key}.load")).map(FlowLoad::Own),
        (false, None, None) => {
            c.error(
                pos(flow),
                &format!("{key}.load"),
                DiagnosticKind::MissingKey,
                "the flow has no `load`",
                Some(
                    "add e.g. `load: { executor: constant-arrival-rate, rate: 10, duration: 1m }`"
                        .to_string(),
                ),
            );
            None
        }
    };
    let users = match f.users.as_ref().map(|u| u.value) {
        Some(UserSelectionDoc::Random) => UserSelection::Random,
        Some(UserSelectionDoc::Unique) => UserSelection::Unique,
        _ => UserSelection::Sequential,
    };
    if f.steps.value.is_empty() {
        c.error(
            pos(&f.steps),
            &format!("{key}.steps"),
            DiagnosticKind::InvalidValue,
            "no steps",
            Some(format!(
                "add at least one step: {}",
                super::doc::STEP_KINDS.join(", ")
            )),
        );
    }
    let steps = check_steps(c, name, key, &f.steps.value, capabilities, setup);
    Some(Flow {
        name: name.to_string(),
        load: load?,
        users,
        steps: steps?,
    })
}

fn check_steps(
    c: &mut Checker<'_>,
    flow: &str,
    key: &str,
    steps: &[Spanned<StepDoc>],
    capabilities: Option<Capabilities>,
    setup: Option<&Setup>,
) -> Option<Vec<Step>> {
    let explicit: BTreeSet<String> = steps
        .iter()
        .filter_map(|s| s.value.options.name.as_ref().map(|n| n.value.clone()))
        .collect();
    let mut names: BTreeSet<String> = BTreeSet::new();
    let mut captures: Vec<(String, usize)> = Vec::new();
    let mut out = Vec::new();
    let mut ok = true;
    let mut signed_up = false;
    let mut latest_tokens: Option<usize> = None;
    for (index, step) in steps.iter().enumerate() {
        let at = pos(step);
        let kind_name = step.value.kind.name();
        let skey = format!("{key}.steps[{index}].{kind_name}");
        let o = &step.value.options;
        // Name: explicit, or the kind numbered past any name already taken.
        let name = match &o.name {
            Some(n) => {
                if !is_name(&n.value) {
                    c.error(
                        pos(n),
                        &format!("{skey}.name"),
                        DiagnosticKind::InvalidValue,
                        format!("`{}` is not a valid step name", n.value),
                        Some("use letters, digits, `_` and `-`".to_string()),
                    );
                    ok = false;
                }
                if names.contains(&n.value) {
                    c.error(
                        pos(n),
                        &format!("{skey}.name"),
                        DiagnosticKind::Conflict,
                        format!(
                            "another step of flow `{flow}` is already named `{}`",
                            n.value
                        ),
                        Some("give each step a unique name".to_string()),
                    );
                    ok = false;
                }
                n.value.clone()
            }
            None => {
                let mut candidate = kind_name.to_string();
                let mut k = 2;
                while names.contains(&candidate) || explicit.contains(&candidate) {
                    candidate = format!("{kind_name}_{k}");
                    k += 1;
                }
                candidate
            }
        };
        names.insert(name.clone());
        let think = match &o.think {
            Some(t) => c.duration(t, &format!("{skey}.think")).unwrap_or_else(|| {
                ok = false;
                Duration::ZERO
            }),
            None => Duration::ZERO,
        };
        let expect = match &o.expect {
            Some(e) => {
                let error = e.value.error.as_ref().and_then(|err| {
                    let valid = err
                        .value
                        .chars()
                        .next()
                        .is_some_and(|ch| ch.is_ascii_alphabetic())
                        && err.value.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_');
                    if !valid {
                        c.error(
                            pos(err),
                            &format!("{skey}.expect.error"),
                            DiagnosticKind::InvalidValue,
                            format!("`{}` is not an error code", err.value),
                            Some("write the code as the target returns it, e.g. NotAuthorizedException or invalid_grant".to_string()),
                        );
                        ok = false;
                    }
                    valid.then(|| err.value.clone())
                });
                let status = e
                    .value
                    .status
                    .as_ref()
                    .and_then(|s| match u16::try_from(s.value) {
                        Ok(v) if (100..=599).contains(&v) => Some(v),
                        _ => {
                            c.error(
                                pos(s),
                                &format!("{skey}.expect.status"),
                                DiagnosticKind::InvalidValue,
                                format!("must be an HTTP status 100..=599 (got {})", s.value),
                                None,
                            );
                            ok = false;
                            None
                        }
                    });
                Expect { error, status }
            }
            None => Expect::default(),
        };
        let password =
            |c: &mut Checker<'_>, ok: &mut bool, field: &Option<Spanned<String>>, sub: &str| {
                field.as_ref().and_then(|p| {
                    let s = c.secret(p, &format!("{skey}.{sub}"));
                    *ok &= s.is_some();
                    s
                })
            };
        let kind = match step.value.kind {
            StepKindDoc::SignUp => {
                let username = match &o.username {
                    Some(u) => check_pattern(c, u, &format!("{skey}.username"), true)
                        .unwrap_or_else(|| {
                            ok = false;
                            String::new()
                        }),
                    None => "{run}-{flow}-{n}".to_string(),
                };
                let password = password(c, &mut ok, &o.password, "password")
                    .or_else(|| setup.and_then(|s| s.password.clone()));
                let attributes = o
                    .attributes
                    .as_ref()
                    .map(|a| {
                        a.value
                            .iter()
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect()
                    })
                    .unwrap_or_default();
                signed_up = true;
                StepKind::SignUp {
                    username,
                    password,
                    attributes,
                }
            }
            StepKindDoc::ConfirmSignUp => {
                if !signed_up {
                    c.error(
                        at,
                        &skey,
                        DiagnosticKind::UnknownReference,
                        "confirms the user created by an earlier `sign_up`, and this flow has none before it",
                        Some("add a `sign_up` step before it".to_string()),
                    );
                    ok = false;
                }
                let via = match o.via.as_ref().map(|v| v.value) {
                    Some(ConfirmViaDoc::Admin) => ConfirmVia::Admin,
                    _ => ConfirmVia::Code,
                };
                StepKind::ConfirmSignUp { via }
            }
            StepKindDoc::SrpSignIn => StepKind::SrpSignIn {
                password: password(c, &mut ok, &o.password, "password"),
            },
            StepKindDoc::PasswordSignIn => StepKind::PasswordSignIn {
                password: password(c, &mut ok, &o.password, "password"),
            },
            StepKindDoc::AdminSignIn => StepKind::AdminSignIn {
                password: password(c, &mut ok, &o.password, "password"),
            },
            StepKindDoc::Refresh => StepKind::Refresh,
            StepKindDoc::GetUser => StepKind::GetUser,
            StepKindDoc::ChangePassword => StepKind::ChangePassword {
                new_password: password(c, &mut ok, &o.new_password, "new_password"),
            },
            StepKindDoc::ForgotPassword => StepKind::ForgotPassword {
                confirm: o.confirm.as_ref().is_some_and(|b| b.value),
                new_password: password(c, &mut ok, &o.new_password, "new_password"),
            },
            StepKindDoc::GlobalSignOut => StepKind::GlobalSignOut,
            StepKindDoc::RevokeToken => StepKind::RevokeToken,
            StepKindDoc::ClientCredentials => StepKind::ClientCredentials {
                scopes: o
                    .scopes
                    .as_ref()
                    .map(|s| s.value.clone())
                    .unwrap_or_default(),
            },
            StepKindDoc::AuthorizationCodePkce => StepKind::AuthorizationCodePkce {
                scopes: o
                    .scopes
                    .as_ref()
                    .map(|s| s.value.clone())
                    .unwrap_or_else(|| vec!["openid".to_string()]),
                redirect_uri: match &o.redirect_uri {
                    Some(r) => c.text(r, &format!("{skey}.redirect_uri")),
                    None => None,
                },
            },
            StepKindDoc::VerifyTokens => StepKind::VerifyTokens {
                token: match o.token.as_ref().map(|t| t.value) {
                    Some(TokenUseDoc::Id) => TokenUse::Id,
                    Some(TokenUseDoc::Access) => TokenUse::Access,
                    _ => TokenUse::Both,
                },
            },
        };
        if let Some(caps) = capabilities {
            ok &= check_capability(c, &kind, &skey, at, caps);
        }
        // Tokens: an explicit capture, or the latest producer.
        let need = kind.token_need();
        let mut tokens_from = None;
        if need != TokenNeed::None {
            let source = match &o.tokens {
                Some(t) => match captures.iter().find(|(name, _)| *name == t.value) {
                    Some((_, i)) => Some(*i),
                    None => {
                        let known: Vec<&str> = captures.iter().map(|(n, _)| n.as_str()).collect();
                        c.error(
                            pos(t),
                            &format!("{skey}.tokens"),
                            DiagnosticKind::UnknownReference,
                            format!("no earlier step of flow `{flow}` captures `{}`", t.value),
                            Some(if known.is_empty() {
                                "add `capture: NAME` to an earlier sign-in step".to_string()
                            } else {
                                format!("captures so far: {}", known.join(", "))
                            }),
                        );
                        ok = false;
                        None
                    }
                },
                None => {
                    if latest_tokens.is_none() {
                        c.error(
                            at,
                            &skey,
                            DiagnosticKind::UnknownReference,
                            "needs tokens from an earlier step of this flow, and there is none",
                            Some("add srp_sign_in (or password_sign_in, admin_sign_in, authorization_code_pkce) before it".to_string()),
                        );
                        ok = false;
                    }
                    latest_tokens
                }
            };
            if let Some(source) = source {
                let produced = out
                    .get(source)
                    .and_then(|s: &Step| s.kind.produces_tokens());
                if let Some(produced) = produced {
                    let source_name = out
                        .get(source)
                        .map(|s: &Step| s.name.clone())
                        .unwrap_or_default();
                    if need == TokenNeed::Refresh && !produced.refresh {
                        c.error(
                            at,
                            &skey,
                            DiagnosticKind::UnknownReference,
                            format!("needs a refresh token, and `{source_name}` (client_credentials) issues none"),
                            Some("use the tokens of a user sign-in step".to_string()),
                        );
                        ok = false;
                    } else if need == TokenNeed::UserAccess && !produced.user {
                        c.error(
                            at,
                            &skey,
                            DiagnosticKind::UnknownReference,
                            format!("needs a user's access token, and `{source_name}` is an app client's"),
                            Some("use the tokens of a user sign-in step".to_string()),
                        );
                        ok = false;
                    }
                }
                tokens_from = Some(source);
            }
        }
        let capture = match &o.capture {
            Some(cap) => {
                if !is_name(&cap.value) {
                    c.error(
                        pos(cap),
                        &format!("{skey}.capture"),
                        DiagnosticKind::InvalidValue,
                        format!("`{}` is not a valid capture name", cap.value),
                        Some("use letters, digits, `_` and `-`".to_string()),
                    );
                    ok = false;
                } else if captures.iter().any(|(n, _)| *n == cap.value) {
                    c.error(
                        pos(cap),
                        &format!("{skey}.capture"),
                        DiagnosticKind::Conflict,
                        format!("`{}` is already captured by an earlier step", cap.value),
                        Some("give each capture a unique name".to_string()),
                    );
                    ok = false;
                }
                captures.push((cap.value.clone(), index));
                Some(cap.value.clone())
            }
            None => None,
        };
        if kind.produces_tokens().is_some() {
            latest_tokens = Some(index);
        }
        out.push(Step {
            name,
            kind,
            expect,
            think,
            capture,
            tokens_from,
        });
    }
    ok.then_some(out)
}

fn check_capability(
    c: &mut Checker<'_>,
    kind: &StepKind,
    key: &str,
    at: Pos,
    caps: Capabilities,
) -> bool {
    let problem: Option<(&str, &str)> = match kind {
        StepKind::AdminSignIn { .. } if !caps.admin => Some((
            "calls AdminInitiateAuth, which needs admin credentials, and the target has `admin: none`",
            "set `admin: env` on the target, or use srp_sign_in",
        )),
        StepKind::ConfirmSignUp {
            via: ConfirmVia::Admin,
        } if !caps.admin => Some((
            "`via: admin` calls AdminConfirmSignUp, which needs admin credentials, and the target has `admin: none`",
            "set `admin: env` on the target",
        )),
        StepKind::ConfirmSignUp {
            via: ConfirmVia::Code,
        } if !caps.read_codes => Some((
            "confirming with the code needs the code, which a remote pool sends by email or SMS",
            "use `confirm_sign_up: { via: admin }` (AdminConfirmSignUp) with `admin: env`",
        )),
        StepKind::ForgotPassword { confirm: true, .. } if !caps.read_codes => Some((
            "`confirm: true` needs the reset code, which a remote pool sends by email or SMS",
            "remove `confirm`, or run against the embedded target",
        )),
        StepKind::ClientCredentials { .. } if !caps.oauth => Some((
            "needs the target's OAuth domain (the token endpoint), and the target has none",
            "set `oauth_domain` on the target",
        )),
        StepKind::ClientCredentials { .. } if !caps.client_secret => Some((
            "needs an app client with a secret, and the target has no `client_secret`",
            "set `client_secret: ${CLIENT_SECRET}` on the target",
        )),
        StepKind::AuthorizationCodePkce { .. } if !caps.oauth => Some((
            "needs the target's OAuth domain (managed login and the token endpoint), and the target has none",
            "set `oauth_domain` on the target",
        )),
        _ => None,
    };
    match problem {
        Some((message, fix)) => {
            c.error(
                at,
                key,
                DiagnosticKind::Unsupported,
                message,
                Some(fix.to_string()),
            );
            false
        }
        None => true,
    }
}

/// Seconds one iteration of `flow` takes, with [`ASSUMED_LATENCY`] per request.
pub fn iteration_seconds(flow: &Flow, latency: Duration) -> f64 {
    flow.steps
        .iter()
        .map(|s| s.kind.operations().len() as f64 * latency.as_secs_f64() + s.think.as_secs_f64())
        .sum::<f64>()
        .max(latency.as_secs_f64() / 10.0)
}

fn flow_doc<'d>(doc: &'d ScenarioDoc, name: &str) -> Option<&'d Spanned<FlowDoc>> {
    doc.flows
        .value
        .0
        .iter()
        .find(|(n, _)| n.value == name)
        .map(|(_, f)| f)
}

/// Expected iterations of each flow, for arrival-rate loads (exact), else `None`.
fn expected_iterations(flow: &Flow, flows: &[Flow], shared: Option<&Load>) -> Option<f64> {
    match &flow.load {
        FlowLoad::Own(load) => schedule::arrival_profile(load).map(|p| p.integral()),
        FlowLoad::Shared { weight } => {
            let total: u32 = flows
                .iter()
                .map(|f| match f.load {
                    FlowLoad::Shared { weight } => weight,
                    FlowLoad::Own(_) => 0,
                })
                .sum();
            let profile = schedule::arrival_profile(shared?)?;
            Some(profile.integral() * f64::from(*weight) / f64::from(total.max(1)))
        }
    }
}

fn check_users(
    c: &mut Checker<'_>,
    doc: &ScenarioDoc,
    flows: &[Flow],
    setup: Option<&Setup>,
    shared: Option<&Load>,
) {
    let Some(setup) = setup else { return };
    let pool = setup.users.count();
    for flow in flows {
        let Some(fdoc) = flow_doc(doc, &flow.name) else {
            continue;
        };
        let key = format!("flows.{}", flow.name);
        if flow.draws_pool_user() && pool == 0 {
            let (index, step) = flow
                .steps
                .iter()
                .enumerate()
                .find(|(_, s)| s.kind.needs_user())
                .map(|(i, s)| (i, s.kind.name()))
                .unwrap_or((0, ""));
            let at = fdoc
                .value
                .steps
                .value
                .get(index)
                .map(pos)
                .unwrap_or(pos(fdoc));
            c.error(
                at,
                &format!("{key}.steps[{index}].{step}"),
                DiagnosticKind::UnknownReference,
                "acts as an existing user, and the scenario has none",
                Some(
                    "add `setup: { users: 100 }` (or a `csv`), or start the flow with sign_up"
                        .to_string(),
                ),
            );
        }
        if flow.users == UserSelection::Unique && flow.draws_pool_user() && pool > 0 {
            let at = fdoc.value.users.as_ref().map(pos).unwrap_or(pos(fdoc));
            match expected_iterations(flow, flows, shared) {
                Some(n) if n.ceil() > pool as f64 => c.error(
                    at,
                    &format!("{key}.users"),
                    DiagnosticKind::Conflict,
                    format!(
                        "`unique` takes a fresh user per iteration: the load starts {} iterations and setup provides {pool} users",
                        n.ceil()
                    ),
                    Some("raise setup.users, or use `sequential`".to_string()),
                ),
                Some(_) => {}
                None => c.warn(
                    at,
                    &format!("{key}.users"),
                    DiagnosticKind::Capacity,
                    format!("`unique` takes a fresh user per iteration, and a VU executor's iteration count depends on latency; iterations fail once the {pool} users run out"),
                    None,
                ),
            }
        }
    }
}

fn check_cleanup(
    c: &mut Checker<'_>,
    doc: &ScenarioDoc,
    setup: &Setup,
    target: &Target,
    flows: &[Flow],
) {
    if setup.keep || target.capabilities().admin {
        return;
    }
    let provisions = matches!(setup.users, UserSource::Provision { count, .. } if count > 0);
    let creator = flows.iter().find(|f| f.creates_users());
    if !provisions && creator.is_none() {
        return;
    }
    let (at, what) = match (&doc.setup, creator) {
        (Some(s), _) if provisions => (pos(s), "provisioned users".to_string()),
        (_, Some(flow)) => (
            flow_doc(doc, &flow.name).map(pos).unwrap_or(TOP),
            format!("users that flow `{}` signs up", flow.name),
        ),
        _ => (TOP, "created users".to_string()),
    };
    c.error(
        at,
        "setup.keep",
        DiagnosticKind::Unsupported,
        format!("the run deletes the {what} afterwards (AdminDeleteUser), which needs admin credentials, and the target has `admin: none`"),
        Some("set `admin: env` on the target, or `setup: { keep: true }` to leave them".to_string()),
    );
}

fn check_capacity(c: &mut Checker<'_>, doc: &ScenarioDoc, flows: &[Flow], shared: Option<&Load>) {
    let check = |c: &mut Checker<'_>, load: &Load, seconds: f64, key: &str, at: Pos| {
        let Some(profile) = schedule::arrival_profile(load) else {
            return;
        };
        let max_vus = match load.executor {
            Executor::ConstantArrivalRate { max_vus, .. }
            | Executor::RampingArrivalRate { max_vus, .. } => max_vus,
            _ => return,
        };
        // Shave float noise (100 x 0.3 s is 30.000000000000004) before rounding up.
        let needed = (profile.peak() * seconds - 1e-9).ceil();
        if needed > f64::from(max_vus) {
            c.warn(
                at,
                &format!("{key}.max_vus"),
                DiagnosticKind::Capacity,
                format!(
                    "at its peak of {:.1} iterations/s, iterations of ~{} (assuming {} per request) need ~{needed} VUs, more than max_vus {max_vus}; iterations beyond it are dropped and counted",
                    profile.peak(),
                    format_duration(Duration::from_secs_f64(seconds.min(1e9))),
                    format_duration(ASSUMED_LATENCY),
                ),
                Some(format!("raise max_vus to {needed} or more")),
            );
        }
    };
    for flow in flows {
        if let FlowLoad::Own(load) = &flow.load {
            let key = format!("flows.{}.load", flow.name);
            let at = flow_doc(doc, &flow.name)
                .and_then(|f| f.value.load.as_ref())
                .map(pos)
                .unwrap_or(TOP);
            check(c, load, iteration_seconds(flow, ASSUMED_LATENCY), &key, at);
        }
    }
    if let Some(load) = shared {
        let weights: f64 = flows
            .iter()
            .map(|f| match f.load {
                FlowLoad::Shared { weight } => f64::from(weight),
                FlowLoad::Own(_) => 0.0,
            })
            .sum();
        let mean: f64 = flows
            .iter()
            .map(|f| match f.load {
                FlowLoad::Shared { weight } => {
                    f64::from(weight) * iteration_seconds(f, ASSUMED_LATENCY)
                }
                FlowLoad::Own(_) => 0.0,
            })
            .sum::<f64>()
            / weights.max(1.0);
        let at = doc.load.as_ref().map(pos).unwrap_or(TOP);
        check(c, load, mean, "load", at);
    }
}

fn check_thresholds(
    c: &mut Checker<'_>,
    thresholds: &super::doc::NamedMap<Spanned<Vec<Spanned<String>>>>,
    flows: &[Flow],
    categories: &[QuotaCategory],
) -> Vec<Threshold> {
    let mut out = Vec::new();
    for (scope_name, expressions) in &thresholds.0 {
        let key = format!("thresholds.{}", scope_name.value);
        let Some(scope) = resolve_scope(c, scope_name, &key, flows, categories) else {
            continue;
        };
        if expressions.value.is_empty() {
            c.error(
                pos(expressions),
                &key,
                DiagnosticKind::InvalidValue,
                "no expressions",
                Some("add e.g. [\"p(99)<300ms\", \"error_rate<1%\"]".to_string()),
            );
        }
        for (i, expression) in expressions.value.iter().enumerate() {
            let ekey = format!("{key}[{i}]");
            match parse_expression(&expression.value) {
                Ok(parsed) => {
                    if parsed.metric == Metric::PeakRps
                        && !matches!(scope, Scope::Run | Scope::Category(_))
                    {
                        c.error(
                            pos(expression),
                            &ekey,
                            DiagnosticKind::UnknownReference,
                            format!(
                                "peak_rps is measured for the run and quota categories, not for {}",
                                describe(&scope)
                            ),
                            Some(
                                "use `rps` here, or put peak_rps under `run` or a category"
                                    .to_string(),
                            ),
                        );
                        continue;
                    }
                    out.push(Threshold {
                        scope: scope.clone(),
                        expression: parsed,
                        source: expression.value.trim().to_string(),
                    });
                }
                Err(e) => {
                    let at = c.inside(expression, e.offset);
                    let (message, fix) = match e.message.split_once("; ") {
                        Some((m, f)) => (m.to_string(), Some(f.to_string())),
                        None => (e.message.clone(), None),
                    };
                    c.error(at, &ekey, DiagnosticKind::InvalidValue, message, fix);
                }
            }
        }
    }
    out
}

fn describe(scope: &Scope) -> String {
    match scope {
        Scope::Run => "the run".to_string(),
        Scope::Flow(f) => format!("flow `{f}`"),
        Scope::Step { flow, step } => format!("step `{flow}.{step}`"),
        Scope::Category(c) => format!("category {c}"),
    }
}

fn resolve_scope(
    c: &mut Checker<'_>,
    name: &Spanned<String>,
    key: &str,
    flows: &[Flow],
    categories: &[QuotaCategory],
) -> Option<Scope> {
    let text = name.value.as_str();
    if text == "run" {
        return Some(Scope::Run);
    }
    if let Some(category) = QuotaCategory::from_name(text) {
        if categories.contains(&category) {
            return Some(Scope::Category(category));
        }
        let used: Vec<&str> = categories.iter().map(|c| c.name()).collect();
        c.error(
            pos(name),
            key,
            DiagnosticKind::UnknownReference,
            format!("no step of this scenario sends a {category} operation"),
            Some(if used.is_empty() {
                "this scenario's steps send no categorised operation".to_string()
            } else {
                format!("its categories are: {}", used.join(", "))
            }),
        );
        return None;
    }
    if let Some((flow, step)) = text.split_once('.') {
        match flows.iter().find(|f| f.name == flow) {
            Some(f) if f.step(step).is_some() => {
                return Some(Scope::Step {
                    flow: flow.to_string(),
                    step: step.to_string(),
                });
            }
            Some(f) => {
                let steps: Vec<&str> = f.steps.iter().map(|s| s.name.as_str()).collect();
                c.error(
                    pos(name),
                    key,
                    DiagnosticKind::UnknownReference,
                    format!("flow `{flow}` has no step `{step}`"),
                    Some(format!("its steps are: {}", steps.join(", "))),
                );
                return None;
            }
            None => {}
        }
    } else if flows.iter().any(|f| f.name == text) {
        return Some(Scope::Flow(text.to_string()));
    } else {
        let owners: Vec<&Flow> = flows.iter().filter(|f| f.step(text).is_some()).collect();
        match owners.as_slice() {
            [only] => {
                return Some(Scope::Step {
                    flow: only.name.clone(),
                    step: text.to_string(),
                });
            }
            [] => {}
            many => {
                let options: Vec<String> =
                    many.iter().map(|f| format!("{}.{text}", f.name)).collect();
                c.error(
                    pos(name),
                    key,
                    DiagnosticKind::UnknownReference,
                    format!("step `{text}` is in several flows"),
                    Some(format!("name one: {}", options.join(", "))),
                );
                return None;
            }
        }
    }
    let mut known = vec!["run".to_string()];
    known.extend(flows.iter().map(|f| f.name.clone()));
    known.extend(flows.iter().flat_map(|f| {
        f.steps
            .iter()
            .map(move |s| format!("{}.{}", f.name, s.name))
    }));
    known.extend(categories.iter().map(|c| c.name().to_string()));
    c.error(
        pos(name),
        key,
        DiagnosticKind::UnknownReference,
        format!("`{text}` is not a scope of this scenario"),
        Some(format!("scopes are: {}", known.join(", "))),
    );
    None
}
