//! `--shard K/N`: a deterministic, 1-based split of the selected accounts.
//!
//! An account belongs to shard `(h mod N) + 1`, where `h` is the first 8
//! bytes (big-endian) of the SHA-256 of its 12-digit id. The shard of an
//! account depends on its id and `N` only: adding or removing an account
//! never moves the others, and every machine of a fan-out computes the same
//! split without talking to the others.

use sha2::{Digest, Sha256};

/// The largest `N` of `--shard K/N`.
pub const MAX_SHARDS: u32 = 1000;

/// One part of `N`: `index` is 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// `K`, 1 to `count`.
    pub index: u32,
    /// `N`, 1 to [`MAX_SHARDS`].
    pub count: u32,
}

impl Shard {
    /// Parses `K/N`.
    pub fn parse(value: &str) -> Result<Shard, String> {
        let usage = "give K/N with 1 <= K <= N, e.g. --shard 1/4";
        let (k, n) = value
            .trim()
            .split_once('/')
            .ok_or_else(|| format!("--shard {value:?} is not K/N: {usage}"))?;
        let number = |part: &str| -> Result<u32, String> {
            let part = part.trim();
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!(
                    "--shard {value:?}: {part:?} is not a whole number: {usage}"
                ));
            }
            part.parse::<u32>()
                .map_err(|_| format!("--shard {value:?}: {part} is too large: {usage}"))
        };
        let (index, count) = (number(k)?, number(n)?);
        if count == 0 || count > MAX_SHARDS {
            return Err(format!(
                "--shard {value:?}: N must be between 1 and {MAX_SHARDS}"
            ));
        }
        if index == 0 || index > count {
            return Err(format!(
                "--shard {value:?}: {usage} (shards are numbered from 1)"
            ));
        }
        Ok(Shard { index, count })
    }

    /// Whether `account_id` belongs to this shard.
    pub fn contains(&self, account_id: &str) -> bool {
        shard_of(account_id, self.count) == self.index
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The 1-based shard of `account_id` among `count` (at least 1).
pub fn shard_of(account_id: &str, count: u32) -> u32 {
    let digest = Sha256::digest(account_id.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    let h = u64::from_be_bytes(first);
    let n = u64::from(count.max(1));
    // h % n < n <= MAX_SHARDS, so it fits.
    u32::try_from(h % n).unwrap_or(0) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses() {
        assert_eq!(Shard::parse("1/2"), Ok(Shard { index: 1, count: 2 }));
        assert_eq!(Shard::parse(" 3/3 "), Ok(Shard { index: 3, count: 3 }));
        for bad in [
            "0/2", "3/2", "1/0", "1", "a/b", "-1/2", "1/2/3", "", "1/1001", "+1/2",
        ] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }

    /// The split is a partition, and stable: the shard of an account is a
    /// function of its id alone (values pinned so that a change of the hash
    /// cannot go unnoticed: machines of one fan-out must agree).
    #[test]
    fn split_is_a_stable_partition() {
        let ids: Vec<String> = (0..200)
            .map(|i| format!("{:012}", 100_000_000_000u64 + i * 7919))
            .collect();
        for n in 1..=7 {
            let mut seen = 0;
            for k in 1..=n {
                let shard = Shard { index: k, count: n };
                seen += ids.iter().filter(|id| shard.contains(id)).count();
            }
            assert_eq!(seen, ids.len());
        }
        // The shard of an account is a function of its id and N alone:
        // values pinned from an independent computation (Python's hashlib:
        // sha256 of the id, first 8 bytes big-endian, mod N, plus 1), so
        // that a change of the hash cannot go unnoticed (the machines of
        // one fan-out must agree, whatever their dynaudit version).
        for (id, n, shard) in [
            ("111111111111", 1000, 227),
            ("222222222222", 1000, 616),
            ("123456789012", 1000, 835),
            ("999999999999", 1000, 133),
            ("111111111111", 2, 1),
            ("222222222222", 2, 2),
            ("111111111111", 4, 3),
            ("222222222222", 4, 4),
            ("999999999999", 4, 1),
        ] {
            assert_eq!(shard_of(id, n), shard, "{id} of {n}");
        }
    }
}
