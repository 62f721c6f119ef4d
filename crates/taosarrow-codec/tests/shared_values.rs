//! Rows of a variable-width column may share one stored value (TDengine stores a repeated tag
//! or constant once), but the decoded size is bounded: a block whose rows all point at one big
//! value is rejected before its expansion is allocated.
//!
//! The binary's allocator records the largest live total and refuses any single allocation
//! above [`REFUSE_ABOVE`], so a decoder that tried to build the expansion would abort the test.

use std::alloc::{GlobalAlloc, Layout, System};
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use arrow_array::{Array, LargeBinaryArray, RecordBatch, StringArray};
use taosarrow_codec::{
    arrow_schema, decode_block, decode_block_with, encode_block, CodecError, ColumnSpec,
    DecodeOptions, SchemaOptions,
};
use taosarrow_protocol::TdType;

/// No allocation in these tests needs more than this.
const REFUSE_ABOVE: usize = 64 << 20;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.size() > REFUSE_ABOVE {
            return ptr::null_mut();
        }
        // SAFETY: forwarded unchanged to the system allocator.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
            PEAK.fetch_max(live, Ordering::SeqCst);
        }
        p
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
        // SAFETY: `p` came from `alloc` with this layout.
        unsafe { System.dealloc(p, layout) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Header (28) + one column schema (5) + one length (4): where the offsets start.
const OFFSETS_AT: usize = 37;

/// A one-column block of `rows` rows: row 0 holds `first`, the others empty values; then
/// every row's offset is pointed at row 0's value.
fn shared_block(ty: TdType, rows: usize, first: &[u8]) -> (Vec<u8>, arrow_schema::SchemaRef) {
    let spec = match ty {
        TdType::VarChar => ColumnSpec::new("v", ty).with_length(first.len() as u32),
        _ => ColumnSpec::new("v", ty),
    };
    let schema = arrow_schema(&[spec], &SchemaOptions::default()).unwrap();
    let column: Arc<dyn Array> = if ty == TdType::Blob {
        let mut values: Vec<&[u8]> = vec![b""; rows];
        values[0] = first;
        Arc::new(LargeBinaryArray::from(values))
    } else {
        let text = std::str::from_utf8(first).unwrap();
        let mut values = vec![""; rows];
        values[0] = text;
        Arc::new(StringArray::from(values))
    };
    let batch = RecordBatch::try_new(schema.clone(), vec![column]).unwrap();
    let mut block = Vec::new();
    encode_block(&batch, &mut block).unwrap();
    for row in 0..rows {
        let at = OFFSETS_AT + row * 4;
        block[at..at + 4].copy_from_slice(&0i32.to_le_bytes());
    }
    (block, schema)
}

#[test]
fn rows_pointing_at_one_big_value_are_rejected_without_allocating_the_expansion() {
    // 1024 rows × 1 MiB: a 1 MiB block that would decode to 1 GiB.
    let big = vec![0xABu8; 1 << 20];
    let (block, schema) = shared_block(TdType::Blob, 1024, &big);
    let before = LIVE.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    let err = decode_block(&block, &schema).expect_err("the expansion must be refused");
    let peak = PEAK.load(Ordering::SeqCst) - before;
    match &err {
        CodecError::InvalidData { at, reason } => {
            assert_eq!((at.column, at.name.as_deref()), (0, Some("v")), "{err}");
            assert!(reason.contains("sharing stored values"), "{err}");
        }
        other => panic!("expected InvalidData, got {other:?}"),
    }
    assert!(
        peak < 2 * block.len(),
        "decoding a {}-byte block allocated {peak} bytes",
        block.len()
    );

    // The same with VARCHAR (i32 offsets): 40000 rows × 60000 bytes.
    let text = vec![b'x'; 60_000];
    let (block, schema) = shared_block(TdType::VarChar, 40_000, &text);
    PEAK.store(LIVE.load(Ordering::SeqCst), Ordering::SeqCst);
    let before = LIVE.load(Ordering::SeqCst);
    let err = decode_block(&block, &schema).expect_err("the expansion must be refused");
    let peak = PEAK.load(Ordering::SeqCst) - before;
    assert!(matches!(err, CodecError::InvalidData { .. }), "{err}");
    assert!(peak < 2 * block.len(), "allocated {peak} bytes");
}

#[test]
fn shared_values_within_the_limit_decode_to_copies() {
    // TDengine's own pattern: one stored tag value, every row pointing at it.
    let (block, schema) = shared_block(TdType::VarChar, 16, b"California.SanFrancisco");
    let batch = decode_block(&block, &schema).unwrap();
    let col = batch
        .column(0)
        .as_any()
        .downcast_ref::<StringArray>()
        .unwrap();
    assert_eq!(col.len(), 16);
    assert!(col.iter().all(|v| v == Some("California.SanFrancisco")));

    let (block, schema) = shared_block(TdType::Blob, 3, b"\x01\x02\x03");
    let batch = decode_block(&block, &schema).unwrap();
    let col = batch
        .column(0)
        .as_any()
        .downcast_ref::<LargeBinaryArray>()
        .unwrap();
    assert!(col.iter().all(|v| v == Some(&b"\x01\x02\x03"[..])));
}

#[test]
fn the_expansion_limit_is_configurable() {
    let (block, schema) = shared_block(TdType::VarChar, 16, b"abcd");
    // The value area holds "abcd" once and 15 empty values: 6 + 15 × 2 = 36 bytes; the rows
    // decode to 16 × 4 = 64 bytes, 28 more than stored.
    let tight = DecodeOptions::default().with_max_expansion(0);
    let err = decode_block_with(&block, &schema, &tight).expect_err("no sharing allowed");
    assert!(matches!(err, CodecError::InvalidData { .. }), "{err}");
    let enough = DecodeOptions::default().with_max_expansion(28);
    assert_eq!(
        decode_block_with(&block, &schema, &enough)
            .unwrap()
            .num_rows(),
        16
    );
    let short = DecodeOptions::default().with_max_expansion(27);
    assert!(decode_block_with(&block, &schema, &short).is_err());
}
