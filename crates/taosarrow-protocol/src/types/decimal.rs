//! DECIMAL(p, s): which type code a precision takes and the precisions each code holds
//! (`raw-block.md` §6, `types.md` §1).

use std::ops::RangeInclusive;

use super::TdType;

/// The largest DECIMAL precision, in digits.
pub const MAX_DECIMAL_PRECISION: u8 = 38;
/// The precisions DECIMAL64 (code 21) holds: an 8-byte unscaled integer of 1 to 18 digits.
pub const DECIMAL64_PRECISION: RangeInclusive<u8> = 1..=18;
/// The precisions DECIMAL (code 17) holds: a 16-byte unscaled integer of 19 to 38 digits.
pub const DECIMAL128_PRECISION: RangeInclusive<u8> = 19..=MAX_DECIMAL_PRECISION;

impl TdType {
    /// The type a `DECIMAL(precision, …)` column is stored as: DECIMAL64 up to 18 digits,
    /// DECIMAL above. Whether the precision is valid at all is [`TdType::is_valid_decimal`]'s
    /// question.
    ///
    /// ```
    /// use taosarrow_protocol::TdType;
    /// assert_eq!(TdType::decimal_for(18), TdType::Decimal64);
    /// assert_eq!(TdType::decimal_for(19), TdType::Decimal);
    /// ```
    pub const fn decimal_for(precision: u8) -> TdType {
        if precision <= *DECIMAL64_PRECISION.end() {
            TdType::Decimal64
        } else {
            TdType::Decimal
        }
    }

    /// The precisions a DECIMAL type holds; `None` for the other types.
    pub const fn decimal_precisions(self) -> Option<RangeInclusive<u8>> {
        match self {
            TdType::Decimal64 => Some(DECIMAL64_PRECISION),
            TdType::Decimal => Some(DECIMAL128_PRECISION),
            _ => None,
        }
    }

    /// Whether `(precision, scale)` is a DECIMAL of this type: the precision within the
    /// type's range and the scale at most the precision. False for non-decimal types.
    pub fn is_valid_decimal(self, precision: u8, scale: u8) -> bool {
        self.decimal_precisions()
            .is_some_and(|r| r.contains(&precision) && scale <= precision)
    }
}
