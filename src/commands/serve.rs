//! `cognito-harness serve`: the reference server until Ctrl-C / SIGTERM.

use crate::cli::ServeArgs;
use crate::exit::ExitCode;
use crate::protocol::Sensitive;

/// `serve`: the reference server until Ctrl-C / SIGTERM. Prints the endpoint and the seeded
/// pools. A bad config file or a refused bind exits with [`ExitCode::Config`].
pub fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    use crate::server::{ServerConfig, endpoint_for, load_config_file};
    if !args.bind.is_loopback() && !args.allow_remote {
        eprintln!(
            "error: --bind {}: not a loopback address; pass --allow-remote to serve it",
            args.bind
        );
        return Ok(ExitCode::Config);
    }
    let mut config = ServerConfig {
        bind: std::net::SocketAddr::new(args.bind, args.port),
        ..Default::default()
    };
    if let Some(path) = &args.config {
        match load_config_file(path) {
            Ok(file) => {
                if let Some(region) = file.region {
                    config.region = region;
                }
                config.pools = file.pools;
                if let Some(quotas) = file.quotas {
                    config.quotas = quotas;
                }
                config.expose_codes = file.expose_codes.unwrap_or(false);
                if let Some(connections) = &file.connections {
                    connections.apply(&mut config.connections);
                }
                if let Some(seed) = &file.admin_credentials {
                    match seed.resolve() {
                        Ok(pinned) => config.admin_credentials = Some(pinned),
                        Err(e) => {
                            eprintln!("error: {}: {e}", path.display());
                            return Ok(ExitCode::Config);
                        }
                    }
                }
            }
            Err(e) => {
                eprintln!("error: {e}");
                return Ok(ExitCode::Config);
            }
        }
    }
    if let Some(region) = args.region.clone() {
        config.region = region;
    }
    config.expose_codes |= args.expose_codes;
    crate::server::ConnectionsSeed {
        header_read_timeout: args.header_timeout,
        idle_timeout: args.idle_timeout,
        max_connections: args.max_connections,
    }
    .apply(&mut config.connections);
    match admin_credentials(&args) {
        Ok(Some(pinned)) => config.admin_credentials = Some(pinned),
        Ok(None) => {}
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::Config);
        }
    }
    for spec in &args.quota {
        match crate::server::parse_quota_spec(spec) {
            Ok((category, rps)) => {
                config.quotas.overrides.insert(category, rps);
                config.quotas.enabled = true;
            }
            Err(e) => {
                eprintln!("error: --quota: {e}");
                return Ok(ExitCode::Config);
            }
        }
    }
    if let Some(switch) = &args.quotas {
        config.quotas.enabled = switch == "on";
    }
    for spec in &args.fault {
        match crate::server::parse_fault_spec(spec) {
            Ok(rule) => config.faults.rules.push(rule),
            Err(e) => {
                eprintln!("error: --fault {e}");
                return Ok(ExitCode::Config);
            }
        }
    }
    for pool in &mut config.pools {
        pool.id
            .get_or_insert_with(|| crate::server::new_pool_id(&config.region));
    }
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::bind(config.bind).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("error: cannot bind {}: {e}", config.bind);
                return Ok(ExitCode::Config);
            }
        };
        let addr = listener.local_addr()?;
        let endpoint = endpoint_for(addr);
        let store = match crate::server::new_store(&config, &endpoint) {
            Ok(store) => std::sync::Arc::new(store),
            Err(crate::server::ServerError::Seed { pool, message }) => {
                eprintln!("error: config: pool {pool:?}: {message}");
                return Ok(ExitCode::Config);
            }
            Err(e) => return Err(e.into()),
        };
        if let Some(metrics) = args.metrics_listen {
            let listener = match super::metrics_listen::bind(metrics, args.allow_remote).await {
                Ok(l) => l,
                Err(e) => {
                    eprintln!("error: {e}");
                    return Ok(ExitCode::Config);
                }
            };
            println!("metrics on http://{}/metrics", listener.local_addr()?);
            let store = store.clone();
            super::metrics_listen::spawn(
                listener,
                std::sync::Arc::new(move || store.pool_metrics.encode()),
            );
        }
        for pool in &config.pools {
            let id = pool.id.as_deref().unwrap_or_default();
            println!("pool {} {id}", pool.name);
        }
        println!(
            "SRP arithmetic on the {} backend",
            crate::srp::Backend::active().name()
        );
        match &config.admin_credentials {
            Some((key, _)) => println!("admin calls must be signed with access key {key}"),
            None => println!("admin calls: any well-formed SigV4 signature is accepted"),
        }
        if args.allow_remote {
            for line in remote_exposure(&Exposure {
                bind: addr,
                metrics: args.metrics_listen,
                admin_key: config.admin_credentials.as_ref().map(|(key, _)| key.as_str()),
                expose_codes: config.expose_codes,
            }) {
                eprintln!("{line}");
            }
        }
        println!("cognito-harness reference server listening on {endpoint}");
        let shutdown = async {
            let ctrl_c = tokio::signal::ctrl_c();
            #[cfg(unix)]
            {
                let mut term =
                    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                        .ok();
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending().await } } => {}
                }
            }
            #[cfg(not(unix))]
            {
                let _ = ctrl_c.await;
            }
        };
        crate::server::run_store(listener, store, &config, shutdown).await?;
        Ok(ExitCode::Ok)
    })
}

/// What `--allow-remote` may open to other machines.
struct Exposure<'a> {
    bind: std::net::SocketAddr,
    metrics: Option<std::net::SocketAddr>,
    admin_key: Option<&'a str>,
    expose_codes: bool,
}

/// The lines `serve --allow-remote` prints: what other machines can reach and how to lock it
/// down.
fn remote_exposure(e: &Exposure<'_>) -> Vec<String> {
    let api_remote = !e.bind.ip().is_loopback();
    let metrics_remote = e.metrics.is_some_and(|m| !m.ip().is_loopback());
    if !api_remote && !metrics_remote {
        return vec![format!(
            "--allow-remote: nothing is reachable from other machines: the server is bound to {} and metrics (if any) to loopback",
            e.bind.ip()
        )];
    }
    let mut lines = vec!["warning: --allow-remote: reachable from other machines:".to_owned()];
    if api_remote {
        lines.push(format!(
            "  - the Cognito API, OAuth2 endpoints and JWKS on http://{}/",
            e.bind
        ));
        lines.push(match e.admin_key {
            Some(key) => format!("  - admin (SigV4) calls, verified against access key {key}"),
            None => "  - admin (SigV4) calls: ANY well-formed signature is accepted, so anyone can create, read and delete pools and users"
                .to_owned(),
        });
        lines.push(if e.expose_codes {
            format!(
                "  - the confirmation codes the server issued, on http://{}/_harness/codes (--expose-codes)",
                e.bind
            )
        } else {
            "  - not the confirmation codes: /_harness/codes answers loopback clients only"
                .to_owned()
        });
    }
    if let Some(metrics) = e.metrics.filter(|_| metrics_remote) {
        lines.push(format!("  - the pool metrics on http://{metrics}/metrics"));
    }
    let mut fixes = Vec::new();
    if e.admin_key.is_none() && api_remote {
        fixes.push("pin --admin-credentials (or admin_credentials in --config)");
    }
    if e.expose_codes && api_remote {
        fixes.push("drop --expose-codes");
    }
    fixes.push("bind one interface rather than 0.0.0.0 and firewall the ports");
    fixes.push("or serve on 127.0.0.1 without --allow-remote");
    lines.push(format!("  lock it down: {}", fixes.join("; ")));
    lines
}

/// The pinned admin credentials from `--admin-credentials` (or its environment variable) or
/// `--admin-credentials-file`; `None` when neither is given. Errors never repeat the secret.
fn admin_credentials(args: &ServeArgs) -> Result<Option<(String, Sensitive)>, String> {
    match (&args.admin_credentials, &args.admin_credentials_file) {
        (Some(_), Some(_)) => Err(
            "--admin-credentials (or COGNITO_HARNESS_ADMIN_CREDENTIALS) and \
             --admin-credentials-file: give one"
                .to_owned(),
        ),
        (Some(text), None) => crate::server::parse_admin_credentials(text.expose())
            .map(Some)
            .map_err(|e| format!("--admin-credentials: {e}")),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("--admin-credentials-file {}: {e}", path.display()))?;
            crate::server::parse_admin_credentials(&text)
                .map(Some)
                .map_err(|e| format!("--admin-credentials-file {}: {e}", path.display()))
        }
        (None, None) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exposure(bind: &str, admin_key: Option<&'static str>, codes: bool) -> Vec<String> {
        remote_exposure(&Exposure {
            bind: bind.parse().unwrap(),
            metrics: Some("0.0.0.0:9100".parse().unwrap()),
            admin_key,
            expose_codes: codes,
        })
    }

    #[test]
    fn allow_remote_names_the_open_admin_api_the_codes_and_the_metrics() {
        let text = exposure("0.0.0.0:9229", None, true).join("\n");
        assert!(text.contains("http://0.0.0.0:9229/"), "{text}");
        assert!(
            text.contains("ANY well-formed signature is accepted"),
            "{text}"
        );
        assert!(text.contains("/_harness/codes (--expose-codes)"), "{text}");
        assert!(text.contains("http://0.0.0.0:9100/metrics"), "{text}");
        assert!(
            text.contains("lock it down: pin --admin-credentials"),
            "{text}"
        );
        assert!(text.contains("drop --expose-codes"), "{text}");
    }

    #[test]
    fn allow_remote_with_pinned_credentials_names_the_key_and_keeps_codes_local() {
        let text = exposure("0.0.0.0:9229", Some("AKIDLOCAL"), false).join("\n");
        assert!(
            text.contains("verified against access key AKIDLOCAL"),
            "{text}"
        );
        assert!(text.contains("answers loopback clients only"), "{text}");
        assert!(!text.contains("pin --admin-credentials"), "{text}");
    }

    #[test]
    fn allow_remote_on_loopback_says_nothing_is_reachable() {
        let text = remote_exposure(&Exposure {
            bind: "127.0.0.1:9229".parse().unwrap(),
            metrics: None,
            admin_key: None,
            expose_codes: true,
        });
        assert_eq!(text.len(), 1);
        assert!(text[0].contains("nothing is reachable"), "{}", text[0]);
    }
}
