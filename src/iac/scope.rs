//! Which rules apply to planned evidence, decided per rule (`docs/iac.md`,
//! "Rules on planned evidence"):
//! - rules about what exists only once deployed, or about the whole
//!   account, are not evaluated: infrastructure code that does not declare
//!   a trail says nothing about the account's trails, so a failure would be
//!   false;
//! - rules over a set of resources the code may declare only in part (the
//!   VPCs, the alarms, the scaling of a table) are evaluated over what the
//!   code declares, and their messages say so.

/// Rules not evaluated on planned evidence, with the reason shown in the
/// report and in `docs/iac.md`.
pub const SKIPPED_RULES: [(&str, &str); 8] = [
    (
        "DYN202",
        "backups exist only after deployment: check the live account",
    ),
    (
        "DYN203",
        "backup plans elsewhere in the account can select the table (by tag or wildcard): check the live account",
    ),
    (
        "DYN501",
        "the account's trails are usually declared elsewhere (an organization trail): check the live account",
    ),
    (
        "DYN503",
        "data events of the table can be logged by a trail declared elsewhere: check the live account",
    ),
    (
        "DYN507",
        "exports are operations on a deployed table, not declared resources",
    ),
    (
        "DYN601",
        "the configuration recorder is account-wide and usually declared elsewhere: check the live account",
    ),
    (
        "DYN602",
        "AWS Config rules are account-wide and usually declared elsewhere: check the live account",
    ),
    (
        "DYN603",
        "compliance results exist only once AWS Config has evaluated deployed resources",
    ),
];

/// Rules evaluated over what the code declares; their messages get
/// [`DECLARED_ONLY_NOTE`].
pub const DECLARED_ONLY_RULES: [&str; 6] =
    ["DYN206", "DYN207", "DYN401", "DYN403", "DYN404", "DYN506"];

/// Appended to the messages of [`DECLARED_ONLY_RULES`].
pub const DECLARED_ONLY_NOTE: &str =
    " (judged on what the infrastructure code declares; resources declared elsewhere are not seen)";

/// Why `rule_id` is not evaluated on planned evidence, if it is not.
pub fn skipped(rule_id: &str) -> Option<&'static str> {
    SKIPPED_RULES
        .iter()
        .find(|(id, _)| *id == rule_id)
        .map(|(_, why)| *why)
}

/// Whether `rule_id` is judged on what the code declares only.
pub fn declared_only(rule_id: &str) -> bool {
    DECLARED_ONLY_RULES.contains(&rule_id)
}
