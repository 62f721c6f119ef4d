//! Fuzz target `dsn`: see [`taosarrow_protocol::fuzzing::dsn_target`] for what it feeds and asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| taosarrow_protocol::fuzzing::dsn_target(data));
