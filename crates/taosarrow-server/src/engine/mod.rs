//! The SQL engine: an in-memory catalog, TDengine DDL/INSERT, and SELECT through DataFusion.
//! Knows nothing of the network; the WebSocket layer calls [`Engine::execute`].
