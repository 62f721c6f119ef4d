//! [`LocalServer`]: a server on a local port, started from async or sync code.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::conn::Shared;
use crate::engine::Engine;
use crate::server::accept_loop;
use crate::ServerConfig;

/// A server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerStartError {
    /// Binding the address failed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The server thread or its runtime could not start.
    #[error("cannot start the server runtime: {0}")]
    Runtime(#[source] std::io::Error),
}

enum Running {
    /// Started on the caller's runtime: the accept task.
    Task(tokio::task::JoinHandle<()>),
    /// Started on its own thread and runtime.
    Thread {
        stop: Option<oneshot::Sender<()>>,
        thread: Option<JoinHandle<()>>,
    },
}

/// A running server. It stops on [`LocalServer::shutdown`] or when dropped; stopping closes
/// every connection.
///
/// ```
/// use taosarrow_server::{LocalServer, ServerConfig};
/// let server = LocalServer::spawn(ServerConfig::default()).unwrap();
/// assert!(server.url().starts_with("ws://127.0.0.1:"));
/// server.shutdown();
/// ```
pub struct LocalServer {
    addr: SocketAddr,
    running: Running,
    open_results: Arc<AtomicUsize>,
    connections: Arc<AtomicUsize>,
}

async fn bind(config: &ServerConfig) -> Result<TcpListener, ServerStartError> {
    let addr = format!("{}:{}", config.host, config.port);
    TcpListener::bind(&addr)
        .await
        .map_err(|source| ServerStartError::Bind { addr, source })
}

fn local_addr(
    listener: &TcpListener,
    config: &ServerConfig,
) -> Result<SocketAddr, ServerStartError> {
    listener
        .local_addr()
        .map_err(|source| ServerStartError::Bind {
            addr: format!("{}:{}", config.host, config.port),
            source,
        })
}

/// The dnode endpoint of a server bound to `addr`: `host:port` where clients reach it, with
/// `localhost` for an unspecified address (`0.0.0.0`, `::`), which no client connects to.
fn endpoint(addr: SocketAddr) -> String {
    if addr.ip().is_unspecified() {
        format!("localhost:{}", addr.port())
    } else {
        addr.to_string()
    }
}

/// `engine` as a server with `config` listening on `addr` serves it: its memory limit, time
/// zone, first superuser and dnode endpoint.
fn served(engine: Engine, config: &ServerConfig, addr: SocketAddr) -> Engine {
    engine
        .with_memory_limit(config.memory_limit)
        .with_timezone(config.timezone)
        .with_root_user(&config.user, &config.password)
        .with_endpoint(endpoint(addr))
}

impl LocalServer {
    /// Starts on the current tokio runtime with a fresh, empty [`Engine`].
    pub async fn start(config: ServerConfig) -> Result<LocalServer, ServerStartError> {
        LocalServer::start_with_engine(config, Engine::new()).await
    }

    /// Starts on the current tokio runtime, serving `engine` (which may hold data already)
    /// with the memory limit of `config`.
    pub async fn start_with_engine(
        config: ServerConfig,
        engine: Engine,
    ) -> Result<LocalServer, ServerStartError> {
        let listener = bind(&config).await?;
        let addr = local_addr(&listener, &config)?;
        let engine = served(engine, &config, addr);
        let shared = Arc::new(Shared::new(engine, config));
        let open_results = Arc::clone(&shared.open_results);
        let connections = Arc::clone(&shared.connections);
        let task = tokio::spawn(accept_loop(listener, shared));
        Ok(LocalServer {
            addr,
            running: Running::Task(task),
            open_results,
            connections,
        })
    }

    /// Starts on its own thread and runtime: usable from sync code (and Python).
    pub fn spawn(config: ServerConfig) -> Result<LocalServer, ServerStartError> {
        LocalServer::spawn_with_engine(config, Engine::new())
    }

    /// Like [`LocalServer::spawn`], serving `engine`.
    pub fn spawn_with_engine(
        config: ServerConfig,
        engine: Engine,
    ) -> Result<LocalServer, ServerStartError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("taosarrow-server")
            .enable_all()
            .build()
            .map_err(ServerStartError::Runtime)?;
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let open_results = Arc::<AtomicUsize>::default();
        let counter = Arc::clone(&open_results);
        let connections = Arc::<AtomicUsize>::default();
        let connections_counter = Arc::clone(&connections);
        let thread = std::thread::Builder::new()
            .name("taosarrow-server".to_owned())
            .spawn(move || {
                runtime.block_on(async move {
                    let listener = match bind(&config).await {
                        Ok(l) => l,
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                            return;
                        }
                    };
                    let addr = match local_addr(&listener, &config) {
                        Ok(a) => a,
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                            return;
                        }
                    };
                    let _ = ready_tx.send(Ok(addr));
                    let engine = served(engine, &config, addr);
                    let mut shared = Shared::new(engine, config);
                    shared.open_results = counter;
                    shared.connections = connections_counter;
                    let shared = Arc::new(shared);
                    tokio::select! {
                        _ = accept_loop(listener, shared) => {}
                        _ = stop_rx => {}
                    }
                });
                // Dropping the runtime here cancels every connection task.
                drop(runtime);
            })
            .map_err(ServerStartError::Runtime)?;
        let addr = match ready_rx.recv() {
            Ok(r) => r?,
            Err(_) => {
                let _ = thread.join();
                return Err(ServerStartError::Runtime(std::io::Error::other(
                    "server thread ended before listening",
                )));
            }
        };
        Ok(LocalServer {
            addr,
            running: Running::Thread {
                stop: Some(stop_tx),
                thread: Some(thread),
            },
            open_results,
            connections,
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The WebSocket base URL, e.g. `ws://127.0.0.1:6041` (append `/ws` for the SQL path).
    pub fn url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    /// The DSN for the default credentials, e.g. `ws://root:taosdata@127.0.0.1:6041`.
    pub fn dsn(&self, user: &str, password: &str) -> String {
        format!("ws://{user}:{password}@{}", self.addr)
    }

    /// Results opened by clients and not yet freed (by `free_result`, by reading to the end
    /// where the protocol frees implicitly, or by closing the connection). A client that
    /// leaks results shows here.
    pub fn open_results(&self) -> usize {
        self.open_results.load(Ordering::Relaxed)
    }

    /// Connections being served now (upgraded and not yet ended; refused ones are not
    /// counted). A connection that the server dropped for a timeout or a limit is gone here.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::Relaxed)
    }

    /// Stops accepting and closes every connection.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        match &mut self.running {
            Running::Task(task) => task.abort(),
            Running::Thread { stop, thread } => {
                if let Some(stop) = stop.take() {
                    let _ = stop.send(());
                }
                if let Some(thread) = thread.take() {
                    let _ = thread.join();
                }
            }
        }
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        self.stop();
    }
}
