//! Fuzz target `tmq_requests`: see [`taosarrow_server::fuzzing::tmq_requests_target`] for what it feeds and asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| taosarrow_server::fuzzing::tmq_requests_target(data));
