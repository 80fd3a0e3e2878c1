//! The service over HTTPS, as phones need it for the microphone: a CA made here, a
//! certificate for `localhost` and `127.0.0.1` signed by it, and `ktv serve --tls-cert
//! --tls-key`. Debian's chromium (headless, through playwright-core: `tests/web/tls.mjs`)
//! opens the page over it: a secure context with WebCodecs and `getUserMedia`, it joins the
//! room through the API and follows it through the WebSocket, both over TLS. And
//! `--tls self-signed` makes a certificate for the machine once and serves the same one the
//! next time.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use ktv_tests::process::{KtvProcess, serving_url, workspace_root};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use serde_json::{Value, json};

/// A CA, and a certificate for the service signed by it: (CA cert, cert, key) as PEM files.
fn certificates(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, "ktv test CA");
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let service_key = KeyPair::generate().unwrap();
    let service = CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()])
        .unwrap()
        .signed_by(&service_key, &issuer)
        .unwrap();
    let paths = (
        dir.join("ca.pem"),
        dir.join("cert.pem"),
        dir.join("key.pem"),
    );
    std::fs::write(&paths.0, ca_cert.pem()).unwrap();
    std::fs::write(&paths.1, service.pem()).unwrap();
    std::fs::write(&paths.2, service_key.serialize_pem()).unwrap();
    paths
}

/// Runs `tests/web/{script}.mjs` with `config` (plus chromium and the output folder,
/// `target/web-{script}`) written into `dir`, node trusting the CA `ca` if given; fails the
/// test with what it said if it fails, and returns what it wrote (`{script}.json`).
fn page_script(script: &str, dir: &Path, mut config: Value, ca: Option<&Path>) -> Value {
    let out = workspace_root().join(format!("target/web-{script}"));
    std::fs::create_dir_all(&out).unwrap();
    config["chromium"] = json!("/usr/bin/chromium");
    config["out"] = json!(out);
    let file = dir.join(format!("{script}.config.json"));
    std::fs::write(&file, config.to_string()).unwrap();
    let mut node = Command::new("node");
    node.arg(workspace_root().join(format!("tests/web/{script}.mjs")))
        .arg(&file);
    if let Some(ca) = ca {
        node.env("NODE_EXTRA_CA_CERTS", ca);
    }
    let run = node.output().expect("node is installed by scripts/setup");
    let said =
        String::from_utf8_lossy(&run.stdout).into_owned() + &String::from_utf8_lossy(&run.stderr);
    println!("{said}");
    assert!(
        run.status.success(),
        "tests/web/{script}.mjs failed:\n{said}"
    );
    let written = std::fs::read_to_string(out.join(format!("{script}.json"))).unwrap();
    serde_json::from_str(&written).unwrap()
}

fn serve(args: &[&str]) -> (KtvProcess, String) {
    let mut process = KtvProcess::spawn(args);
    let url = process
        .wait_for_line(Duration::from_secs(30), serving_url)
        .unwrap_or_else(|e| panic!("ktv serve printed no URL ({e}): {}", process.stderr()));
    (process, url)
}

#[test]
fn the_page_over_https_in_chromium() {
    let dir = std::env::temp_dir().join(format!("ktv-web-tls-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (ca, cert, key) = certificates(&dir);
    let database = dir.join("ktv.db");
    let (_service, url) = serve(&[
        "serve",
        "--bind",
        "127.0.0.1:0",
        "--database",
        database.to_str().unwrap(),
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ]);
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    // Nothing in clear on the TLS port.
    let plain = url.replacen("https://", "http://", 1);
    if let Ok((status, body)) = ktv_tests::process::http_get(&format!("{plain}/api/songs")) {
        assert!(
            status >= 400,
            "the TLS port answered plain HTTP: {status} {body}"
        );
    }
    let base = url.replacen("127.0.0.1", "localhost", 1);

    let result = page_script(
        "tls",
        &dir,
        json!({"base": base, "certificate": cert}),
        Some(&ca),
    );
    assert_eq!(result["secure"]["protocol"], "https:", "{result}");
    assert_eq!(result["secure"]["secureContext"], true, "{result}");
    assert_eq!(result["secure"]["webCodecs"], true, "{result}");
    assert_eq!(result["secure"]["microphone"], true, "{result}");
    assert_eq!(result["pageErrors"], json!([]), "{result}");
}

#[test]
fn a_self_signed_certificate_is_made_once_and_served_again() {
    let dir = std::env::temp_dir().join(format!("ktv-self-signed-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let database = dir.join("ktv.db");
    let args = [
        "serve",
        "--bind",
        "127.0.0.1:0",
        "--database",
        database.to_str().unwrap(),
        "--tls",
        "self-signed",
    ];
    let certificate = dir.join("tls/cert.pem");
    let first = {
        let (service, url) = serve(&args);
        assert!(url.starts_with("https://"), "{url}");
        let pem = std::fs::read_to_string(&certificate)
            .unwrap_or_else(|e| panic!("no {}: {e}: {}", certificate.display(), service.stderr()));
        assert!(
            service.stderr().contains(certificate.to_str().unwrap()),
            "the certificate is not named: {}",
            service.stderr()
        );
        pem
    };
    let (_service, _) = serve(&args);
    assert_eq!(
        std::fs::read_to_string(&certificate).unwrap(),
        first,
        "a second run made another certificate"
    );
    let names = std::fs::read_to_string(dir.join("tls/names.txt")).unwrap();
    assert!(
        names.lines().any(|n| n == "localhost") && names.lines().any(|n| n == "127.0.0.1"),
        "{names}"
    );
}

/// The README's run command on a LAN: no flag, and phones still get the microphone. Plain
/// `ktv serve` on all interfaces serves HTTPS beside HTTP with a certificate made for the
/// machine; it prints the HTTPS address for phones; a page opened on plain HTTP under a name
/// that is not localhost (an insecure origin, as a LAN address is) moves there, joins, and
/// hands out HTTPS join links; the TV view stays.
#[test]
fn plain_serve_on_a_lan_gives_phones_https() {
    let dir = std::env::temp_dir().join(format!("ktv-https-beside-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let database = dir.join("ktv.db");
    let (mut service, url) = serve(&[
        "serve",
        "--bind",
        "0.0.0.0:0",
        "--database",
        database.to_str().unwrap(),
    ]);
    assert!(url.starts_with("http://"), "{url}");
    let https = service
        .wait_for_line(Duration::from_secs(10), |line| {
            line.strip_prefix("phones open ").map(str::to_owned)
        })
        .unwrap_or_else(|e| panic!("no HTTPS address printed ({e}): {}", service.stderr()));
    assert!(https.starts_with("https://"), "{https}");
    let port = |u: &str| {
        u.trim_end_matches('/')
            .rsplit(':')
            .next()
            .unwrap()
            .to_owned()
    };
    let (plain_port, https_port) = (port(&url), port(&https));
    assert_ne!(plain_port, https_port);
    // The terminal's QR code is for phones: it names the HTTPS address (stderr is read on a
    // thread: give it a moment).
    let scan = format!("scan to open {https}");
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while !service.stderr().contains(&scan) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let said = service.stderr();
    assert!(
        said.contains(&scan),
        "the QR code is not for {https}: {said}"
    );
    let certificate = dir.join("tls/cert.pem");
    assert!(
        said.contains(certificate.to_str().unwrap()),
        "the certificate is not named: {said}"
    );

    let result = page_script(
        "https-beside",
        &dir,
        json!({
            "plain": format!("http://ktv.test:{plain_port}"),
            "api": format!("http://127.0.0.1:{plain_port}"),
            "certificate": certificate,
        }),
        None,
    );
    assert_eq!(result["service"]["https_url"], https.as_str(), "{result}");
    let landed = &result["landed"];
    assert!(
        landed["href"].as_str().unwrap().starts_with(&https),
        "the page stayed on plain HTTP: {result}"
    );
    assert_eq!(landed["secureContext"], true, "{result}");
    assert_eq!(landed["webCodecs"], true, "{result}");
    assert_eq!(landed["microphone"], true, "{result}");
    let links = result["joinLinks"].as_array().unwrap();
    assert!(!links.is_empty(), "no join QR code: {result}");
    for link in links {
        assert!(
            link.as_str().unwrap().starts_with(&https),
            "a join link not on HTTPS: {result}"
        );
    }
    assert!(
        result["tv"]
            .as_str()
            .unwrap()
            .starts_with(&format!("http://ktv.test:{plain_port}/")),
        "the TV view moved: {result}"
    );
    assert_eq!(result["pageErrors"], json!([]), "{result}");
}
