//! The `quotas:` block: the account's request-rate quotas, one `CATEGORY: RPS` per line, with
//! category names as the guide's table writes them ("Quotas in Amazon Cognito").

use serde_saphyr::Spanned;

use super::checker::{Checker, pos};
use crate::quota::{QuotaCategory, QuotaSource, Quotas};
use crate::scenario::doc::NamedMap;
use crate::yaml::DiagnosticKind;

pub(super) fn check_quotas(c: &mut Checker<'_>, quotas: &NamedMap<Spanned<f64>>) -> Quotas {
    let mut out = Quotas::default();
    for (name, rps) in &quotas.0 {
        let key = format!("quotas.{}", name.value);
        let Some(category) = QuotaCategory::from_name(&name.value) else {
            let names: Vec<&str> = QuotaCategory::all().map(|c| c.name()).collect();
            c.error(
                pos(name),
                &key,
                DiagnosticKind::UnknownReference,
                format!("unknown quota category `{}`", name.value),
                Some(format!("use one of: {}", names.join(", "))),
            );
            continue;
        };
        if let Some(rps) =
            c.positive_rate(rps, &key, "give the account's quota in requests per second")
        {
            out.set(category, rps, QuotaSource::Scenario);
        }
    }
    out
}
