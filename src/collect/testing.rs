//! Test support for the collectors: SDK clients whose answers come from
//! `aws-smithy-mocks` rules, a context that records errors, and wire-format
//! error responses of each AWS protocol.
//!
//! Clients are built by hand rather than with `aws_smithy_mocks::mock_client!`
//! so the SDK crates need no `test-util` feature (which would rebuild them).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::retry::RetryConfig;

use crate::collect::context::RegionContext;
use crate::collect::errors::ErrorRecorder;
use crate::collect::limits::RateLimits;
use crate::inventory::CollectionError;

/// Builds a client of SDK crate `$sdk` answering from the mock `$rules`,
/// as one of AWS's endpoints, or with `custom_endpoint` as an emulator's.
macro_rules! test_client {
    ($sdk:ident, $mode:expr, [$($rule:expr),* $(,)?]) => {
        test_client!($sdk, $mode, [$($rule),*], custom_endpoint = false)
    };
    ($sdk:ident, $mode:expr, [$($rule:expr),* $(,)?], custom_endpoint = $custom:expr) => {{
        #[allow(unused_mut)]
        let mut interceptor = aws_smithy_mocks::MockResponseInterceptor::new().rule_mode($mode);
        $( interceptor = interceptor.with_rule($rule); )*
        let config = $sdk::Config::builder()
            .behavior_version($sdk::config::BehaviorVersion::latest())
            .region($sdk::config::Region::new("us-east-1"))
            .credentials_provider($sdk::config::Credentials::new(
                "AKIDTEST", "secret", None, None, "test",
            ))
            .http_client(aws_smithy_mocks::create_mock_http_client())
            .retry_config($crate::collect::testing::fast_retries())
            .retry_classifier($crate::collect::errors::NotImplementedByEndpoint {
                custom_endpoint: $custom,
            })
            .retry_partition($sdk::config::retry::RetryPartition::new(
                $crate::collect::testing::unique_partition(),
            ))
            .interceptor(interceptor)
            .build();
        $sdk::Client::from_conf(config)
    }};
}
pub(crate) use test_client;

/// Standard retries, 3 attempts, with millisecond backoff so tests of
/// "throttled after every retry" finish at once.
pub(crate) fn fast_retries() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(2))
}

/// A retry partition of its own per client, so retry token buckets are not
/// shared between tests.
pub(crate) fn unique_partition() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!("dynaudit-test-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// A context for `region` with a fresh error recorder.
pub(crate) fn context(region: &str) -> RegionContext {
    RegionContext {
        region: region.to_string(),
        sdk_config: aws_config::SdkConfig::builder().build(),
        account_id: "123456789012".to_string(),
        partition: "aws".to_string(),
        errors: ErrorRecorder::default(),
        limits: Arc::new(RateLimits::unlimited()),
        operations: Default::default(),
        breaker: Default::default(),
        region_endpoints: Default::default(),
    }
}

/// The one error recorded; fails the test if there is not exactly one.
pub(crate) fn only_error(ctx: &RegionContext) -> CollectionError {
    let errors = ctx.errors.snapshot();
    assert_eq!(errors.len(), 1, "expected exactly one error: {errors:#?}");
    errors.into_iter().next().unwrap()
}

/// Asserts nothing was recorded.
pub(crate) fn assert_no_errors(ctx: &RegionContext) {
    let errors = ctx.errors.snapshot();
    assert!(errors.is_empty(), "unexpected errors: {errors:#?}");
}

pub(crate) fn response(
    status: u16,
    headers: &[(&'static str, &'static str)],
    body: String,
) -> HttpResponse {
    let mut response =
        HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::from(body));
    for (name, value) in headers {
        response.headers_mut().insert(*name, *value);
    }
    response
}

/// An error of the awsJson1.1 / restJson1 protocols (CloudTrail, Config,
/// DAX, Backup, DynamoDB).
pub(crate) fn json_error(status: u16, code: &'static str, message: &str) -> HttpResponse {
    response(
        status,
        &[
            ("content-type", "application/x-amz-json-1.1"),
            ("x-amzn-errortype", code),
        ],
        serde_json::json!({ "__type": code, "message": message }).to_string(),
    )
}

/// An error of the awsQuery protocol (IAM).
pub(crate) fn query_error(status: u16, code: &str, message: &str) -> HttpResponse {
    response(
        status,
        &[("content-type", "text/xml")],
        format!(
            "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\
             <Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>\
             <RequestId>4c1b1c55-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
        ),
    )
}

/// An error of the ec2Query protocol.
pub(crate) fn ec2_error(status: u16, code: &str, message: &str) -> HttpResponse {
    response(
        status,
        &[("content-type", "text/xml;charset=UTF-8")],
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
             <Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors>\
             <RequestID>4c1b1c55-0000-0000-0000-000000000000</RequestID></Response>"
        ),
    )
}

/// What a load balancer in front of a service answers when it falls over:
/// a 500 with an HTML page.
pub(crate) fn html_500() -> HttpResponse {
    let filler = "<p>The server encountered an internal error and was unable to complete your request.</p>\n".repeat(40);
    response(
        500,
        &[("content-type", "text/html")],
        format!(
            "<!DOCTYPE html>\n<html>\n<head><title>500 Internal Server Error</title></head>\n<body>\n<h1>Internal Server Error</h1>\n{filler}</body>\n</html>\n"
        ),
    )
}

/// Checks the error of a 500-with-HTML answer: kind other, one short line
/// in words (what the answer starts with), never the parser's complaint or
/// the SDK's debug dump.
pub(crate) fn assert_html_500_error(error: &CollectionError) {
    assert_eq!(error.kind, crate::inventory::ErrorKind::Other, "{error:?}");
    assert!(!error.message.contains('\n'), "{error:?}");
    assert!(error.message.chars().count() <= 303, "{error:?}");
    assert!(
        error.message.contains("HTTP 500") && error.message.contains("<!DOCTYPE html>"),
        "{error:?}"
    );
    for raw in [
        "unexpected token",
        "unhandled error",
        "Error {",
        "ErrorMetadata",
    ] {
        assert!(!error.message.contains(raw), "{error:?}");
    }
}

/// An answer a JSON-protocol service's client cannot read: a 403 in XML
/// (what a proxy, or an emulator enforcing IAM, may send).
pub(crate) fn xml_403(code: &str, message: &str) -> HttpResponse {
    response(
        403,
        &[("content-type", "text/xml")],
        format!(
            "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>\
             <Message>{message}</Message></Error><RequestId>4c1b1c55</RequestId></ErrorResponse>"
        ),
    )
}

/// A JSON-protocol error with no message and a request id header.
pub(crate) fn json_error_without_message(status: u16, code: &'static str) -> HttpResponse {
    response(
        status,
        &[
            ("content-type", "application/x-amz-json-1.0"),
            ("x-amzn-errortype", code),
            ("x-amzn-requestid", "REQ-1234"),
        ],
        serde_json::json!({ "__type": code }).to_string(),
    )
}
