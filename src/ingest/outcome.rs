//! What became of one chunk: stored, certainly not stored, or not known. The one place
//! where a failed request is judged for whether its exec may have been applied.

use crate::Error;

/// The outcome of one chunk's bind + exec.
#[derive(Debug)]
pub(super) enum ChunkOutcome {
    /// The server confirmed the exec; the rows it counted.
    Written(u64),
    /// Certainly not stored: the failure came before the exec was sent, or the server
    /// answered the exec with an error (one stmt2 exec is applied all-or-nothing).
    NotWritten(Error),
    /// The exec was handed to the socket but its reply was not seen (timeout, dropped
    /// connection, unreadable reply): the rows may or may not be stored.
    Unknown(Error),
}

/// The outcome of a chunk whose exec request failed with `e`.
///
/// Assumption (until the socket says whether a frame left): a request that failed
/// without a server reply may have reached the server, so it is [`ChunkOutcome::Unknown`].
/// The socket is being taught to tell a frame never written ("not sent", certainly not
/// stored) from one written whose reply was not seen; when it does, only this function
/// changes. A server error reply means the exec was refused as a whole.
pub(super) fn outcome_of(e: Error) -> ChunkOutcome {
    match e {
        Error::Server { .. } => ChunkOutcome::NotWritten(e),
        _ => ChunkOutcome::Unknown(e),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use taosarrow_protocol::Code;

    use super::*;

    #[test]
    fn a_server_error_is_not_written_and_a_lost_reply_is_unknown() {
        let refused = outcome_of(Error::server(Code(0x2603), "table does not exist"));
        assert!(
            matches!(refused, ChunkOutcome::NotWritten(_)),
            "{refused:?}"
        );
        let timed_out = outcome_of(Error::Timeout {
            what: "response",
            after: Duration::from_secs(1),
        });
        assert!(
            matches!(timed_out, ChunkOutcome::Unknown(_)),
            "{timed_out:?}"
        );
        let dropped = outcome_of(Error::closed("closed by the server"));
        assert!(matches!(dropped, ChunkOutcome::Unknown(_)), "{dropped:?}");
    }
}
