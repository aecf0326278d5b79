//! `serve` under connection abuse, as a child process over raw TCP: slow-header and idle
//! connections are closed after their (shortened) timeouts, connections beyond the limit get an
//! orderly `503`, and 600 idle connections under a 512 open-file limit do not lock a normal
//! client out.

mod cli_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cli_support::harness_process;

/// A `serve --port 0` child, killed on drop.
struct Serve {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(mut cmd: Command) -> Serve {
    cmd.stdout(Stdio::piped()).stderr(Stdio::null());
    let mut child = cmd.spawn().expect("serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("serve printed its endpoint")
            .expect("a line");
        if let Some(url) = line.split("listening on http://").nth(1) {
            break url
                .trim()
                .trim_end_matches('/')
                .parse()
                .expect("an address");
        }
    };
    // Keep reading so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Serve { child, addr }
}

fn serve(args: &[&str]) -> Serve {
    let mut cmd = harness_process();
    cmd.args(["serve", "--port", "0"]).args(args);
    start(cmd)
}

/// Reads until the server closes the connection (or resets it); how long that took, or `None`
/// when it was still open after `limit`.
fn time_to_close(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    stream.set_read_timeout(Some(limit)).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return Some(started.elapsed()),
            Ok(_) => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return None;
            }
            Err(_) => return Some(started.elapsed()),
        }
    }
}

/// One request on a fresh connection: the status line of the answer, if any came.
fn status_line(addr: SocketAddr) -> Option<String> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    stream
        .write_all(b"GET /.well-known/openid-configuration HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .ok()?;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer);
    text.lines()
        .next()
        .filter(|l| l.starts_with("HTTP/"))
        .map(str::to_owned)
}

#[test]
fn slow_header_connections_are_closed_after_the_header_timeout() {
    let server = serve(&["--header-timeout", "1s", "--idle-timeout", "60s"]);
    let mut stream = TcpStream::connect(server.addr).unwrap();
    // A slow-loris client: a byte of header every 100 ms, never the blank line.
    let mut writer = stream.try_clone().unwrap();
    std::thread::spawn(move || {
        let head =
            b"POST / HTTP/1.1\r\nhost: x\r\nx-slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        for byte in head {
            if writer.write_all(&[*byte]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    let closed = time_to_close(&mut stream, Duration::from_secs(8))
        .expect("the slow-header connection is closed");
    assert!(
        closed >= Duration::from_millis(900) && closed < Duration::from_secs(4),
        "closed after {closed:?}, expected about 1 s"
    );
}

#[test]
fn idle_keep_alive_connections_are_closed_after_the_idle_timeout() {
    let server = serve(&["--header-timeout", "30s", "--idle-timeout", "1s"]);
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream
        .write_all(b"GET /.well-known/openid-configuration HTTP/1.1\r\nhost: x\r\n\r\n")
        .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut buf = [0u8; 4096];
    let n = stream.read(&mut buf).unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 "), "an answer first");
    let closed =
        time_to_close(&mut stream, Duration::from_secs(8)).expect("the idle connection is closed");
    assert!(
        closed < Duration::from_secs(4),
        "closed after {closed:?}, expected about 1 s (the idle timeout, not the 30 s header one)"
    );
}

#[test]
fn connections_beyond_the_limit_are_refused_with_503() {
    let server = serve(&["--max-connections", "2", "--header-timeout", "30s"]);
    let held: Vec<TcpStream> = (0..2)
        .map(|_| TcpStream::connect(server.addr).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let mut extra = TcpStream::connect(server.addr).unwrap();
    extra
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut answer = Vec::new();
    let _ = extra.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 503 "), "got {text:?}");
    assert!(text.contains("connection: close"));
    assert!(text.contains("\"__type\":\"ServiceUnavailableException\""));
    drop(held);
    // Slots are released with the connections.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let status = status_line(server.addr);
        if status.as_deref().is_some_and(|s| !s.contains(" 503 ")) {
            break;
        }
        assert!(Instant::now() < deadline, "still refused: {status:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn six_hundred_idle_connections_under_a_512_file_limit_do_not_lock_out_a_client() {
    if Command::new("prlimit").arg("--version").output().is_err() {
        panic!("prlimit (util-linux) is needed to cap the server's open-file limit");
    }
    let mut cmd = Command::new("prlimit");
    cmd.args(["--nofile=512:512", "--"])
        .arg(env!("CARGO_BIN_EXE_cognito-harness"))
        .args([
            "serve",
            "--port",
            "0",
            "--header-timeout",
            "1s",
            "--idle-timeout",
            "1s",
        ])
        .env_remove("AWS_PROFILE")
        .env("NO_COLOR", "1");
    let server = start(cmd);
    let idle: Vec<TcpStream> = (0..600)
        .filter_map(|_| TcpStream::connect_timeout(&server.addr, Duration::from_secs(1)).ok())
        .collect();
    assert!(idle.len() >= 500, "opened {} idle connections", idle.len());
    let started = Instant::now();
    let deadline = started + Duration::from_secs(10);
    loop {
        let status = status_line(server.addr);
        // Any answer but the refusal: the path itself answers 404 on a server without pools.
        if status.as_deref().is_some_and(|s| !s.contains(" 503 ")) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "a normal client is locked out after {:?}: {status:?}",
            started.elapsed()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(idle);
}

#[test]
fn a_config_the_api_refuses_exits_2_without_printing_listening() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("serve.yaml");
    std::fs::write(
        &config,
        "pools:\n  - name: ok\n    clients:\n      - name: app\n        explicit_auth_flows: [BOGUS]\n",
    )
    .unwrap();
    let out = harness_process()
        .args(["serve", "--port", "0", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("listening"), "{stdout}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("explicitAuthFlows"));
}

#[test]
fn a_zero_connection_limit_is_refused() {
    let out = harness_process()
        .args(["serve", "--port", "0", "--max-connections", "0"])
        .output()
        .unwrap();
    // A zero limit is refused before anything is bound.
    assert_eq!(out.status.code(), Some(2));
}
