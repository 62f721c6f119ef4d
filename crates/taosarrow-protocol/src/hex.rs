//! Hexadecimal text: the `'\x0102ff'` form of BINARY/VARBINARY literals, stmt1 hex values,
//! percent escapes and the test vectors written as hex.

const LOWER: &[u8; 16] = b"0123456789abcdef";
const UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Hex text that does not decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HexError {
    /// An odd number of digits.
    #[error("odd hex length {0}")]
    OddLength(usize),
    /// A character that is not a hex digit, at this byte offset.
    #[error("invalid hex digit at offset {0}")]
    InvalidDigit(usize),
}

/// The value of one hex digit (`0-9`, `a-f`, `A-F`).
pub fn digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// The byte two hex digits spell (`hi` first); `None` if either is not a hex digit.
pub fn byte(hi: u8, lo: u8) -> Option<u8> {
    Some(digit(hi)? << 4 | digit(lo)?)
}

/// Decodes hex digits (no prefix, no separators) into bytes.
///
/// ```
/// use taosarrow_protocol::hex;
/// assert_eq!(hex::decode("01ffA0"), Ok(vec![0x01, 0xff, 0xa0]));
/// assert!(hex::decode("0g").is_err());
/// ```
pub fn decode(text: &str) -> Result<Vec<u8>, HexError> {
    let b = text.as_bytes();
    if !b.len().is_multiple_of(2) {
        return Err(HexError::OddLength(b.len()));
    }
    b.chunks_exact(2)
        .enumerate()
        .map(|(i, pair)| {
            let hi = digit(pair[0]).ok_or(HexError::InvalidDigit(2 * i))?;
            let lo = digit(pair[1]).ok_or(HexError::InvalidDigit(2 * i + 1))?;
            Ok(hi << 4 | lo)
        })
        .collect()
}

/// The hex digits of a TDengine hex string literal body: the text after a leading `\x` or
/// `\X`, or `None` without that prefix.
pub fn strip_escape(text: &str) -> Option<&str> {
    text.strip_prefix("\\x")
        .or_else(|| text.strip_prefix("\\X"))
}

/// Appends `bytes` as lowercase hex digits.
pub fn push_lower(out: &mut String, bytes: &[u8]) {
    push(out, bytes, LOWER);
}

/// Appends `bytes` as uppercase hex digits (as percent escapes write them).
pub fn push_upper(out: &mut String, bytes: &[u8]) {
    push(out, bytes, UPPER);
}

fn push(out: &mut String, bytes: &[u8], digits: &[u8; 16]) {
    out.reserve(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(digits[usize::from(b >> 4)]));
        out.push(char::from(digits[usize::from(b & 0x0f)]));
    }
}

/// `bytes` as lowercase hex digits.
///
/// ```
/// assert_eq!(taosarrow_protocol::hex::encode(&[0x01, 0xff]), "01ff");
/// ```
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    push_lower(&mut out, bytes);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_every_byte() {
        let all: Vec<u8> = (0..=255).collect();
        let text = encode(&all);
        assert_eq!(text.len(), 512);
        assert_eq!(decode(&text), Ok(all.clone()));
        assert_eq!(decode(&text.to_ascii_uppercase()), Ok(all));
        let mut upper = String::new();
        push_upper(&mut upper, &[0xab, 0x0c]);
        assert_eq!(upper, "AB0C");
    }

    #[test]
    fn refuses_what_is_not_hex() {
        assert_eq!(decode("abc"), Err(HexError::OddLength(3)));
        assert_eq!(decode("0x"), Err(HexError::InvalidDigit(1)));
        // A sign is not a digit (`u8::from_str_radix` would take "+f").
        assert_eq!(decode("+f"), Err(HexError::InvalidDigit(0)));
        // Multi-byte UTF-8 is refused, never sliced.
        assert_eq!(decode("éé"), Err(HexError::InvalidDigit(0)));
        assert_eq!(decode(""), Ok(vec![]));
        assert_eq!(byte(b'f', b'F'), Some(0xff));
        assert_eq!(byte(b'g', b'0'), None);
    }

    #[test]
    fn escape_prefix() {
        assert_eq!(strip_escape("\\x01"), Some("01"));
        assert_eq!(strip_escape("\\X01"), Some("01"));
        assert_eq!(strip_escape("01"), None);
    }
}
