//! Binary frames of the SQL path (`overview.md` §5, `sql.md` §3, §5, §6).
//!
//! Encoders append to a buffer the caller owns; decoders borrow from the input and check every
//! length against the bytes present before reading.

use crate::wire::{put_u16, put_u32, put_u64, Reader};
use crate::ProtocolError;

/// Size of the binary request header: req_id, resource id, action (3 × u64).
pub const HEADER_LEN: usize = 24;
/// The first 8 bytes of every fetch_raw_block response.
pub const RAW_BLOCK_FLAG: u64 = u64::MAX;
/// Size of a fetch_raw_block request.
pub const FETCH_RAW_BLOCK_REQUEST_LEN: usize = 26;
/// Fixed part of a binary query frame (header, version, sql length).
pub const BINARY_QUERY_FIXED_LEN: usize = 30;

/// Binary request action codes (`overview.md` §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u64)]
#[non_exhaustive]
pub enum BinaryAction {
    /// stmt v1 set_tags.
    SetTags = 1,
    /// stmt v1 bind.
    Bind = 2,
    /// TMQ raw meta write.
    WriteRaw = 3,
    /// Raw block write.
    WriteRawBlock = 4,
    /// Raw block write with fields.
    WriteRawBlockWithFields = 5,
    /// Binary query.
    BinaryQuery = 6,
    /// Combined fetch.
    FetchRawBlock = 7,
    /// stmt2 bind.
    Stmt2Bind = 9,
    /// SQL validation.
    ValidateSql = 10,
    /// stmt2 bind and execute.
    Stmt2BindExec = 11,
}

impl BinaryAction {
    /// The action for a wire code, if known.
    pub fn from_code(code: u64) -> Option<BinaryAction> {
        Some(match code {
            1 => BinaryAction::SetTags,
            2 => BinaryAction::Bind,
            3 => BinaryAction::WriteRaw,
            4 => BinaryAction::WriteRawBlock,
            5 => BinaryAction::WriteRawBlockWithFields,
            6 => BinaryAction::BinaryQuery,
            7 => BinaryAction::FetchRawBlock,
            9 => BinaryAction::Stmt2Bind,
            10 => BinaryAction::ValidateSql,
            11 => BinaryAction::Stmt2BindExec,
            _ => return None,
        })
    }

    /// The wire code.
    pub fn code(self) -> u64 {
        self as u64
    }

    /// The name used as the `action` of JSON replies.
    pub fn name(self) -> &'static str {
        match self {
            BinaryAction::SetTags => "set_tags",
            BinaryAction::Bind => "bind",
            BinaryAction::WriteRaw => "write_raw",
            BinaryAction::WriteRawBlock => "write_raw_block",
            BinaryAction::WriteRawBlockWithFields => "write_raw_block_with_fields",
            BinaryAction::BinaryQuery => "binary_query",
            BinaryAction::FetchRawBlock => "fetch_raw_block",
            BinaryAction::Stmt2Bind => "stmt2_bind",
            BinaryAction::ValidateSql => "validate_sql",
            BinaryAction::Stmt2BindExec => "stmt2_bind_exec",
        }
    }
}

fn len_u32(what: &'static str, len: usize) -> Result<u32, ProtocolError> {
    u32::try_from(len).map_err(|_| ProtocolError::TooLong { what, len })
}

/// The 24-byte header of every binary request (`overview.md` §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BinaryHeader {
    /// Request id, echoed.
    pub req_id: u64,
    /// Result, statement or message id; 0 for a query.
    pub resource_id: u64,
    /// Action code (kept raw so unknown codes can be reported).
    pub action: u64,
}

impl BinaryHeader {
    /// Appends the 24 bytes.
    pub fn encode(&self, out: &mut Vec<u8>) {
        put_u64(out, self.req_id);
        put_u64(out, self.resource_id);
        put_u64(out, self.action);
    }

    /// Reads the header of a frame; shorter than 24 bytes → [`ProtocolError::TooShort`].
    pub fn decode(frame: &[u8]) -> Result<BinaryHeader, ProtocolError> {
        let mut r = Reader::new(frame, "binary request header");
        Ok(BinaryHeader {
            req_id: r.u64()?,
            resource_id: r.u64()?,
            action: r.u64()?,
        })
    }

    /// The known action, if any.
    pub fn known_action(&self) -> Option<BinaryAction> {
        BinaryAction::from_code(self.action)
    }
}

/// A binary query (action 6) or validate_sql (action 10) request (`sql.md` §3, §7.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BinaryQuery<'a> {
    /// Request id.
    pub req_id: u64,
    /// [`BinaryAction::BinaryQuery`] or [`BinaryAction::ValidateSql`].
    pub action: BinaryAction,
    /// The SQL text.
    pub sql: &'a str,
}

impl<'a> BinaryQuery<'a> {
    /// Appends the frame: header, version 1, u32 SQL length, SQL bytes.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), ProtocolError> {
        let len = len_u32("sql", self.sql.len())?;
        BinaryHeader {
            req_id: self.req_id,
            resource_id: 0,
            action: self.action.code(),
        }
        .encode(out);
        put_u16(out, 1);
        put_u32(out, len);
        out.extend_from_slice(self.sql.as_bytes());
        Ok(())
    }

    /// Decodes with taosAdapter's checks: shorter than 31 bytes → "message length is too
    /// short"; version ≠ 1 → "unknown binary query version:N"; SQL cut short →
    /// "uncompleted message, …". Bytes after the SQL are ignored.
    pub fn decode(frame: &'a [u8]) -> Result<BinaryQuery<'a>, ProtocolError> {
        if frame.len() <= BINARY_QUERY_FIXED_LEN {
            return Err(ProtocolError::TooShort {
                what: "binary query",
                need: BINARY_QUERY_FIXED_LEN + 1,
                got: frame.len(),
            });
        }
        let header = BinaryHeader::decode(frame)?;
        let action = match header.known_action() {
            Some(a @ (BinaryAction::BinaryQuery | BinaryAction::ValidateSql)) => a,
            _ => {
                return Err(ProtocolError::UnexpectedAction {
                    expected: BinaryAction::BinaryQuery.code(),
                    got: header.action,
                })
            }
        };
        let mut r = Reader::new(frame, "binary query");
        r.skip(HEADER_LEN)?;
        let version = r.u16()?;
        if version != 1 {
            return Err(ProtocolError::UnknownQueryVersion(version));
        }
        let sql_len = r.u32()?;
        let remain = r.rest().len();
        if remain < sql_len as usize {
            return Err(ProtocolError::Uncompleted { sql_len, remain });
        }
        let sql = std::str::from_utf8(r.bytes(sql_len as usize)?)
            .map_err(|_| ProtocolError::InvalidUtf8 { what: "sql" })?;
        Ok(BinaryQuery {
            req_id: header.req_id,
            action,
            sql,
        })
    }
}

/// A fetch_raw_block (action 7) request, 26 bytes (`sql.md` §6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchRawBlockRequest {
    /// Request id, echoed in the response.
    pub req_id: u64,
    /// Result id.
    pub result_id: u64,
}

impl FetchRawBlockRequest {
    /// Appends the 26 bytes.
    pub fn encode(&self, out: &mut Vec<u8>) {
        BinaryHeader {
            req_id: self.req_id,
            resource_id: self.result_id,
            action: BinaryAction::FetchRawBlock.code(),
        }
        .encode(out);
        put_u16(out, 1);
    }

    /// Decodes: shorter than 26 bytes → "message length is too short"; version ≠ 1 →
    /// "unknown fetch raw block version".
    pub fn decode(frame: &[u8]) -> Result<FetchRawBlockRequest, ProtocolError> {
        if frame.len() < FETCH_RAW_BLOCK_REQUEST_LEN {
            return Err(ProtocolError::TooShort {
                what: "fetch_raw_block request",
                need: FETCH_RAW_BLOCK_REQUEST_LEN,
                got: frame.len(),
            });
        }
        let header = BinaryHeader::decode(frame)?;
        if header.action != BinaryAction::FetchRawBlock.code() {
            return Err(ProtocolError::UnexpectedAction {
                expected: BinaryAction::FetchRawBlock.code(),
                got: header.action,
            });
        }
        let version = Reader::at(frame, HEADER_LEN, "fetch_raw_block request").u16()?;
        if version != 1 {
            return Err(ProtocolError::UnknownFetchVersion(version));
        }
        Ok(FetchRawBlockRequest {
            req_id: header.req_id,
            result_id: header.resource_id,
        })
    }
}

mod response;
pub mod tmq;
pub use response::{
    peek_binary_req_id, FetchBlockResponse, FetchRawBlockResponse, RawBlockBody, ServerBinary,
};
pub use tmq::{
    peek_tmq_binary_req_id, FetchRawDataBody, FetchRawDataFrame, FetchRawFrame, TmqFetchBlockFrame,
};

#[cfg(test)]
mod tests;
