//! `NativeServer`: the embedded server, in process, for `taosarrow.testing.LocalServer`.

use std::sync::Mutex;

use pyo3::prelude::*;
use taosarrow_server::{LocalServer, ServerConfig};

use crate::errors::named;

/// An embedded server on its own thread and runtime; stopped by `shutdown()` or when dropped.
#[pyclass(module = "taosarrow._native", frozen)]
pub struct NativeServer {
    inner: Mutex<Option<LocalServer>>,
    host: String,
    port: u16,
    url: String,
}

#[pymethods]
impl NativeServer {
    #[new]
    #[pyo3(signature = (host="127.0.0.1".to_string(), port=0, user="root".to_string(), password="taosdata".to_string(), block_rows=4096))]
    fn new(
        py: Python<'_>,
        host: String,
        port: u16,
        user: String,
        password: String,
        block_rows: usize,
    ) -> PyResult<Self> {
        if block_rows == 0 {
            return Err(named(
                py,
                "InterfaceError",
                "block_rows must be at least 1".into(),
                None,
            ));
        }
        let config = ServerConfig {
            host,
            port,
            user,
            password,
            block_rows,
            ..ServerConfig::default()
        };
        let server = py.detach(|| LocalServer::spawn(config)).map_err(|e| {
            named(
                py,
                "OperationalError",
                format!("the server did not start: {e}"),
                None,
            )
        })?;
        let addr = server.addr();
        Ok(NativeServer {
            host: addr.ip().to_string(),
            port: addr.port(),
            url: server.url(),
            inner: Mutex::new(Some(server)),
        })
    }

    /// The bound interface, e.g. `127.0.0.1`.
    #[getter]
    fn host(&self) -> String {
        self.host.clone()
    }

    /// The bound port.
    #[getter]
    fn port(&self) -> u16 {
        self.port
    }

    /// The WebSocket base URL, e.g. `ws://127.0.0.1:6041`.
    #[getter]
    fn url(&self) -> String {
        self.url.clone()
    }

    /// Whether `shutdown()` has not been called yet.
    #[getter]
    fn running(&self) -> bool {
        self.inner.lock().map(|g| g.is_some()).unwrap_or(false)
    }

    /// Results opened and not yet freed, over all connections (0 once shut down).
    fn open_results(&self) -> usize {
        let guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        guard.as_ref().map_or(0, |s| s.open_results())
    }

    /// Connections being served (0 once shut down).
    fn connections(&self) -> usize {
        let guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        guard.as_ref().map_or(0, |s| s.connections())
    }

    /// Stops accepting and closes every connection (idempotent).
    fn shutdown(&self, py: Python<'_>) {
        let taken = self.inner.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(server) = taken {
            py.detach(|| server.shutdown());
        }
    }
}
