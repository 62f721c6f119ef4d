//! Fuzz target `decode_block`: see [`taosarrow_codec::fuzzing::decode_block_target`] for what it feeds and asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| taosarrow_codec::fuzzing::decode_block_target(data));
