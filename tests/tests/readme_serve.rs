//! The README's first command: `ktv serve` starts, prints its URL, serves the page, and exits
//! cleanly on SIGTERM.

use std::time::Duration;

use ktv_tests::process::{KtvProcess, Signal, http_get};

#[test]
fn serve_prints_its_url_serves_the_page_and_stops_on_sigterm() {
    let mut server = KtvProcess::spawn(&["serve", "--bind", "127.0.0.1:0"]);
    let url = server
        .wait_for_line(Duration::from_secs(30), |line| {
            line.split_whitespace()
                .find(|word| word.starts_with("http://"))
                .map(str::to_owned)
        })
        .expect("ktv serve printed no URL");

    let (status, body) = http_get(&url).expect("cannot fetch the page");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("<h1>ktv</h1>"), "not ktv's page: {body}");
    assert!(
        body.contains("karaoke"),
        "the page does not say what ktv is: {body}"
    );
    // The bundled demo songs are the library.
    for title in [
        "茉莉花",
        "两只老虎",
        "Twinkle, Twinkle, Little Star",
        "Oh! Susanna",
        "送别",
    ] {
        assert!(body.contains(title), "{title} is not listed: {body}");
    }

    server.signal(Signal::SIGTERM);
    let status = server
        .wait_timeout(Duration::from_secs(5))
        .expect("ktv serve did not exit within 5 s of SIGTERM");
    assert!(
        status.success(),
        "ktv serve exited with {status} after SIGTERM"
    );
}

#[test]
fn serve_refuses_an_address_in_use_with_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let mut server = KtvProcess::spawn(&["serve", "--bind", &addr]);
    let status = server
        .wait_timeout(Duration::from_secs(30))
        .expect("ktv serve kept running on an address in use");
    assert!(!status.success());
    // stderr is read on a thread; give it a moment to drain after the exit.
    std::thread::sleep(Duration::from_millis(100));
    let stderr = server.stderr();
    assert!(
        stderr.contains(&format!("cannot listen on {addr}")),
        "the error does not name the address: {stderr}"
    );
}
