//! Per-region circuit breaker: an unreachable region fails fast.
//!
//! A region whose endpoints do not accept connections (a network that
//! blackholes it, a firewall, a name that does not resolve) would otherwise
//! cost every call its connect timeout times its attempts, plus back-off:
//! minutes for one region. [`RegionBreaker`] is an SDK interceptor installed
//! on every collector client (through [`sdk_client!`](crate::sdk_client)).
//! After the first attempt in a region that fails to *connect* (connect
//! refused or timed out, DNS failure; not a connection dropped after the
//! request was sent, nor an HTTP error), it refuses every further attempt in
//! that region, retries of calls already in flight included, before anything
//! is sent. The refused calls fail with [`RegionUnreachable`]; the collectors
//! record them like any failed call, and [`describe`](super::errors::describe)
//! classifies them as `region_unavailable`, so every item of the region that
//! was not collected is `null` with an error naming why, and its rules report
//! unknown. Other regions are not affected.

use std::collections::BTreeMap;
use std::error::Error as StdError;
use std::sync::{Arc, Mutex, MutexGuard};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use crate::collect::util::error_chain;
use crate::collect::util::region_of;

/// A call not sent because its region could not be reached earlier in the
/// scan.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "not sent: {region} could not be reached earlier in this scan ({cause}); the rest of the region was skipped"
)]
pub struct RegionUnreachable {
    /// The region.
    pub region: String,
    /// The connect failure that opened the breaker.
    pub cause: String,
}

/// The interceptor; cheap to clone, all clones share the state. One per
/// scan: it keys the state by the region of each request.
#[derive(Debug, Clone, Default)]
pub struct RegionBreaker {
    open: Arc<Mutex<BTreeMap<String, String>>>,
}

impl RegionBreaker {
    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, String>> {
        crate::collect::util::lock(&self.open)
    }

    /// Why `region` is cut off, if it is.
    pub fn cause(&self, region: &str) -> Option<String> {
        self.lock().get(region).cloned()
    }

    /// Cuts `region` off (the first cause is kept).
    pub fn open(&self, region: &str, cause: String) {
        self.lock().entry(region.to_string()).or_insert(cause);
    }

    /// The regions cut off, with why.
    pub fn snapshot(&self) -> BTreeMap<String, String> {
        self.lock().clone()
    }
}

/// Whether an error chain says the connection could not be opened: the
/// HTTP client's connect error (refused, connect timeout, DNS failure).
pub fn is_connect_failure(err: &(dyn StdError + 'static)) -> bool {
    let mut next = Some(err);
    while let Some(err) = next {
        if let Some(client_err) = err.downcast_ref::<hyper_util::client::legacy::Error>()
            && client_err.is_connect()
        {
            return true;
        }
        next = err.source();
    }
    false
}

impl Intercept for RegionBreaker {
    fn name(&self) -> &'static str {
        "dynaudit::RegionBreaker"
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let region = region_of(cfg);
        match self.cause(&region) {
            Some(cause) => Err(Box::new(RegionUnreachable { region, cause })),
            None => Ok(()),
        }
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(Err(err)) = context.output_or_error()
            && let Some(connector) = err.as_connector_error()
            && is_connect_failure(connector)
        {
            self.open(&region_of(cfg), error_chain(connector));
        }
        Ok(())
    }
}

/// Whether an SDK error chain holds a [`RegionUnreachable`].
pub fn find_unreachable<'a>(err: &'a (dyn StdError + 'static)) -> Option<&'a RegionUnreachable> {
    let mut next = Some(err);
    while let Some(err) = next {
        if let Some(found) = err.downcast_ref::<RegionUnreachable>() {
            return Some(found);
        }
        next = err.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_config::Region;

    #[test]
    fn opens_once_per_region() {
        let breaker = RegionBreaker::default();
        assert_eq!(breaker.cause("eu-west-1"), None);
        breaker.open("eu-west-1", "connect timeout".into());
        breaker.open("eu-west-1", "later".into());
        assert_eq!(
            breaker.cause("eu-west-1").as_deref(),
            Some("connect timeout")
        );
        assert_eq!(breaker.cause("us-east-1"), None);
        let clone = breaker.clone();
        assert_eq!(clone.snapshot().len(), 1);
    }

    #[test]
    fn finds_the_refusal_in_a_chain() {
        #[derive(Debug, thiserror::Error)]
        #[error("dispatch failure")]
        struct Outer(#[source] RegionUnreachable);
        let inner = RegionUnreachable {
            region: "eu-west-1".into(),
            cause: "connection refused".into(),
        };
        let outer = Outer(inner.clone());
        assert_eq!(find_unreachable(&outer), Some(&inner));
        assert!(inner.to_string().contains("eu-west-1 could not be reached"));
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        assert!(
            !is_connect_failure(&io),
            "only the HTTP client's connect error counts"
        );
    }

    fn sts(
        endpoint: &str,
        breaker: &RegionBreaker,
        recorder: &OperationRecorder,
    ) -> aws_sdk_sts::Client {
        use aws_config::retry::RetryConfig;
        use std::time::Duration;
        let config = aws_sdk_sts::Config::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(Region::new("eu-west-1"))
            .endpoint_url(endpoint)
            .credentials_provider(aws_sdk_sts::config::Credentials::for_tests())
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(4)
                    .with_initial_backoff(Duration::from_millis(1)),
            )
            .interceptor(recorder.clone())
            .interceptor(breaker.clone())
            .build();
        aws_sdk_sts::Client::from_conf(config)
    }

    use crate::collect::errors::describe;
    use crate::collect::record::OperationRecorder;
    use crate::inventory::ErrorKind;

    /// A refused connection opens the breaker at once: the call is not
    /// retried, and the next call is not sent.
    #[tokio::test]
    async fn a_refused_connection_cuts_the_region_off() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let breaker = RegionBreaker::default();
        let recorder = OperationRecorder::default();
        let client = sts(&format!("http://127.0.0.1:{port}"), &breaker, &recorder);
        let first = client.get_caller_identity().send().await.unwrap_err();
        assert_eq!(describe(&first).kind, ErrorKind::RegionUnavailable);
        assert!(
            breaker.cause("eu-west-1").is_some(),
            "{:?}",
            breaker.snapshot()
        );
        assert_eq!(
            recorder.snapshot()["sts:GetCallerIdentity"].attempts,
            1,
            "the retry of the failed call is refused too"
        );
        let second = client.get_caller_identity().send().await.unwrap_err();
        let failure = describe(&second);
        assert_eq!(failure.kind, ErrorKind::RegionUnavailable);
        assert_eq!(failure.code, "RegionUnavailable");
        assert!(
            failure.message.contains("eu-west-1 could not be reached"),
            "{failure:?}"
        );
        assert_eq!(recorder.snapshot()["sts:GetCallerIdentity"].attempts, 1);
    }

    /// `[scan.region_endpoints]` follows the region a client is built for,
    /// not the collector's region, and the breaker cuts off that region.
    #[tokio::test]
    async fn region_endpoints_follow_the_clients_region() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut ctx = crate::collect::testing::context("us-east-1");
        ctx.sdk_config = aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(aws_sdk_sts::config::SharedCredentialsProvider::new(
                aws_sdk_sts::config::Credentials::for_tests(),
            ))
            .build();
        ctx.region_endpoints = std::sync::Arc::new(BTreeMap::from([(
            "eu-west-1".to_string(),
            format!("http://127.0.0.1:{port}"),
        )]));
        let client = crate::sdk_client!(aws_sdk_sts, ctx, |b| b.region(Region::new("eu-west-1")));
        let err = client.get_caller_identity().send().await.unwrap_err();
        assert_eq!(describe(&err).kind, ErrorKind::RegionUnavailable);
        let cause = ctx.breaker.cause("eu-west-1").expect("eu-west-1 cut off");
        assert!(
            cause.contains("refused"),
            "the override, not the SDK's endpoint: {cause}"
        );
        assert_eq!(ctx.breaker.cause("us-east-1"), None);
    }

    /// A connection closed after the request was sent is a dropped answer,
    /// not an unreachable region: retried, breaker stays closed.
    #[tokio::test]
    async fn a_dropped_connection_is_retried_not_cut_off() {
        use tokio::io::AsyncReadExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf).await;
                drop(stream);
            }
        });
        let breaker = RegionBreaker::default();
        let recorder = OperationRecorder::default();
        let client = sts(&format!("http://127.0.0.1:{port}"), &breaker, &recorder);
        let err = client.get_caller_identity().send().await.unwrap_err();
        assert!(!matches!(describe(&err).code.as_str(), "RegionUnavailable"));
        assert_eq!(breaker.cause("eu-west-1"), None);
        assert_eq!(recorder.snapshot()["sts:GetCallerIdentity"].attempts, 4);
    }
}
