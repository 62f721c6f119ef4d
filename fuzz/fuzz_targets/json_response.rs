//! Fuzz target `json_response`: see [`taosarrow_protocol::fuzzing::json_response_target`] for what it feeds and asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| taosarrow_protocol::fuzzing::json_response_target(data));
