//! Fuzz target `stmt1_bind`: see [`taosarrow_server::fuzzing::stmt1_bind_target`] for what it feeds and asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| taosarrow_server::fuzzing::stmt1_bind_target(data));
