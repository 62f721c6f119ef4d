//! TLS for `wss://` (rustls, ring provider): the built-in web PKI roots plus an optional
//! custom CA in PEM; certificates are always verified.

use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};

use crate::Error;

/// Builds the rustls client configuration: the Mozilla roots of `webpki-roots`, plus every
/// certificate of `ca_pem` when given. A PEM with no certificate, or one rustls refuses, is
/// an [`Error::Options`].
pub(crate) fn client_config(ca_pem: Option<&[u8]>) -> Result<Arc<ClientConfig>, Error> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(pem) = ca_pem {
        let mut added = 0usize;
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert =
                cert.map_err(|e| Error::Options(format!("custom CA: not a valid PEM file ({e})")))?;
            roots
                .add(cert)
                .map_err(|e| Error::Options(format!("custom CA: unusable certificate ({e})")))?;
            added += 1;
        }
        if added == 0 {
            return Err(Error::Options(
                "custom CA: the PEM holds no CERTIFICATE block".into(),
            ));
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Interface(format!("TLS setup failed: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_ca_is_an_options_error() {
        let err = client_config(Some(b"not a pem")).unwrap_err();
        assert!(
            matches!(err, Error::Options(ref m) if m.contains("no CERTIFICATE")),
            "{err}"
        );
    }

    #[test]
    fn default_roots_build() {
        assert!(client_config(None).is_ok());
    }
}
