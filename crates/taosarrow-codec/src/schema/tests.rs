//! Unit tests of the type table.
use super::*;
use arrow_schema::TimeUnit;

fn opts(p: Precision, tz: Option<&str>) -> SchemaOptions {
    SchemaOptions {
        precision: p,
        timezone: tz.map(Arc::from),
    }
}

#[test]
fn every_result_type_has_a_field_that_maps_back() {
    for ty in TdType::ALL {
        let spec = if ty.is_decimal() {
            ColumnSpec::decimal("c", if ty == TdType::Decimal { 38 } else { 18 }, 4)
        } else {
            ColumnSpec::new("c", ty).with_length(if ty.fixed_width().is_some() {
                ty.fixed_width().unwrap() as u32
            } else {
                20
            })
        };
        match ty {
            TdType::Null | TdType::MediumBlob => {
                assert!(matches!(
                    arrow_field(&spec, &SchemaOptions::default()),
                    Err(CodecError::UnsupportedType { .. })
                ));
            }
            _ => {
                let field = arrow_field(&spec, &SchemaOptions::default()).unwrap();
                assert!(field.is_nullable());
                assert_eq!(column_spec(&field).unwrap(), spec, "{ty}");
            }
        }
    }
}

#[test]
fn timestamps_carry_precision_and_zone() {
    let spec = ColumnSpec::new("ts", TdType::Timestamp);
    let f = arrow_field(&spec, &opts(Precision::Nanosecond, Some("Asia/Shanghai"))).unwrap();
    assert_eq!(
        f.data_type(),
        &DataType::Timestamp(TimeUnit::Nanosecond, Some("Asia/Shanghai".into()))
    );
    let f = arrow_field(&spec, &opts(Precision::Microsecond, None)).unwrap();
    assert_eq!(
        f.data_type(),
        &DataType::Timestamp(TimeUnit::Microsecond, None)
    );
}

#[test]
fn json_and_geometry_are_marked() {
    let f = arrow_field(
        &ColumnSpec::new("j", TdType::Json),
        &SchemaOptions::default(),
    )
    .unwrap();
    assert_eq!(f.metadata()[META_EXTENSION_NAME], EXTENSION_JSON);
    assert_eq!(f.metadata()[META_LENGTH], "4095");
    let g = ColumnSpec::new("g", TdType::Geometry).with_length(100);
    let f = arrow_field(&g, &SchemaOptions::default()).unwrap();
    assert_eq!(f.data_type(), &DataType::Binary);
    assert_eq!(f.metadata()[META_EXTENSION_NAME], EXTENSION_WKB);
}

#[test]
fn inference_without_metadata() {
    let f = Field::new("s", DataType::LargeUtf8, true);
    assert_eq!(column_spec(&f).unwrap().ty, TdType::VarChar);
    let f = Field::new("d", DataType::Decimal128(20, 4), true);
    let s = column_spec(&f).unwrap();
    assert_eq!((s.ty, s.precision, s.scale), (TdType::Decimal, 20, 4));
    let f = Field::new("l", DataType::new_list(DataType::Int32, true), true);
    assert!(matches!(
        column_spec(&f),
        Err(CodecError::UnsupportedArrowType { .. })
    ));
}

#[test]
fn bad_metadata_is_an_error() {
    let f = Field::new("x", DataType::Utf8, true).with_metadata(HashMap::from([(
        META_TYPE_CODE.to_owned(),
        "99".to_owned(),
    )]));
    assert!(matches!(
        column_spec(&f),
        Err(CodecError::InvalidMetadata { .. })
    ));
}

#[test]
fn invalid_decimal_spec_is_rejected() {
    let mut d = ColumnSpec::decimal("d", 10, 2);
    d.scale = 11;
    assert!(arrow_field(&d, &SchemaOptions::default()).is_err());
}
