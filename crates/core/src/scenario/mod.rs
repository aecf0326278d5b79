//! The parts of a scenario that are pure values: durations (`30s`, `1m30s`), scopes (a flow, a
//! step, a quota category), threshold expressions (`p(95)<500ms`, `error_rate<1%`), executors
//! and the rate and VU schedules they make.

pub mod duration;
pub mod executor;
pub mod schedule;
pub mod scope;
pub mod thresholds;
