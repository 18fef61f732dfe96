//! How the service collectors call AWS: one request or every page of a
//! listing, rate limited, each failure (or malformed answer) recorded as
//! evidence in the [`ErrorRecorder`].

use std::collections::BTreeSet;
use std::error::Error as StdError;
use std::future::Future;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::collect::context::RegionContext;
use crate::collect::errors::ErrorRecorder;
use crate::collect::util::next_token;
use crate::inventory::{CollectionError, ErrorKind};

/// Records an answer that arrived but could not be turned into evidence
/// (a required field missing, a document that does not parse). The field it
/// would have filled stays `null`, like for a failed call.
pub(crate) fn record_malformed(
    errors: &ErrorRecorder,
    service: &str,
    region: &str,
    operation: &str,
    resource: Option<&str>,
    message: impl Into<String>,
) {
    errors.push(CollectionError {
        service: service.to_string(),
        region: region.to_string(),
        operation: operation.to_string(),
        resource: resource.map(str::to_string),
        kind: ErrorKind::Other,
        code: "MalformedResponse".to_string(),
        message: message.into(),
    });
}

/// Records a paginated listing whose service kept answering "more pages"
/// with a token it had already sent (or none): the listing cannot be
/// completed, so it is not used.
pub(crate) fn record_pagination_loop(
    errors: &ErrorRecorder,
    service: &str,
    region: &str,
    operation: &str,
) {
    record_malformed(
        errors,
        service,
        region,
        operation,
        None,
        "pagination token repeated or missing; listing incomplete",
    );
}

/// Where a call goes and how its failure is recorded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Call<'a> {
    pub service: &'a str,
    pub region: &'a str,
    pub operation: &'a str,
    pub resource: Option<&'a str>,
}

/// Fetches every page of a `NextToken`-style listing. `fetch` sends one
/// request with the given token and returns the page's items and its next
/// token. The rate limiter is asked before each page. Any failed page (or a
/// token loop) is recorded and gives `None`: a partial listing would read
/// as "these are all there are".
pub(crate) async fn paginate<T, E, F, Fut>(
    ctx: &RegionContext,
    call: Call<'_>,
    mut fetch: F,
) -> Option<Vec<T>>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + StdError + 'static,
{
    let mut items = Vec::new();
    let mut token = None;
    let mut seen = BTreeSet::new();
    loop {
        ctx.limits
            .acquire(call.service, call.operation, call.region)
            .await;
        match fetch(token.take()).await {
            Ok((page, next)) => {
                items.extend(page);
                match next_token(&mut seen, next) {
                    Ok(Some(next)) => token = Some(next),
                    Ok(None) => return Some(items),
                    Err(()) => {
                        record_pagination_loop(
                            &ctx.errors,
                            call.service,
                            call.region,
                            call.operation,
                        );
                        return None;
                    }
                }
            }
            Err(err) => {
                ctx.errors.record(
                    call.service,
                    call.region,
                    call.operation,
                    call.resource,
                    &err,
                );
                return None;
            }
        }
    }
}

/// One request, rate limited, its failure recorded.
pub(crate) async fn single<T, E, Fut>(
    ctx: &RegionContext,
    call: Call<'_>,
    request: Fut,
) -> Option<T>
where
    Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + StdError + 'static,
{
    ctx.limits
        .acquire(call.service, call.operation, call.region)
        .await;
    match request.await {
        Ok(output) => Some(output),
        Err(err) => {
            ctx.errors.record(
                call.service,
                call.region,
                call.operation,
                call.resource,
                &err,
            );
            None
        }
    }
}
