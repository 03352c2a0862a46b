//! TLS for RSM's servers and clients: the server setup from PEM files (rustls, ring), a
//! listener that hands axum only finished handshakes, and the HTTP agent of the party-side
//! tools, which trusts Mozilla's roots or only a private CA.

use std::{sync::Arc, time::Duration};

/// A server's TLS setup, shared by its connections.
pub type ServerTls = Arc<rustls::ServerConfig>;

/// An HTTP agent for which statuses are answers, not errors. `https://` URLs are checked
/// against Mozilla's roots, or only against `root_certs` (DER) when some are given (a private
/// CA, or a test's self-signed certificate). `timeout` bounds each whole request.
pub fn client_agent(root_certs: &[Vec<u8>], timeout: Option<Duration>) -> ureq::Agent {
    use ureq::tls::{Certificate, RootCerts, TlsConfig};
    let mut cfg = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(timeout);
    if !root_certs.is_empty() {
        let certs: Vec<Certificate<'static>> = root_certs
            .iter()
            .map(|der| Certificate::from_der(der).to_owned())
            .collect();
        cfg = cfg.tls_config(
            TlsConfig::builder()
                .root_certs(RootCerts::new_with_certs(&certs))
                .build(),
        );
    }
    cfg.build().into()
}

/// Reads the certificates (DER) of a PEM file: a root CA bundle, or a certificate chain.
pub fn pem_certificates(pem: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    use rustls_pki_types::{CertificateDer, pem::PemObject};
    let certs = CertificateDer::pem_slice_iter(pem)
        .map(|c| c.map(|c| c.to_vec()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("not PEM certificates: {e}"))?;
    if certs.is_empty() {
        return Err("no CERTIFICATE block in the PEM text".into());
    }
    Ok(certs)
}

/// The TLS setup of a server (the platform or a witness) from its certificate chain and private key (both PEM,
/// as `certbot` or `rcgen` write them). TLS 1.2 and 1.3, ring provider.
pub fn tls_config(cert_pem: &[u8], key_pem: &[u8]) -> Result<ServerTls, String> {
    use rustls_pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};
    let chain: Vec<CertificateDer<'static>> = pem_certificates(cert_pem)?
        .into_iter()
        .map(CertificateDer::from)
        .collect();
    let key = PrivateKeyDer::from_pem_slice(key_pem)
        .map_err(|e| format!("the key file holds no PEM private key: {e}"))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| format!("certificate and key do not go together: {e}"))?;
    Ok(Arc::new(cfg))
}

/// A TCP listener that hands axum only connections whose TLS handshake completed. Handshakes
/// run concurrently (a slow client does not hold up the others) and are cut after 10 s.
pub(crate) struct TlsListener {
    tcp: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    handshakes: tokio::task::JoinSet<
        Option<(
            tokio_rustls::server::TlsStream<tokio::net::TcpStream>,
            std::net::SocketAddr,
        )>,
    >,
}

impl TlsListener {
    pub(crate) fn new(tcp: tokio::net::TcpListener, tls: ServerTls) -> Self {
        TlsListener {
            tcp,
            acceptor: tokio_rustls::TlsAcceptor::from(tls),
            handshakes: tokio::task::JoinSet::new(),
        }
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            tokio::select! {
                accepted = self.tcp.accept() => match accepted {
                    Ok((stream, addr)) => {
                        let acceptor = self.acceptor.clone();
                        self.handshakes.spawn(async move {
                            let tls = tokio::time::timeout(
                                Duration::from_secs(10),
                                acceptor.accept(stream),
                            );
                            match tls.await {
                                Ok(Ok(s)) => Some((s, addr)),
                                Ok(Err(e)) => {
                                    tracing::debug!(%addr, error = %e, "TLS handshake failed");
                                    None
                                }
                                Err(_) => None,
                            }
                        });
                    }
                    Err(e) => {
                        // Out of file descriptors and the like: wait, as axum's own loop does.
                        tracing::warn!(error = %e, "accepting a connection");
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                },
                Some(done) = self.handshakes.join_next(), if !self.handshakes.is_empty() => {
                    if let Ok(Some(ready)) = done {
                        return ready;
                    }
                }
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}
