//! The queries of SPEC.md and what running one means: its columns are mapped and checked by `load`
//! (start-up, before `ready`), and `run` does all of the query's own work (the timed part).

use anyhow::Result;
use clap::ValueEnum;

use crate::data_dir::DataDir;
use crate::{q1::Q1, q3::Q3, q6::Q6, q18::Q18};

/// A query with its columns mapped and checked. `run` may be called from any thread; it uses the rayon
/// pool it is called in for its morsels.
pub trait Query: Sync {
    /// The answer as SPEC.md's CSV: a header row, then the rows, each ending in `\n`. Fails only on data
    /// that no TPC-H generator makes.
    fn run(&self) -> Result<String>;
}

/// The query names SPEC.md defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QueryName {
    Q1,
    Q6,
    Q3,
    Q18,
}

/// Maps and checks the columns `name` reads. Fails with a message naming the file and what to do
/// when one is missing, truncated or corrupt.
pub fn load(name: QueryName, data: &DataDir) -> Result<Box<dyn Query>> {
    Ok(match name {
        QueryName::Q1 => Box::new(Q1::load(data)?),
        QueryName::Q6 => Box::new(Q6::load(data)?),
        QueryName::Q3 => Box::new(Q3::load(data)?),
        QueryName::Q18 => Box::new(Q18::load(data)?),
    })
}
