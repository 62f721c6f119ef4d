//! Fuzz target `sml_line`: see [`taosarrow_server::fuzzing::sml_line_target`] for what it feeds and asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| taosarrow_server::fuzzing::sml_line_target(data));
