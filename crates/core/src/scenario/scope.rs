//! The scopes a threshold or a report row can be about: the run, a flow, a step, a quota
//! category. Declared with the scenario, which names them; metrics records one measurement per
//! scope.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::quota::QuotaCategory;

/// What a threshold or a report row is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "name")]
pub enum Scope {
    /// Every request of the run.
    Run,
    /// A flow's iterations.
    Flow(String),
    /// A step's executions: `flow.step`.
    Step { flow: String, step: String },
    /// The requests counted in one quota category.
    Category(QuotaCategory),
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Run => f.write_str("run"),
            Scope::Flow(flow) => f.write_str(flow),
            Scope::Step { flow, step } => write!(f, "{flow}.{step}"),
            Scope::Category(category) => write!(f, "{category}"),
        }
    }
}
