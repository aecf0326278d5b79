//! Flows and their steps: names, options, captures and the tokens each step reads, and what
//! the target must offer for a step to run.

use std::collections::BTreeSet;

use serde_saphyr::Spanned;

use super::checker::{Checker, Pos, is_name, pos};
use super::load::check_load;
use super::setup::check_pattern;
use crate::quota::QuotaCategory;
use crate::scenario::doc::{
    ConfirmViaDoc, ExpectDoc, FlowDoc, PreferredChallengeDoc, StepDoc, StepKindDoc, StepOptionsDoc,
    TokenUseDoc, UserSelectionDoc,
};
use crate::scenario::model::*;
use crate::scenario::think::Think;
use crate::yaml::DiagnosticKind;

pub(super) fn check_flows(
    c: &mut Checker<'_>,
    flows: &Spanned<crate::scenario::doc::NamedMap<Spanned<FlowDoc>>>,
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
                crate::scenario::doc::STEP_KINDS.join(", ")
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
    let mut flow_state = FlowState {
        flow,
        names: BTreeSet::new(),
        captures: Vec::new(),
        ok: true,
        signed_up: false,
        latest_tokens: None,
        tokenless_sign_ins: Vec::new(),
    };
    let mut out = Vec::new();
    for (index, step) in steps.iter().enumerate() {
        let at = pos(step);
        let kind_name = step.value.kind.name();
        let skey = format!("{key}.steps[{index}].{kind_name}");
        let o = &step.value.options;
        let name = flow_state.step_name(c, o, &skey, kind_name, &explicit);
        let think = match &o.think {
            Some(t) => c.think(t, &format!("{skey}.think")).unwrap_or_else(|| {
                flow_state.ok = false;
                Think::default()
            }),
            None => Think::default(),
        };
        let expect = match &o.expect {
            Some(e) => check_expect(c, &mut flow_state.ok, e, &skey),
            None => Expect::default(),
        };
        let kind = flow_state.step_kind(c, step, &skey, at, setup);
        let burst = super::burst::check_burst(c, o.burst.as_ref(), &kind, &skey);
        flow_state.ok &= burst.is_some();
        if let Some(caps) = capabilities {
            flow_state.ok &= check_capability(c, &kind, &skey, at, caps);
        }
        let tokens_from = flow_state.tokens_from(c, &kind, o, &skey, at, &out);
        let capture = flow_state.capture(c, o, &skey, index);
        let step = Step {
            name,
            kind,
            expect,
            think,
            burst: burst.unwrap_or(1),
            capture,
            tokens_from,
        };
        if step.yields_tokens().is_some() {
            flow_state.latest_tokens = Some(index);
        } else if step.kind.produces_tokens().is_some() {
            flow_state.tokenless_sign_ins.push(index);
        }
        out.push(step);
    }
    flow_state.ok.then_some(out)
}

/// What the steps of one flow have established so far.
struct FlowState<'f> {
    flow: &'f str,
    /// Step names taken.
    names: BTreeSet<String>,
    /// Capture name -> index of the capturing step.
    captures: Vec<(String, usize)>,
    ok: bool,
    /// An earlier `sign_up` exists.
    signed_up: bool,
    /// The latest step that yields tokens (a token step expected to succeed).
    latest_tokens: Option<usize>,
    /// Token steps that yield none because they expect an error.
    tokenless_sign_ins: Vec<usize>,
}

impl FlowState<'_> {
    /// Name: explicit, or the kind numbered past any name already taken.
    fn step_name(
        &mut self,
        c: &mut Checker<'_>,
        o: &StepOptionsDoc,
        skey: &str,
        kind_name: &str,
        explicit: &BTreeSet<String>,
    ) -> String {
        let flow = self.flow;
        let names = &self.names;
        let ok = &mut self.ok;
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
                    *ok = false;
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
                    *ok = false;
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
        self.names.insert(name.clone());
        name
    }

    /// The step's kind and its options, checked.
    fn step_kind(
        &mut self,
        c: &mut Checker<'_>,
        step: &Spanned<StepDoc>,
        skey: &str,
        at: Pos,
        setup: Option<&Setup>,
    ) -> StepKind {
        let o = &step.value.options;
        let mut ok_here = true;
        let ok = &mut ok_here;
        let kind = {
            let password =
                |c: &mut Checker<'_>, ok: &mut bool, field: &Option<Spanned<String>>, sub: &str| {
                    field.as_ref().and_then(|p| {
                        let s = c.secret(p, &format!("{skey}.{sub}"));
                        *ok &= s.is_some();
                        s
                    })
                };
            // Sign-in passwords may read the iteration's CSV row: only a pool user has one.
            let columns: Result<&[String], &str> = match setup.map(|s| &s.users) {
                _ if self.signed_up => {
                    Err("this flow acts as the user its `sign_up` created, who has no CSV row")
                }
                Some(UserSource::Csv { columns, .. }) => Ok(columns),
                _ => Err("`setup` reads no `csv:` file"),
            };
            let row_password = |c: &mut Checker<'_>, ok: &mut bool| {
                o.password.as_ref().and_then(|p| {
                    let s = c.secret_with_row(p, &format!("{skey}.password"), columns);
                    *ok &= s.is_some();
                    s
                })
            };
            match step.value.kind {
                StepKindDoc::SignUp => {
                    let username = match &o.username {
                        Some(u) => check_pattern(c, u, &format!("{skey}.username"), true)
                            .unwrap_or_else(|| {
                                *ok = false;
                                String::new()
                            }),
                        None => "{run}-{flow}-{n}".to_string(),
                    };
                    let password = password(c, ok, &o.password, "password")
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
                    self.signed_up = true;
                    StepKind::SignUp {
                        username,
                        password,
                        attributes,
                    }
                }
                StepKindDoc::ConfirmSignUp => {
                    if !self.signed_up {
                        c.error(
                            at,
                            skey,
                            DiagnosticKind::UnknownReference,
                            "confirms the user created by an earlier `sign_up`, and this flow has none before it",
                            Some("add a `sign_up` step before it".to_string()),
                        );
                        *ok = false;
                    }
                    let via = match o.via.as_ref().map(|v| v.value) {
                        Some(ConfirmViaDoc::Admin) => ConfirmVia::Admin,
                        _ => ConfirmVia::Code,
                    };
                    StepKind::ConfirmSignUp { via }
                }
                StepKindDoc::SrpSignIn => StepKind::SrpSignIn {
                    password: row_password(c, ok),
                    mfa: o.mfa.is_some(),
                },
                StepKindDoc::PasswordSignIn => StepKind::PasswordSignIn {
                    password: row_password(c, ok),
                    mfa: o.mfa.is_some(),
                },
                StepKindDoc::UserAuthSignIn => StepKind::UserAuthSignIn {
                    // Default: PASSWORD, the factor every pool allows.
                    preferred: match o.preferred.as_ref().map(|p| p.value) {
                        None | Some(PreferredChallengeDoc::Password) => {
                            PreferredChallenge::Password
                        }
                        Some(PreferredChallengeDoc::PasswordSrp) => PreferredChallenge::PasswordSrp,
                        Some(PreferredChallengeDoc::EmailOtp) => PreferredChallenge::EmailOtp,
                    },
                    password: row_password(c, ok),
                    mfa: o.mfa.is_some(),
                },
                StepKindDoc::AdminSignIn => StepKind::AdminSignIn {
                    password: row_password(c, ok),
                },
                StepKindDoc::Refresh => StepKind::Refresh,
                StepKindDoc::GetUser => StepKind::GetUser,
                StepKindDoc::GetTokensFromRefreshToken => StepKind::GetTokensFromRefreshToken,
                StepKindDoc::UpdateUserAttributes => StepKind::UpdateUserAttributes {
                    attributes: o
                        .attributes
                        .as_ref()
                        .map(|a| {
                            a.value
                                .iter()
                                .map(|(k, v)| (k.clone(), v.clone()))
                                .collect()
                        })
                        .unwrap_or_default(),
                },
                StepKindDoc::ChangePassword => StepKind::ChangePassword {
                    new_password: password(c, ok, &o.new_password, "new_password"),
                },
                StepKindDoc::ForgotPassword => StepKind::ForgotPassword {
                    confirm: o.confirm.as_ref().is_some_and(|b| b.value),
                    new_password: password(c, ok, &o.new_password, "new_password"),
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
                StepKindDoc::ListUsers => StepKind::ListUsers {
                    filter: match &o.filter {
                        Some(f) => c.text(f, &format!("{skey}.filter")),
                        None => None,
                    },
                    limit: list_limit(c, ok, &o.limit, &format!("{skey}.limit")),
                },
                StepKindDoc::VerifyTokens => StepKind::VerifyTokens {
                    token: match o.token.as_ref().map(|t| t.value) {
                        Some(TokenUseDoc::Id) => TokenUse::Id,
                        Some(TokenUseDoc::Access) => TokenUse::Access,
                        _ => TokenUse::Both,
                    },
                },
            }
        };
        self.ok &= ok_here;
        kind
    }

    /// Tokens: an explicit capture, or the latest producer.
    fn tokens_from(
        &mut self,
        c: &mut Checker<'_>,
        kind: &StepKind,
        o: &StepOptionsDoc,
        skey: &str,
        at: Pos,
        out: &[Step],
    ) -> Option<usize> {
        let flow = self.flow;
        let need = kind.token_need();
        let mut tokens_from = None;
        if need != TokenNeed::None {
            let source = match &o.tokens {
                Some(t) => match self.captures.iter().find(|(name, _)| *name == t.value) {
                    Some((_, i)) => Some(*i),
                    None => {
                        let known: Vec<&str> =
                            self.captures.iter().map(|(n, _)| n.as_str()).collect();
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
                        self.ok = false;
                        None
                    }
                },
                None => {
                    if self.latest_tokens.is_none() {
                        let (message, hint) = self.no_tokens(need, out);
                        c.error(
                            at,
                            skey,
                            DiagnosticKind::UnknownReference,
                            message,
                            Some(hint),
                        );
                        self.ok = false;
                    }
                    self.latest_tokens
                }
            };
            if let Some(source) = source
                && let Some(from) = out.get(source)
            {
                if let Some((message, hint)) = source_lacks(need, kind, from) {
                    c.error(
                        at,
                        skey,
                        DiagnosticKind::UnknownReference,
                        message,
                        Some(hint),
                    );
                    self.ok = false;
                }
                tokens_from = Some(source);
            }
        }
        tokens_from
    }

    /// `capture:`, named once per flow.
    fn capture(
        &mut self,
        c: &mut Checker<'_>,
        o: &StepOptionsDoc,
        skey: &str,
        index: usize,
    ) -> Option<String> {
        match &o.capture {
            Some(cap) => {
                if !is_name(&cap.value) {
                    c.error(
                        pos(cap),
                        &format!("{skey}.capture"),
                        DiagnosticKind::InvalidValue,
                        format!("`{}` is not a valid capture name", cap.value),
                        Some("use letters, digits, `_` and `-`".to_string()),
                    );
                    self.ok = false;
                } else if self.captures.iter().any(|(n, _)| *n == cap.value) {
                    c.error(
                        pos(cap),
                        &format!("{skey}.capture"),
                        DiagnosticKind::Conflict,
                        format!("`{}` is already captured by an earlier step", cap.value),
                        Some("give each capture a unique name".to_string()),
                    );
                    self.ok = false;
                }
                self.captures.push((cap.value.clone(), index));
                Some(cap.value.clone())
            }
            None => None,
        }
    }
}

impl FlowState<'_> {
    /// Why no earlier step can hand tokens to a step that needs `need`, and the fix.
    fn no_tokens(&self, need: TokenNeed, out: &[Step]) -> (String, String) {
        let what = need_text(need);
        let tokenless: Vec<String> = self
            .tokenless_sign_ins
            .iter()
            .filter_map(|i| out.get(*i))
            .map(|s| {
                format!(
                    "`{}` expects {}, so it yields no tokens",
                    s.name,
                    s.expect.error.as_deref().map_or_else(
                        || format!("status {}", s.expect.status.unwrap_or_default()),
                        |e| format!("the error {e}")
                    )
                )
            })
            .collect();
        let message = if tokenless.is_empty() {
            format!("needs {what} from an earlier step of this flow, and there is none")
        } else {
            format!(
                "needs {what} from an earlier step of this flow, and none yields one: {}",
                tokenless.join("; ")
            )
        };
        let hint = if tokenless.is_empty() {
            "add srp_sign_in (or password_sign_in, admin_sign_in, authorization_code_pkce) before it"
        } else {
            "add a sign-in expected to succeed before it (srp_sign_in, password_sign_in, \
             admin_sign_in or authorization_code_pkce)"
        };
        (message, hint.to_string())
    }
}

/// What a step that needs `need` calls it in messages.
fn need_text(need: TokenNeed) -> &'static str {
    match need {
        TokenNeed::Refresh => "a refresh token",
        TokenNeed::UserAccess => "a user's access token",
        TokenNeed::Any | TokenNeed::None => "tokens",
    }
}

/// Why the tokens of `from` do not serve `kind` (which needs `need`), with the fix; `None` when
/// they do. Mirrors what the engine's steps read from the tokens they are handed.
fn source_lacks(need: TokenNeed, kind: &StepKind, from: &Step) -> Option<(String, String)> {
    let name = &from.name;
    let Some(produced) = from.yields_tokens() else {
        let why = match (&from.expect.error, from.kind.produces_tokens()) {
            (Some(e), Some(_)) => format!("`{name}` expects the error {e}, so it yields no tokens"),
            (None, Some(_)) => format!(
                "`{name}` expects status {}, so it yields no tokens",
                from.expect.status.unwrap_or_default()
            ),
            (_, None) => format!("`{name}` ({}) yields no tokens", from.kind.name()),
        };
        return Some((
            format!("needs {} from `{name}`, and {why}", need_text(need)),
            "take the tokens of a sign-in expected to succeed (`tokens:` naming its capture)"
                .to_string(),
        ));
    };
    let lack = if need == TokenNeed::Refresh && !produced.refresh {
        Some("a refresh token")
    } else if need == TokenNeed::UserAccess && !produced.user {
        Some("a user's access token")
    } else if let StepKind::VerifyTokens { token } = kind
        && !produced.id
        && (*token == TokenUse::Id || (*token == TokenUse::Both && produced.user))
    {
        Some("an ID token")
    } else {
        None
    };
    lack.map(|what| {
        let issuer = if produced.user {
            format!("`{name}` issues none")
        } else {
            format!("`{name}` (client_credentials) issues none")
        };
        let hint = if produced.user {
            "request the `openid` scope in that step, or check `token: access`"
        } else {
            "use the tokens of a user sign-in step"
        };
        (format!("needs {what}, and {issuer}"), hint.to_string())
    })
}

/// `expect: { error, status }`.
fn check_expect(c: &mut Checker<'_>, ok: &mut bool, e: &Spanned<ExpectDoc>, skey: &str) -> Expect {
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
            *ok = false;
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
                *ok = false;
                None
            }
        });
    Expect { error, status }
}

/// `limit` of `list_users`: ListUsers' `Limit`, at most 60 (model `QueryLimitType`); 0 is
/// refused here too, as a page of nothing is not traffic.
fn list_limit(
    c: &mut Checker<'_>,
    ok: &mut bool,
    limit: &Option<Spanned<i64>>,
    key: &str,
) -> Option<i64> {
    let l = limit.as_ref()?;
    if !(1..=60).contains(&l.value) {
        c.error(
            pos(l),
            key,
            DiagnosticKind::InvalidValue,
            format!("must be 1..=60, ListUsers' Limit (got {})", l.value),
            None,
        );
        *ok = false;
        return None;
    }
    Some(l.value)
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
            "set `admin: aws` (or `admin: env`) on the target, or use srp_sign_in",
        )),
        StepKind::ListUsers { .. } if !caps.admin => Some((
            "calls ListUsers, which needs admin credentials, and the target has `admin: none`",
            "set `admin: aws` (or `admin: env`) on the target",
        )),
        StepKind::ConfirmSignUp {
            via: ConfirmVia::Admin,
        } if !caps.admin => Some((
            "`via: admin` calls AdminConfirmSignUp, which needs admin credentials, and the target has `admin: none`",
            "set `admin: aws` (or `admin: env`) on the target",
        )),
        StepKind::ConfirmSignUp {
            via: ConfirmVia::Code,
        } if !caps.read_codes => Some((
            "confirming with the code needs the code, which a remote pool sends by email or SMS",
            "use `confirm_sign_up: { via: admin }` (AdminConfirmSignUp) with `admin: aws` or `admin: env`",
        )),
        StepKind::UserAuthSignIn {
            preferred: PreferredChallenge::EmailOtp,
            mfa: true,
            ..
        } => Some((
            "`mfa: totp` answers the MFA challenge of a password sign-in, and an EMAIL_OTP sign-in meets none",
            "remove `mfa`, or use `preferred: password` or `preferred: password_srp`",
        )),
        StepKind::UserAuthSignIn {
            preferred: PreferredChallenge::EmailOtp,
            ..
        } if !caps.read_codes => Some((
            "`preferred: email_otp` needs the emailed code, which a remote pool sends by email",
            "use `preferred: password` or `preferred: password_srp`, or run against the embedded target",
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
