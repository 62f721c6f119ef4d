//! What an ingest does about its target table, and the names the bindings use for it.

use std::fmt;
use std::str::FromStr;

/// What to do about the target table. Its text form (`Display`, `FromStr`) is the
/// `mode="…"` of the bindings: `append`, `create`, `create_append`, `replace`.
///
/// ```
/// use taosarrow::IngestMode;
/// assert_eq!("create_append".parse::<IngestMode>(), Ok(IngestMode::CreateAppend));
/// assert_eq!(IngestMode::Replace.to_string(), "replace");
/// assert!("upsert".parse::<IngestMode>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IngestMode {
    /// Write into an existing table (child tables of a super table are created on demand).
    #[default]
    Append,
    /// Create the table from the Arrow schema; an error if it exists.
    Create,
    /// Create the table when it does not exist, then append.
    CreateAppend,
    /// Drop the table if it exists, create it from the Arrow schema, then write.
    Replace,
}

impl IngestMode {
    /// Every mode, in the order the bindings list them.
    pub const ALL: [IngestMode; 4] = [
        IngestMode::Append,
        IngestMode::Create,
        IngestMode::CreateAppend,
        IngestMode::Replace,
    ];

    /// The mode's name: `append`, `create`, `create_append` or `replace`.
    pub const fn name(self) -> &'static str {
        match self {
            IngestMode::Append => "append",
            IngestMode::Create => "create",
            IngestMode::CreateAppend => "create_append",
            IngestMode::Replace => "replace",
        }
    }
}

impl fmt::Display for IngestMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A mode name that is none of [`IngestMode::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("mode must be append, create, create_append or replace, not {0:?}")]
pub struct UnknownIngestMode(pub String);

impl FromStr for IngestMode {
    type Err = UnknownIngestMode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        IngestMode::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| UnknownIngestMode(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for m in IngestMode::ALL {
            assert_eq!(m.to_string().parse::<IngestMode>(), Ok(m));
        }
        let e = "Append".parse::<IngestMode>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "mode must be append, create, create_append or replace, not \"Append\""
        );
    }
}
