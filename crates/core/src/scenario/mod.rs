//! The parts of a scenario that are pure values: durations (`30s`, `1m30s`), scopes (a flow, a
//! step, a quota category) and threshold expressions (`p(95)<500ms`, `error_rate<1%`).

pub mod duration;
pub mod scope;
pub mod thresholds;
