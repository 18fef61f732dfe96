//! `dynaudit schema`: the JSON Schema of the inventory.

use anyhow::Result;

use crate::cli::output::write_stdout;
use crate::gate::EXIT_CLEAN;

/// Runs `dynaudit schema`.
pub fn run() -> Result<u8> {
    write_stdout(&crate::schema::inventory_schema())?;
    Ok(EXIT_CLEAN)
}
