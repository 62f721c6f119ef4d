//! Arrow's `TimeUnit` against TDengine's precisions and tick units: the one mapping between
//! them.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType,
};
use arrow_array::Array;
use arrow_schema::{DataType, TimeUnit};
use taosarrow_protocol::{Precision, TickUnit};

/// The Arrow time unit for a TDengine precision.
pub fn time_unit(precision: Precision) -> TimeUnit {
    match precision {
        Precision::Millisecond => TimeUnit::Millisecond,
        Precision::Microsecond => TimeUnit::Microsecond,
        Precision::Nanosecond => TimeUnit::Nanosecond,
    }
}

/// The tick unit of an Arrow time unit.
pub fn tick_unit(unit: TimeUnit) -> TickUnit {
    match unit {
        TimeUnit::Second => TickUnit::Second,
        TimeUnit::Millisecond => TickUnit::Millisecond,
        TimeUnit::Microsecond => TickUnit::Microsecond,
        TimeUnit::Nanosecond => TickUnit::Nanosecond,
    }
}

/// The TDengine precision for an Arrow time unit (seconds have none).
pub fn precision_of(unit: TimeUnit) -> Option<Precision> {
    tick_unit(unit).precision()
}

/// The zone-less Arrow Timestamp type of a precision as Arrow's type parser reads it
/// (DataFusion's `arrow_cast(v, '…')`), e.g. `Timestamp(Millisecond, None)`.
pub fn timestamp_type_text(precision: Precision) -> &'static str {
    match precision {
        Precision::Millisecond => "Timestamp(Millisecond, None)",
        Precision::Microsecond => "Timestamp(Microsecond, None)",
        Precision::Nanosecond => "Timestamp(Nanosecond, None)",
    }
}

/// Value `i` of a Timestamp array of any unit, as ticks and their unit; `None` for other
/// types, a NULL or an index past the end.
pub fn timestamp_ticks(array: &dyn Array, i: usize) -> Option<(i64, TickUnit)> {
    let DataType::Timestamp(unit, _) = array.data_type() else {
        return None;
    };
    if i >= array.len() || array.is_null(i) {
        return None;
    }
    let v = match unit {
        TimeUnit::Second => array.as_primitive_opt::<TimestampSecondType>()?.value(i),
        TimeUnit::Millisecond => array
            .as_primitive_opt::<TimestampMillisecondType>()?
            .value(i),
        TimeUnit::Microsecond => array
            .as_primitive_opt::<TimestampMicrosecondType>()?
            .value(i),
        TimeUnit::Nanosecond => array
            .as_primitive_opt::<TimestampNanosecondType>()?
            .value(i),
    };
    Some((v, tick_unit(*unit)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Int64Array, TimestampMicrosecondArray, TimestampSecondArray};

    #[test]
    fn units_map_both_ways() {
        for p in Precision::ALL {
            assert_eq!(precision_of(time_unit(p)), Some(p));
            assert_eq!(tick_unit(time_unit(p)), p.unit());
            let parsed: DataType = timestamp_type_text(p).parse().unwrap();
            assert_eq!(parsed, DataType::Timestamp(time_unit(p), None));
        }
        assert_eq!(precision_of(TimeUnit::Second), None);
        assert_eq!(tick_unit(TimeUnit::Second), TickUnit::Second);
    }

    #[test]
    fn ticks_of_any_unit() {
        let us = TimestampMicrosecondArray::from(vec![Some(5), None]);
        assert_eq!(timestamp_ticks(&us, 0), Some((5, TickUnit::Microsecond)));
        assert_eq!(timestamp_ticks(&us, 1), None);
        assert_eq!(timestamp_ticks(&us, 2), None);
        let s = TimestampSecondArray::from(vec![-7]);
        assert_eq!(timestamp_ticks(&s, 0), Some((-7, TickUnit::Second)));
        assert_eq!(timestamp_ticks(&Int64Array::from(vec![1]), 0), None);
    }
}
