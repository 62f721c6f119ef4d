//! The one length check of the block decoder, shared by the fixed- and variable-width paths.
//! A leaf: `decode` and `decode_var` both use it, so neither depends on the other for it.

use crate::error::CodecError;

/// `Ok` when `needed` bytes fit in the `available` ones, else a [`CodecError::Truncated`]
/// naming `what` was being read.
pub(super) fn need(what: &'static str, needed: usize, available: usize) -> Result<(), CodecError> {
    if needed > available {
        Err(CodecError::Truncated {
            what,
            needed,
            available,
        })
    } else {
        Ok(())
    }
}
