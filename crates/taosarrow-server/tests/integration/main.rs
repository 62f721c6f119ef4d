//! The server's integration tests, one binary: the `/ws` and `/rest/tmq` wire driven by a raw
//! WebSocket client (`support`), and the engine's consistency checks.

mod engine_consistency;
mod faults;
mod fetch;
mod handshake;
mod json_dnodes;
mod limits;
mod schemaless;
mod sql_input;
mod stmt2;
mod stmt2_v1;
mod stmt_open_table;
mod support;
mod tmq;
