//! Why an account of a run could not be collected, by cause: what the
//! summary counts and the index records.

use serde::{Deserialize, Serialize};

/// The cause of a failed account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// `sts:AssumeRole` was refused: the role is missing, its trust policy
    /// does not allow the caller, or the caller may not assume it (AWS does
    /// not say which).
    AccessDenied,
    /// Refused by an explicit deny of a service control policy.
    ScpDenied,
    /// STS is not enabled in the region for the account
    /// (`RegionDisabledException`).
    RegionDisabled,
    /// The endpoint could not be reached.
    Unreachable,
    /// Named with `--accounts` but not an ACTIVE member of the organization
    /// (unknown, outside the `--ou`, suspended, closed).
    NotAMember,
    /// Anything else (the message says what).
    Other,
}

impl FailureKind {
    /// `access denied`, as in the summary.
    pub fn describe(self) -> &'static str {
        match self {
            FailureKind::AccessDenied => "access denied",
            FailureKind::ScpDenied => "denied by an SCP",
            FailureKind::RegionDisabled => "region disabled",
            FailureKind::Unreachable => "unreachable",
            FailureKind::NotAMember => "not an active member",
            FailureKind::Other => "other",
        }
    }

    /// The cause of a failed `sts:AssumeRole` (or identity call) from its
    /// error code, message and HTTP status (`None`: no answer).
    pub fn of_call(code: &str, message: &str, http_status: Option<u16>) -> FailureKind {
        let lower = message.to_ascii_lowercase();
        if http_status.is_none() && !code.contains("Denied") {
            return FailureKind::Unreachable;
        }
        if code == "RegionDisabledException" || lower.contains("not activated") {
            return FailureKind::RegionDisabled;
        }
        if lower.contains("service control polic") {
            return FailureKind::ScpDenied;
        }
        if code.contains("AccessDenied") || http_status == Some(403) {
            return FailureKind::AccessDenied;
        }
        FailureKind::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_assume_role_failures() {
        assert_eq!(
            FailureKind::of_call(
                "AccessDenied",
                "User: arn:aws:iam::111111111111:user/ci is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role/Audit",
                Some(403)
            ),
            FailureKind::AccessDenied
        );
        assert_eq!(
            FailureKind::of_call(
                "AccessDenied",
                "... with an explicit deny in a service control policy",
                Some(403)
            ),
            FailureKind::ScpDenied
        );
        assert_eq!(
            FailureKind::of_call(
                "RegionDisabledException",
                "STS is not activated in this region for account:222222222222",
                Some(403)
            ),
            FailureKind::RegionDisabled
        );
        assert_eq!(
            FailureKind::of_call("DispatchFailure", "connection refused", None),
            FailureKind::Unreachable
        );
        assert_eq!(
            FailureKind::of_call("Throttling", "Rate exceeded", Some(400)),
            FailureKind::Other
        );
    }
}
