//! Running the `ktv` binary as a child process.

use std::io::{BufRead, BufReader, Read};

pub use nix::sys::signal::Signal;
use nix::unistd::Pid;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::time::{Duration, Instant};

/// Builds the `ktv` binary with the same cargo and profile as the running tests, once per test
/// process, and returns its path.
///
/// Building here (rather than trusting whatever lies in the target directory) means a test
/// never runs a stale binary. Cargo has released its build lock by the time tests run, and an
/// up-to-date build is a no-op.
pub fn ktv_binary() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(build_ktv).clone()
}

fn build_ktv() -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    // What cargo tells the test binary about its own package (CARGO_PKG_NAME=ktv-tests, ...)
    // is not the environment the workspace is built in: build scripts that watch those
    // variables (ring's, through cc) would rebuild in every test binary, and again in the next
    // outer build.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        let about_the_test = [
            "CARGO_PKG_",
            "CARGO_MANIFEST_",
            "CARGO_CRATE_",
            "CARGO_BIN_",
        ]
        .iter()
        .any(|prefix| name.starts_with(prefix))
            || ["CARGO_PRIMARY_PACKAGE", "CARGO_TARGET_TMPDIR", "OUT_DIR"].contains(&&*name);
        if about_the_test {
            command.env_remove(&*name);
        }
    }
    let output = command
        .args([
            "build",
            "--package",
            "ktv",
            "--bin",
            "ktv",
            "--message-format=json",
        ])
        .current_dir(workspace_root())
        .stderr(Stdio::inherit())
        .output()
        .expect("cannot run cargo to build ktv");
    assert!(
        output.status.success(),
        "cargo build of ktv failed: {}",
        output.status
    );
    // The last compiler-artifact message for the binary names its path.
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|line| line.contains("\"reason\":\"compiler-artifact\""))
        .filter_map(|line| line.split("\"executable\":\"").nth(1))
        .filter_map(|rest| rest.split('"').next())
        .next_back()
        .map(PathBuf::from)
        .expect("cargo build reported no ktv executable")
}

/// A TCP port free on loopback now (for a server that must come back on the same one).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on loopback")
}

/// The workspace root: the parent of this package's folder.
pub fn workspace_root() -> PathBuf {
    // At run time first (cargo sets it for tests): a target folder shared between checkouts
    // may hold a test built in another one.
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .parent()
        .expect("the tests package lives inside the workspace")
        .to_owned()
}

/// What a finished `ktv` command printed.
#[derive(Debug)]
pub struct Finished {
    /// The exit code (`None` if killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs `ktv` with `args` to completion.
pub fn run_ktv(args: &[&str]) -> Finished {
    let output = Command::new(ktv_binary())
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .output()
        .expect("cannot run ktv");
    Finished {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The URL in `ktv serve`'s "ktv is serving URL" line (the contract with scripts and tests),
/// without a trailing slash; `None` for other lines.
pub fn serving_url(line: &str) -> Option<String> {
    line.split_whitespace()
        .find(|w| w.starts_with("http://") || w.starts_with("https://"))
        .map(|u| u.trim_end_matches('/').to_owned())
}

/// Starts `ktv serve --bind BIND --database DATABASE` and waits for its URL; panics with
/// what it said on stderr if it prints none within 30 s.
pub fn serve(bind: &str, database: &Path) -> (KtvProcess, String) {
    let database = database.to_str().expect("a UTF-8 database path");
    let mut process = KtvProcess::spawn(&["serve", "--bind", bind, "--database", database]);
    let url = process
        .wait_for_line(Duration::from_secs(30), serving_url)
        .unwrap_or_else(|e| panic!("ktv serve printed no URL ({e}): {}", process.stderr()));
    (process, url)
}

/// A `ktv` child process, killed when dropped unless it was waited for.
#[derive(Debug)]
pub struct KtvProcess {
    child: Child,
    stdout_lines: mpsc::Receiver<String>,
    stderr: Arc<Mutex<String>>,
}

impl KtvProcess {
    /// Starts `ktv` with `args`, capturing stdout line by line and stderr as text (also echoed
    /// to the test's output, which the harness shows when a test fails).
    pub fn spawn(args: &[&str]) -> Self {
        let mut child = Command::new(ktv_binary())
            .args(args)
            .env("RUST_BACKTRACE", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cannot start ktv");
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        Self {
            child,
            stdout_lines: forward_lines(stdout),
            stderr: collect_stderr(stderr),
        }
    }

    /// What the process wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits up to `timeout` for a stdout line that `pick` accepts and returns what it picked.
    pub fn wait_for_line<T>(
        &mut self,
        timeout: Duration,
        mut pick: impl FnMut(&str) -> Option<T>,
    ) -> Result<T, String> {
        let deadline = Instant::now() + timeout;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stdout_lines.recv_timeout(left) {
                Ok(line) => {
                    if let Some(found) = pick(&line) {
                        return Ok(found);
                    }
                    seen.push(line);
                }
                Err(err) => {
                    return Err(format!("{err} after {timeout:?}; stdout so far: {seen:?}"));
                }
            }
        }
    }

    /// Sends `signal` to the process.
    pub fn signal(&self, signal: Signal) {
        let pid = Pid::from_raw(i32::try_from(self.pid()).expect("pid fits in i32"));
        nix::sys::signal::kill(pid, signal).expect("cannot send the signal");
    }

    /// Waits up to `timeout` for the process to exit.
    pub fn wait_timeout(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("cannot poll the child") {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for KtvProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn collect_stderr(stderr: ChildStderr) -> Arc<Mutex<String>> {
    let text = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&text);
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            eprintln!("ktv: {line}");
            if let Ok(mut text) = sink.lock() {
                text.push_str(&line);
                text.push('\n');
            }
        }
    });
    text
}

fn forward_lines(stdout: ChildStdout) -> mpsc::Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

/// Fetches `url` (plain `http://host:port/path`) with one HTTP/1.1 request and returns the
/// status code and body.
pub fn http_get(url: &str) -> Result<(u16, String), String> {
    http_call("GET", url, None, None)
}

/// One HTTP/1.1 request to `url` with an optional bearer token and JSON body; returns the
/// status code and body. Errors are transport failures (a server that died mid-request).
pub fn http_call(
    method: &str,
    url: &str,
    bearer: Option<&str>,
    json: Option<&str>,
) -> Result<(u16, String), String> {
    let rest = url.strip_prefix("http://").ok_or("not an http:// URL")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let mut stream =
        std::net::TcpStream::connect(authority).map_err(|e| format!("connect {authority}: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    let mut head =
        format!("{method} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n");
    if let Some(token) = bearer {
        head.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    let body = json.unwrap_or("");
    if json.is_some() {
        head.push_str("Content-Type: application/json\r\n");
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    use std::io::Write;
    stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body.as_bytes()))
        .map_err(|e| format!("send request: {e}"))?;
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .map_err(|e| format!("read response: {e}"))?;
    let response = String::from_utf8(response).map_err(|e| e.to_string())?;
    let (head, body) = response
        .split_once("\r\n\r\n")
        .ok_or("response without a header end")?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("bad status line in {head:?}"))?;
    Ok((status, body.to_owned()))
}

/// A process's CPU time so far (user + system), in seconds (`/proc`, in USER_HZ ticks: 100 a
/// second on Linux).
pub fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// The CPU time so far of a process and all its descendants alive now (seconds).
pub fn tree_cpu_seconds(root: u32) -> f64 {
    let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            let ppid = stat
                .rsplit_once(')')?
                .1
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()?;
            Some((pid, ppid))
        })
        .collect();
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(
            parents
                .iter()
                .filter(|(_, p)| *p == parent)
                .map(|(c, _)| *c),
        );
        i += 1;
    }
    tree.into_iter().map(cpu_seconds).sum()
}
