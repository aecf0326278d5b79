//! `burst: N` on a step: its range, and the steps it makes no sense on.
//!
//! A burst sends a step's one request as N identical concurrent requests (a rehearsal of the
//! retry storm clients produce after a network blip). A step that sends no request has nothing
//! to repeat, and a step that sends several builds each later request from the answer before
//! (an SRP session, a delivered code, an authorization code), so its copies would not be
//! identical requests: both are refused, with the reason.

use serde_saphyr::Spanned;

use super::checker::{Checker, pos};
use crate::scenario::model::StepKind;
use crate::yaml::DiagnosticKind;

/// The largest burst: beyond it a "burst" is a load of its own, better written as a flow.
pub const MAX_BURST: u32 = 1000;

/// The checked `burst` of a step of `kind` (1 without the option), or `None` after an error.
pub(super) fn check_burst(
    c: &mut Checker<'_>,
    burst: Option<&Spanned<i64>>,
    kind: &StepKind,
    skey: &str,
) -> Option<u32> {
    let Some(burst) = burst else {
        return Some(1);
    };
    let key = format!("{skey}.burst");
    let n = match u32::try_from(burst.value) {
        Ok(n) if (1..=MAX_BURST).contains(&n) => n,
        _ => {
            c.error(
                pos(burst),
                &key,
                DiagnosticKind::InvalidValue,
                format!("must be from 1 to {MAX_BURST} (got {})", burst.value),
                Some(format!(
                    "give the number of identical concurrent requests, 1 to {MAX_BURST}"
                )),
            );
            return None;
        }
    };
    let reason = match kind.operations() {
        [] => Some(format!(
            "`{}` sends no request (it checks tokens locally), so there is nothing to burst",
            kind.name()
        )),
        [_] => None,
        ops => Some(format!(
            "`{}` sends {}, each built from the answer before (a session, a code), so its \
             copies could not be identical requests",
            kind.name(),
            ops.join(" then ")
        )),
    };
    match reason {
        None => Some(n),
        Some(reason) => {
            c.error(
                pos(burst),
                &key,
                DiagnosticKind::Conflict,
                format!("`burst` is for steps that send one request: {reason}"),
                Some(
                    "remove `burst`, or burst a one-request step (password_sign_in, refresh, \
                     get_user, sign_up, ...)"
                        .to_string(),
                ),
            );
            None
        }
    }
}
