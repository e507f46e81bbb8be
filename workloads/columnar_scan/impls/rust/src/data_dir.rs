//! Read access to a columnar data directory: the manifest, then each column a query asks for, mapped and
//! checked (its size against the manifest, its checksum, a string column's offsets) before any query
//! sees it, so that a corrupt or truncated file is a clear error and never an out-of-bounds read.
//!
//! Columns are memory-mapped with memmap2 and viewed as typed slices with bytemuck: a mapping is
//! page-aligned and its length is checked to be `rows * width`, so the cast cannot fail, and the values
//! are read in place, never copied.

use std::fs::File;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, ensure};
use bytemuck::Pod;
use memmap2::{Mmap, MmapOptions};

use crate::checksum::checksum64;
use crate::manifest::{ColumnEntry, ColumnType, FileEntry, Manifest};

#[cfg(not(target_endian = "little"))]
compile_error!("the column files are little-endian and are read in place");

const REGENERATE: &str = "regenerate the data with `columnar_scan_cpp generate --sf N --out DIR`";

/// An open data directory: its checked manifest. Columns are mapped on request.
pub struct DataDir {
    dir: PathBuf,
    manifest: Manifest,
}

impl DataDir {
    /// Reads and checks `dir/manifest.json`. Fails when it is missing, unreadable or malformed.
    pub fn open(dir: &Path) -> Result<DataDir> {
        let path = dir.join("manifest.json");
        let json = std::fs::read_to_string(&path).map_err(|error| {
            anyhow!(
                "{}: cannot read ({error}); is {} a data directory made by `columnar_scan_cpp generate --sf N --out DIR`?",
                path.display(),
                dir.display()
            )
        })?;
        let manifest = Manifest::parse(&json)
            .map_err(|error| anyhow!("{}: {error:#}; {REGENERATE}", path.display()))?;
        Ok(DataDir {
            dir: dir.to_path_buf(),
            manifest,
        })
    }

    /// The row count of `table`. Fails when the manifest has no such table.
    pub fn rows(&self, table: &str) -> Result<usize> {
        let entry = self.manifest.table(table).ok_or_else(|| {
            anyhow!(
                "{}: the manifest has no table '{table}'; {REGENERATE}",
                self.dir.display()
            )
        })?;
        Ok(usize::try_from(entry.rows)?)
    }

    /// An int64 column.
    pub fn int64(&self, table: &str, column: &str) -> Result<Fixed<i64>> {
        self.fixed(table, column, ColumnType::Int64)
    }
    /// A decimal(15,2) column: int64 hundredths.
    pub fn decimal(&self, table: &str, column: &str) -> Result<Fixed<i64>> {
        self.fixed(table, column, ColumnType::Decimal)
    }
    /// An int32 column.
    pub fn int32(&self, table: &str, column: &str) -> Result<Fixed<i32>> {
        self.fixed(table, column, ColumnType::Int32)
    }
    /// A date column: int32 days since 1970-01-01.
    pub fn date(&self, table: &str, column: &str) -> Result<Fixed<i32>> {
        self.fixed(table, column, ColumnType::Date)
    }
    /// A char(1) column: one byte per row.
    pub fn char(&self, table: &str, column: &str) -> Result<Fixed<u8>> {
        self.fixed(table, column, ColumnType::Char)
    }

    /// A string column, its offsets checked: they start at 0, never decrease and end at the data's size.
    pub fn string(&self, table: &str, column: &str) -> Result<Strings> {
        let entry = self.column(table, column, ColumnType::String)?;
        let offsets = Fixed::<u64>::new(self.map(&entry.files[0])?)?;
        let bytes = self.map(&entry.files[1])?;
        let values = offsets.values();
        let ordered =
            values.first() == Some(&0) && values.windows(2).all(|pair| pair[0] <= pair[1]);
        ensure!(
            ordered && values.last() == Some(&(bytes.len() as u64)),
            "{}: the offsets of column {table}.{column} do not start at 0, decrease, or do not end at its {} bytes; {REGENERATE}",
            self.dir.display(),
            bytes.len()
        );
        Ok(Strings { offsets, bytes })
    }

    fn fixed<T: Pod>(&self, table: &str, column: &str, wanted: ColumnType) -> Result<Fixed<T>> {
        let entry = self.column(table, column, wanted)?;
        Fixed::new(self.map(&entry.files[0])?)
    }

    fn column(&self, table: &str, column: &str, wanted: ColumnType) -> Result<&ColumnEntry> {
        let name = format!("{table}.{column}");
        let entry = self
            .manifest
            .table(table)
            .and_then(|entry| entry.column(column))
            .ok_or_else(|| {
                anyhow!(
                    "{}: the manifest has no column {name}; {REGENERATE}",
                    self.dir.display()
                )
            })?;
        ensure!(
            entry.column_type == wanted,
            "{}: column {name} is {:?}, the query needs {wanted:?}; {REGENERATE}",
            self.dir.display(),
            entry.column_type
        );
        Ok(entry)
    }

    /// Maps one file and checks its size and checksum against the manifest.
    fn map(&self, entry: &FileEntry) -> Result<Mmap> {
        let path = self.dir.join(&entry.path);
        let file = File::open(&path)
            .with_context(|| format!("{}: cannot open; {REGENERATE}", path.display()))?;
        let metadata = file.metadata()?;
        ensure!(
            metadata.is_file(),
            "{}: not a regular file; {REGENERATE}",
            path.display()
        );
        ensure!(
            metadata.len() == entry.bytes,
            "{}: {} bytes, the manifest says {}: the file is truncated or was replaced; {REGENERATE}",
            path.display(),
            metadata.len(),
            entry.bytes
        );
        // SAFETY: the mapping is read-only and private. A file changed by another process while mapped
        // would change what we read (its checksum is checked once, below) and one truncated under us
        // would fault; data directories are written once, by `generate`, and never modified in place.
        let map = unsafe { MmapOptions::new().populate().map(&file) }
            .with_context(|| format!("{}: cannot map", path.display()))?;
        ensure!(
            map.len() as u64 == entry.bytes,
            "{}: changed size while being mapped; {REGENERATE}",
            path.display()
        );
        let checksum = checksum64(&map);
        ensure!(
            checksum == entry.checksum,
            "{}: checksum {checksum:016x}, the manifest says {:016x}: the file is corrupt; {REGENERATE}",
            path.display(),
            entry.checksum
        );
        Ok(map)
    }
}

/// A mapped fixed-width column: `values()` is one `T` per row. Immutable; shareable between threads.
pub struct Fixed<T> {
    map: Mmap,
    values: PhantomData<T>,
}

impl<T: Pod> Fixed<T> {
    fn new(map: Mmap) -> Result<Self> {
        // Checked once here so that `values` cannot fail: page-aligned, and a whole number of values.
        bytemuck::try_cast_slice::<u8, T>(&map)
            .map_err(|error| anyhow!("a column file cannot be read as values: {error:?}"))?;
        Ok(Fixed {
            map,
            values: PhantomData,
        })
    }

    pub fn values(&self) -> &[T] {
        bytemuck::cast_slice(&self.map)
    }
}

/// A mapped string column: row i is `bytes[offsets[i]..offsets[i + 1]]`.
pub struct Strings {
    offsets: Fixed<u64>,
    bytes: Mmap,
}

impl Strings {
    /// Row `row`'s bytes. Panics when `row` is not below the row count (the offsets were checked on load).
    pub fn get(&self, row: usize) -> &[u8] {
        let offsets = self.offsets.values();
        &self.bytes[offsets[row] as usize..offsets[row + 1] as usize]
    }
}
