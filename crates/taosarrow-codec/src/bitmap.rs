//! TDengine null bitmaps ⇄ Arrow validity bitmaps.
//!
//! TDengine marks row `r` NULL when bit `7 − r % 8` of byte `r / 8` is 1 (most significant bit
//! first, 1 = NULL); Arrow marks it valid when bit `r % 8` is 1 (least significant bit first,
//! 1 = valid). Each byte converts as `reverse_bits(!b)`; eight bytes at a time as
//! `(!w).reverse_bits().swap_bytes()` (reversing the word reverses bytes and bits; swapping
//! the bytes back leaves only the bits of each byte reversed).

use arrow_buffer::{BooleanBuffer, Buffer, MutableBuffer, NullBuffer};

/// Converts a TDengine null bitmap of `rows` rows into an Arrow null buffer, or `None` when
/// no row is NULL. `td` must hold at least `rows.div_ceil(8)` bytes.
pub(crate) fn td_to_arrow_nulls(td: &[u8], rows: usize) -> Option<NullBuffer> {
    let nbytes = rows.div_ceil(8);
    let td = &td[..nbytes];
    // Bits beyond `rows` in the last byte are not guaranteed to be 0: look only at real rows.
    let full = rows / 8;
    let any_null_in_full = td[..full].iter().any(|&b| b != 0);
    let tail_mask = tail_mask_msb(rows);
    let any_null_in_tail = full < nbytes && td[full] & tail_mask != 0;
    if !any_null_in_full && !any_null_in_tail {
        return None;
    }
    let mut out = MutableBuffer::from_len_zeroed(nbytes);
    let dst = out.as_slice_mut();
    let mut chunks = td.chunks_exact(8);
    let mut i = 0;
    for chunk in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        let v = (!u64::from_le_bytes(w)).reverse_bits().swap_bytes();
        dst[i..i + 8].copy_from_slice(&v.to_le_bytes());
        i += 8;
    }
    for &b in chunks.remainder() {
        dst[i] = (!b).reverse_bits();
        i += 1;
    }
    let bits = BooleanBuffer::new(Buffer::from(out), 0, rows);
    Some(NullBuffer::new(bits))
}

/// Mask of the bits of the last TDengine bitmap byte that belong to real rows (MSB first).
fn tail_mask_msb(rows: usize) -> u8 {
    match rows % 8 {
        0 => 0,
        r => !(0xFFu8 >> r),
    }
}

/// Appends the TDengine null bitmap for `rows` rows with validity `nulls` to `out`.
/// Bits beyond `rows` are written as 0.
pub(crate) fn arrow_to_td_nulls(nulls: Option<&NullBuffer>, rows: usize, out: &mut Vec<u8>) {
    let nbytes = rows.div_ceil(8);
    let start = out.len();
    out.resize(start + nbytes, 0);
    let Some(nulls) = nulls.filter(|n| n.null_count() > 0) else {
        return;
    };
    let dst = &mut out[start..];
    let valid = nulls.inner();
    // The Arrow bitmap may start at any bit offset: walk it in 64-bit chunks.
    let chunks = valid.bit_chunks();
    let mut i = 0;
    for word in chunks.iter() {
        let v = (!word).reverse_bits().swap_bytes();
        dst[i..i + 8].copy_from_slice(&v.to_le_bytes());
        i += 8;
    }
    let rem_bits = chunks.remainder_len();
    if rem_bits > 0 {
        let word = chunks.remainder_bits();
        let v = (!word).reverse_bits().swap_bytes().to_le_bytes();
        let rem_bytes = rem_bits.div_ceil(8);
        dst[i..i + rem_bytes].copy_from_slice(&v[..rem_bytes]);
    }
    // Clear the bits past the last row.
    if !rows.is_multiple_of(8) {
        dst[nbytes - 1] &= tail_mask_msb(rows);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn td_bits(nulls: &[bool]) -> Vec<u8> {
        let mut v = vec![0u8; nulls.len().div_ceil(8)];
        for (r, &n) in nulls.iter().enumerate() {
            if n {
                v[r / 8] |= 1 << (7 - r % 8);
            }
        }
        v
    }

    #[test]
    fn converts_both_ways_for_every_length() {
        for rows in 0..140usize {
            let nulls: Vec<bool> = (0..rows).map(|r| (r * 7 + rows) % 5 == 0).collect();
            let td = td_bits(&nulls);
            let arrow = td_to_arrow_nulls(&td, rows);
            for (r, &n) in nulls.iter().enumerate() {
                assert_eq!(
                    arrow.as_ref().is_some_and(|a| a.is_null(r)),
                    n,
                    "rows {rows} row {r}"
                );
            }
            let mut back = Vec::new();
            arrow_to_td_nulls(arrow.as_ref(), rows, &mut back);
            assert_eq!(back, td, "rows {rows}");
        }
    }

    #[test]
    fn ignores_garbage_bits_past_the_last_row() {
        assert!(td_to_arrow_nulls(&[0b0001_1111], 3).is_none());
        let n = td_to_arrow_nulls(&[0b0010_0001], 3).unwrap();
        assert_eq!(n.null_count(), 1);
        assert!(n.is_null(2));
    }

    #[test]
    fn sliced_validity_is_read_from_its_offset() {
        let all: Vec<bool> = (0..200).map(|r| r % 3 != 0).collect();
        let buf = NullBuffer::from(all.clone());
        let sliced = buf.slice(5, 150);
        let mut td = Vec::new();
        arrow_to_td_nulls(Some(&sliced), 150, &mut td);
        let expect: Vec<bool> = all[5..155].iter().map(|v| !v).collect();
        assert_eq!(td, td_bits(&expect));
    }
}
