//! The failed calls of a collection (`errors` of the inventory): each
//! explains a `null` that was not collected.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::inventory::fields::nullable;

/// One failed API call.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CollectionError {
    /// Service name as in the SDK: `dynamodb`, `kms`, `iam`, ...
    pub service: String,
    /// Region the call was sent to (`global` for IAM).
    pub region: String,
    /// API operation, e.g. `DescribeContinuousBackups`.
    pub operation: String,
    /// The resource the call was about, when it was about one (ARN).
    #[serde(deserialize_with = "nullable")]
    pub resource: Option<String>,
    /// Classification of the failure.
    pub kind: ErrorKind,
    /// The service's error code, e.g. `AccessDeniedException`.
    pub code: String,
    /// The service's error message.
    pub message: String,
}

/// Why a call failed.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The credentials lack permission for the call.
    AccessDenied,
    /// Throttled, and still throttled after every retry.
    Throttled,
    /// The endpoint does not serve the operation (or the feature is not
    /// available in that region).
    Unsupported,
    /// The region is disabled for the account or unreachable.
    RegionUnavailable,
    /// Anything else (5xx, malformed answer, timeout).
    Other,
    /// Planned evidence (`dynaudit iac`, since 1.4): the infrastructure
    /// code does not determine the value (an imported value, a parameter
    /// without a value, a key created elsewhere, a value known only after
    /// apply). The message says which expression and where.
    NotDeterminable,
}

impl ErrorKind {
    /// The snake_case name, as in the inventory.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::AccessDenied => "access_denied",
            ErrorKind::Throttled => "throttled",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::RegionUnavailable => "region_unavailable",
            ErrorKind::Other => "other",
            ErrorKind::NotDeterminable => "not_determinable",
        }
    }
}
