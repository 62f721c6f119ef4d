//! Fuzz target `json_request`: see [`taosarrow_protocol::fuzzing::json_request_target`] for what it feeds and asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| taosarrow_protocol::fuzzing::json_request_target(data));
