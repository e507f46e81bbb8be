//! The claimbench columnar_scan workload in Rust (workloads/columnar_scan/SPEC.md): TPC-H Q1, Q6, Q3
//! and Q18 over the claimbench column files.
//!
//! Design: the columns are memory-mapped (memmap2) and read in place as typed slices; every file a
//! query reads is checked against the manifest (size, checksum, string offsets) before the query
//! starts. Each query is plain iterator code over morsels of rows that rayon spreads over `--threads`
//! threads; money stays in integer hundredths (i128 where a sum can pass 2^63), joins and group-bys are
//! std hash maps with FxHash. The library is what the binary and its tests share.

pub mod checksum;
pub mod data_dir;
pub mod decimal;
#[path = "../../../../../tools/rust/hot_index.rs"]
mod hot_index;
pub mod manifest;
pub mod marks;
pub mod morsels;
pub mod q1;
pub mod q18;
pub mod q3;
pub mod q6;
pub mod query;
pub mod top;
