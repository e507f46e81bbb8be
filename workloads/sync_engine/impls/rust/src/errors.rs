//! The errors of SPEC.md's exit statuses: bad arguments or unreadable inputs (2), a corrupt store or local
//! state (3), a local folder that changed during a sync (4). `main` prints each as one line on stderr.

use std::fmt;
use std::io;
use std::path::Path;

#[derive(Debug)]
pub enum Error {
    /// Exit 2: what is wrong and what to do, as one sentence.
    Usage(String),
    /// Exit 3: the object (`packs/ab12...`, `index/...`, `trees/...`, `HEAD`, `format`,
    /// `.claimsync/base.json`) and what is wrong with it.
    Corrupt { object: String, what: String },
    /// Exit 4: a local file changed between the scan and the moment the sync would have replaced it.
    LocalChanged(String),
    /// Exit 1: anything else (an I/O error the user cannot fix by changing the arguments).
    Failure(String),
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn usage(message: impl Into<String>) -> Self {
        Error::Usage(message.into())
    }

    pub fn corrupt(object: impl Into<String>, what: impl Into<String>) -> Self {
        Error::Corrupt {
            object: object.into(),
            what: what.into(),
        }
    }

    /// An I/O failure on `path`, doing `action` ("cannot read", "cannot rename"...).
    pub fn io(action: &str, path: &Path, error: io::Error) -> Self {
        Error::Failure(format!("{action} {}: {error}", path.display()))
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => 2,
            Error::Corrupt { .. } => 3,
            Error::LocalChanged(_) => 4,
            Error::Failure(_) => 1,
        }
    }
}

impl fmt::Display for Error {
    /// The one stderr line of SPEC.md, `sync_engine: error: ...` or `sync_engine: corrupt: OBJECT: ...`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(m) | Error::LocalChanged(m) | Error::Failure(m) => {
                write!(f, "sync_engine: error: {m}")
            }
            Error::Corrupt { object, what } => write!(f, "sync_engine: corrupt: {object}: {what}"),
        }
    }
}
