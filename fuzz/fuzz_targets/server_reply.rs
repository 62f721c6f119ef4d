//! Fuzz target `server_reply`: see [`taosarrow::fuzzing::server_reply_target`] for what it feeds and asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| taosarrow::fuzzing::server_reply_target(data));
