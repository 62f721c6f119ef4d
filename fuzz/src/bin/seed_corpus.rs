//! Writes a seed corpus for the `decode_block` target into the directory given as the only
//! argument: blocks of random schemas over every result type, from the codec's seeded
//! generators.

use taosarrow_codec::testing::{random_batch, random_schema};
use taosarrow_codec::{encode_block, SchemaOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).ok_or("usage: seed_corpus <dir>")?;
    std::fs::create_dir_all(&dir)?;
    for seed in 0..64u64 {
        let cols = 1 + (seed % 6) as usize;
        let rows = [1, 2, 3, 8, 9, 17][(seed % 6) as usize];
        let nulls = [0.0, 0.3, 1.0][(seed % 3) as usize];
        let schema = random_schema(seed, cols, &SchemaOptions::default());
        let batch = random_batch(seed, &schema, rows, nulls);
        let mut block = Vec::new();
        encode_block(&batch, &mut block)?;
        std::fs::write(format!("{dir}/seed-{seed:02}"), block)?;
    }
    Ok(())
}
