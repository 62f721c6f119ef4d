//! Binary responses of the TMQ endpoint `/rest/tmq`: `fetch_raw_data` (`tmq.md` §3.5), the
//! legacy `fetch_raw` (§3.6) and `fetch_block` (§3.7).
//!
//! Encoders append to a buffer the caller owns; decoders borrow from the input and check every
//! length against the bytes present.

use std::borrow::Cow;

use super::{len_u32, RAW_BLOCK_FLAG};
use crate::wire::{patch_u32, put_u16, put_u32, put_u64, Reader};
use crate::{Code, ProtocolError};

/// The action code of a `fetch_raw_data` response (`TMQFetchRawNewMessage`).
pub const TMQ_FETCH_RAW_DATA_ACTION: u64 = 8;
/// The tag of a legacy `fetch_raw` response (`TMQRawMessage`).
pub const TMQ_RAW_MESSAGE_TAG: u64 = 3;
/// `meta_type` of a data message's raw bytes (`RES_TYPE__TMQ`).
pub const RAW_TYPE_DATA: u16 = 2;
/// `meta_type` of a meta+data message's raw bytes (`RES_TYPE__TMQ_METADATA`).
pub const RAW_TYPE_METADATA: u16 = 4;
/// Offset of `req_id` in a `fetch_raw_data` frame.
const RAW_DATA_REQ_ID_AT: usize = 8 + 8 + 2 + 8;
/// Offset of `req_id` in a legacy `fetch_raw` or `fetch_block` frame.
const LEGACY_REQ_ID_AT: usize = 8;

/// What a `fetch_raw_data` frame carries after `message_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchRawDataBody<'a> {
    /// Success: the raw type and the raw bytes (`tmq.md` §3.5.1 for data).
    Raw {
        /// `meta_type` (raw type), e.g. [`RAW_TYPE_DATA`].
        meta_type: u16,
        /// The raw payload.
        raw: &'a [u8],
    },
    /// An error; the frame ends after `message_id`.
    Error {
        /// The TDengine code.
        code: Code,
        /// The message (invalid UTF-8 is replaced).
        message: Cow<'a, str>,
    },
}

/// A `fetch_raw_data` response frame (`tmq.md` §3.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchRawDataFrame<'a> {
    /// Nanoseconds spent.
    pub timing: u64,
    /// The request's id.
    pub req_id: u64,
    /// The held message's id.
    pub message_id: u64,
    /// Raw bytes or error.
    pub body: FetchRawDataBody<'a>,
}

fn put_raw_data_fixed(out: &mut Vec<u8>, timing: u64, req_id: u64, code: u32, message: &[u8]) {
    put_u64(out, RAW_BLOCK_FLAG);
    put_u64(out, TMQ_FETCH_RAW_DATA_ACTION);
    put_u16(out, 1);
    put_u64(out, timing);
    put_u64(out, req_id);
    put_u32(out, code);
    put_u32(out, message.len() as u32);
    out.extend_from_slice(message);
}

impl<'a> FetchRawDataFrame<'a> {
    /// Appends the frame.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), ProtocolError> {
        match &self.body {
            FetchRawDataBody::Raw { meta_type, raw } => {
                let len = len_u32("raw data", raw.len())?;
                put_raw_data_fixed(out, self.timing, self.req_id, 0, b"");
                put_u64(out, self.message_id);
                put_u16(out, *meta_type);
                put_u32(out, len);
                out.extend_from_slice(raw);
            }
            FetchRawDataBody::Error { code, message } => {
                len_u32("message", message.len())?;
                put_raw_data_fixed(
                    out,
                    self.timing,
                    self.req_id,
                    u32::from(code.0),
                    message.as_bytes(),
                );
                put_u64(out, self.message_id);
            }
        }
        Ok(())
    }

    /// Appends a success frame whose raw payload is written by `write_raw` straight into
    /// `out`; `raw_len` is filled in afterwards. On error `out` is restored.
    pub fn encode_raw_with<E: From<ProtocolError>>(
        out: &mut Vec<u8>,
        timing: u64,
        req_id: u64,
        message_id: u64,
        meta_type: u16,
        write_raw: impl FnOnce(&mut Vec<u8>) -> Result<(), E>,
    ) -> Result<(), E> {
        let start = out.len();
        put_raw_data_fixed(out, timing, req_id, 0, b"");
        put_u64(out, message_id);
        put_u16(out, meta_type);
        let len_at = out.len();
        put_u32(out, 0);
        if let Err(e) = write_raw(out) {
            out.truncate(start);
            return Err(e);
        }
        match len_u32("raw data", out.len() - len_at - 4) {
            Ok(len) => {
                patch_u32(out, len_at, len);
                Ok(())
            }
            Err(e) => {
                out.truncate(start);
                Err(e.into())
            }
        }
    }

    /// Decodes a frame, checking flag, action, version and every length. Bytes after the raw
    /// payload are ignored.
    pub fn decode(frame: &'a [u8]) -> Result<FetchRawDataFrame<'a>, ProtocolError> {
        let mut r = Reader::new(frame, "fetch_raw_data response");
        let flag = r.u64()?;
        let action = r.u64()?;
        if flag != RAW_BLOCK_FLAG || action != TMQ_FETCH_RAW_DATA_ACTION {
            return Err(ProtocolError::UnexpectedAction {
                expected: TMQ_FETCH_RAW_DATA_ACTION,
                got: action,
            });
        }
        let version = r.u16()?;
        if version != 1 {
            return Err(ProtocolError::UnknownFetchVersion(version));
        }
        let timing = r.u64()?;
        let req_id = r.u64()?;
        let code = r.u32()?;
        let msg_len = r.u32()? as usize;
        let message = r.bytes(msg_len)?;
        let message_id = r.u64()?;
        let body = if code == 0 {
            let meta_type = r.u16()?;
            let len = r.u32()? as usize;
            FetchRawDataBody::Raw {
                meta_type,
                raw: r.bytes(len)?,
            }
        } else if code & 0xFFFF == 0 {
            return Err(ProtocolError::InvalidErrorCode(code));
        } else {
            FetchRawDataBody::Error {
                code: Code((code & 0xFFFF) as u16),
                message: String::from_utf8_lossy(message),
            }
        };
        Ok(FetchRawDataFrame {
            timing,
            req_id,
            message_id,
            body,
        })
    }
}

/// A legacy `fetch_raw` response frame (`tmq.md` §3.6); its errors travel as JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchRawFrame<'a> {
    /// Nanoseconds spent (never `u64::MAX`).
    pub timing: u64,
    /// The request's id.
    pub req_id: u64,
    /// The held message's id.
    pub message_id: u64,
    /// Raw type.
    pub meta_type: u16,
    /// Raw bytes.
    pub raw: &'a [u8],
}

impl<'a> FetchRawFrame<'a> {
    /// Appends the frame. A timing of `u64::MAX` is written as `u64::MAX - 1`.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), ProtocolError> {
        let len = len_u32("raw data", self.raw.len())?;
        put_u64(out, self.timing.min(RAW_BLOCK_FLAG - 1));
        put_u64(out, self.req_id);
        put_u64(out, self.message_id);
        put_u64(out, TMQ_RAW_MESSAGE_TAG);
        put_u32(out, len);
        put_u16(out, self.meta_type);
        out.extend_from_slice(self.raw);
        Ok(())
    }

    /// Decodes a frame: tag 3 and a raw length within the frame.
    pub fn decode(frame: &'a [u8]) -> Result<FetchRawFrame<'a>, ProtocolError> {
        let mut r = Reader::new(frame, "fetch_raw response");
        let timing = r.u64()?;
        let req_id = r.u64()?;
        let message_id = r.u64()?;
        let tag = r.u64()?;
        if timing == RAW_BLOCK_FLAG || tag != TMQ_RAW_MESSAGE_TAG {
            return Err(ProtocolError::UnexpectedAction {
                expected: TMQ_RAW_MESSAGE_TAG,
                got: tag,
            });
        }
        let len = r.u32()? as usize;
        let meta_type = r.u16()?;
        Ok(FetchRawFrame {
            timing,
            req_id,
            message_id,
            meta_type,
            raw: r.bytes(len)?,
        })
    }
}

/// A legacy TMQ `fetch_block` response frame (`tmq.md` §3.7): `req_id` is the one of the
/// preceding `fetch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TmqFetchBlockFrame<'a> {
    /// Nanoseconds spent (never `u64::MAX`).
    pub timing: u64,
    /// The `req_id` of the `fetch` that filled the block.
    pub req_id: u64,
    /// The held message's id.
    pub message_id: u64,
    /// The raw block: the rest of the frame.
    pub block: &'a [u8],
}

impl<'a> TmqFetchBlockFrame<'a> {
    /// Appends the frame. A timing of `u64::MAX` is written as `u64::MAX - 1`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        put_u64(out, self.timing.min(RAW_BLOCK_FLAG - 1));
        put_u64(out, self.req_id);
        put_u64(out, self.message_id);
        out.extend_from_slice(self.block);
    }

    /// Decodes: at least 24 bytes, the first 8 not all `0xFF`.
    pub fn decode(frame: &'a [u8]) -> Result<TmqFetchBlockFrame<'a>, ProtocolError> {
        let mut r = Reader::new(frame, "tmq fetch_block response");
        let timing = r.u64()?;
        let req_id = r.u64()?;
        let message_id = r.u64()?;
        if timing == RAW_BLOCK_FLAG {
            return Err(ProtocolError::UnexpectedAction {
                expected: 0,
                got: TMQ_FETCH_RAW_DATA_ACTION,
            });
        }
        Ok(TmqFetchBlockFrame {
            timing,
            req_id,
            message_id,
            block: r.rest(),
        })
    }
}

/// The `req_id` of a binary frame from `/rest/tmq`, to route it: at offset 26 of a
/// `fetch_raw_data` frame (first u64 = `u64::MAX`), at offset 8 of the legacy frames; `None`
/// when the frame is too short.
pub fn peek_tmq_binary_req_id(frame: &[u8]) -> Option<u64> {
    let flag = Reader::new(frame, "tmq binary response").u64().ok()?;
    let at = if flag == RAW_BLOCK_FLAG {
        RAW_DATA_REQ_ID_AT
    } else {
        LEGACY_REQ_ID_AT
    };
    Reader::at(frame, at, "tmq binary response").u64().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fetch_raw_data_matches_the_spec_header() {
        let raw = [0x64u8, 1, 2, 3];
        let frame = FetchRawDataFrame {
            timing: 12345,
            req_id: 100,
            message_id: 1,
            body: FetchRawDataBody::Raw {
                meta_type: RAW_TYPE_DATA,
                raw: &raw,
            },
        };
        let mut out = Vec::new();
        frame.encode(&mut out).unwrap();
        let mut want = vec![0xff; 8];
        want.extend_from_slice(&[8, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
        want.extend_from_slice(&[0x39, 0x30, 0, 0, 0, 0, 0, 0]);
        want.extend_from_slice(&[0x64, 0, 0, 0, 0, 0, 0, 0]);
        want.extend_from_slice(&[0; 8]);
        want.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 4, 0, 0, 0]);
        want.extend_from_slice(&raw);
        assert_eq!(out, want);
        assert_eq!(FetchRawDataFrame::decode(&out).unwrap(), frame);
        assert_eq!(peek_tmq_binary_req_id(&out), Some(100));
        for cut in 0..out.len() {
            assert!(FetchRawDataFrame::decode(&out[..cut]).is_err(), "cut {cut}");
        }
        let mut with = Vec::new();
        FetchRawDataFrame::encode_raw_with::<ProtocolError>(&mut with, 12345, 100, 1, 2, |o| {
            o.extend_from_slice(&raw);
            Ok(())
        })
        .unwrap();
        assert_eq!(with, want);
    }

    #[test]
    fn fetch_raw_data_error_ends_after_the_message_id() {
        let frame = FetchRawDataFrame {
            timing: 1,
            req_id: 7,
            message_id: 3,
            body: FetchRawDataBody::Error {
                code: Code(0xFFFF),
                message: "message ID is not equal".into(),
            },
        };
        let mut out = Vec::new();
        frame.encode(&mut out).unwrap();
        assert_eq!(out.len(), 42 + 23 + 8);
        assert_eq!(FetchRawDataFrame::decode(&out).unwrap(), frame);
    }

    #[test]
    fn legacy_frames_round_trip() {
        let raw = [9u8, 8, 7];
        let f = FetchRawFrame {
            timing: 5,
            req_id: 6,
            message_id: 2,
            meta_type: 4,
            raw: &raw,
        };
        let mut out = Vec::new();
        f.encode(&mut out).unwrap();
        assert_eq!(out.len(), 38 + 3);
        assert_eq!(FetchRawFrame::decode(&out).unwrap(), f);
        assert_eq!(peek_tmq_binary_req_id(&out), Some(6));
        assert!(FetchRawFrame::decode(&out[..40]).is_err());
        let b = TmqFetchBlockFrame {
            timing: 5,
            req_id: 9,
            message_id: 2,
            block: &raw,
        };
        let mut out = Vec::new();
        b.encode(&mut out);
        assert_eq!(TmqFetchBlockFrame::decode(&out).unwrap(), b);
        assert_eq!(peek_tmq_binary_req_id(&out), Some(9));
    }
}
