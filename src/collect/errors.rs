//! Turning failed SDK calls into inventory evidence.
//!
//! Every failed call is recorded as a [`CollectionError`], classified, with
//! the service, region, operation and (when it was about one) resource. The
//! field the call would have filled stays `null`, so rules report unknown.

use std::error::Error as StdError;
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::collect::breaker::find_unreachable;
use crate::collect::util::{error_chain, lock};
use crate::inventory::{CollectionError, ErrorKind};

/// Collects the errors of a whole scan; cheap to clone, shared by all tasks.
#[derive(Debug, Clone, Default)]
pub struct ErrorRecorder {
    errors: Arc<Mutex<Vec<CollectionError>>>,
}

/// What went wrong with one call, extracted from an [`SdkError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallFailure {
    pub kind: ErrorKind,
    pub code: String,
    pub message: String,
    /// HTTP status, when a response was received.
    pub http_status: Option<u16>,
}

impl ErrorRecorder {
    /// Records a failed call and returns its classification, so the caller
    /// can tell e.g. `ResourceNotFound` answers apart if it must.
    pub fn record<E>(
        &self,
        service: &str,
        region: &str,
        operation: &str,
        resource: Option<&str>,
        err: &SdkError<E, HttpResponse>,
    ) -> CallFailure
    where
        E: ProvideErrorMetadata + StdError + 'static,
    {
        let failure = describe(err);
        self.push(CollectionError {
            service: service.to_string(),
            region: region.to_string(),
            operation: operation.to_string(),
            resource: resource.map(str::to_string),
            kind: failure.kind,
            code: failure.code.clone(),
            message: failure.message.clone(),
        });
        failure
    }

    /// Records an error that did not come from an SDK call (e.g. an answer
    /// that could not be decoded).
    pub fn push(&self, error: CollectionError) {
        lock(&self.errors).push(error);
    }

    /// All errors so far, sorted (the inventory is byte-stable).
    pub fn snapshot(&self) -> Vec<CollectionError> {
        let mut errors = lock(&self.errors).clone();
        errors.sort();
        errors.dedup();
        errors
    }
}

/// Extracts code, message, HTTP status and classification from an SDK error.
pub fn describe<E>(err: &SdkError<E, HttpResponse>) -> CallFailure
where
    E: ProvideErrorMetadata + StdError + 'static,
{
    match err {
        SdkError::ServiceError(service_err) => {
            let status = service_err.raw().status().as_u16();
            let inner = service_err.err();
            let code = inner.code().unwrap_or("").to_string();
            let message = inner
                .message()
                .map(str::to_string)
                .unwrap_or_else(|| error_chain(inner));
            let code = if code.is_empty() {
                format!("HTTP{status}")
            } else {
                code
            };
            CallFailure {
                kind: classify(&code, Some(status)),
                code,
                message: truncate(&message),
                http_status: Some(status),
            }
        }
        SdkError::ResponseError(response_err) => {
            let status = response_err.raw().status().as_u16();
            CallFailure {
                kind: classify("", Some(status)),
                code: format!("HTTP{status}"),
                message: truncate(&format!(
                    "unreadable response (HTTP {status}): {}",
                    error_chain(err)
                )),
                http_status: Some(status),
            }
        }
        SdkError::TimeoutError(_) => CallFailure {
            kind: ErrorKind::RegionUnavailable,
            code: "Timeout".to_string(),
            message: truncate(&error_chain(err)),
            http_status: None,
        },
        SdkError::DispatchFailure(dispatch) => match find_unreachable(err) {
            Some(unreachable) => CallFailure {
                kind: ErrorKind::RegionUnavailable,
                code: "RegionUnavailable".to_string(),
                message: truncate(&unreachable.to_string()),
                http_status: None,
            },
            None => CallFailure {
                kind: if dispatch.is_io() || dispatch.is_timeout() {
                    ErrorKind::RegionUnavailable
                } else {
                    ErrorKind::Other
                },
                code: "DispatchFailure".to_string(),
                message: truncate(&error_chain(err)),
                http_status: None,
            },
        },
        _ => CallFailure {
            kind: ErrorKind::Other,
            code: "ClientError".to_string(),
            message: truncate(&error_chain(err)),
            http_status: None,
        },
    }
}

/// Classifies an AWS error code (and HTTP status when the code is empty or
/// generic).
pub fn classify(code: &str, http_status: Option<u16>) -> ErrorKind {
    const ACCESS: &[&str] = &[
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnauthorizedAccess",
        "AuthorizationError",
        "NotAuthorized",
        "InsufficientPrivilegesException",
    ];
    const THROTTLE: &[&str] = &[
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "RequestThrottled",
        "RequestThrottledException",
        "SlowDown",
        "LimitExceededException",
    ];
    const UNSUPPORTED: &[&str] = &[
        "UnknownOperationException",
        "InvalidAction",
        "NotImplemented",
        "UnsupportedOperation",
        "UnsupportedOperationException",
        "InvalidParameterValue.UnsupportedRegion",
    ];
    const REGION: &[&str] = &[
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "OptInRequired",
        "AuthFailure",
    ];
    if ACCESS.contains(&code) {
        ErrorKind::AccessDenied
    } else if THROTTLE.contains(&code) {
        ErrorKind::Throttled
    } else if UNSUPPORTED.contains(&code) {
        ErrorKind::Unsupported
    } else if REGION.contains(&code) {
        // A token the region does not recognise: the region is not enabled
        // for the account (opt-in regions).
        ErrorKind::RegionUnavailable
    } else {
        match http_status {
            Some(403) => ErrorKind::AccessDenied,
            Some(429) => ErrorKind::Throttled,
            Some(404) | Some(501) => ErrorKind::Unsupported,
            _ => ErrorKind::Other,
        }
    }
}

/// Error messages end up in reports; an HTML error page must not.
fn truncate(message: &str) -> String {
    const MAX: usize = 300;
    let one_line: String = message.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= MAX {
        one_line
    } else {
        let cut: String = one_line.chars().take(MAX).collect();
        format!("{cut}...")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_known_codes() {
        assert_eq!(
            classify("AccessDeniedException", Some(400)),
            ErrorKind::AccessDenied
        );
        assert_eq!(
            classify("ThrottlingException", Some(400)),
            ErrorKind::Throttled
        );
        assert_eq!(classify("Throttling", Some(400)), ErrorKind::Throttled);
        assert_eq!(classify("", Some(404)), ErrorKind::Unsupported);
        assert_eq!(classify("", Some(500)), ErrorKind::Other);
        assert_eq!(
            classify("UnrecognizedClientException", Some(400)),
            ErrorKind::RegionUnavailable
        );
    }

    #[test]
    fn truncates_html_bodies() {
        let html = "<html>\n<body>".to_string() + &"x".repeat(1000);
        let out = truncate(&html);
        assert!(out.len() < 320);
        assert!(!out.contains('\n'));
    }
}
