//! Binary responses: fetch_raw_block (`sql.md` §6.2) and fetch_block (`sql.md` §5).

use std::borrow::Cow;

use super::{len_u32, BinaryAction, RAW_BLOCK_FLAG};
use crate::wire::{patch_u32, put_u16, put_u32, put_u64, Reader};
use crate::{Code, ProtocolError};

/// Offset of `req_id` in a fetch_raw_block response: after the flag, action, version and
/// timing (`sql.md` §6.2).
const RAW_BLOCK_REQ_ID_AT: usize = 8 + 8 + 2 + 8;

/// What a fetch_raw_block response carries after its fixed fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawBlockBody<'a> {
    /// One raw block (finished = 0).
    Block(&'a [u8]),
    /// End of data (code 0, finished = 1).
    Finished,
    /// An error (code ≠ 0, finished = 1).
    Error {
        /// The TDengine code.
        code: Code,
        /// The message (invalid UTF-8 is replaced).
        message: Cow<'a, str>,
    },
}

/// A fetch_raw_block (action 7) response frame (`sql.md` §6.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchRawBlockResponse<'a> {
    /// Nanoseconds spent.
    pub timing: u64,
    /// The request's id.
    pub req_id: u64,
    /// The result id.
    pub result_id: u64,
    /// Block, end or error.
    pub body: RawBlockBody<'a>,
}

fn put_fixed(out: &mut Vec<u8>, timing: u64, req_id: u64, code: u32, message: &[u8]) {
    put_u64(out, RAW_BLOCK_FLAG);
    put_u64(out, BinaryAction::FetchRawBlock.code());
    put_u16(out, 1);
    put_u64(out, timing);
    put_u64(out, req_id);
    put_u32(out, code);
    put_u32(out, message.len() as u32);
    out.extend_from_slice(message);
}

/// Whether a server's binary frame is a fetch_raw_block response (its first 8 bytes are the
/// flag `0xFFFF_FFFF_FFFF_FFFF`) rather than a fetch_block response.
fn is_raw_block_frame(frame: &[u8]) -> bool {
    Reader::new(frame, "binary response").u64().ok() == Some(RAW_BLOCK_FLAG)
}

/// The `req_id` of a server's binary frame, read without decoding the rest, to route it to
/// the request it answers: `Some` for a fetch_raw_block response, `None` for a frame too short
/// to hold one or a fetch_block response (which carries only the result id).
pub fn peek_binary_req_id(frame: &[u8]) -> Option<u64> {
    if !is_raw_block_frame(frame) {
        return None;
    }
    Reader::at(frame, RAW_BLOCK_REQ_ID_AT, "fetch_raw_block response")
        .u64()
        .ok()
}

impl<'a> FetchRawBlockResponse<'a> {
    /// Appends the frame.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), ProtocolError> {
        match &self.body {
            RawBlockBody::Block(block) => {
                let len = len_u32("raw block", block.len())?;
                put_fixed(out, self.timing, self.req_id, 0, b"");
                put_u64(out, self.result_id);
                out.push(0);
                put_u32(out, len);
                out.extend_from_slice(block);
            }
            RawBlockBody::Finished => {
                put_fixed(out, self.timing, self.req_id, 0, b"");
                put_u64(out, self.result_id);
                out.push(1);
            }
            RawBlockBody::Error { code, message } => {
                len_u32("message", message.len())?;
                put_fixed(
                    out,
                    self.timing,
                    self.req_id,
                    u32::from(code.0),
                    message.as_bytes(),
                );
                put_u64(out, self.result_id);
                out.push(1);
            }
        }
        Ok(())
    }

    /// Appends a block frame whose block is written by `write_block` straight into `out`
    /// (no copy); the block length field is filled in afterwards. On error `out` is restored.
    pub fn encode_block_with<E: From<ProtocolError>>(
        out: &mut Vec<u8>,
        timing: u64,
        req_id: u64,
        result_id: u64,
        write_block: impl FnOnce(&mut Vec<u8>) -> Result<(), E>,
    ) -> Result<(), E> {
        let start = out.len();
        put_fixed(out, timing, req_id, 0, b"");
        put_u64(out, result_id);
        out.push(0);
        let len_at = out.len();
        put_u32(out, 0);
        if let Err(e) = write_block(out) {
            out.truncate(start);
            return Err(e);
        }
        let block_len = out.len() - len_at - 4;
        match len_u32("raw block", block_len) {
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

    /// Decodes a frame, checking flag, action, version and every length.
    pub fn decode(frame: &'a [u8]) -> Result<FetchRawBlockResponse<'a>, ProtocolError> {
        let mut r = Reader::new(frame, "fetch_raw_block response");
        let flag = r.u64()?;
        let action = r.u64()?;
        if flag != RAW_BLOCK_FLAG || action != BinaryAction::FetchRawBlock.code() {
            return Err(ProtocolError::UnexpectedAction {
                expected: BinaryAction::FetchRawBlock.code(),
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
        let result_id = r.u64()?;
        let finished = r.u8()?;
        let body = match (code, finished) {
            (0, 0) => {
                let len = r.u32()? as usize;
                RawBlockBody::Block(r.bytes(len)?)
            }
            (0, 1) => RawBlockBody::Finished,
            (c, 0 | 1) if c & 0xFFFF == 0 => return Err(ProtocolError::InvalidErrorCode(c)),
            (_, 0 | 1) => RawBlockBody::Error {
                code: Code((code & 0xFFFF) as u16),
                message: String::from_utf8_lossy(message),
            },
            (_, f) => return Err(ProtocolError::InvalidFinished(f)),
        };
        Ok(FetchRawBlockResponse {
            timing,
            req_id,
            result_id,
            body,
        })
    }
}

/// The binary reply to `fetch_block`: `[timing u64][result id u64][raw block]` (`sql.md` §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchBlockResponse<'a> {
    /// Nanoseconds spent (never `u64::MAX`, which marks a fetch_raw_block frame).
    pub timing: u64,
    /// The result id (the only way to route this frame).
    pub result_id: u64,
    /// The raw block: the rest of the frame.
    pub block: &'a [u8],
}

impl<'a> FetchBlockResponse<'a> {
    /// Appends the frame. A timing of `u64::MAX` is written as `u64::MAX - 1`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        put_u64(out, self.timing.min(RAW_BLOCK_FLAG - 1));
        put_u64(out, self.result_id);
        out.extend_from_slice(self.block);
    }

    /// Decodes: at least 16 bytes, first 8 not all `0xFF`.
    pub fn decode(frame: &'a [u8]) -> Result<FetchBlockResponse<'a>, ProtocolError> {
        let mut r = Reader::new(frame, "fetch_block response");
        let timing = r.u64()?;
        let result_id = r.u64()?;
        if timing == RAW_BLOCK_FLAG {
            return Err(ProtocolError::UnexpectedAction {
                expected: 0,
                got: BinaryAction::FetchRawBlock.code(),
            });
        }
        Ok(FetchBlockResponse {
            timing,
            result_id,
            block: r.rest(),
        })
    }
}

/// Any binary frame a server sends on the SQL path, told apart by the first 8 bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerBinary<'a> {
    /// A fetch_raw_block response (flag `0xFFFF_FFFF_FFFF_FFFF`).
    RawBlock(FetchRawBlockResponse<'a>),
    /// A fetch_block response.
    Block(FetchBlockResponse<'a>),
}

impl<'a> ServerBinary<'a> {
    /// Classifies and decodes a server's binary frame.
    pub fn decode(frame: &'a [u8]) -> Result<ServerBinary<'a>, ProtocolError> {
        if is_raw_block_frame(frame) {
            FetchRawBlockResponse::decode(frame).map(ServerBinary::RawBlock)
        } else {
            FetchBlockResponse::decode(frame).map(ServerBinary::Block)
        }
    }
}
