//! URLs as the harness shows them: the one redaction every report, log line and error message
//! applies before it prints a URL.
//!
//! A target URL may carry credentials: user-info (`http://user:pass@host/`) and query or
//! fragment parameters that hold secrets (`client_secret`, `code`, tokens, a password, a
//! presigned URL's `X-Amz-Signature`, `X-Amz-Credential` and `X-Amz-Security-Token`). Both are
//! replaced by [`REDACTED`]; the scheme, host, port, path and every other parameter stay, so a
//! reader still sees where the run went. Parameter names match case-insensitively, after
//! percent-decoding.

use std::fmt::Write as _;

use url::Url;

/// What stands in for a removed secret.
pub const REDACTED: &str = "REDACTED";

/// Query and fragment parameters whose values are secrets (compared case-insensitively).
pub const SECRET_PARAMETERS: &[&str] = &[
    "client_secret",
    "code",
    "code_verifier",
    "token",
    "access_token",
    "id_token",
    "refresh_token",
    "password",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
];

/// `url` with its user-info and secret parameters replaced by [`REDACTED`].
pub fn redact_url(url: &Url) -> String {
    let mut url = url.clone();
    if !url.username().is_empty() || url.password().is_some() {
        // Only URLs that cannot have user-info refuse these, and they have none.
        let _ = url.set_password(None);
        let _ = url.set_username(REDACTED);
    }
    if let Some(query) = url.query().map(redact_parameters) {
        url.set_query(Some(&query));
    }
    if let Some(fragment) = url.fragment().map(redact_parameters) {
        url.set_fragment(Some(&fragment));
    }
    url.to_string()
}

/// `a=1&code=xyz` -> `a=1&code=REDACTED`: each `&`-separated pair whose name is a secret
/// parameter keeps its name and loses its value.
fn redact_parameters(pairs: &str) -> String {
    pairs
        .split('&')
        .map(|pair| {
            let name = pair.split('=').next().unwrap_or_default();
            let decoded = percent_decode(name);
            if SECRET_PARAMETERS
                .iter()
                .any(|s| s.eq_ignore_ascii_case(decoded.trim()))
            {
                format!("{name}={REDACTED}")
            } else {
                pair.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// `%XX` escapes and `+` decoded (form encoding), invalid escapes kept as they are.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A URL written as text (as a user wrote it, or inside a message): parsed and redacted with
/// [`redact_url`]; text that does not parse loses everything between `://` and the last `@`
/// before the path, and everything after `?` or `#`, since it cannot be told apart.
pub fn redact_url_str(text: &str) -> String {
    match Url::parse(text) {
        Ok(url) => redact_url(&url),
        Err(_) => redact_unparsed(text),
    }
}

fn redact_unparsed(text: &str) -> String {
    let mut out = text.to_owned();
    if let Some(cut) = out.find(['?', '#']) {
        out.truncate(cut);
        out.push('?');
        out.push_str(REDACTED);
    }
    let authority_start = out.find("://").map_or(0, |i| i + 3);
    let authority_end = out[authority_start..]
        .find('/')
        .map_or(out.len(), |i| authority_start + i);
    if let Some(at) = out[authority_start..authority_end].rfind('@') {
        out.replace_range(authority_start..authority_start + at, REDACTED);
    }
    out
}

/// `text` with every `http://` or `https://` URL in it redacted ([`redact_url_str`]): for
/// messages that quote a URL, such as the HTTP client's errors. A URL ends at whitespace, a
/// quote, `<`, `>`, `(`, `)` or a backtick; a trailing `.`, `,`, `;` or `:` is left outside.
pub fn redact_urls_in(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    while let Some(start) = next_url_start(&lower, from) {
        out.push_str(&text[from..start]);
        let rest = &text[start..];
        let mut end = rest
            .find(|c: char| c.is_whitespace() || "\"'<>()`".contains(c))
            .unwrap_or(rest.len());
        while end > 0 && rest[..end].ends_with(['.', ',', ';', ':']) {
            end -= 1;
        }
        let _ = write!(out, "{}", redact_url_str(&rest[..end]));
        from = start + end.max(1);
        if end == 0 {
            // Nothing URL-like after the scheme: keep the character and move on.
            out.push_str(&text[start..from]);
        }
    }
    out.push_str(&text[from..]);
    out
}

fn next_url_start(lower: &str, from: usize) -> Option<usize> {
    ["http://", "https://"]
        .iter()
        .filter_map(|scheme| lower[from..].find(scheme).map(|i| from + i))
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redact(text: &str) -> String {
        redact_url_str(text)
    }

    #[test]
    fn user_info_is_replaced_and_the_host_kept() {
        assert_eq!(
            redact("http://alice:s3cret@127.0.0.1:9229/"),
            "http://REDACTED@127.0.0.1:9229/"
        );
        assert_eq!(
            redact("http://token-only@127.0.0.1/"),
            "http://REDACTED@127.0.0.1/"
        );
        assert_eq!(
            redact("http://:pw@localhost/"),
            "http://REDACTED@localhost/"
        );
        assert_eq!(redact("http://127.0.0.1:1/x"), "http://127.0.0.1:1/x");
    }

    #[test]
    fn secret_parameters_lose_their_values_whatever_their_case() {
        assert_eq!(
            redact("https://h/p?a=1&client_secret=xyz&Code=abc&X-Amz-Signature=f00&b=2"),
            "https://h/p?a=1&client_secret=REDACTED&Code=REDACTED&X-Amz-Signature=REDACTED&b=2"
        );
        assert_eq!(
            redact("https://h/?X-AMZ-CREDENTIAL=AKIA%2F1&x-amz-security-token=t&password=p"),
            "https://h/?X-AMZ-CREDENTIAL=REDACTED&x-amz-security-token=REDACTED&password=REDACTED"
        );
        assert_eq!(
            redact("https://h/cb#access_token=eyJ&state=s&refresh_token=r&id_token=i&token=t"),
            "https://h/cb#access_token=REDACTED&state=s&refresh_token=REDACTED&id_token=REDACTED&token=REDACTED"
        );
        // An encoded name is still the name.
        assert_eq!(redact("https://h/?c%6Fde=1"), "https://h/?c%6Fde=REDACTED");
        // Names that only contain a secret name are kept.
        assert_eq!(
            redact("https://h/?codec=1&tokens=2"),
            "https://h/?codec=1&tokens=2"
        );
    }

    #[test]
    fn text_that_is_no_url_is_still_stripped_of_what_may_be_secret() {
        assert_eq!(
            redact("http://u:p@[bad/x?code=1"),
            "http://REDACTED@[bad/x?REDACTED"
        );
        assert_eq!(redact("not a url"), "not a url");
    }

    #[test]
    fn urls_inside_messages_are_redacted_in_place() {
        assert_eq!(
            redact_urls_in(
                "error sending request for url (http://u:p@127.0.0.1:1/?token=t): refused. \
                 See HTTPS://x:y@h/."
            ),
            "error sending request for url (http://REDACTED@127.0.0.1:1/?token=REDACTED): \
             refused. See https://REDACTED@h/."
        );
        assert_eq!(
            redact_urls_in("http:// and https://"),
            "http:// and https://"
        );
        assert_eq!(redact_urls_in("no url here"), "no url here");
    }
}
