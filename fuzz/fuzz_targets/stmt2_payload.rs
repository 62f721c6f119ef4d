//! Fuzz target `stmt2_payload`: see [`taosarrow_codec::fuzzing::stmt2_payload_target`] for what it feeds and asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| taosarrow_codec::fuzzing::stmt2_payload_target(data));
