//! The evidence of a multi-account evaluation: `eval PATH...` takes any
//! mix of inventory files and evidence directories (`DIR/<id>.json` with
//! `DIR/index.json`). This module turns the paths into the list of
//! inventory files to evaluate, one account at a time, with the digest each
//! must have, and the accounts the runs skipped.
//!
//! A directory with an index is read through it: every file it lists must
//! be there with the listed SHA-256 (checked when the file is loaded), and
//! a `*.json` file it does not list is refused (it was not written by that
//! run). A directory without an index is read as every `*.json` file in it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::config::limits::TEXT_FILE_LIMIT;
use crate::organization::index::{AccountStatus, INDEX_FILE, Index, IndexEntry};

/// Why the evidence cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    /// A path that is neither a file nor a directory, or unreadable.
    #[error("{path}: {message}")]
    Path { path: String, message: String },
    /// The index is not a dynaudit index.
    #[error("{path}: not a dynaudit evidence index: {message}")]
    Index { path: String, message: String },
    /// A file does not match the index.
    #[error(
        "{path}: its SHA-256 is {found}, but {index} lists {expected}: the file changed after the run wrote it (corrupted, edited, or copied from another run); re-collect the account, or evaluate the file on its own if you trust it"
    )]
    Digest {
        path: String,
        index: String,
        expected: String,
        found: String,
    },
    /// The file is another account's.
    #[error(
        "{path}: the inventory is of account {found}, but {index} lists it for account {expected}"
    )]
    Account {
        path: String,
        index: String,
        expected: String,
        found: String,
    },
    /// The same account twice.
    #[error("account {account} is in both {first} and {second}: give each account's evidence once")]
    Duplicate {
        account: String,
        first: String,
        second: String,
    },
}

/// One inventory file to evaluate.
#[derive(Debug, Clone, PartialEq)]
pub struct EvidenceItem {
    /// The file.
    pub path: PathBuf,
    /// The index that lists it, and its entry there.
    pub listed: Option<(PathBuf, IndexEntry)>,
}

/// Every inventory file of the evaluation, and the accounts skipped by the
/// runs that wrote them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EvidenceSet {
    /// In the order given; a directory's files sorted by name.
    pub items: Vec<EvidenceItem>,
    /// Accounts an index lists as skipped (not ACTIVE).
    pub skipped: Vec<IndexEntry>,
    /// The organization ids the indexes name.
    pub organizations: BTreeSet<String>,
}

impl EvidenceSet {
    /// Resolves the paths of `eval`.
    pub fn resolve(paths: &[PathBuf]) -> Result<EvidenceSet, EvidenceError> {
        let mut set = EvidenceSet::default();
        for path in paths {
            let metadata = std::fs::metadata(path).map_err(|e| EvidenceError::Path {
                path: path.display().to_string(),
                message: format!("cannot read it: {e}"),
            })?;
            if metadata.is_dir() {
                set.add_directory(path)?;
            } else {
                set.items.push(EvidenceItem {
                    path: path.clone(),
                    listed: None,
                });
            }
        }
        Ok(set)
    }

    fn add_directory(&mut self, dir: &Path) -> Result<(), EvidenceError> {
        let shown = dir.display().to_string();
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| EvidenceError::Path {
                path: shown.clone(),
                message: format!("cannot list the directory: {e}"),
            })?
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .filter(|p| p.file_name().is_some_and(|n| n != INDEX_FILE))
            .collect();
        files.sort();
        let index_path = dir.join(INDEX_FILE);
        if !index_path.exists() {
            if files.is_empty() {
                return Err(EvidenceError::Path {
                    path: shown,
                    message: "the directory holds no inventory (*.json) and no index.json"
                        .to_string(),
                });
            }
            self.items.extend(
                files
                    .into_iter()
                    .map(|path| EvidenceItem { path, listed: None }),
            );
            return Ok(());
        }
        let index = read_index(&index_path)?;
        if let Some(org) = &index.organization {
            self.organizations.insert(org.id.clone());
        }
        let mut listed_files = BTreeSet::new();
        for entry in index.accounts {
            match (&entry.status, &entry.inventory) {
                (AccountStatus::Skipped, _) => self.skipped.push(entry),
                (_, Some(file)) => {
                    // Only a plain file name of this directory.
                    if file.contains(['/', '\\'])
                        || file.starts_with('.')
                        || !file.ends_with(".json")
                    {
                        return Err(EvidenceError::Index {
                            path: index_path.display().to_string(),
                            message: format!(
                                "account {}: inventory {:?} is not a file name of the directory",
                                entry.account_id,
                                crate::text_file::printable(file)
                            ),
                        });
                    }
                    listed_files.insert(dir.join(file));
                    self.items.push(EvidenceItem {
                        path: dir.join(file),
                        listed: Some((index_path.clone(), entry)),
                    });
                }
                (_, None) => {
                    return Err(EvidenceError::Index {
                        path: index_path.display().to_string(),
                        message: format!(
                            "account {} is {} but names no inventory file",
                            entry.account_id,
                            entry.status.as_str()
                        ),
                    });
                }
            }
        }
        if let Some(stray) = files.iter().find(|f| !listed_files.contains(*f)) {
            return Err(EvidenceError::Index {
                path: index_path.display().to_string(),
                message: format!(
                    "{} is in the directory but not in its index: remove it, or evaluate it on its own",
                    stray.display()
                ),
            });
        }
        Ok(())
    }
}

/// Reads and checks an index file (strict JSON: a key twice is refused).
pub fn read_index(path: &Path) -> Result<Index, EvidenceError> {
    let shown = path.display().to_string();
    let text =
        crate::text_file::read_text(path, TEXT_FILE_LIMIT).map_err(|e| EvidenceError::Index {
            path: shown.clone(),
            message: e.to_string(),
        })?;
    crate::strict_json::check(
        &text,
        Some(crate::config::limits::MAX_INVENTORY_STRING_BYTES),
    )
    .map_err(|e| EvidenceError::Index {
        path: format!("{shown}:{}:{}", e.line(), e.column()),
        message: e.to_string(),
    })?;
    let index: Index = serde_json::from_str(&text).map_err(|e| EvidenceError::Index {
        path: format!("{shown}:{}:{}", e.line(), e.column()),
        message: e.to_string(),
    })?;
    let major = index.index_version.split('.').next().unwrap_or_default();
    if major != "1" {
        return Err(EvidenceError::Index {
            path: shown,
            message: format!(
                "index_version {:?} is not supported (this build reads 1.x)",
                crate::text_file::printable(&index.index_version)
            ),
        });
    }
    Ok(index)
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// Checks a loaded file against its index entry.
pub fn check_listed(
    item: &EvidenceItem,
    text: &str,
    account_id: &str,
) -> Result<(), EvidenceError> {
    let Some((index, entry)) = &item.listed else {
        return Ok(());
    };
    let found = sha256_hex(text.as_bytes());
    let expected = entry.sha256.clone().unwrap_or_default();
    if found != expected {
        return Err(EvidenceError::Digest {
            path: item.path.display().to_string(),
            index: index.display().to_string(),
            expected,
            found,
        });
    }
    if account_id != entry.account_id {
        return Err(EvidenceError::Account {
            path: item.path.display().to_string(),
            index: index.display().to_string(),
            expected: entry.account_id.clone(),
            found: account_id.to_string(),
        });
    }
    Ok(())
}
