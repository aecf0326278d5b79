//! A cheap local endpoint for load-generator measurements: an HTTP/1.1 server that answers each
//! request with the bytes a real upstream (`cognito-harness serve`) answered to the same request.
//!
//! ```sh
//! cargo run --release --example replay_endpoint -- --upstream http://127.0.0.1:PORT [--port 0]
//! ```
//!
//! It prints `listening on http://127.0.0.1:PORT/` once bound, on one thread (a current-thread
//! runtime). For every request it reads the whole body, then looks the request up by its
//! method, path, `X-Amz-Target` and body bytes: the first time, it forwards the request to the
//! upstream (with `Content-Type` and `X-Amz-Target`) and keeps the answer when it is a 200;
//! after that, it answers from the kept bytes (status, headers other than the connection's own,
//! body) without asking the upstream. Non-200 answers are forwarded every time, never kept.
//!
//! `scripts/engine-cpu.sh --replay` puts it in front of `serve`: one core of `serve` answers
//! about 5 000 GetUser a second on the development machine (each verifies an RS256 access
//! token), too few to measure a generator at 10 000 or 20 000 requests a second. Every answer
//! the generators get is still an answer `serve` gave to that exact request (the GetUser of a
//! user's access token, the USER_PASSWORD_AUTH sign-in of a user with its password), so the
//! harness's decoding and shape check run on real answers; only tokens are handed out again
//! instead of minted per sign-in (they stay valid for the pool's token lifetime, an hour by
//! default, longer than a measurement).

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;

/// What identifies a request: method, path, `X-Amz-Target` and the body.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    method: Method,
    path: String,
    target: Option<HeaderValue>,
    body: Bytes,
}

/// A kept 200 answer.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

/// The replaying endpoint's state: the upstream, its client and the kept answers.
struct Replay {
    upstream: String,
    client: Client<HttpConnector, Full<Bytes>>,
    kept: Mutex<HashMap<Key, Arc<Answer>>>,
}

/// Headers that belong to one connection or one message and are not replayed.
fn replayable(name: &http::HeaderName) -> bool {
    !matches!(
        name.as_str(),
        "connection" | "keep-alive" | "transfer-encoding" | "content-length" | "date"
    )
}

impl Replay {
    fn new(upstream: &str) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        Self {
            upstream: upstream.trim_end_matches('/').to_owned(),
            client: Client::builder(TokioExecutor::new()).build(connector),
            kept: Mutex::new(HashMap::new()),
        }
    }

    fn lookup(&self, key: &Key) -> Option<Arc<Answer>> {
        self.kept.lock().ok()?.get(key).cloned()
    }

    /// Forwards the request to the upstream; keeps the answer when it is a 200.
    async fn forward(
        &self,
        key: Key,
        content_type: Option<HeaderValue>,
    ) -> Result<Arc<Answer>, String> {
        let mut request = Request::builder()
            .method(key.method.clone())
            .uri(format!("{}{}", self.upstream, key.path));
        if let Some(ct) = content_type {
            request = request.header(http::header::CONTENT_TYPE, ct);
        }
        if let Some(target) = &key.target {
            request = request.header("x-amz-target", target.clone());
        }
        let request = request
            .body(Full::new(key.body.clone()))
            .map_err(|e| e.to_string())?;
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| e.to_string())?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
        let mut headers = HeaderMap::new();
        for (name, value) in &parts.headers {
            if replayable(name) {
                headers.append(name.clone(), value.clone());
            }
        }
        let answer = Arc::new(Answer {
            status: parts.status,
            headers,
            body,
        });
        if answer.status == StatusCode::OK
            && let Ok(mut kept) = self.kept.lock()
        {
            kept.insert(key, answer.clone());
        }
        Ok(answer)
    }

    async fn answer(&self, request: Request<Incoming>) -> Response<Full<Bytes>> {
        let (parts, body) = request.into_parts();
        let body = match body.collect().await {
            Ok(b) => b.to_bytes(),
            Err(e) => return plain(StatusCode::BAD_REQUEST, format!("reading the body: {e}")),
        };
        let key = Key {
            method: parts.method,
            path: parts.uri.path().to_owned(),
            target: parts.headers.get("x-amz-target").cloned(),
            body,
        };
        let answer = match self.lookup(&key) {
            Some(a) => a,
            None => {
                let content_type = parts.headers.get(http::header::CONTENT_TYPE).cloned();
                match self.forward(key, content_type).await {
                    Ok(a) => a,
                    Err(e) => return plain(StatusCode::BAD_GATEWAY, format!("upstream: {e}")),
                }
            }
        };
        let mut response = Response::new(Full::new(answer.body.clone()));
        *response.status_mut() = answer.status;
        *response.headers_mut() = answer.headers.clone();
        response
    }
}

fn plain(status: StatusCode, text: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(text)));
    *response.status_mut() = status;
    response
}

/// Accepts connections on `listener` and answers them from `replay` until the task is dropped.
async fn serve(listener: TcpListener, replay: Arc<Replay>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let replay = replay.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let replay = replay.clone();
                async move { Ok::<_, Infallible>(replay.answer(request).await) }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn usage() -> ! {
    eprintln!("usage: replay_endpoint --upstream http://HOST:PORT [--port PORT]");
    std::process::exit(2)
}

fn main() {
    let mut upstream = None;
    let mut port = 0u16;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--upstream" => upstream = args.next(),
            "--port" => {
                port = args
                    .next()
                    .and_then(|p| p.parse().ok())
                    .unwrap_or_else(|| usage())
            }
            _ => usage(),
        }
    }
    let Some(upstream) = upstream else { usage() };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async move {
        let listener = match TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("error: binding 127.0.0.1:{port}: {e}");
                std::process::exit(1);
            }
        };
        let addr = listener.local_addr().expect("a bound address");
        println!("listening on http://{addr}/");
        serve(listener, Arc::new(Replay::new(&upstream))).await;
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    /// An upstream that answers `count N` (N = how many requests it has answered) with 200,
    /// or 400 when the body is `fail`.
    async fn counting_upstream() -> (String, Arc<AtomicU64>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let count = Arc::new(AtomicU64::new(0));
        let counter = count.clone();
        tokio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                let counter = counter.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request: Request<Incoming>| {
                        let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
                        async move {
                            let target = request.headers().get("x-amz-target").cloned();
                            let body = request.into_body().collect().await.unwrap().to_bytes();
                            let status = match &body[..] {
                                b"fail" => StatusCode::BAD_REQUEST,
                                _ => StatusCode::OK,
                            };
                            let mut response = Response::new(Full::new(Bytes::from(format!(
                                "count {n} target {target:?}"
                            ))));
                            *response.status_mut() = status;
                            response
                                .headers_mut()
                                .insert("x-amzn-requestid", HeaderValue::from_static("r-1"));
                            Ok::<_, Infallible>(response)
                        }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        (format!("http://{addr}"), count)
    }

    async fn replay_in_front() -> (String, Arc<AtomicU64>) {
        let (upstream, count) = counting_upstream().await;
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(serve(listener, Arc::new(Replay::new(&upstream))));
        (format!("http://{addr}/"), count)
    }

    async fn send(endpoint: &str, target: &str, body: &str) -> (u16, String, Option<String>) {
        let response = reqwest::Client::new()
            .post(endpoint)
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", target)
            .body(body.to_owned())
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let id = response
            .headers()
            .get("x-amzn-requestid")
            .map(|v| v.to_str().unwrap().to_owned());
        (status, response.text().await.unwrap(), id)
    }

    #[tokio::test]
    async fn a_repeated_request_is_answered_with_the_upstream_bytes_without_asking_it_again() {
        let (endpoint, count) = replay_in_front().await;
        let first = send(&endpoint, "Svc.GetUser", "{\"A\":1}").await;
        let second = send(&endpoint, "Svc.GetUser", "{\"A\":1}").await;
        assert_eq!(first.0, 200);
        assert!(
            first.1.starts_with("count 1 target Some(\"Svc.GetUser\")"),
            "{}",
            first.1
        );
        assert_eq!(first.2.as_deref(), Some("r-1"));
        assert_eq!(second, first);
        assert_eq!(count.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_different_body_or_target_is_forwarded() {
        let (endpoint, count) = replay_in_front().await;
        send(&endpoint, "Svc.GetUser", "{\"A\":1}").await;
        let other_body = send(&endpoint, "Svc.GetUser", "{\"A\":2}").await;
        let other_target = send(&endpoint, "Svc.InitiateAuth", "{\"A\":1}").await;
        assert!(other_body.1.starts_with("count 2"), "{}", other_body.1);
        assert!(other_target.1.starts_with("count 3"), "{}", other_target.1);
        assert_eq!(count.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn an_answer_other_than_200_is_forwarded_every_time() {
        let (endpoint, count) = replay_in_front().await;
        let first = send(&endpoint, "Svc.GetUser", "fail").await;
        let second = send(&endpoint, "Svc.GetUser", "fail").await;
        assert_eq!((first.0, second.0), (400, 400));
        assert!(second.1.starts_with("count 2"), "{}", second.1);
        assert_eq!(count.load(Ordering::SeqCst), 2);
    }
}
