//! Byte counts of variable-length Arrow arrays, for the size estimate.

use arrow_array::cast::AsArray;
use arrow_array::Array;
use arrow_schema::DataType;

/// Total bytes of the values of a string/binary array (NULL rows count what Arrow holds for
/// them, which is usually 0); 0 for other types.
pub(crate) fn value_bytes(a: &dyn Array) -> usize {
    fn range<O: arrow_array::OffsetSizeTrait>(offs: &[O]) -> usize {
        match (offs.first(), offs.last()) {
            (Some(f), Some(l)) => (*l - *f).as_usize(),
            _ => 0,
        }
    }
    match a.data_type() {
        DataType::Utf8 => range(a.as_string::<i32>().value_offsets()),
        DataType::LargeUtf8 => range(a.as_string::<i64>().value_offsets()),
        DataType::Binary => range(a.as_binary::<i32>().value_offsets()),
        DataType::LargeBinary => range(a.as_binary::<i64>().value_offsets()),
        DataType::Utf8View => a
            .as_string_view()
            .views()
            .iter()
            .map(|v| *v as u32 as usize)
            .sum(),
        DataType::BinaryView => a
            .as_binary_view()
            .views()
            .iter()
            .map(|v| *v as u32 as usize)
            .sum(),
        DataType::FixedSizeBinary(w) => a.len() * usize::try_from(*w).unwrap_or(0),
        DataType::Dictionary(_, _) => match a.as_any_dictionary_opt() {
            Some(d) => {
                let values = d.values();
                let keys = d.normalized_keys();
                let lens = value_lengths(values.as_ref());
                keys.iter()
                    .map(|&k| lens.get(k).copied().unwrap_or(0))
                    .sum()
            }
            None => 0,
        },
        _ => 0,
    }
}

fn value_lengths(a: &dyn Array) -> Vec<usize> {
    fn diffs<O: arrow_array::OffsetSizeTrait>(offs: &[O]) -> Vec<usize> {
        offs.windows(2).map(|w| (w[1] - w[0]).as_usize()).collect()
    }
    match a.data_type() {
        DataType::Utf8 => diffs(a.as_string::<i32>().value_offsets()),
        DataType::LargeUtf8 => diffs(a.as_string::<i64>().value_offsets()),
        DataType::Binary => diffs(a.as_binary::<i32>().value_offsets()),
        DataType::LargeBinary => diffs(a.as_binary::<i64>().value_offsets()),
        DataType::Utf8View => a
            .as_string_view()
            .views()
            .iter()
            .map(|v| *v as u32 as usize)
            .collect(),
        DataType::BinaryView => a
            .as_binary_view()
            .views()
            .iter()
            .map(|v| *v as u32 as usize)
            .collect(),
        DataType::FixedSizeBinary(w) => vec![usize::try_from(*w).unwrap_or(0); a.len()],
        _ => vec![0; a.len()],
    }
}
