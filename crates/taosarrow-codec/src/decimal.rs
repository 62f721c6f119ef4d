//! DECIMAL values as text: the one parser (SQL literals, stmt2 decimal text) and the one
//! formatter, both over unscaled `i128` values at a column's scale.

/// 10^k, for k ≤ 38.
pub(crate) fn pow10(k: u32) -> Option<i128> {
    10i128.checked_pow(k)
}

/// Formats `v / 10^scale` with exactly `scale` fraction digits into `buf`; returns the text.
pub(crate) fn format(v: i128, scale: u8, buf: &mut [u8; 48]) -> &[u8] {
    let mut digits = [0u8; 40];
    let mut n = 0;
    let mut m = v.unsigned_abs();
    loop {
        digits[n] = b'0' + (m % 10) as u8;
        n += 1;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    let scale = usize::from(scale);
    while n <= scale {
        digits[n] = b'0';
        n += 1;
    }
    let mut len = 0;
    if v < 0 {
        buf[0] = b'-';
        len = 1;
    }
    for k in (0..n).rev() {
        if k + 1 == scale {
            buf[len] = b'.';
            len += 1;
        }
        buf[len] = digits[k];
        len += 1;
    }
    &buf[..len]
}

/// Parses decimal text into an unscaled integer at `scale` fraction digits, as TDengine reads
/// a DECIMAL value: an optional sign, digits with an optional `.` (`12.5`, `.5`, `5.`), and an
/// optional exponent (`1.23E+5`, `5e-3`). Fraction digits beyond `scale` round half away from
/// zero (`0.995` → `1.00` at scale 2). `None` when the text is malformed (empty, spaces, a
/// second sign or point, a bare exponent) or when the value needs more than `precision`
/// digits.
///
/// ```
/// use taosarrow_codec::decimal::parse;
/// assert_eq!(parse(b"1.23E+5", 10, 2), Some(12_300_000));
/// assert_eq!(parse(b"-0.005", 5, 2), Some(-1));
/// assert_eq!(parse(b"100", 4, 2), None);
/// ```
pub fn parse(text: &[u8], precision: u8, scale: u8) -> Option<i128> {
    let (neg, body) = match text.first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (mant, exp) = match body.iter().position(|&c| c == b'e' || c == b'E') {
        Some(p) => {
            let e = std::str::from_utf8(&body[p + 1..]).ok()?;
            (&body[..p], e.parse::<i32>().ok()?)
        }
        None => (body, 0),
    };
    let (int, frac) = match mant.iter().position(|&c| c == b'.') {
        Some(p) => (&mant[..p], &mant[p + 1..]),
        None => (mant, &mant[..0]),
    };
    if (int.is_empty() && frac.is_empty()) || !int.iter().chain(frac).all(u8::is_ascii_digit) {
        return None;
    }
    let n = int.len() + frac.len();
    // The k-th digit of the mantissa, ignoring the point; zeros past its end.
    let digit = |k: usize| -> u8 {
        let c = if k < int.len() {
            int[k]
        } else {
            frac.get(k - int.len()).copied().unwrap_or(b'0')
        };
        c - b'0'
    };
    // How many leading digits (padded with zeros on the right) form the unscaled value.
    let keep = int.len() as i64 + i64::from(exp) + i64::from(scale);
    if keep > n as i64 + 40 {
        // Far beyond any i128: only zero fits.
        return (0..n).all(|k| digit(k) == 0).then_some(0);
    }
    let keep = usize::try_from(keep).ok();
    let mut v: i128 = 0;
    for k in 0..keep.unwrap_or(0) {
        v = v.checked_mul(10)?.checked_add(i128::from(digit(k)))?;
    }
    if keep.is_some_and(|k| k < n && digit(k) >= 5) {
        v = v.checked_add(1)?;
    }
    if v >= pow10(u32::from(precision))? {
        return None;
    }
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted() {
        for (text, p, s, want) in [
            ("12.345", 10, 2, 1235),
            ("-0.5", 3, 1, -5),
            ("+7", 3, 0, 7),
            ("0.995", 3, 2, 100),
            ("-0.995", 3, 2, -100),
            ("0.994", 3, 2, 99),
            (".5", 2, 1, 5),
            ("5.", 2, 1, 50),
            ("000123.4", 4, 1, 1234),
            ("1.23E+5", 10, 2, 12_300_000),
            ("1.23e5", 10, 2, 12_300_000),
            ("123e-2", 5, 2, 123),
            ("5e-3", 5, 2, 1),
            ("5e-4", 5, 2, 0),
            ("1e-100", 5, 2, 0),
            ("0e999999", 5, 2, 0),
            ("-0", 5, 2, 0),
        ] {
            assert_eq!(parse(text.as_bytes(), p, s), Some(want), "{text}");
        }
        assert_eq!(
            parse(b"99999999999999999999999999999999999999", 38, 0),
            Some(10i128.pow(38) - 1)
        );
    }

    #[test]
    fn refused() {
        for (text, p, s) in [
            ("", 5, 2),
            ("-", 5, 2),
            (".", 5, 2),
            ("abc", 4, 2),
            ("1.2.3", 5, 2),
            ("+-1", 5, 2),
            ("1e", 5, 2),
            ("1e+", 5, 2),
            ("e5", 5, 2),
            ("1e5.5", 9, 2),
            (" 1", 5, 2),
            ("1 ", 5, 2),
            ("0x10", 5, 2),
            ("inf", 5, 2),
            ("100", 4, 2),
            ("9.995", 3, 2),
            ("1e3", 4, 2),
            ("1e100", 38, 0),
            ("100000000000000000000000000000000000000", 38, 0),
        ] {
            assert_eq!(parse(text.as_bytes(), p, s), None, "{text:?}");
        }
    }

    #[test]
    fn formats_at_scale() {
        let mut buf = [0u8; 48];
        assert_eq!(format(-5, 2, &mut buf), b"-0.05");
        assert_eq!(format(12345, 0, &mut buf), b"12345");
        assert_eq!(format(12345, 3, &mut buf), b"12.345");
    }
}
