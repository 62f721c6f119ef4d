//! Helpers shared by the integration tests: the spec's worked examples as bytes.
#![allow(dead_code)]

/// Parses whitespace-separated hex byte pairs.
pub fn bytes(hex: &str) -> Vec<u8> {
    let digits: String = hex.split_whitespace().collect();
    taosarrow_protocol::hex::decode(&digits).unwrap()
}

/// Formats bytes as space-separated hex, for readable assertion failures.
pub fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| taosarrow_protocol::hex::encode(&[*b]))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `raw-block.md` §13: 2 rows × [TIMESTAMP, INT, VARCHAR(10)], 95 bytes.
pub fn example_a() -> Vec<u8> {
    bytes(
        "01 00 00 00 5f 00 00 00 02 00 00 00 03 00 00 00 00 00 00 80 00 00 00 00 00 00 00 00
         09 08 00 00 00 04 04 00 00 00 08 0c 00 00 00
         10 00 00 00 08 00 00 00 05 00 00 00
         00 00 68 e5 cf 8b 01 00 00 e8 6b e5 cf 8b 01 00 00
         40 2a 00 00 00 00 00 00 00
         ff ff ff ff 00 00 00 00 03 00 61 62 63
         00",
    )
}

/// `raw-block.md` §14: 2 rows × [NCHAR(4), DECIMAL64(10,2), DECIMAL(20,4), BLOB, JSON],
/// 173 bytes.
pub fn example_b() -> Vec<u8> {
    bytes(
        "01 00 00 00 ad 00 00 00 02 00 00 00 05 00 00 00 00 00 00 80 00 00 00 00 00 00 00 00
         0a 12 00 00 00  15 02 0a 00 08  11 04 14 00 10  12 00 00 40 00  0f 00 40 00 00
         0a 00 00 00  10 00 00 00  20 00 00 00  06 00 00 00  09 00 00 00
         00 00 00 00 ff ff ff ff 08 00 2d 4e 00 00 61 00 00 00
         40 39 30 00 00 00 00 00 00 00 00 00 00 00 00 00 00
         40 68 c5 ff ff ff ff ff ff ff ff ff ff ff ff ff ff 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
         00 00 00 00 ff ff ff ff 02 00 00 00 01 02
         00 00 00 00 ff ff ff ff 07 00 7b 22 6b 22 3a 31 7d
         00",
    )
}

/// Overwrites the i32 at `at` (little-endian).
pub fn set_i32(block: &mut [u8], at: usize, v: i32) {
    block[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

/// `stmt2.md` §6: the worked example's bind payload (two rows of one child table, a tag, three
/// columns), as hex.
pub const STMT2_EXAMPLE: &str =
    "0100000000000000010000000000000009000000000000000100ffffffffa000000001000000010000000300\
00001c000000210000003b0000000300643100160000001600000004000000010000000000040000000700\
000061000000230000000900000002000000000000100000000068e5cf8b010000e86be5cf8b0100001b00\
00000600000002000000000100080000000000c03f00000000230000000800000002000000000001030000\
00050000000800000061626368656c6c6f";
