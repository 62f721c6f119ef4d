//! The client's integration tests, one binary: each module runs the Rust client against an
//! embedded server started in the test. (`server_load` and `fuzz_corpus` stay binaries of
//! their own: the first measures this process's memory.)

mod faults;
mod free;
mod ingest;
mod local;
mod options;
mod reconnect;
mod schemaless;
mod socket;
mod stmt1;
mod tls;
mod tmq;
