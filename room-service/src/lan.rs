//! How phones on the same network reach the service: the machine's LAN address and a QR code
//! of the URL drawn in the terminal.

use std::net::{IpAddr, SocketAddr, UdpSocket};

use qrcode::{Color, QrCode};

/// The address other machines on the LAN reach this one at, if it has one: the source
/// address the system would use for an outside destination (connecting a UDP socket sends
/// nothing).
pub fn lan_ip() -> Option<IpAddr> {
    let socket = UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

/// The URL to print for a listener bound to `local` (`https` if it serves TLS): the LAN
/// address when bound to all interfaces and the machine has one, else the address bound.
pub fn url(local: SocketAddr, https: bool) -> String {
    let scheme = if https { "https" } else { "http" };
    let ip = if local.ip().is_unspecified() {
        lan_ip().unwrap_or(IpAddr::from([127, 0, 0, 1]))
    } else {
        local.ip()
    };
    match ip {
        IpAddr::V6(v6) => format!("{scheme}://[{v6}]:{}/", local.port()),
        IpAddr::V4(v4) => format!("{scheme}://{v4}:{}/", local.port()),
    }
}

/// `text` as a QR code in terminal characters: two modules per character cell (upper and
/// lower half blocks), dark on light with a quiet zone, so phone cameras read it on dark
/// and light terminals alike.
pub fn terminal_qr(text: &str) -> Option<String> {
    let code = QrCode::new(text.as_bytes()).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let quiet = 2;
    let dark = |x: isize, y: isize| {
        x >= 0
            && y >= 0
            && (x as usize) < width
            && (y as usize) < width
            && colors[y as usize * width + x as usize] == Color::Dark
    };
    let mut out = String::new();
    let span = -(quiet as isize)..(width + quiet) as isize;
    let mut y = -(quiet as isize);
    while y < (width + quiet) as isize {
        for x in span.clone() {
            // Light background drawn as full blocks; dark modules as spaces.
            out.push(match (dark(x, y), dark(x, y + 1)) {
                (false, false) => '█',
                (true, false) => '▄',
                (false, true) => '▀',
                (true, true) => ' ',
            });
        }
        out.push('\n');
        y += 2;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_terminal_code_has_the_code_s_size_and_both_shades() {
        let qr = terminal_qr("http://192.168.1.20:8080/").unwrap();
        let lines: Vec<&str> = qr.lines().collect();
        let width = QrCode::new(b"http://192.168.1.20:8080/").unwrap().width();
        assert_eq!(lines[0].chars().count(), width + 4);
        assert_eq!(lines.len(), (width + 4).div_ceil(2));
        assert!(qr.contains(' ') && qr.contains('█'));
    }

    #[test]
    fn urls_name_the_address_reached() {
        assert_eq!(
            url("127.0.0.1:8080".parse().unwrap(), false),
            "http://127.0.0.1:8080/"
        );
        assert_eq!(
            url("127.0.0.1:8443".parse().unwrap(), true),
            "https://127.0.0.1:8443/"
        );
        let any = url("0.0.0.0:8080".parse().unwrap(), false);
        assert!(
            any.starts_with("http://") && any.ends_with(":8080/"),
            "{any}"
        );
    }
}
