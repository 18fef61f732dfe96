//! Which accounts an organization-wide run covers: the selection given on
//! the command line ([`selection`]), the accounts an AWS Organization lists
//! ([`listing`], filled by the `organizations` collector), and the
//! deterministic split of the selected accounts over machines ([`shard`]).
//!
//! Nothing here calls AWS: the listing is a plain value, so that the
//! selection rules (skipped, failed, excluded, sharded) are tested without
//! an emulator.

pub mod failure;
pub mod index;
pub mod listing;
pub mod selection;
pub mod shard;
