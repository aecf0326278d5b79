//! Local stub servers for the protocol tests: an axum server on 127.0.0.1:0 that records every
//! request and answers from a closure, and raw TCP listeners that misbehave on purpose.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use cognito_harness::protocol::{CognitoClient, TargetConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One request as the stub received it.
#[derive(Debug, Clone)]
pub struct Captured {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Captured {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }

    pub fn form(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(&self.body)
            .into_owned()
            .collect()
    }
}

/// A canned answer.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(status: u16, body: &str) -> Self {
        Self {
            status,
            headers: vec![("content-type", "application/x-amz-json-1.1".to_owned())],
            body: body.as_bytes().to_vec(),
        }
    }

    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }
}

type Responder = Arc<dyn Fn(&Captured) -> Reply + Send + Sync>;

#[derive(Clone)]
struct StubState {
    captured: Arc<Mutex<Vec<Captured>>>,
    respond: Responder,
}

pub struct Stub {
    pub addr: SocketAddr,
    pub captured: Arc<Mutex<Vec<Captured>>>,
}

impl Stub {
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    pub fn requests(&self) -> Vec<Captured> {
        self.captured.lock().unwrap().clone()
    }

    pub fn only_request(&self) -> Captured {
        let all = self.requests();
        assert_eq!(all.len(), 1, "expected exactly one request");
        all.into_iter().next().unwrap()
    }
}

async fn handle(State(state): State<StubState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .map(|b| b.to_vec())
        .unwrap_or_default();
    let captured = Captured {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts.headers,
        body,
    };
    let reply = (state.respond)(&captured);
    state.captured.lock().unwrap().push(captured);
    let mut resp = Response::builder().status(StatusCode::from_u16(reply.status).unwrap());
    for (k, v) in reply.headers {
        resp = resp.header(k, v);
    }
    resp.body(Body::from(reply.body)).unwrap()
}

/// Start a recording stub answering every request with `respond`.
pub async fn stub(respond: impl Fn(&Captured) -> Reply + Send + Sync + 'static) -> Stub {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let captured = Arc::new(Mutex::new(Vec::new()));
    let state = StubState {
        captured: captured.clone(),
        respond: Arc::new(respond),
    };
    let app = Router::new().fallback(handle).with_state(state);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Stub { addr, captured }
}

/// A raw TCP server: reads the request head (and a little more), then runs `behave` on the
/// socket. For responses no well-behaved server would send.
pub async fn raw_server<F, Fut>(behave: F) -> SocketAddr
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            read_request_head(&mut sock).await;
            tokio::spawn(behave(sock));
        }
    });
    addr
}

/// Read until the end of the request head, with a short deadline.
pub async fn read_request_head(sock: &mut tokio::net::TcpStream) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        loop {
            match sock.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    buf.extend_from_slice(&chunk[..n]);
                    if buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
            }
        }
    })
    .await;
}

/// Write raw bytes and close.
pub async fn write_and_close(mut sock: tokio::net::TcpStream, bytes: Vec<u8>) {
    let _ = sock.write_all(&bytes).await;
    let _ = sock.shutdown().await;
}

/// A client for a local URL with small limits suited to tests.
pub fn client_for(url: &str) -> CognitoClient {
    CognitoClient::new(config_for(url)).expect("loopback config is valid")
}

pub fn config_for(url: &str) -> TargetConfig {
    let mut config = TargetConfig::local(url).expect("valid URL");
    config.region = "us-east-1".to_owned();
    config.request_timeout = Duration::from_secs(5);
    config.connect_timeout = Duration::from_secs(2);
    config
}
