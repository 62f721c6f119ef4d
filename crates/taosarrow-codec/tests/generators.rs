//! The table-batch generator: a strictly increasing, never NULL first timestamp in every
//! precision, each type's extremes first, and the same batch for the same seed.

use arrow_array::cast::AsArray;
use arrow_array::types::{Int8Type, TimestampNanosecondType, UInt64Type};
use arrow_array::Array;
use rand::rngs::StdRng;
use rand::SeedableRng;
use taosarrow_codec::testing::{
    extreme_values, increasing_timestamps, random_spec, random_table_batch, RESULT_TYPES,
};
use taosarrow_codec::{arrow_schema, column_spec, ColumnSpec, SchemaOptions};
use taosarrow_protocol::{Precision, TdType};

fn schema(precision: Precision) -> arrow_schema::SchemaRef {
    let mut rng = StdRng::seed_from_u64(3);
    let mut specs = vec![ColumnSpec::new("ts", TdType::Timestamp)];
    specs.extend(
        RESULT_TYPES
            .iter()
            .enumerate()
            .map(|(i, &ty)| random_spec(&mut rng, &format!("c{i}"), ty)),
    );
    let opts = SchemaOptions {
        precision,
        timezone: None,
    };
    arrow_schema(&specs, &opts).unwrap()
}

#[test]
fn first_column_increases_and_extremes_come_first() {
    for precision in [
        Precision::Millisecond,
        Precision::Microsecond,
        Precision::Nanosecond,
    ] {
        let schema = schema(precision);
        let batch = random_table_batch(5, &schema, 50, 0.5);
        assert_eq!(batch, random_table_batch(5, &schema, 50, 0.5));
        let ts = batch.column(0);
        assert_eq!(ts.null_count(), 0);
        assert_eq!(ts.data_type(), schema.field(0).data_type());
        let ts = raw_values(ts.as_ref());
        assert!(ts.windows(2).all(|w| w[0] < w[1]), "{precision:?}");
        for (f, col) in schema.fields().iter().zip(batch.columns()).skip(1) {
            let spec = column_spec(f).unwrap();
            if let Some(extremes) = extreme_values(&spec) {
                assert_eq!(&col.slice(0, extremes.len()), &extremes, "{}", f.name());
            }
        }
    }
}

#[test]
fn extremes_of_the_fixed_types() {
    let tiny = extreme_values(&ColumnSpec::new("c", TdType::TinyInt)).unwrap();
    assert_eq!(
        tiny.as_primitive::<Int8Type>().values(),
        &[i8::MIN, i8::MAX]
    );
    let ubig = extreme_values(&ColumnSpec::new("c", TdType::UBigInt)).unwrap();
    assert_eq!(ubig.as_primitive::<UInt64Type>().values(), &[0, u64::MAX]);
    let dec = extreme_values(&ColumnSpec::decimal("c", 38, 10)).unwrap();
    let max = 10i128.pow(38) - 1;
    assert_eq!(
        dec.as_primitive::<arrow_array::types::Decimal128Type>()
            .values(),
        &[-max, max]
    );
    let text = extreme_values(&ColumnSpec::new("c", TdType::VarChar).with_length(7)).unwrap();
    let longest = text.as_string::<i32>().value(1);
    assert_eq!(longest.len(), 7);
    assert!(!longest.is_ascii());
    let nchar = extreme_values(&ColumnSpec::new("c", TdType::NChar).with_length(3)).unwrap();
    assert_eq!(nchar.as_string::<i32>().value(1).chars().count(), 3);
    assert!(extreme_values(&ColumnSpec::new("c", TdType::Json)).is_none());
}

#[test]
fn increasing_timestamps_keep_the_zone() {
    let dt = arrow_schema::DataType::Timestamp(
        arrow_schema::TimeUnit::Nanosecond,
        Some("Asia/Shanghai".into()),
    );
    let ts = increasing_timestamps(&dt, 3);
    assert_eq!(ts.data_type(), &dt);
    let v = ts.as_primitive::<TimestampNanosecondType>().values();
    assert_eq!(v[1] - v[0], 1);
}

/// The i64 values of a timestamp array of any unit.
fn raw_values(a: &dyn Array) -> Vec<i64> {
    a.to_data().buffers()[0].typed_data::<i64>().to_vec()
}
