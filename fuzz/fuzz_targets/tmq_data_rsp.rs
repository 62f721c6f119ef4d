//! Fuzz target `tmq_data_rsp`: see [`taosarrow_codec::fuzzing::tmq_data_rsp_target`] for what it feeds and asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| taosarrow_codec::fuzzing::tmq_data_rsp_target(data));
