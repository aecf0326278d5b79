//! Reports in Amazon S3, so the shards of a run on several machines need no shared volume:
//! `run --out s3://bucket/prefix` writes the run's report directory as usual, into a local
//! staging folder, then uploads each file to `prefix/<report directory>/<file>`;
//! `merge s3://bucket/prefix` downloads every `shard.json` under the prefix and merges them.
//!
//! The client is the AWS SDK for Rust's, configured by `aws-config` from the standard chain
//! (environment, shared config and credentials files with `AWS_PROFILE`, web identity, container
//! and instance credentials; the region from `AWS_REGION` or the profile), as for `admin: aws`.
//! An endpoint override (`AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL`, or `endpoint_url` in the
//! profile) is honoured and switches to path-style addressing, which S3-compatible stores
//! (MinIO, moto, LocalStack) need.

use std::path::{Path, PathBuf};
use std::time::Duration;

use aws_sdk_s3::Client;
use aws_sdk_s3::error::DisplayErrorContext;

/// The largest `shard.json` `merge` downloads (a shard's histograms are a few megabytes).
const MAX_OBJECT_BYTES: i64 = 256 * 1024 * 1024;

/// How long one S3 call may take, retries included.
const CALL_TIMEOUT: Duration = Duration::from_secs(120);

/// `s3://bucket/prefix`: where reports go. The prefix has no leading or trailing `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Url {
    pub bucket: String,
    pub prefix: String,
}

impl std::fmt::Display for S3Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.prefix.is_empty() {
            write!(f, "s3://{}", self.bucket)
        } else {
            write!(f, "s3://{}/{}", self.bucket, self.prefix)
        }
    }
}

impl S3Url {
    /// `None` when `text` is not an `s3://` address (a local path); otherwise the parsed
    /// address or why it is not one.
    pub fn parse(text: &str) -> Option<Result<S3Url, String>> {
        let rest = text.strip_prefix("s3://")?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        // Bucket names: 3 to 63 lowercase letters, digits, dots and hyphens (S3 user guide,
        // "Bucket naming rules").
        let valid = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
        if !valid {
            return Some(Err(format!(
                "{text:?}: the bucket name must be 3 to 63 lowercase letters, digits, dots or \
                 hyphens, as in s3://my-bucket/load-tests"
            )));
        }
        Some(Ok(S3Url {
            bucket: bucket.to_string(),
            prefix: prefix.trim_matches('/').to_string(),
        }))
    }

    fn key(&self, rest: &str) -> String {
        if self.prefix.is_empty() {
            rest.to_string()
        } else {
            format!("{}/{rest}", self.prefix)
        }
    }
}

/// Why reports could not be stored in or read from S3. Messages name the bucket and key.
#[derive(Debug, thiserror::Error)]
pub enum S3Error {
    #[error("{url}: {message}")]
    Call { url: String, message: String },
    #[error("cannot read {path}: {source}")]
    Local {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn call_error(url: String, e: impl std::error::Error) -> S3Error {
    S3Error::Call {
        url,
        message: DisplayErrorContext(e).to_string(),
    }
}

/// An S3 client from the standard AWS configuration chain.
pub async fn client() -> Client {
    let shared = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .operation_timeout(CALL_TIMEOUT)
                .build(),
        )
        .load()
        .await;
    let overridden = shared.endpoint_url().is_some()
        || ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"]
            .iter()
            .any(|k| std::env::var_os(k).is_some_and(|v| !v.is_empty()));
    let config = aws_sdk_s3::config::Builder::from(&shared)
        .force_path_style(overridden)
        .build();
    Client::from_conf(config)
}

/// Checks, before any traffic, that the bucket exists and these credentials reach it.
pub async fn check_bucket(client: &Client, url: &S3Url) -> Result<(), S3Error> {
    client
        .head_bucket()
        .bucket(&url.bucket)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| call_error(url.to_string(), e))
}

/// Uploads every file of `dir` to `prefix/<dir's name>/<file>`; returns that folder's address.
pub async fn upload_dir(client: &Client, url: &S3Url, dir: &Path) -> Result<String, S3Error> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let entries = std::fs::read_dir(dir).map_err(|source| S3Error::Local {
        path: dir.to_owned(),
        source,
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    for file in files {
        let bytes = std::fs::read(&file).map_err(|source| S3Error::Local {
            path: file.clone(),
            source,
        })?;
        let file_name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let key = url.key(&format!("{name}/{file_name}"));
        client
            .put_object()
            .bucket(&url.bucket)
            .key(&key)
            .content_type(content_type(&file_name))
            .body(bytes.into())
            .send()
            .await
            .map_err(|e| call_error(format!("s3://{}/{key}", url.bucket), e))?;
    }
    Ok(format!(
        "{}/",
        S3Url {
            bucket: url.bucket.clone(),
            prefix: url.key(&name),
        }
    ))
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("json") => "application/json",
        Some("html") => "text/html; charset=utf-8",
        Some("md") => "text/markdown; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Downloads every `shard.json` under the prefix into `into`, one folder per shard named after
/// its key (`a/b/shard.json` into `into/a~b/shard.json`); returns how many.
pub async fn download_shards(client: &Client, url: &S3Url, into: &Path) -> Result<usize, S3Error> {
    let prefix = if url.prefix.is_empty() {
        String::new()
    } else {
        format!("{}/", url.prefix)
    };
    let mut pages = client
        .list_objects_v2()
        .bucket(&url.bucket)
        .prefix(&prefix)
        .into_paginator()
        .send();
    let mut keys = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| call_error(url.to_string(), e))?;
        for object in page.contents() {
            let (Some(key), size) = (object.key(), object.size().unwrap_or(0)) else {
                continue;
            };
            if key.rsplit('/').next() == Some(crate::shard::SHARD_FILE) {
                if size > MAX_OBJECT_BYTES {
                    return Err(S3Error::Call {
                        url: format!("s3://{}/{key}", url.bucket),
                        message: format!(
                            "{size} bytes: larger than a shard result can be \
                             ({MAX_OBJECT_BYTES} bytes)"
                        ),
                    });
                }
                keys.push(key.to_string());
            }
        }
    }
    for key in &keys {
        let where_ = format!("s3://{}/{key}", url.bucket);
        let object = client
            .get_object()
            .bucket(&url.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| call_error(where_.clone(), e))?;
        let bytes = object
            .body
            .collect()
            .await
            .map_err(|e| call_error(where_.clone(), e))?
            .into_bytes();
        let relative = key.strip_prefix(&prefix).unwrap_or(key);
        let folder = relative
            .rsplit_once('/')
            .map_or("shard", |(dir, _)| dir)
            .replace('/', "~");
        let dir = into.join(if folder.is_empty() { "shard" } else { &folder });
        let path = dir.join(crate::shard::SHARD_FILE);
        std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::write(&path, &bytes))
            .map_err(|source| S3Error::Local { path, source })?;
    }
    Ok(keys.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_addresses_parse_and_local_paths_are_not_theirs() {
        assert_eq!(S3Url::parse("reports/runs"), None);
        let url = S3Url::parse("s3://load-tests/runs/2026/").unwrap().unwrap();
        assert_eq!(url.bucket, "load-tests");
        assert_eq!(url.prefix, "runs/2026");
        assert_eq!(url.key("a/shard.json"), "runs/2026/a/shard.json");
        assert_eq!(url.to_string(), "s3://load-tests/runs/2026");
        let bare = S3Url::parse("s3://load-tests").unwrap().unwrap();
        assert_eq!(bare.key("x"), "x");
        for bad in ["s3://", "s3://UPPER/x", "s3://a/x", "s3://under_score"] {
            let e = S3Url::parse(bad).unwrap().unwrap_err();
            assert!(e.contains("bucket name"), "{bad}: {e}");
        }
    }
}
