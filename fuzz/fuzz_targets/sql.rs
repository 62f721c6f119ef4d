//! Fuzz target `sql`: see [`taosarrow_server::fuzzing::sql_target`] for what it feeds and asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| taosarrow_server::fuzzing::sql_target(data));
