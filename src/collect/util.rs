//! Small helpers of the collection layer that depend on no other part of
//! it: policy documents, locks, regions of requests and ARNs, error chains,
//! pagination tokens, ordered joins.

use std::collections::BTreeSet;
use std::error::Error as StdError;
use std::future::Future;

use serde_json::Value;
use tokio::task::JoinSet;

use crate::inventory::PolicyDocument;

/// Parses a policy document as a service returned it.
///
/// IAM returns documents URL-encoded (RFC 3986), other services (EC2 endpoint
/// policies, DynamoDB resource policies) and emulators return raw JSON. The
/// raw form is tried first: a URL-encoded JSON object starts with `%7B` and
/// never parses as JSON, so the order cannot misread either form.
pub fn parse_policy_document(raw: &str) -> Result<PolicyDocument, String> {
    if let Ok(value @ Value::Object(_)) = serde_json::from_str::<Value>(raw) {
        return Ok(value);
    }
    let decoded = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .map_err(|err| format!("policy document is neither JSON nor URL-encoded UTF-8: {err}"))?;
    match serde_json::from_str::<Value>(&decoded) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err("policy document is not a JSON object".to_string()),
        Err(err) => Err(format!("policy document is not valid JSON: {err}")),
    }
}

/// Locks `mutex`, taking the data of a poisoned lock as it is: a panic in
/// another task while it held the lock leaves maps and counters valid, and
/// the scan keeps recording.
pub(crate) fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// The region an SDK request is for, as its config bag holds it (empty when
/// none is set).
pub(crate) fn region_of(cfg: &aws_smithy_types::config_bag::ConfigBag) -> String {
    cfg.load::<aws_config::Region>()
        .map(|r| r.as_ref().to_string())
        .unwrap_or_default()
}

/// Decides whether a paginated listing continues: `Ok(Some(token))` for the
/// next page, `Ok(None)` when done, `Err(())` when the service returned a
/// token it had already returned (a loop).
pub(crate) fn next_token(
    seen: &mut BTreeSet<String>,
    token: Option<String>,
) -> Result<Option<String>, ()> {
    match token {
        None => Ok(None),
        Some(token) if token.is_empty() => Ok(None),
        Some(token) => {
            if seen.insert(token.clone()) {
                Ok(Some(token))
            } else {
                Err(())
            }
        }
    }
}

/// Runs independent calls concurrently and returns their results in the
/// order of `futures`. A panicking task is re-raised here.
pub(crate) async fn join_ordered<T, F>(futures: Vec<F>) -> Vec<T>
where
    T: Send + 'static,
    F: Future<Output = T> + Send + 'static,
{
    let mut set = JoinSet::new();
    let count = futures.len();
    for (index, future) in futures.into_iter().enumerate() {
        set.spawn(async move { (index, future.await) });
    }
    let mut results: Vec<Option<T>> = (0..count).map(|_| None).collect();
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok((index, value)) => {
                if let Some(slot) = results.get_mut(index) {
                    *slot = Some(value);
                }
            }
            Err(err) => {
                if err.is_panic() {
                    std::panic::resume_unwind(err.into_panic());
                }
                // Cancelled: only possible if the runtime shuts down, in
                // which case nobody reads the result.
            }
        }
    }
    results.into_iter().flatten().collect()
}

/// The whole `source()` chain, joined with `: `; a cause whose text an
/// earlier part already holds is left out.
pub(crate) fn error_chain(err: &(dyn StdError + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut current = err.source();
    while let Some(source) = current {
        let text = source.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = source.source();
    }
    parts.join(": ")
}

/// `arn:partition:service:region:account:resource` -> the region field.
pub(crate) fn arn_region(arn: &str) -> Option<&str> {
    let region = arn.split(':').nth(3)?;
    (!region.is_empty()).then_some(region)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_raw_and_url_encoded_documents() {
        let raw = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:*","Resource":"*"}]}"#;
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22dynamodb%3A%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D";
        let a = parse_policy_document(raw).unwrap();
        let b = parse_policy_document(encoded).unwrap();
        assert_eq!(a, b);
        assert_eq!(a["Statement"][0]["Action"], "dynamodb:*");
    }

    #[test]
    fn raw_json_with_percent_signs_is_not_decoded() {
        let raw = r#"{"Statement":[{"Condition":{"StringLike":{"s3:prefix":"a%20b"}}}]}"#;
        let doc = parse_policy_document(raw).unwrap();
        assert_eq!(
            doc["Statement"][0]["Condition"]["StringLike"]["s3:prefix"],
            "a%20b"
        );
    }

    #[test]
    fn plus_is_not_a_space() {
        // RFC 3986 encoding leaves `+` alone; it must survive decoding.
        let encoded = "%7B%22Sid%22%3A%22a+b%22%7D";
        assert_eq!(parse_policy_document(encoded).unwrap()["Sid"], "a+b");
    }

    #[test]
    fn rejects_garbage() {
        assert!(parse_policy_document("not a policy").is_err());
        assert!(parse_policy_document("%5B1%5D").is_err());
        assert!(parse_policy_document("").is_err());
    }

    #[test]
    fn token_loops_are_detected() {
        let mut seen = Default::default();
        assert_eq!(
            next_token(&mut seen, Some("a".into())),
            Ok(Some("a".into()))
        );
        assert_eq!(
            next_token(&mut seen, Some("b".into())),
            Ok(Some("b".into()))
        );
        assert_eq!(next_token(&mut seen, Some("a".into())), Err(()));
        assert_eq!(next_token(&mut seen, None), Ok(None));
        assert_eq!(next_token(&mut seen, Some(String::new())), Ok(None));
    }

    #[test]
    fn region_of_an_arn() {
        assert_eq!(
            arn_region("arn:aws:cloudtrail:eu-west-1:123456789012:trail/t"),
            Some("eu-west-1")
        );
        assert_eq!(arn_region("arn:aws:iam::123456789012:role/r"), None);
        assert_eq!(arn_region("nonsense"), None);
    }

    #[tokio::test]
    async fn join_ordered_keeps_order() {
        let futures: Vec<_> = (0..5u64)
            .map(|i| async move {
                tokio::time::sleep(std::time::Duration::from_millis(5 * (5 - i))).await;
                i
            })
            .collect();
        assert_eq!(join_ordered(futures).await, vec![0, 1, 2, 3, 4]);
    }
}
