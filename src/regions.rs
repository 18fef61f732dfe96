//! AWS region names.

/// Regions of the commercial, China and GovCloud partitions known to this
/// build. A name outside this list is rejected by `--regions` with a hint;
/// `--regions all` asks the account instead, so new regions still work.
pub const KNOWN_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

/// Whether `name` has the shape of a region name: `xx-name-N` or
/// `xx-name-name-N` (e.g. `us-gov-west-1`).
pub fn looks_like_region(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

/// Whether `name` is a region this build knows.
pub fn is_known_region(name: &str) -> bool {
    KNOWN_REGIONS.contains(&name)
}

/// Which regions to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionSelection {
    /// The configured default region (`AWS_REGION`, the profile's region).
    Default,
    /// Every region enabled for the account (`DescribeRegions`).
    All,
    /// These regions.
    List(Vec<String>),
}

/// The known region with the smallest edit distance, if close.
pub fn closest_region(name: &str) -> Option<&'static str> {
    fn distance(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut cur = vec![i + 1];
            for (j, cb) in b.iter().enumerate() {
                let cost = usize::from(ca != *cb);
                cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
            }
            prev = cur;
        }
        prev[b.len()]
    }
    KNOWN_REGIONS
        .iter()
        .map(|r| (distance(name, r), *r))
        .min()
        .filter(|(d, _)| *d <= 3)
        .map(|(_, r)| r)
}

/// The known region `name` is probably a misspelling of, decided without
/// asking AWS: `name` is not known, its area (the name without its number,
/// `eu-west` of `eu-west-1`) is the area of no known region, and a known
/// region is close to it. A new region in a known area (`ap-east-3`) is
/// never called a misspelling: it is left to `DescribeRegions`.
pub fn misspelt_region(name: &str) -> Option<&'static str> {
    fn area(name: &str) -> &str {
        name.rsplit_once('-').map_or(name, |(area, _)| area)
    }
    if is_known_region(name) || KNOWN_REGIONS.iter().any(|r| area(r) == area(name)) {
        return None;
    }
    closest_region(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert!(looks_like_region("us-east-1"));
        assert!(looks_like_region("us-gov-west-1"));
        assert!(!looks_like_region("us-east"));
        assert!(!looks_like_region("US-EAST-1"));
        assert!(!looks_like_region("us-east-1a"));
        assert!(KNOWN_REGIONS.iter().all(|r| looks_like_region(r)));
    }

    #[test]
    fn suggests_close_regions() {
        assert_eq!(closest_region("us-esat-1"), Some("us-east-1"));
        assert_eq!(closest_region("xx-nowhere-9"), None);
    }

    #[test]
    fn misspellings_are_told_from_new_regions() {
        assert_eq!(misspelt_region("us-esat-1"), Some("us-east-1"));
        assert_eq!(misspelt_region("eu-wset-2"), Some("eu-west-2"));
        // Known, or a newer number in a known area: not a misspelling.
        assert_eq!(misspelt_region("us-east-1"), None);
        assert_eq!(misspelt_region("ap-east-9"), None);
        assert_eq!(misspelt_region("eu-west-4"), None);
        // Far from every known region: perhaps a new area, asked of AWS.
        assert_eq!(misspelt_region("xx-nowhere-9"), None);
    }
}
