//! What became of one chunk: stored, certainly not stored, or not known. The one place
//! where a failed request is judged for whether its exec may have been applied.

use crate::{Delivery, Error};

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

/// The outcome of a chunk whose exec request failed with `e`: a server error reply means the
/// exec was refused as a whole, and a frame the socket never wrote ([`Delivery::NotSent`]) was
/// never executed, so both are [`ChunkOutcome::NotWritten`]. Any other failure without a reply
/// (timeout, lost socket, unreadable reply) may have followed an applied exec:
/// [`ChunkOutcome::Unknown`].
pub(super) fn outcome_of(e: Error) -> ChunkOutcome {
    match e {
        Error::Server { .. } => ChunkOutcome::NotWritten(e),
        _ if matches!(e.delivery(), Some(Delivery::NotSent)) => ChunkOutcome::NotWritten(e),
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
        let unsent = outcome_of(Error::NotSent {
            source: Box::new(Error::closed("closed by the server")),
        });
        assert!(matches!(unsent, ChunkOutcome::NotWritten(_)), "{unsent:?}");
    }
}
