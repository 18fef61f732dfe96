//! `dynaudit iam-policy`: the least-privilege IAM policy a scan needs.

use anyhow::Result;

use crate::cli::output::write_stdout;
use crate::collect::permissions;
use crate::gate::EXIT_CLEAN;

/// Runs `dynaudit iam-policy`. Written with [`write_stdout`], so
/// `dynaudit iam-policy | head -1` ends cleanly.
pub fn run() -> Result<u8> {
    write_stdout(&permissions::iam_policy_text())?;
    Ok(EXIT_CLEAN)
}
