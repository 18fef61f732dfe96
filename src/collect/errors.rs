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
    endpoints: Arc<CustomEndpoints>,
}

/// Where the scan talks to an endpoint of its own rather than AWS's
/// (`AWS_ENDPOINT_URL`, `[scan.region_endpoints]`): an emulator or a proxy,
/// whose own answers carry no AWS request id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomEndpoints {
    /// Every region (`AWS_ENDPOINT_URL`).
    pub all: bool,
    /// These regions (`[scan.region_endpoints]`).
    pub regions: std::collections::BTreeSet<String>,
}

impl CustomEndpoints {
    /// Whether calls in `region` go to a custom endpoint.
    pub fn covers(&self, region: &str) -> bool {
        self.all || self.regions.contains(region)
    }
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
    /// A recorder for a scan whose calls go to `endpoints`.
    pub fn for_endpoints(endpoints: CustomEndpoints) -> ErrorRecorder {
        ErrorRecorder {
            errors: Arc::default(),
            endpoints: Arc::new(endpoints),
        }
    }

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
        let failure = describe_from(err, self.endpoints.covers(region));
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

/// Extracts code, message, HTTP status and classification from an SDK error,
/// in words for the report: the service's code and message and its request
/// id, never the SDK's debug dump; for an answer that is not the service's
/// format (an HTML error page, a proxy), the code found in its body, if any,
/// and what it starts with.
pub fn describe<E>(err: &SdkError<E, HttpResponse>) -> CallFailure
where
    E: ProvideErrorMetadata + StdError + 'static,
{
    describe_from(err, false)
}

/// [`describe`] of a call sent to a custom endpoint (`custom_endpoint`) or
/// to AWS: an answer that says the endpoint does not serve the call
/// ([`is_not_served_answer`]) is `unsupported`, and was not retried.
pub fn describe_from<E>(err: &SdkError<E, HttpResponse>, custom_endpoint: bool) -> CallFailure
where
    E: ProvideErrorMetadata + StdError + 'static,
{
    let failure = describe_answer(err);
    let response = match err {
        SdkError::ServiceError(e) => Some(e.raw()),
        SdkError::ResponseError(e) => Some(e.raw()),
        _ => None,
    };
    match response {
        Some(response) if is_not_served(response, custom_endpoint) => CallFailure {
            kind: ErrorKind::Unsupported,
            code: "NotImplemented".to_string(),
            message: truncate(&format!(
                "the endpoint does not serve this call ({}); not retried",
                failure.message
            )),
            http_status: failure.http_status,
        },
        _ => failure,
    }
}

fn describe_answer<E>(err: &SdkError<E, HttpResponse>) -> CallFailure
where
    E: ProvideErrorMetadata + StdError + 'static,
{
    match err {
        SdkError::ServiceError(service_err) => {
            let status = service_err.raw().status().as_u16();
            let inner = service_err.err();
            let sniffed = sniff_body(service_err.raw().body().bytes());
            let code = inner
                .code()
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .or_else(|| sniffed.code.clone())
                .unwrap_or_else(|| format!("HTTP{status}"));
            let message = inner
                .message()
                .filter(|m| !m.trim().is_empty())
                .map(str::to_string)
                .or_else(|| sniffed.message.clone())
                .unwrap_or_else(|| match (&sniffed.code, &sniffed.start) {
                    (None, Some(start)) if !start.starts_with('{') => format!(
                        "HTTP {status}, and the answer is not the service's format (it starts with {start:?})"
                    ),
                    _ => format!("HTTP {status}, no message in the answer"),
                });
            let message = with_request_id(&message, inner.meta().extra("aws_request_id"));
            CallFailure {
                kind: classify(&code, Some(status)),
                code,
                message: truncate(&message),
                http_status: Some(status),
            }
        }
        SdkError::ResponseError(response_err) => {
            let status = response_err.raw().status().as_u16();
            let sniffed = sniff_body(response_err.raw().body().bytes());
            let code = sniffed
                .code
                .clone()
                .unwrap_or_else(|| format!("HTTP{status}"));
            let message = match (&sniffed.message, &sniffed.start) {
                (Some(message), _) => message.clone(),
                (None, Some(start)) => format!(
                    "HTTP {status}, and the answer is not the service's format (it starts with {start:?})"
                ),
                (None, None) => format!("HTTP {status} with an empty or unreadable answer"),
            };
            CallFailure {
                kind: classify(
                    if sniffed.code.is_some() { &code } else { "" },
                    Some(status),
                ),
                code,
                message: truncate(&message),
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

fn with_request_id(message: &str, request_id: Option<&str>) -> String {
    match request_id.filter(|id| !id.is_empty()) {
        Some(id) => format!("{message} (request id {id})"),
        None => message.to_string(),
    }
}

/// What an answer's body says, when the SDK could not read it as the
/// service's error: the code and message of an AWS XML or JSON error
/// (`<Code>AccessDenied</Code>`, `"__type": "...#AccessDeniedException"`),
/// and how it starts.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct SniffedBody {
    pub code: Option<String>,
    pub message: Option<String>,
    pub start: Option<String>,
}

pub(crate) fn sniff_body(body: Option<&[u8]>) -> SniffedBody {
    let Some(text) = body.map(String::from_utf8_lossy) else {
        return SniffedBody::default();
    };
    let text = text.trim();
    if text.is_empty() {
        return SniffedBody::default();
    }
    let xml = |tag: &str| {
        let open = format!("<{tag}>");
        let start = text.find(&open)? + open.len();
        let end = text[start..].find("</")? + start;
        Some(text[start..end].trim().to_string()).filter(|v| !v.is_empty())
    };
    let json = serde_json::from_str::<serde_json::Value>(text).ok();
    let json_field = |keys: &[&str]| {
        let object = json.as_ref()?.as_object()?;
        keys.iter()
            .find_map(|k| object.get(*k).and_then(|v| v.as_str()))
            .map(|v| v.rsplit('#').next().unwrap_or(v).trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let is_code = |c: &String| {
        c.len() <= 100
            && c.chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '.' || ch == '_')
    };
    let code = json_field(&["__type", "code", "Code"])
        .or_else(|| xml("Code"))
        .filter(is_code);
    let message = json_field(&["message", "Message"]).or_else(|| xml("Message"));
    let start: String = text.chars().take(40).collect();
    SniffedBody {
        code,
        message,
        start: Some(start),
    }
}

/// Whether an answer says the endpoint does not serve the call: HTTP 500 or
/// 501, and either its body says so in an emulator's words ("has not been
/// implemented", "not yet implemented"), or, from a custom endpoint
/// (`custom_endpoint`: an emulator or a proxy, not AWS), it carries no AWS
/// request id and no error of the service's format (moto answers an
/// operation it lacks with its web framework's generic "500 Internal Server
/// Error" page).
///
/// Right on AWS: from AWS's own endpoints only the emulators' words count,
/// and AWS never says them; its 500s (`InternalServerError`,
/// `InternalFailure`, or a load balancer's HTML page) are transient and stay
/// retried. An operation AWS does not know is a 4xx
/// (`UnknownOperationException`, `InvalidAction`), never retried anyway.
pub fn is_not_served_answer(
    status: u16,
    custom_endpoint: bool,
    has_request_id: bool,
    body: &[u8],
) -> bool {
    if !(500..=501).contains(&status) {
        return false;
    }
    let head = &body[..body.len().min(4096)];
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    if text.contains("has not been implemented") || text.contains("not yet implemented") {
        return true;
    }
    custom_endpoint && !has_request_id && sniff_body(Some(body)).code.is_none()
}

/// Whether the headers carry an AWS request id.
pub fn has_request_id(headers: &aws_smithy_runtime_api::http::Headers) -> bool {
    ["x-amzn-requestid", "x-amz-request-id", "x-amzn-request-id"]
        .iter()
        .any(|name| headers.get(*name).is_some_and(|v| !v.trim().is_empty()))
}

/// [`is_not_served_answer`] of a response.
fn is_not_served(response: &HttpResponse, custom_endpoint: bool) -> bool {
    response.body().bytes().is_some_and(|body| {
        is_not_served_answer(
            response.status().as_u16(),
            custom_endpoint,
            has_request_id(response.headers()),
            body,
        )
    })
}

/// A retry classifier, installed on every client: an answer that says the
/// endpoint does not serve the call ([`is_not_served_answer`]) is never
/// retried (it cost a newcomer eight attempts with backoff per table
/// against the emulator). Every other answer is left to the SDK's standard
/// classifiers, so a real 500 is retried as before.
#[derive(Debug, Clone, Copy, Default)]
pub struct NotImplementedByEndpoint {
    /// Whether the client talks to a custom endpoint (see
    /// [`is_not_served_answer`]).
    pub custom_endpoint: bool,
}

impl aws_smithy_runtime_api::client::retries::classifiers::ClassifyRetry
    for NotImplementedByEndpoint
{
    fn classify_retry(
        &self,
        ctx: &aws_smithy_runtime_api::client::interceptors::context::InterceptorContext,
    ) -> aws_smithy_runtime_api::client::retries::classifiers::RetryAction {
        use aws_smithy_runtime_api::client::retries::classifiers::RetryAction;
        match ctx.response() {
            Some(response) if is_not_served(response, self.custom_endpoint) => {
                RetryAction::RetryForbidden
            }
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "dynaudit::NotImplementedByEndpoint"
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
    // The request itself was refused before authorisation: the credentials
    // or the clock are wrong, not the permissions.
    const CREDENTIALS: &[&str] = &[
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "InvalidSignatureException",
        "ExpiredToken",
        "ExpiredTokenException",
        "RequestExpired",
        "InvalidAccessKeyId",
        "MissingAuthenticationToken",
        "MissingAuthenticationTokenException",
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
    } else if CREDENTIALS.contains(&code) {
        ErrorKind::Other
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
    fn only_answers_of_an_endpoint_that_does_not_serve_the_call_are_not_retried() {
        let moto = b"<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>";
        // From an emulator: its generic 500 page, no request id.
        assert!(is_not_served_answer(500, true, false, moto));
        // From AWS's endpoints the same page is a load balancer falling
        // over: transient, retried.
        assert!(!is_not_served_answer(500, false, false, moto));
        // An emulator's words count anywhere.
        for custom in [false, true] {
            assert!(is_not_served_answer(
                501,
                custom,
                true,
                b"{\"message\": \"API action 'X' for service 'dynamodb' not yet implemented\"}"
            ));
            assert!(is_not_served_answer(
                500,
                custom,
                false,
                b"The DescribeContributorInsights action has not been implemented"
            ));
        }
        // AWS's own 500s carry a request id and the service's error: retried.
        let aws = b"{\"__type\":\"com.amazonaws.dynamodb.v20120810#InternalServerError\",\"message\":\"Internal server error\"}";
        assert!(!is_not_served_answer(500, true, true, aws));
        assert!(!is_not_served_answer(500, true, false, aws));
        assert!(!is_not_served_answer(500, true, true, moto));
        // Other statuses are left to the SDK.
        assert!(!is_not_served_answer(503, true, false, moto));
        assert!(!is_not_served_answer(400, true, false, moto));
    }

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
    fn a_body_the_sdk_could_not_read_names_its_code() {
        let xml = b"<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message></Error></ErrorResponse>";
        let sniffed = sniff_body(Some(xml));
        assert_eq!(sniffed.code.as_deref(), Some("SignatureDoesNotMatch"));
        assert_eq!(
            sniffed.message.as_deref(),
            Some("The request signature we calculated does not match")
        );
        // Classified by the code, not as access denied for being a 403.
        assert_eq!(
            classify("SignatureDoesNotMatch", Some(403)),
            ErrorKind::Other
        );
        let json = br#"{"__type":"com.amazon.coral.service#AccessDeniedException","Message":"no"}"#;
        assert_eq!(
            sniff_body(Some(json)).code.as_deref(),
            Some("AccessDeniedException")
        );
        let html = b"<html><body><h1>502 Bad Gateway</h1></body></html>";
        let sniffed = sniff_body(Some(html));
        assert_eq!(sniffed.code, None);
        assert_eq!(
            sniffed.start.as_deref(),
            Some("<html><body><h1>502 Bad Gateway</h1></bo")
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
