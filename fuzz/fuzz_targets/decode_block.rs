//! Fuzzes the raw block decoder: any bytes must give a batch or a typed error, never a
//! panic; a block that decodes must survive encode → decode unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use taosarrow_codec::{block_schema, decode_block, encode_block, SchemaOptions};

fuzz_target!(|data: &[u8]| {
    let _ = taosarrow_codec::block_length(data);
    // The schema the block itself declares, so that every type path is reachable.
    let Ok(schema) = block_schema(data, &SchemaOptions::default()) else {
        return;
    };
    let Ok(batch) = decode_block(data, &schema) else {
        return;
    };
    let mut block = Vec::new();
    encode_block(&batch, &mut block).expect("a decoded batch encodes");
    let again = decode_block(&block, &schema).expect("an encoded batch decodes");
    assert_eq!(again, batch);
});
