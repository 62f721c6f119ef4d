//! Fuzz target `binary_frames`: see [`taosarrow_protocol::fuzzing::binary_frames_target`] for what it feeds and asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| taosarrow_protocol::fuzzing::binary_frames_target(data));
