//! The manifest of a data directory (SPEC.md, "Data format"): which tables, how many rows, and for every
//! column its type and files with their sizes and checksums.
//!
//! It is the one thing a reader trusts about the files, so parsing checks everything that could later
//! make a read go out of bounds or leave the directory: the format and version, known types, sizes that
//! match the row count, relative paths without `..`, well-formed checksums, no table or column twice.
//! serde does the JSON; the checks are ours.

use anyhow::{Context, Result, bail, ensure};
use serde::Deserialize;

pub const FORMAT_NAME: &str = "claimbench-columnar";
pub const FORMAT_VERSION: i64 = 1;

/// More rows than this is not a TPC-H table of any sensible scale factor; the limit keeps
/// `rows * width` far from overflowing.
const MAX_ROWS: u64 = 1 << 40;

/// A column's physical type, as the manifest spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum ColumnType {
    #[serde(rename = "int32")]
    Int32,
    #[serde(rename = "int64")]
    Int64,
    /// DECIMAL(15,2): int64 hundredths.
    #[serde(rename = "decimal(15,2)")]
    Decimal,
    /// int32 days since 1970-01-01.
    #[serde(rename = "date")]
    Date,
    /// CHAR(1): one byte.
    #[serde(rename = "char")]
    Char,
    /// uint64 offsets (rows + 1) and the concatenated bytes.
    #[serde(rename = "string")]
    String,
}

impl ColumnType {
    /// Bytes per row of the column's first file (for a string, of its offsets file after the extra one).
    pub fn width(self) -> u64 {
        match self {
            ColumnType::Char => 1,
            ColumnType::Int32 | ColumnType::Date => 4,
            ColumnType::Int64 | ColumnType::Decimal | ColumnType::String => 8,
        }
    }

    /// How many files a column of this type has.
    pub fn file_count(self) -> usize {
        if self == ColumnType::String { 2 } else { 1 }
    }
}

#[derive(Debug, Deserialize)]
pub struct FileEntry {
    /// Relative to the data directory, e.g. `lineitem/l_shipdate.bin`.
    pub path: String,
    pub bytes: u64,
    /// 16 lower-case hex digits of `checksum64` over the whole file.
    #[serde(deserialize_with = "hex_checksum")]
    pub checksum: u64,
}

#[derive(Debug, Deserialize)]
pub struct ColumnEntry {
    pub name: String,
    #[serde(rename = "type")]
    pub column_type: ColumnType,
    /// Fixed width: the values; string: the offsets, then the bytes.
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Deserialize)]
pub struct TableEntry {
    pub name: String,
    pub rows: u64,
    pub columns: Vec<ColumnEntry>,
}

impl TableEntry {
    pub fn column(&self, name: &str) -> Option<&ColumnEntry> {
        self.columns.iter().find(|column| column.name == name)
    }
}

#[derive(Debug, Deserialize)]
pub struct Manifest {
    pub scale_factor: String,
    pub generator: String,
    pub tables: Vec<TableEntry>,
}

impl Manifest {
    /// Parses and checks a manifest. The error names the first problem found (the caller adds what to do).
    pub fn parse(json: &str) -> Result<Manifest> {
        // Format and version first, so that another version is named as such, not as a missing field.
        let value: serde_json::Value = serde_json::from_str(json).context("not valid JSON")?;
        let format = value.get("format").and_then(|format| format.as_str());
        ensure!(
            format == Some(FORMAT_NAME),
            "format is not \"{FORMAT_NAME}\""
        );
        let version = value.get("version").and_then(|version| version.as_i64());
        ensure!(
            version == Some(FORMAT_VERSION),
            "version {} is not supported (this reader knows version {FORMAT_VERSION})",
            value
                .get("version")
                .map_or("missing".into(), |v| v.to_string())
        );
        let manifest: Manifest = serde_json::from_value(value)?;
        manifest.check()?;
        Ok(manifest)
    }

    pub fn table(&self, name: &str) -> Option<&TableEntry> {
        self.tables.iter().find(|table| table.name == name)
    }

    fn check(&self) -> Result<()> {
        for (t, table) in self.tables.iter().enumerate() {
            ensure!(
                self.tables[..t]
                    .iter()
                    .all(|other| other.name != table.name),
                "table {} appears twice",
                table.name
            );
            ensure!(
                table.rows <= MAX_ROWS,
                "table {} has an implausible row count {}",
                table.name,
                table.rows
            );
            for (c, column) in table.columns.iter().enumerate() {
                let name = format!("{}.{}", table.name, column.name);
                ensure!(
                    table.columns[..c]
                        .iter()
                        .all(|other| other.name != column.name),
                    "column {name} appears twice"
                );
                check_column(&name, table.rows, column)?;
            }
        }
        Ok(())
    }
}

fn check_column(name: &str, rows: u64, column: &ColumnEntry) -> Result<()> {
    let want_files = column.column_type.file_count();
    ensure!(
        column.files.len() == want_files,
        "column {name} has {} files, a {:?} column has {want_files}",
        column.files.len(),
        column.column_type
    );
    for file in &column.files {
        ensure!(
            is_plain_relative(&file.path),
            "column {name}: path '{}' is not a plain relative path",
            file.path
        );
    }
    let slots = if column.column_type == ColumnType::String {
        rows + 1
    } else {
        rows
    };
    let want_bytes = slots * column.column_type.width();
    let first = &column.files[0];
    ensure!(
        first.bytes == want_bytes,
        "column {name}: {} is {} bytes, {rows} rows need {want_bytes}",
        first.path,
        first.bytes
    );
    Ok(())
}

/// Relative, without empty, `.` or `..` parts: a path that stays inside the data directory.
fn is_plain_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\0')
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

fn hex_checksum<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    let text = String::deserialize(deserializer)?;
    parse_checksum(&text).map_err(serde::de::Error::custom)
}

fn parse_checksum(text: &str) -> Result<u64> {
    if text.len() != 16 || !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        bail!("checksum '{text}' is not 16 lower-case hex digits");
    }
    Ok(u64::from_str_radix(text, 16)?)
}
