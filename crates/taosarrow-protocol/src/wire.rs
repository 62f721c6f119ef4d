//! Little-endian wire primitives shared by every binary layout: a bounds-checked [`Reader`]
//! for headers and small fields, and writers that append to the caller's buffer.
//!
//! Bulk data (block columns, bind buffers) is not read through the [`Reader`] value by value:
//! its callers take the bytes with [`Reader::bytes`] and copy them in one go.

use crate::ProtocolError;

/// A little-endian cursor over a frame or payload. Every read checks the bytes left and fails
/// with [`ProtocolError::TooShort`] (naming `what`) instead of panicking; lengths read from
/// the wire are never trusted.
///
/// ```
/// use taosarrow_protocol::wire::Reader;
/// let mut r = Reader::new(&[1, 0, 2, 0, 0, 0], "example");
/// assert_eq!(r.u16()?, 1);
/// assert_eq!(r.u32()?, 2);
/// assert!(r.u8().is_err());
/// # Ok::<(), taosarrow_protocol::ProtocolError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    what: &'static str,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `buf`; `what` names the layout in errors.
    pub fn new(buf: &'a [u8], what: &'static str) -> Self {
        Reader { buf, pos: 0, what }
    }

    /// A reader at byte `pos` of `buf` (a position past the end fails at the first read).
    pub fn at(buf: &'a [u8], pos: usize, what: &'static str) -> Self {
        Reader { buf, pos, what }
    }

    /// The current position, in bytes from the start of the buffer.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The next `n` bytes.
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], ProtocolError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        let Some(end) = end else {
            return Err(ProtocolError::TooShort {
                what: self.what,
                need: self.pos.saturating_add(n),
                got: self.buf.len(),
            });
        };
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    /// The next `N` bytes as an array.
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], ProtocolError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.bytes(N)?);
        Ok(a)
    }

    /// Skips `n` bytes.
    pub fn skip(&mut self, n: usize) -> Result<(), ProtocolError> {
        self.bytes(n).map(|_| ())
    }

    /// A u8.
    pub fn u8(&mut self) -> Result<u8, ProtocolError> {
        Ok(self.array::<1>()?[0])
    }

    /// A little-endian u16.
    pub fn u16(&mut self) -> Result<u16, ProtocolError> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    /// A little-endian u32.
    pub fn u32(&mut self) -> Result<u32, ProtocolError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    /// A little-endian i32.
    pub fn i32(&mut self) -> Result<i32, ProtocolError> {
        Ok(i32::from_le_bytes(self.array()?))
    }

    /// A little-endian u64.
    pub fn u64(&mut self) -> Result<u64, ProtocolError> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    /// The bytes not read yet.
    pub fn rest(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or_default()
    }
}

/// A fixed-width value as it goes on the wire (little-endian).
pub trait Le: Copy + Default {
    /// Appends the little-endian bytes.
    fn put(self, out: &mut Vec<u8>);
}

macro_rules! le {
    ($($t:ty),*) => {$(
        impl Le for $t {
            #[inline]
            fn put(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
        }
    )*};
}
le!(i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);

/// Appends a little-endian u16.
#[inline]
pub fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// Appends a little-endian u32.
#[inline]
pub fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// Appends a little-endian i32.
#[inline]
pub fn put_i32(out: &mut Vec<u8>, v: i32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// Appends a little-endian u64.
#[inline]
pub fn put_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// Overwrites 4 bytes at `pos` with a little-endian u32: a length field the writer reserved
/// before it knew the length. `pos + 4` must lie within `out`.
#[inline]
pub fn patch_u32(out: &mut [u8], pos: usize, v: u32) {
    out[pos..pos + 4].copy_from_slice(&v.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_bounds_checked() {
        let buf = [1u8, 2, 3, 4, 5, 6, 7, 8, 9];
        let mut r = Reader::new(&buf, "test");
        assert_eq!(r.u8().unwrap(), 1);
        assert_eq!(r.u16().unwrap(), 0x0302);
        assert_eq!(r.position(), 3);
        assert_eq!(r.rest(), &buf[3..]);
        let e = r.u64().unwrap_err();
        assert!(matches!(
            e,
            ProtocolError::TooShort {
                what: "test",
                need: 11,
                got: 9
            }
        ));
        // A failed read consumes nothing.
        assert_eq!(r.i32().unwrap(), 0x0706_0504);
        assert!(r.bytes(usize::MAX).is_err());
        assert_eq!(r.bytes(2).unwrap(), &[8, 9]);
        assert!(r.rest().is_empty());
        let mut past = Reader::at(&buf, 100, "test");
        assert!(past.u8().is_err());
        assert!(past.rest().is_empty());
    }

    #[test]
    fn writers_append_little_endian() {
        let mut out = Vec::new();
        put_u16(&mut out, 0x0102);
        put_u32(&mut out, 0);
        put_i32(&mut out, -1);
        put_u64(&mut out, 7);
        7i8.put(&mut out);
        patch_u32(&mut out, 2, 0x0A0B_0C0D);
        assert_eq!(
            out,
            [2, 1, 0x0D, 0x0C, 0x0B, 0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 7, 0, 0, 0, 0, 0, 0, 0, 7]
        );
    }
}
