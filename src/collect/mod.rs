//! Live collection: turns AWS API answers into an [`Inventory`](crate::inventory::Inventory).
//!
//! - [`run`] drives a collection: the session ([`session`]: credentials,
//!   role, identity, regions), every region's collectors concurrently, the
//!   inventory and its [`summary`], with a [`progress`] display.
//! - [`services`] has one module per AWS service. Each exposes async
//!   functions that take a [`RegionContext`](context::RegionContext), call
//!   only read-only operations through [`calls`] (rate limited by
//!   [`limits`], every failure recorded by [`errors`]), and return inventory
//!   types in which whatever could not be collected is `None`.
//! - Clients are built only with [`sdk_client!`](crate::sdk_client)
//!   ([`context`]), which installs the [`record`]er of operations, the
//!   region [`breaker`] and the retry charge.
//! - [`permissions`] is the read-only allow-list and the IAM policy.
//!
//! Dependencies run one way: `util` at the floor; `errors`, `breaker`,
//! `record`, `limits` above it; `context` and `calls` above those;
//! `services`, then `session` and `run` at the top. Modules import each
//! other by their own paths, never through this module's re-exports.

pub mod accounts;
pub mod breaker;
pub mod calls;
pub mod context;
pub mod errors;
pub mod limits;
pub mod permissions;
pub mod progress;
pub mod record;
pub mod run;
pub mod services;
pub mod session;
pub mod summary;
#[cfg(test)]
pub(crate) mod testing;
pub mod util;

pub use run::collect;
pub use session::{CollectError, CollectOptions};
pub use summary::CollectSummary;

#[cfg(test)]
mod tests {
    /// Every client the scan builds carries the operation recorder, the
    /// breaker and the retry charge: the sources build clients only through
    /// `sdk_client!`.
    #[test]
    fn every_client_is_built_with_the_recorder() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/collect");
        let mut files = Vec::new();
        for dir in [root.clone(), root.join("services")] {
            for entry in std::fs::read_dir(&dir).unwrap() {
                files.push(entry.unwrap().path());
            }
        }
        assert!(files.len() > 10, "{files:?}");
        for path in files {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            // context.rs is the macro itself; testing.rs builds mock clients.
            if !name.ends_with(".rs") || name == "context.rs" || name == "testing.rs" {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // Production code only: tests build mock clients.
            let code = text.split("#[cfg(test)]").next().unwrap();
            let builds =
                code.matches("Client::new(").count() + code.matches("Client::from_conf(").count();
            assert_eq!(
                builds, 0,
                "{name} builds an SDK client without the operation recorder; use sdk_client!"
            );
        }
    }

    /// Every operation the allow-list grants is one a collector calls (the
    /// SDK method of `DescribeVpcEndpoints` is `.describe_vpc_endpoints()`):
    /// the IAM policy grants nothing the scan does not use.
    #[test]
    fn every_allowed_operation_is_called() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/collect");
        let mut code = String::new();
        for dir in [root.clone(), root.join("services")] {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    code.push_str(text.split("#[cfg(test)]").next().unwrap());
                }
            }
        }
        let snake = |name: &str| {
            let mut out = String::new();
            for (i, c) in name.chars().enumerate() {
                if c.is_ascii_uppercase() && i > 0 {
                    out.push('_');
                }
                out.push(c.to_ascii_lowercase());
            }
            out
        };
        let never_called: Vec<String> = super::permissions::ALLOWED_OPERATIONS
            .iter()
            .filter(|(_, op, _)| !code.contains(&format!(".{}()", snake(op))))
            .map(|(service, op, _)| format!("{service}:{op}"))
            .collect();
        assert!(
            never_called.is_empty(),
            "granted but never called: {never_called:?}"
        );
    }
}
