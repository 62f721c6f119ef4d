//! Fuzz target `sml_json`: see [`taosarrow_server::fuzzing::sml_json_target`] for what it feeds and asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| taosarrow_server::fuzzing::sml_json_target(data));
