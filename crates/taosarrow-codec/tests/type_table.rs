//! Every TDengine type walked through every direction of the one type table: code → SQL name
//! → parsed back → Arrow field → back to the column (and, without metadata, to the type where
//! the Arrow type is unambiguous) → raw block → stmt2 bind code → PEP 249 group, with NULL and
//! MEDIUMBLOB rejected at every step.

use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Schema};
use taosarrow_codec::stmt2::{
    encode_payload, field_arrow_type, parse_payload, parse_raw, BindField, BindRole, EncodeOptions,
    TableBind,
};
use taosarrow_codec::testing::{random_batch, RESULT_TYPES};
use taosarrow_codec::{
    arrow_field, arrow_schema, column_spec, decode_block, encode_block, read_layout, td_type_for,
    ColumnSpec, SchemaOptions,
};
use taosarrow_protocol::{Precision, TdType, TypeGroup};

/// A column of `ty` with a declared length (or DECIMAL precision) from the table itself.
fn spec(ty: TdType) -> ColumnSpec {
    match ty.decimal_precisions() {
        Some(precisions) => ColumnSpec::decimal("c", *precisions.end(), 2),
        None => match ty.max_declared_length() {
            Some(_) => ColumnSpec::new("c", ty).with_length(20),
            None => ColumnSpec::new("c", ty),
        },
    }
}

/// The bind field for a column of `ty` in a database of `precision`.
fn bind_field(spec: &ColumnSpec, precision: Precision) -> BindField {
    match spec.ty {
        TdType::Timestamp => BindField::timestamp("c", precision, BindRole::Column),
        ty if ty.is_decimal() => {
            BindField::decimal("c", spec.precision, spec.scale, BindRole::Column)
        }
        ty => BindField::new("c", ty, BindRole::Column),
    }
}

/// The type the Arrow type of a column of `ty` is read back as without field metadata.
fn inferred(ty: TdType) -> TdType {
    match ty {
        // Text and WKB have the storage of VARCHAR and VARBINARY.
        TdType::NChar | TdType::Json => TdType::VarChar,
        TdType::Geometry => TdType::VarBinary,
        other => other,
    }
}

fn group_of(dt: &DataType) -> TypeGroup {
    match dt {
        DataType::Utf8 => TypeGroup::String,
        DataType::Binary | DataType::LargeBinary => TypeGroup::Binary,
        DataType::Timestamp(..) => TypeGroup::Datetime,
        _ => TypeGroup::Number,
    }
}

#[test]
fn every_type_walks_through_every_direction() {
    let opts = SchemaOptions {
        precision: Precision::Microsecond,
        timezone: None,
    };
    for ty in TdType::ALL {
        // Code and SQL name.
        assert_eq!(TdType::from_code(i32::from(ty.code())), Ok(ty));
        let parsed = TdType::from_sql_name(ty.sql_name()).unwrap_or_else(|| panic!("{ty}"));
        let spec = spec(ty);
        let parsed = if parsed.is_decimal() {
            TdType::decimal_for(spec.precision)
        } else {
            parsed
        };
        assert_eq!(parsed, ty);

        if !ty.is_supported() {
            assert!(arrow_field(&spec, &opts).is_err(), "{ty}");
            let f = bind_field(&spec, opts.precision);
            assert!(field_arrow_type(&f).is_err(), "{ty}");
            assert!(ty.group().is_none() || ty == TdType::MediumBlob);
            continue;
        }

        // Arrow, and back: exactly with the metadata, by storage type without it.
        let field = arrow_field(&spec, &opts).unwrap();
        assert_eq!(column_spec(&field).unwrap(), spec, "{ty}");
        assert_eq!(td_type_for(field.data_type()), Some(inferred(ty)), "{ty}");
        assert_eq!(ty.group(), Some(group_of(field.data_type())), "{ty}");

        // A raw block: the schema width gives the declared length back.
        let schema = arrow_schema(std::slice::from_ref(&spec), &opts).unwrap();
        let batch = random_batch(u64::from(ty.code()), &schema, 3, 0.0);
        let mut block = Vec::new();
        encode_block(&batch, &mut block).unwrap();
        let (_, cols, _) = read_layout(&block).unwrap();
        assert_eq!(cols[0].ty, ty);
        assert_eq!(cols[0].to_column_spec("c"), spec, "{ty}");
        assert_eq!(decode_block(&block, &schema).unwrap(), batch);

        // stmt2: the field block carries the code, with a length array exactly when the
        // table says so, and parses back to the same Arrow type.
        let bind = bind_field(&spec, opts.precision);
        assert_eq!(&field_arrow_type(&bind).unwrap(), field.data_type(), "{ty}");
        let mut payload = Vec::new();
        let column: ArrayRef = batch.column(0).clone();
        encode_payload(
            std::slice::from_ref(&bind),
            &[TableBind::new(vec![column.clone()])],
            &EncodeOptions::default(),
            &mut payload,
        )
        .unwrap_or_else(|e| panic!("{ty}: {e}"));
        let raw = parse_raw(&payload).unwrap();
        let block = &raw.tables[0].columns[0];
        assert_eq!(block.type_code, i32::from(ty.code()));
        assert_eq!(block.lengths.is_some(), ty.bind_has_lengths(), "{ty}");
        let tables = parse_payload(&payload, std::slice::from_ref(&bind)).unwrap();
        assert_eq!(tables[0].columns[0].data_type(), field.data_type(), "{ty}");
    }
}

#[test]
fn the_result_types_are_the_supported_types() {
    let supported: Vec<TdType> = TdType::ALL
        .into_iter()
        .filter(|t| t.is_supported())
        .collect();
    assert_eq!(RESULT_TYPES.to_vec(), supported);
}

#[test]
fn mediumblob_is_rejected_everywhere() {
    let spec = ColumnSpec::new("m", TdType::MediumBlob);
    assert!(arrow_field(&spec, &SchemaOptions::default()).is_err());
    let field = BindField::new("m", TdType::MediumBlob, BindRole::Column);
    assert!(field_arrow_type(&field).is_err());
    // Bytes bound to a MEDIUMBLOB placeholder are refused before anything is written.
    let values: ArrayRef = Arc::new(arrow_array::LargeBinaryArray::from(vec![&b"x"[..]]));
    let mut payload = Vec::new();
    assert!(encode_payload(
        &[field],
        &[TableBind::new(vec![values.clone()])],
        &EncodeOptions::default(),
        &mut payload,
    )
    .is_err());
    assert!(payload.is_empty());
    // An Arrow field that says MEDIUMBLOB cannot be written as a block.
    let f = arrow_schema::Field::new("m", DataType::LargeBinary, true)
        .with_metadata([(taosarrow_codec::META_TYPE_CODE.to_owned(), "19".to_owned())].into());
    let batch = RecordBatch::try_new(Arc::new(Schema::new(vec![f])), vec![values]).unwrap();
    assert!(encode_block(&batch, &mut Vec::new()).is_err());
}
