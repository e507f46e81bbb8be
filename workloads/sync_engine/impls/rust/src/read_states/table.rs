//! The backing table behind the cache (SPEC.md: Discord's Cassandra): a file of 16-byte records, one per
//! key index (last read, mention count, and 1 once written: a hole in the sparse file reads as never
//! written), read and written with pread/pwrite and never mapped, so it stays out of the service's
//! resident set. By default an anonymous in-memory file (memfd_create); with a path, a file on disk.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::FromRawFd;
use std::os::unix::fs::FileExt;
use std::path::Path;

use super::protocol::State;

const RECORD_BYTES: u64 = 16;

/// One key's state on its way to the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record {
    pub key: u64,
    pub state: State,
}

/// Safe to share: reads and writes are positioned (pread/pwrite); one writer at a time is the caller's rule.
pub struct Table {
    file: File,
    keys: u64,
}

impl Table {
    /// Creates (or truncates) `path`, or an anonymous in-memory file, sized for `keys` records. The error
    /// names the file and says what to do.
    pub fn open(path: Option<&Path>, keys: u64) -> Result<Table, String> {
        let file = match path {
            None => {
                // SAFETY: a NUL-terminated name; the fd returned is new and owned by the File from here on.
                let fd = unsafe { libc::memfd_create(c"read_states_backing".as_ptr(), libc::MFD_CLOEXEC) };
                if fd < 0 {
                    return Err(format!(
                        "cannot create the in-memory backing table: {}",
                        io::Error::last_os_error()
                    ));
                }
                // SAFETY: fd is a valid descriptor nobody else owns.
                unsafe { File::from_raw_fd(fd) }
            }
            Some(path) => OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(true)
                .open(path)
                .map_err(|e| {
                    format!(
                        "cannot create the backing table '{}': {e}; pass --backing FILE in a writable directory",
                        path.display()
                    )
                })?,
        };
        file.set_len(keys * RECORD_BYTES)
            .map_err(|e| format!("cannot size the backing table to {keys} records: {e}"))?;
        Ok(Table { file, keys })
    }

    pub fn keys(&self) -> u64 {
        self.keys
    }

    /// The state last written for key index `k`, or None when it never was.
    pub fn read(&self, k: u64) -> io::Result<Option<State>> {
        let mut record = [0u8; RECORD_BYTES as usize];
        self.file.read_exact_at(&mut record, k * RECORD_BYTES)?;
        if u32::from_le_bytes(record[12..16].try_into().expect("4 bytes")) != 1 {
            return Ok(None);
        }
        Ok(Some(State {
            last_read: u64::from_le_bytes(record[0..8].try_into().expect("8 bytes")),
            mentions: u32::from_le_bytes(record[8..12].try_into().expect("4 bytes")),
        }))
    }

    /// Writes the records in order (a later record for the same key wins).
    pub fn write(&self, records: &[Record]) -> io::Result<()> {
        for r in records {
            let mut record = [0u8; RECORD_BYTES as usize];
            record[0..8].copy_from_slice(&r.state.last_read.to_le_bytes());
            record[8..12].copy_from_slice(&r.state.mentions.to_le_bytes());
            record[12..16].copy_from_slice(&1u32.to_le_bytes());
            self.file.write_all_at(&record, r.key * RECORD_BYTES)?;
        }
        Ok(())
    }
}
