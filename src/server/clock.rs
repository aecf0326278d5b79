//! The clock the server reads, in its own file because the store, the throttle and the
//! settings all take it.

use std::sync::Arc;
use std::time::SystemTime;

/// The clock the server reads (injected so tests can drive code expiry and lockouts).
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;
