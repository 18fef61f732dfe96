//! Waivers: accepted risks, each with a reason, an owner and an expiry date.
//!
//! A waivers file is TOML (`--waivers FILE`):
//!
//! ```toml
//! [[waiver]]
//! rule = "DYN101"
//! resource = "arn:aws:dynamodb:*:123456789012:table/legacy-*"
//! reason = "Legacy tables move to the CMK-encrypted cluster in Q1 (CHG-1234)"
//! owner = "data-platform@example.com"
//! expires = 2027-03-31
//! ```
//!
//! Every key is required. `resource` is a glob over the finding's resource
//! id (ARN, VPC id, `account/region`): `*` matches any run of characters,
//! `/` and `:` included, `?` one character, `[abc]` a class.
//!
//! A waiver applies to failing and unknown findings of its rule whose
//! resource matches, up to and including its `expires` day. Days are counted
//! as of the evidence, the inventory's `collected_at` (UTC), the same clock
//! as the time-based rules, so re-evaluating last quarter's inventory gives
//! last quarter's answer. A waived finding is kept, marked with its waiver,
//! and reported as suppressed in SARIF; it no longer counts for `--fail-on`.
//! An expired waiver no longer applies: its findings count again and reports
//! say the waiver expired. A waiver that is in force but matches no failing
//! or unknown finding is reported as stale.

use std::path::Path;

use globset::{GlobBuilder, GlobMatcher};
use serde::{Deserialize, Serialize};
use time::Date;

use crate::finding::{Finding, Status, WaiverMark, WaiverState};
use crate::text_file::{TextFileError, line_column};

/// Why a waivers file was rejected. Every variant names the file and line.
#[derive(Debug, thiserror::Error)]
pub enum WaiverError {
    /// Unreadable, not TOML, or not the shape of a waivers file.
    #[error(transparent)]
    File(#[from] TextFileError),
    /// An entry that parses but cannot be used.
    #[error("{path}:{line}: waiver #{index}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// 1-based line where the entry starts.
        line: usize,
        /// 1-based position of the entry in the file.
        index: usize,
        /// What is wrong.
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    waiver: Vec<toml::Spanned<RawWaiver>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWaiver {
    rule: String,
    resource: String,
    reason: String,
    owner: String,
    expires: toml::value::Datetime,
    #[serde(default)]
    account: Option<String>,
}

/// One waiver, validated.
#[derive(Debug, Clone)]
pub struct Waiver {
    /// Rule id, e.g. `DYN101`.
    pub rule: String,
    /// The resource glob, as written.
    pub resource: String,
    matcher: GlobMatcher,
    /// The account glob, as written (organization-wide runs): the waiver
    /// covers findings of matching accounts only.
    pub account: Option<String>,
    account_matcher: Option<GlobMatcher>,
    /// Why the risk is accepted.
    pub reason: String,
    /// Who answers for it.
    pub owner: String,
    /// Last day (inclusive) it applies.
    pub expires: Date,
    /// `file:line` where the entry starts.
    pub source: String,
}

impl Waiver {
    fn matches(&self, finding: &Finding) -> bool {
        finding.rule_id == self.rule
            && self.matcher.is_match(&finding.resource)
            && self
                .account_matcher
                .as_ref()
                .is_none_or(|m| m.is_match(&finding.account))
    }
}

/// A loaded waivers file.
#[derive(Debug, Clone, Default)]
pub struct Waivers {
    /// The entries, in file order.
    pub entries: Vec<Waiver>,
}

impl Waivers {
    /// Reads and validates a waivers file; `known_rules` are the ids of the
    /// loaded rules (an entry naming another id is an error).
    pub fn load(path: &Path, known_rules: &[&str]) -> Result<Waivers, WaiverError> {
        let (shown, text) =
            crate::text_file::read("waivers", path, crate::config::limits::TEXT_FILE_LIMIT)?;
        Waivers::parse(&shown, &text, known_rules)
    }

    /// Parses and validates waivers text; `path` names it in errors.
    pub fn parse(path: &str, text: &str, known_rules: &[&str]) -> Result<Waivers, WaiverError> {
        let raw: RawFile =
            toml::from_str(text).map_err(|err| TextFileError::toml(path, text, &err))?;
        let mut entries = Vec::with_capacity(raw.waiver.len());
        for (i, spanned) in raw.waiver.into_iter().enumerate() {
            let (line, _) = line_column(text, spanned.span().start);
            let invalid = |message: String| WaiverError::Invalid {
                path: path.to_owned(),
                line,
                index: i + 1,
                message,
            };
            let raw = spanned.into_inner();
            let rule = raw.rule.trim().to_owned();
            if !known_rules.contains(&rule.as_str()) {
                return Err(invalid(format!(
                    "unknown rule id {rule:?}; `dynaudit rules` lists them"
                )));
            }
            for (key, value) in [
                ("reason", &raw.reason),
                ("owner", &raw.owner),
                ("resource", &raw.resource),
            ] {
                if value.trim().is_empty() {
                    return Err(invalid(format!("`{key}` must not be empty")));
                }
            }
            let matcher = GlobBuilder::new(raw.resource.trim())
                .literal_separator(false)
                .backslash_escape(true)
                .build()
                .map_err(|err| invalid(format!("`resource` is not a valid pattern: {err}")))?
                .compile_matcher();
            let account = raw.account.as_deref().map(str::trim).map(str::to_owned);
            let account_matcher = match &account {
                None => None,
                Some(pattern) => {
                    if pattern.is_empty()
                        || !pattern.chars().all(|c| {
                            c.is_ascii_digit() || matches!(c, '*' | '?' | '[' | ']' | '-' | '!')
                        })
                    {
                        return Err(invalid(format!(
                            "`account` must be a 12-digit account id or a pattern of digits and * ? [...] (got {:?})",
                            crate::text_file::printable(pattern)
                        )));
                    }
                    Some(
                        GlobBuilder::new(pattern)
                            .build()
                            .map_err(|err| {
                                invalid(format!("`account` is not a valid pattern: {err}"))
                            })?
                            .compile_matcher(),
                    )
                }
            };
            let expires = match (raw.expires.date, raw.expires.time, raw.expires.offset) {
                (Some(d), None, None) => Date::from_calendar_date(
                    i32::from(d.year),
                    time::Month::try_from(d.month).map_err(|err| invalid(err.to_string()))?,
                    d.day,
                )
                .map_err(|err| invalid(format!("`expires`: {err}")))?,
                _ => {
                    return Err(invalid(format!(
                        "`expires` must be a date such as 2027-03-31, without a time (got {})",
                        raw.expires
                    )));
                }
            };
            entries.push(Waiver {
                rule,
                resource: raw.resource.trim().to_owned(),
                matcher,
                account,
                account_matcher,
                reason: raw.reason.trim().to_owned(),
                owner: raw.owner.trim().to_owned(),
                expires,
                source: format!("{path}:{line}"),
            });
        }
        Ok(Waivers { entries })
    }

    /// Marks the findings that waivers cover, as of `as_of` (the evidence's
    /// day), and says what became of each entry.
    pub fn apply(&self, findings: &mut [Finding], as_of: Date) -> WaiverReport {
        let mut matched = vec![0usize; self.entries.len()];
        for finding in findings.iter_mut() {
            if finding.status == Status::Pass {
                continue;
            }
            let mut candidates = self
                .entries
                .iter()
                .enumerate()
                .filter(|(_, w)| w.matches(finding));
            // An entry in force wins over an expired one; otherwise file order.
            let first = candidates.next();
            let chosen = match first {
                Some((_, w)) if w.expires >= as_of => first,
                _ => candidates.find(|(_, w)| w.expires >= as_of).or(first),
            };
            if let Some((index, waiver)) = chosen {
                matched[index] += 1;
                finding.waiver = Some(WaiverMark {
                    state: if waiver.expires >= as_of {
                        WaiverState::Active
                    } else {
                        WaiverState::Expired
                    },
                    reason: waiver.reason.clone(),
                    owner: waiver.owner.clone(),
                    expires: date_string(waiver.expires),
                    source: waiver.source.clone(),
                });
            }
        }
        let entries = self
            .entries
            .iter()
            .zip(matched)
            .map(|(w, findings)| WaiverEntryReport {
                rule: w.rule.clone(),
                resource: w.resource.clone(),
                account: w.account.clone(),
                owner: w.owner.clone(),
                reason: w.reason.clone(),
                expires: date_string(w.expires),
                source: w.source.clone(),
                state: if w.expires < as_of {
                    WaiverEntryState::Expired
                } else if findings == 0 {
                    WaiverEntryState::Stale
                } else {
                    WaiverEntryState::Applied
                },
                findings,
            })
            .collect();
        WaiverReport {
            as_of: date_string(as_of),
            entries,
        }
    }
}

/// `YYYY-MM-DD`.
fn date_string(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// The day an inventory's evidence speaks for: the UTC date of its
/// `collected_at` (RFC 3339).
pub fn evidence_day(collected_at: &str) -> Option<Date> {
    time::OffsetDateTime::parse(collected_at, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.to_offset(time::UtcOffset::UTC).date())
}

/// What became of one waiver entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaiverEntryState {
    /// In force and waiving at least one finding.
    Applied,
    /// Past its expiry date; its findings count again.
    Expired,
    /// In force but matching no failing or unknown finding: remove it.
    Stale,
}

/// One entry of [`WaiverReport`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaiverEntryReport {
    /// Rule id.
    pub rule: String,
    /// Resource pattern.
    pub resource: String,
    /// Account pattern, if the entry has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Who answers for it.
    pub owner: String,
    /// Why.
    pub reason: String,
    /// Last day it applies.
    pub expires: String,
    /// `file:line`.
    pub source: String,
    /// applied, expired or stale.
    pub state: WaiverEntryState,
    /// Failing or unknown findings it matched.
    pub findings: usize,
}

/// What the waivers did (`waivers` of the JSON report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaiverReport {
    /// The day expiry was judged on (the evidence's day).
    pub as_of: String,
    /// Every entry, in file order.
    pub entries: Vec<WaiverEntryReport>,
}

impl WaiverReport {
    /// Adds what the same waivers did in another account's evidence: an
    /// entry is applied if it waived anything anywhere, expired if it
    /// expired anywhere and waived nothing, stale otherwise; `as_of` is the
    /// latest evidence day.
    pub fn merge(&mut self, other: &WaiverReport) {
        if other.as_of > self.as_of {
            self.as_of = other.as_of.clone();
        }
        for (mine, theirs) in self.entries.iter_mut().zip(&other.entries) {
            mine.findings += theirs.findings;
            let state = |a: WaiverEntryState| match a {
                WaiverEntryState::Applied => 2,
                WaiverEntryState::Expired => 1,
                WaiverEntryState::Stale => 0,
            };
            if state(theirs.state) > state(mine.state) {
                mine.state = theirs.state;
            }
        }
    }

    /// Entries in the given state.
    pub fn in_state(&self, state: WaiverEntryState) -> impl Iterator<Item = &WaiverEntryReport> {
        self.entries.iter().filter(move |e| e.state == state)
    }

    /// One warning per expired entry, then one per stale entry (the table
    /// report and the summary on standard error).
    pub fn warnings(&self) -> Vec<String> {
        let expired = self.in_state(WaiverEntryState::Expired).map(|e| {
            format!(
                "waiver at {} ({} on {}) expired on {}: it no longer applies",
                e.source, e.rule, e.resource, e.expires
            )
        });
        let stale = self.in_state(WaiverEntryState::Stale).map(|e| {
            format!(
                "waiver at {} ({} on {}) matches no failing or unknown outcome: stale, remove it",
                e.source, e.rule, e.resource
            )
        });
        expired.chain(stale).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::Severity;

    const RULES: &[&str] = &["DYN101", "DYN204"];

    fn finding(rule: &str, status: Status, resource: &str) -> Finding {
        Finding {
            rule_id: rule.to_owned(),
            status,
            severity: Severity::High,
            account: "123456789012".to_owned(),
            region: "us-east-1".to_owned(),
            resource: resource.to_owned(),
            message: String::new(),
            evidence: serde_json::Value::Null,
            frameworks: Default::default(),
            waiver: None,
            baseline: None,
        }
    }

    fn parse(text: &str) -> Result<Waivers, WaiverError> {
        Waivers::parse("waivers.toml", text, RULES)
    }

    const ONE: &str = r#"
[[waiver]]
rule = "DYN101"
resource = "arn:aws:dynamodb:*:123456789012:table/legacy-*"
reason = "migrating"
owner = "team@example.com"
expires = 2027-03-31
"#;

    #[test]
    fn applies_until_expiry_inclusive() {
        let waivers = parse(ONE).unwrap();
        let arn = "arn:aws:dynamodb:us-east-1:123456789012:table/legacy-orders";
        let mut findings = vec![
            finding("DYN101", Status::Fail, arn),
            finding(
                "DYN101",
                Status::Pass,
                "arn:aws:dynamodb:us-east-1:123456789012:table/legacy-x",
            ),
            finding(
                "DYN101",
                Status::Fail,
                "arn:aws:dynamodb:us-east-1:123456789012:table/orders",
            ),
            finding("DYN204", Status::Fail, arn),
        ];
        let day = time::macros::date!(2027 - 03 - 31);
        let report = waivers.apply(&mut findings, day);
        let mark = findings[0].waiver.as_ref().unwrap();
        assert_eq!(mark.state, WaiverState::Active);
        assert_eq!(mark.source, "waivers.toml:2");
        assert!(findings[1..].iter().all(|f| f.waiver.is_none()));
        assert_eq!(report.entries[0].state, WaiverEntryState::Applied);
        assert_eq!(report.entries[0].findings, 1);

        for f in &mut findings {
            f.waiver = None;
        }
        let report = waivers.apply(&mut findings, time::macros::date!(2027 - 04 - 01));
        assert_eq!(
            findings[0].waiver.as_ref().unwrap().state,
            WaiverState::Expired
        );
        assert_eq!(report.entries[0].state, WaiverEntryState::Expired);
    }

    #[test]
    fn unmatched_entry_is_stale() {
        let waivers = parse(ONE).unwrap();
        let mut findings = vec![finding(
            "DYN101",
            Status::Fail,
            "arn:aws:dynamodb:us-east-1:1:table/x",
        )];
        let report = waivers.apply(&mut findings, time::macros::date!(2026 - 01 - 01));
        assert_eq!(report.entries[0].state, WaiverEntryState::Stale);
        assert_eq!(report.in_state(WaiverEntryState::Stale).count(), 1);
    }

    #[test]
    fn active_entry_wins_over_expired_one() {
        let text = format!(
            "{ONE}\n[[waiver]]\nrule = \"DYN101\"\nresource = \"*\"\nreason = \"r\"\nowner = \"o\"\nexpires = 2030-01-01\n"
        );
        let waivers = parse(&text).unwrap();
        let mut findings = vec![finding(
            "DYN101",
            Status::Unknown,
            "arn:aws:dynamodb:us-east-1:123456789012:table/legacy-a",
        )];
        let report = waivers.apply(&mut findings, time::macros::date!(2028 - 01 - 01));
        let mark = findings[0].waiver.as_ref().unwrap();
        assert_eq!(mark.state, WaiverState::Active);
        assert_eq!(mark.source, "waivers.toml:9");
        assert_eq!(report.entries[0].state, WaiverEntryState::Expired);
        assert_eq!(report.entries[1].state, WaiverEntryState::Applied);
    }

    #[test]
    fn invalid_entries_name_file_and_line() {
        let cases = [
            (
                ONE.replace("reason = \"migrating\"\n", ""),
                "waivers.toml:2:1",
                "reason",
            ),
            (
                ONE.replace("\"migrating\"", "\"  \""),
                "waivers.toml:2: waiver #1",
                "`reason` must not be empty",
            ),
            (
                ONE.replace("DYN101", "DYN999"),
                "waivers.toml:2: waiver #1",
                "unknown rule id \"DYN999\"",
            ),
            (
                ONE.replace("2027-03-31", "2027-02-30"),
                "waivers.toml:7:",
                "",
            ),
            (
                ONE.replace("2027-03-31", "\"soon\""),
                "waivers.toml:7:",
                "datetime",
            ),
            (
                ONE.replace("2027-03-31", "2027-03-31T10:00:00Z"),
                "waivers.toml:2: waiver #1",
                "without a time",
            ),
            (
                ONE.replace("legacy-*", "legacy-[*"),
                "waivers.toml:2: waiver #1",
                "not a valid pattern",
            ),
            (
                format!("{ONE}colour = 1\n"),
                "waivers.toml:8:",
                "unknown field",
            ),
        ];
        for (text, at, what) in cases {
            let err = parse(&text).unwrap_err().to_string();
            assert!(err.starts_with(at), "{err}");
            assert!(err.contains(what), "{err}");
        }
    }

    #[test]
    fn evidence_day_is_utc() {
        assert_eq!(
            evidence_day("2027-03-31T23:30:00-02:00"),
            Some(time::macros::date!(2027 - 04 - 01))
        );
        assert_eq!(evidence_day("yesterday"), None);
    }
}
