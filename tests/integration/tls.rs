//! `wss://`: the client verifies the server certificate (a custom CA is trusted when given,
//! an unknown issuer or a wrong name is refused) and speaks the normal protocol over TLS.
//! A small TLS-terminating proxy in front of `LocalServer` plays the TLS server.

use std::sync::Arc;
use std::time::Duration;

use taosarrow::{ConnectOptions, Connection, Error, ErrorKind};
use taosarrow_server::{LocalServer, ServerConfig};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig as TlsServerConfig};
use tokio_rustls::TlsAcceptor;

const CA_PEM: &[u8] = include_bytes!("../data/tls/ca.pem");
const SERVER_PEM: &[u8] = include_bytes!("../data/tls/server.pem");
const SERVER_KEY: &[u8] = include_bytes!("../data/tls/server.key");

/// Terminates TLS on a free port of 127.0.0.1 and forwards the plain bytes to `backend`.
async fn tls_proxy(backend: std::net::SocketAddr) -> u16 {
    tls_proxy_on("127.0.0.1", backend).await
}

/// The same on another loopback address.
async fn tls_proxy_on(ip: &str, backend: std::net::SocketAddr) -> u16 {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(SERVER_PEM)
        .collect::<Result<_, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_slice(SERVER_KEY).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = TlsServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind((ip, 0)).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A refused handshake just ends this connection.
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let Ok(mut plain) = TcpStream::connect(backend).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    port
}

fn wss(host: &str, port: u16) -> ConnectOptions {
    ConnectOptions::from_dsn(&format!("wss://root:taosdata@{host}:{port}"))
        .unwrap()
        .with_conn_retries(0)
        .with_connect_timeout(Duration::from_secs(10))
        .with_read_timeout(Duration::from_secs(10))
}

#[tokio::test]
async fn wss_with_custom_ca_queries() {
    let server = LocalServer::start(ServerConfig::default()).await.unwrap();
    let port = tls_proxy(server.addr()).await;
    let conn = Connection::connect(&wss("localhost", port).with_ca_pem(CA_PEM))
        .await
        .unwrap();
    conn.exec("create database tlsdb").await.unwrap();
    conn.exec("create table tlsdb.t (ts timestamp, v int)")
        .await
        .unwrap();
    let n = conn
        .exec("insert into tlsdb.t values (1700000000000, 7) (1700000000001, 8)")
        .await
        .unwrap();
    assert_eq!(n, 2);
    let batches = conn
        .query("select sum(v) from tlsdb.t")
        .await
        .unwrap()
        .collect_all()
        .await
        .unwrap();
    let total = batches[0]
        .column(0)
        .as_any()
        .downcast_ref::<arrow_array::Int64Array>()
        .unwrap()
        .value(0);
    assert_eq!(total, 15);
}

#[tokio::test]
async fn ca_given_as_dsn_file_parameter() {
    let server = LocalServer::start(ServerConfig::default()).await.unwrap();
    let port = tls_proxy(server.addr()).await;
    let ca = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/tls/ca.pem");
    let opts = ConnectOptions::from_dsn(&format!(
        "wss://root:taosdata@127.0.0.1:{port}?tls_ca={ca}&conn_retries=0"
    ))
    .unwrap();
    let conn = Connection::connect(&opts).await.unwrap();
    conn.exec("create database viaparam").await.unwrap();
}

#[tokio::test]
async fn unknown_issuer_is_refused_without_retrying() {
    let server = LocalServer::start(ServerConfig::default()).await.unwrap();
    let port = tls_proxy(server.addr()).await;
    // No custom CA: the test CA is not among the built-in roots.
    let err = Connection::connect(&wss("localhost", port).with_conn_retries(3))
        .await
        .unwrap_err();
    match &err {
        Error::Tls(e) => {
            let msg = e.to_string();
            assert!(msg.contains("UnknownIssuer"), "{msg}");
            assert!(
                matches!(
                    e,
                    rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)
                ),
                "{e:?}"
            );
        }
        other => panic!("expected a TLS error, got {other:?}"),
    }
    assert_eq!(err.kind(), ErrorKind::Connection);
}

#[tokio::test]
async fn name_mismatch_is_refused() {
    let server = LocalServer::start(ServerConfig::default()).await.unwrap();
    // Any 127.x.y.z address is loopback on Linux; the certificate names only localhost and
    // 127.0.0.1.
    let port = tls_proxy_on("127.0.0.2", server.addr()).await;
    let opts = ConnectOptions::new()
        .with_host("127.0.0.2", port)
        .with_tls(true)
        .with_ca_pem(CA_PEM)
        .with_conn_retries(0);
    match Connection::connect(&opts).await {
        Err(Error::Tls(e)) => {
            let msg = e.to_string();
            assert!(msg.contains("not valid for name"), "{msg}")
        }
        other => panic!("expected a TLS name error, got {other:?}"),
    }
}

#[tokio::test]
async fn garbage_custom_ca_is_an_options_error() {
    let err = Connection::connect(&wss("localhost", 1).with_ca_pem(b"-----BEGIN nothing".to_vec()))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Options(_)), "{err:?}");
}
