//! HTTPS for the service: a phone gives a page its microphone only on a secure origin. The
//! certificate is the operator's (PEM files), or, for a party on a LAN, a self-signed one made
//! for the machine's names and addresses and kept in a folder beside the database, so every
//! run serves the same certificate and the one exception a phone's browser was given for it
//! holds. The page, its WebSocket and the API all go over the one TLS listener; the voice's
//! UDP path beside it stays authenticated by its ticket.

use std::path::{Path, PathBuf};

use axum_server::tls_rustls::RustlsConfig;

use crate::{Error, Result};

/// Where the certificate comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsSource {
    /// The operator's certificate chain and private key, PEM.
    Files {
        /// The certificate chain.
        cert: PathBuf,
        /// Its private key.
        key: PathBuf,
    },
    /// A self-signed certificate for `names`, made once and kept in `folder`.
    SelfSigned {
        /// Where it is kept (`cert.pem`, `key.pem`, `names.txt`).
        folder: PathBuf,
        /// The machine's host names and addresses it is for.
        names: Vec<String>,
    },
}

/// The TLS set-up to serve with.
#[derive(Clone)]
pub struct Tls {
    pub(crate) config: RustlsConfig,
    /// The certificate file served (for a self-signed one, what to install on a phone).
    pub certificate: PathBuf,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls")
            .field("certificate", &self.certificate)
            .finish_non_exhaustive()
    }
}

impl Tls {
    /// Loads (or, self-signed, makes or reuses) the certificate.
    pub async fn load(source: &TlsSource) -> Result<Tls> {
        let (cert, key) = match source {
            TlsSource::Files { cert, key } => (cert.clone(), key.clone()),
            TlsSource::SelfSigned { folder, names } => self_signed(folder, names)?,
        };
        let config = RustlsConfig::from_pem_file(&cert, &key)
            .await
            .map_err(|e| Error::Tls {
                path: cert.clone(),
                reason: format!("with the key {}: {e}", key.display()),
            })?;
        Ok(Tls {
            config,
            certificate: cert,
        })
    }
}

/// The names a self-signed certificate for this machine is for: `localhost`, the loopback
/// addresses, the host name and the LAN address (what a phone on the network types or scans).
pub fn machine_names() -> Vec<String> {
    let mut names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    if let Ok(host) = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
    {
        let host = host.trim();
        if !host.is_empty() && !names.iter().any(|n| n == host) {
            names.push(host.to_owned());
            names.push(format!("{host}.local"));
        }
    }
    if let Some(ip) = crate::lan::lan_ip() {
        names.push(ip.to_string());
    }
    names
}

/// The certificate and key in `folder` for `names`: the ones kept there if they were made
/// for the same names, else new ones (the key readable by this user only).
fn self_signed(folder: &Path, names: &[String]) -> Result<(PathBuf, PathBuf)> {
    let (cert, key, listed) = (
        folder.join("cert.pem"),
        folder.join("key.pem"),
        folder.join("names.txt"),
    );
    let wanted = names.join("\n");
    let kept = std::fs::read_to_string(&listed).is_ok_and(|n| n == wanted);
    if kept && cert.exists() && key.exists() {
        return Ok((cert, key));
    }
    let made = rcgen::generate_simple_self_signed(names.to_vec()).map_err(|e| Error::Tls {
        path: cert.clone(),
        reason: format!("cannot make a certificate for {names:?}: {e}"),
    })?;
    let write = |path: &Path, text: &str, private: bool| -> Result<()> {
        let failed = |e: std::io::Error| Error::Tls {
            path: path.to_owned(),
            reason: format!("cannot write it: {e}"),
        };
        std::fs::create_dir_all(folder).map_err(failed)?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        if private {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(failed)?;
        std::io::Write::write_all(&mut file, text.as_bytes()).map_err(failed)
    };
    write(&key, &made.signing_key.serialize_pem(), true)?;
    write(&cert, &made.cert.pem(), false)?;
    write(&listed, &wanted, false)?;
    tracing::info!(certificate = %cert.display(), ?names, "made a self-signed certificate");
    Ok((cert, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_self_signed_certificate_is_kept_for_the_same_names_and_remade_for_others() {
        let folder = std::env::temp_dir().join(format!("ktv-tls-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&folder);
        let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
        let (cert, key) = self_signed(&folder, &names).unwrap();
        let first = std::fs::read_to_string(&cert).unwrap();
        assert!(first.starts_with("-----BEGIN CERTIFICATE-----"), "{first}");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the key is readable by others: {mode:o}");
        self_signed(&folder, &names).unwrap();
        assert_eq!(std::fs::read_to_string(&cert).unwrap(), first, "not kept");
        let more = vec!["localhost".to_owned(), "192.168.1.20".to_owned()];
        self_signed(&folder, &more).unwrap();
        assert_ne!(std::fs::read_to_string(&cert).unwrap(), first, "not remade");
        let _ = std::fs::remove_dir_all(&folder);
    }

    #[tokio::test]
    async fn a_missing_certificate_is_named_in_the_error() {
        let source = TlsSource::Files {
            cert: PathBuf::from("/nonexistent/cert.pem"),
            key: PathBuf::from("/nonexistent/key.pem"),
        };
        let error = Tls::load(&source).await.unwrap_err().to_string();
        assert!(error.contains("/nonexistent/cert.pem"), "{error}");
    }
}
