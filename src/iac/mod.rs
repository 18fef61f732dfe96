//! Infrastructure code as planned evidence (`dynaudit iac`): CloudFormation
//! templates (YAML with the short-form intrinsics, or JSON), CDK output
//! (`cdk.out`) and Terraform plans (`terraform show -json`) are read into an
//! inventory of the live schema, marked as planned (schema 1.4), so the same
//! rules give the verdict before deployment that they give on the live
//! account after it. One adapter per source:
//! - [`cloudformation`] reads a template (and is what [`cdk`] uses for
//!   each stack of a cloud assembly);
//! - [`terraform`] reads a plan's `planned_values` and `configuration`.
//!
//! Values the code does not determine are `null` in the inventory with an
//! error of kind `not_determinable` naming the expression, so the rules say
//! unknown, never pass or fail. What each source reads, what is unknown and
//! why: `docs/iac.md`.

pub mod account_check;
pub mod cdk;
pub mod cloudformation;
pub mod estate;
pub mod findings;
pub mod input;
pub mod node;
pub mod parameters;
pub mod resolved;
pub mod scope;
pub mod sources;
pub mod terraform;
pub mod yaml;

use std::fmt;

/// Infrastructure code that cannot be read: the file and 1-based line of
/// the problem (exit 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IacError {
    /// The file, as given.
    pub file: String,
    /// 1-based line (1 when the problem is the whole file).
    pub line: u32,
    /// What is wrong, in words a user can act on.
    pub message: String,
}

impl IacError {
    /// An error at `file:line`.
    pub fn at(file: &str, line: u32, message: impl Into<String>) -> Self {
        IacError {
            file: file.to_string(),
            line: line.max(1),
            message: message.into(),
        }
    }
}

impl fmt::Display for IacError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}",
            crate::text_file::printable(&self.file),
            self.line,
            self.message
        )
    }
}

impl std::error::Error for IacError {}
