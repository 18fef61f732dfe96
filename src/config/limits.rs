//! Limits on what dynaudit reads, so that one hostile or broken input file
//! costs an error, not all the memory or a hang (docs/inventory.md,
//! "Validation"). Each is far above what a real estate produces.

use crate::text_file::SizeLimit;

/// Default of `--max-input-bytes`, the largest inventory or JSON report
/// read (`eval`, `diff`, `--baseline`): 1 GiB. An inventory of 100,000
/// tables is about 121 MB.
pub const DEFAULT_MAX_INPUT_BYTES: u64 = 1024 * 1024 * 1024;

/// The largest configuration, waivers or policy (`.rego`) file read:
/// 16 MiB. The built-in policies are 430 KB together.
pub const MAX_TEXT_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Longest string (value or key) an inventory may hold: 64 KiB. AWS's
/// longest values are far shorter: ARNs up to 2,048 characters, tag values
/// 256, a whole policy document 20,480 at most (and a document's strings
/// are parts of it), error messages as dynaudit records them 300.
pub const MAX_INVENTORY_STRING_BYTES: usize = 64 * 1024;

/// The limit of configuration, waivers and policy files.
pub const TEXT_FILE_LIMIT: SizeLimit = SizeLimit {
    bytes: MAX_TEXT_FILE_BYTES,
    name: "the limit for configuration, waivers and policy files",
};

/// The limit of inventories and JSON reports: `--max-input-bytes`.
pub const fn input_limit(bytes: u64) -> SizeLimit {
    SizeLimit {
        bytes,
        name: "--max-input-bytes",
    }
}
