//! The transport kind of a failed HTTP exchange ([`TransportErrorKind`]), read from the error's
//! chain of sources; the one rule for both HTTP stacks of the client (reqwest in `client.rs`,
//! hyper directly in `plain_http.rs`).

use super::error::{TransportError, TransportErrorKind};
use super::redact::redact_urls_in;

/// The transport kind of a failed exchange, from the error's chain of sources: `timeout` (the
/// client's own verdict, or an I/O time-out), `tls`, `connect`, `incomplete_body` (`body`: it
/// failed while the body was read), a reset, or another failure. Shared by the reqwest path
/// (`client.rs`) and the plain-HTTP one (`plain_http.rs`).
pub(super) fn classify_error(
    e: &(dyn std::error::Error + 'static),
    timeout: bool,
    connect: bool,
    body: bool,
    status: Option<u16>,
) -> TransportError {
    // Error texts quote the request URL, which may carry credentials.
    let mut detail = redact_urls_in(&e.to_string());
    let mut io_kind = None;
    let mut chain_text = String::new();
    let mut source = e.source();
    while let Some(s) = source {
        let text = redact_urls_in(&s.to_string());
        if !detail.contains(&text) {
            detail.push_str(": ");
            detail.push_str(&text);
        }
        chain_text.push_str(&text.to_ascii_lowercase());
        chain_text.push('\n');
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            io_kind.get_or_insert(io.kind());
        }
        source = s.source();
    }
    use std::io::ErrorKind as Io;
    let reset_like = matches!(
        io_kind,
        Some(Io::ConnectionReset | Io::ConnectionAborted | Io::BrokenPipe | Io::UnexpectedEof)
    ) || chain_text.contains("connection closed")
        || chain_text.contains("connection reset")
        || chain_text.contains("incomplete message");
    let kind = if timeout || io_kind == Some(Io::TimedOut) {
        TransportErrorKind::Timeout
    } else if chain_text.contains("certificate")
        || chain_text.contains("tls")
        || chain_text.contains("handshake")
    {
        TransportErrorKind::Tls
    } else if connect {
        TransportErrorKind::Connect
    } else if body {
        TransportErrorKind::IncompleteBody
    } else if reset_like {
        TransportErrorKind::ConnectionReset
    } else {
        TransportErrorKind::Other
    };
    TransportError {
        kind,
        status,
        detail,
    }
}
