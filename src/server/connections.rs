//! The server's accept loop and per-connection limits: how long a client may take to send a
//! request's headers, how long a kept-alive connection may sit idle, and how many connections
//! may be open at once (with an orderly `503` refusal beyond that).
//!
//! `axum::serve` sets none of these, so slow-header and idle connections stayed open for as long
//! as their clients liked, and enough of them exhausted the process's open-file limit and locked
//! every other client out. Here each accepted connection runs under a watcher that closes it
//! when
//! - its first request's headers, or the next request's headers after its first byte arrived,
//!   are not complete within [`ConnectionLimits::header_read_timeout`] (a slow-header client);
//! - no request is in flight and no byte arrived for [`ConnectionLimits::idle_timeout`] since
//!   the last answer (an idle keep-alive connection).
//!
//! Connections beyond [`ConnectionLimits::max_connections`] are answered `503 Service
//! Unavailable` with `Connection: close` and closed at once, so they hold no descriptor; the
//! default limit stays below the process's open-file limit, so accepting never fails for want
//! of descriptors while the idle ones wait to be closed.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};

/// Default time a client has to send a request's headers: 10 s (Go's servers commonly use
/// 5-10 s for `ReadHeaderTimeout`; Cognito's requests are a few KiB sent at once).
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time a kept-alive connection may sit idle between requests: 60 s (longer than the
/// 30-90 s idle pools of common HTTP clients would hardly help, shorter costs reconnections).
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// Default largest number of open connections: 4096, lowered to fit the process's open-file
/// limit (see [`default_max_connections`]).
pub const DEFAULT_MAX_CONNECTIONS: usize = 4096;
/// Descriptors kept free for everything that is not a client connection (the listener, the
/// metrics listener, files, the runtime's own).
const RESERVED_DESCRIPTORS: u64 = 64;

/// The per-connection limits of [`ServerConfig`](super::ServerConfig).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Time to send a request's headers, from the accept (first request) or from the first
    /// byte of a later one. Default [`DEFAULT_HEADER_READ_TIMEOUT`].
    pub header_read_timeout: Duration,
    /// Time a connection with no request in flight may stay silent. Default
    /// [`DEFAULT_IDLE_TIMEOUT`].
    pub idle_timeout: Duration,
    /// Open connections beyond this are refused with `503`. Default
    /// [`default_max_connections`].
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            max_connections: default_max_connections(),
        }
    }
}

/// [`DEFAULT_MAX_CONNECTIONS`], or fewer when the soft open-file limit (`RLIMIT_NOFILE`) would
/// not hold that many plus [`RESERVED_DESCRIPTORS`]; at least 1.
pub fn default_max_connections() -> usize {
    let fit = open_file_limit()
        .map(|limit| limit.saturating_sub(RESERVED_DESCRIPTORS).max(1))
        .unwrap_or(DEFAULT_MAX_CONNECTIONS as u64);
    usize::try_from(fit).map_or(DEFAULT_MAX_CONNECTIONS, |fit| {
        fit.min(DEFAULT_MAX_CONNECTIONS)
    })
}

/// The soft `RLIMIT_NOFILE`, when the platform has one and it is finite.
#[cfg(unix)]
fn open_file_limit() -> Option<u64> {
    rustix::process::getrlimit(rustix::process::Resource::Nofile).current
}

#[cfg(not(unix))]
fn open_file_limit() -> Option<u64> {
    None
}

/// The answer to a connection beyond the limit. Cognito's own overload answer is a JSON
/// error; this one is sent before a request is read, so it names the cause in the body only.
const REFUSAL: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
content-type: application/x-amz-json-1.1\r\n\
x-amzn-errortype: ServiceUnavailableException\r\n\
retry-after: 1\r\n\
connection: close\r\n\
content-length: 92\r\n\
\r\n\
{\"__type\":\"ServiceUnavailableException\",\"message\":\"Too many open connections; retry later.\"}";

/// Serves `app` on `listener` under `limits` until `shutdown` completes, then stops accepting,
/// lets in-flight requests finish and waits for every connection to close.
pub async fn serve(
    listener: TcpListener,
    app: axum::Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let max = limits.max_connections.clamp(1, Semaphore::MAX_PERMITS);
    let slots = Arc::new(Semaphore::new(max));
    let (stop, stopped) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) if is_connection_error(&e) => continue,
                Err(_) => {
                    // Out of descriptors (EMFILE / ENFILE) or another resource error: let the
                    // watchers close idle connections, then try again.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        match slots.clone().try_acquire_owned() {
            Ok(slot) => {
                let app = app.clone();
                let stopped = stopped.clone();
                tokio::spawn(async move {
                    serve_connection(stream, peer, app, limits, stopped).await;
                    drop(slot);
                });
            }
            Err(_) => {
                tokio::spawn(refuse(stream));
            }
        }
    }
    drop(listener);
    let _ = stop.send(true);
    // Every connection task holds a slot until it ends: owning all of them means all ended.
    let _ = slots.acquire_many(max as u32).await;
    Ok(())
}

/// Errors of one connection that say nothing about the listener (the client gave up).
fn is_connection_error(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
}

/// Answers a connection beyond the limit with [`REFUSAL`] and closes it.
async fn refuse(mut stream: TcpStream) {
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        stream.write_all(REFUSAL).await?;
        stream.shutdown().await
    })
    .await;
}

/// What the watcher of one connection reads: the requests in flight and the instants (in
/// milliseconds since the connection was accepted) that start its timers.
struct Activity {
    accepted: Instant,
    in_flight: AtomicUsize,
    /// When the first byte of a request arrived while none was in flight; `u64::MAX` for none.
    head_started: AtomicU64,
    /// When the last answer was produced (or the accept).
    idle_since: AtomicU64,
    /// Whether a request has begun, so the first one is timed from the accept.
    served_any: AtomicUsize,
    /// Woken when a timer starts or stops, so the watcher re-reads the deadlines.
    changed: tokio::sync::Notify,
}

const NONE: u64 = u64::MAX;

impl Activity {
    fn now(&self) -> u64 {
        u64::try_from(self.accepted.elapsed().as_millis()).unwrap_or(NONE - 1)
    }

    fn request_started(&self) {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        self.served_any.store(1, Ordering::SeqCst);
        self.head_started.store(NONE, Ordering::SeqCst);
        self.changed.notify_one();
    }

    fn request_ended(&self) {
        self.idle_since.store(self.now(), Ordering::SeqCst);
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        self.changed.notify_one();
    }

    fn bytes_read(&self) {
        if self.in_flight.load(Ordering::SeqCst) == 0
            && self
                .head_started
                .compare_exchange(NONE, self.now(), Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
        {
            self.changed.notify_one();
        }
    }

    /// How long until a timer expires, or `None` when one has: the connection must close.
    fn remaining(&self, limits: &ConnectionLimits) -> Option<Duration> {
        if self.in_flight.load(Ordering::SeqCst) > 0 {
            return Some(limits.header_read_timeout.min(limits.idle_timeout));
        }
        let now = self.now();
        let head = self.head_started.load(Ordering::SeqCst);
        let (since, timeout) = if head != NONE {
            (head, limits.header_read_timeout)
        } else if self.served_any.load(Ordering::SeqCst) == 0 {
            (0, limits.header_read_timeout)
        } else {
            (self.idle_since.load(Ordering::SeqCst), limits.idle_timeout)
        };
        let elapsed = Duration::from_millis(now.saturating_sub(since));
        timeout.checked_sub(elapsed).filter(|left| !left.is_zero())
    }
}

/// One connection: HTTP/1.1 (or HTTP/2 with prior knowledge) until the client closes it, a
/// timer expires, or the server shuts down.
async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: axum::Router,
    limits: ConnectionLimits,
    mut stopped: watch::Receiver<bool>,
) {
    let activity = Arc::new(Activity {
        accepted: Instant::now(),
        in_flight: AtomicUsize::new(0),
        head_started: AtomicU64::new(NONE),
        idle_since: AtomicU64::new(0),
        served_any: AtomicUsize::new(0),
        changed: tokio::sync::Notify::new(),
    });
    let io = TokioIo::new(Watched {
        inner: stream,
        activity: activity.clone(),
    });
    let service = {
        let activity = activity.clone();
        hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            let mut app = app.clone();
            let activity = activity.clone();
            activity.request_started();
            async move {
                let answer =
                    tower_service::Service::call(&mut app, request.map(axum::body::Body::new))
                        .await;
                activity.request_ended();
                answer
            }
        })
    };
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    // The watcher times headers itself (from the first byte of a later request, not from the
    // end of the previous answer); hyper's own header timer would close idle connections early.
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(None);
    let connection = builder.serve_connection_with_upgrades(io, service);
    let mut connection = std::pin::pin!(connection);
    let mut closing = false;
    loop {
        let wait = activity.remaining(&limits);
        tokio::select! {
            _ = connection.as_mut() => return,
            () = activity.changed.notified() => {}
            changed = stopped.changed(), if !closing => {
                let _ = changed;
                closing = true;
                connection.as_mut().graceful_shutdown();
            }
            () = tokio::time::sleep(wait.unwrap_or_default()) => {
                if activity.remaining(&limits).is_none() {
                    // An expired header timer means a request is half sent: drop the
                    // connection. An idle one ends gracefully (which closes it at once).
                    if activity.head_started.load(Ordering::SeqCst) != NONE
                        || activity.served_any.load(Ordering::SeqCst) == 0
                    {
                        return;
                    }
                    if closing {
                        return;
                    }
                    closing = true;
                    connection.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

/// The client's stream, noting when bytes arrive so the watcher can time request heads.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(result, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.bytes_read();
        }
        result
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, data)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> ConnectionLimits {
        ConnectionLimits {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 8,
        }
    }

    fn activity() -> Activity {
        Activity {
            accepted: Instant::now(),
            in_flight: AtomicUsize::new(0),
            head_started: AtomicU64::new(NONE),
            idle_since: AtomicU64::new(0),
            served_any: AtomicUsize::new(0),
            changed: tokio::sync::Notify::new(),
        }
    }

    #[test]
    fn a_new_connection_is_timed_by_the_header_timeout() {
        let a = activity();
        let left = a.remaining(&limits()).unwrap();
        assert!(left <= Duration::from_secs(10) && left > Duration::from_secs(9));
    }

    #[test]
    fn after_an_answer_the_idle_timeout_applies_until_a_byte_arrives() {
        let a = activity();
        a.request_started();
        a.request_ended();
        assert!(a.remaining(&limits()).unwrap() > Duration::from_secs(59));
        a.bytes_read();
        assert!(a.remaining(&limits()).unwrap() <= Duration::from_secs(10));
    }

    #[test]
    fn the_refusal_is_a_complete_http_answer() {
        let text = std::str::from_utf8(REFUSAL).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 503 "));
        assert!(head.contains(&format!("content-length: {}", body.len())));
        serde_json::from_str::<serde_json::Value>(body).unwrap();
    }

    #[test]
    fn the_default_connection_limit_is_positive_and_bounded() {
        let max = default_max_connections();
        assert!((1..=DEFAULT_MAX_CONNECTIONS).contains(&max));
    }
}
