//! Limits on what dynaudit reads, so that one hostile or broken input file
//! costs an error, not all the memory or a hang (docs/inventory.md,
//! "Validation"). Each is far above what a real estate produces.

/// Longest string (value or key) an inventory may hold: 64 KiB. AWS's
/// longest values are far shorter: ARNs up to 2,048 characters, tag values
/// 256, a whole policy document 20,480 at most (and a document's strings
/// are parts of it), error messages as dynaudit records them 300.
pub const MAX_INVENTORY_STRING_BYTES: usize = 64 * 1024;
