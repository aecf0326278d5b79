//! `--metrics-listen ADDR` of `run` and `serve`: `GET /metrics` answers the Prometheus text
//! format, rendered at each scrape by the caller's function. Like `serve --bind`, an address
//! that is not loopback needs `--allow-remote` (the Kubernetes job binds its pod address so
//! that Prometheus can scrape it).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

/// Renders the page at each scrape.
pub type Render = Arc<dyn Fn() -> String + Send + Sync>;

/// Binds `addr` for the metrics page: refused (a message naming the flag) when it is not
/// loopback and `allow_remote` is false, or when it cannot be bound.
pub async fn bind(addr: SocketAddr, allow_remote: bool) -> Result<tokio::net::TcpListener, String> {
    if !addr.ip().to_canonical().is_loopback() && !allow_remote {
        return Err(format!(
            "--metrics-listen {addr}: not a loopback address; pass --allow-remote to serve \
             metrics on it"
        ));
    }
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("--metrics-listen {addr}: cannot bind: {e}"))
}

/// Serves `GET /metrics` on `listener` in a background task (for the rest of the process).
pub fn spawn(listener: tokio::net::TcpListener, render: Render) {
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let render = render.clone();
            async move {
                // Off the runtime's workers, which the run's VUs share.
                let Ok(text) = tokio::task::spawn_blocking(move || render()).await else {
                    return StatusCode::INTERNAL_SERVER_ERROR.into_response();
                };
                (
                    StatusCode::OK,
                    [(
                        header::CONTENT_TYPE,
                        crate::metrics::exposition::CONTENT_TYPE,
                    )],
                    text,
                )
                    .into_response()
            }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
}
