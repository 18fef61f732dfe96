//! STS: who is scanning. `GetCallerIdentity` gives the account id, and the
//! partition comes from the caller's ARN (`arn:aws-cn:...`).

use aws_sdk_sts::Client;
use aws_sdk_sts::error::SdkError;
use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityError;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

/// The identity the scan runs as.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallerIdentity {
    /// 12-digit account id.
    pub account_id: String,
    /// `aws`, `aws-cn`, `aws-us-gov`, ...
    pub partition: String,
    /// The caller's ARN.
    pub arn: String,
}

/// Why the identity could not be established.
#[derive(Debug)]
pub enum IdentityError {
    /// The call failed.
    Call(Box<SdkError<GetCallerIdentityError, HttpResponse>>),
    /// The answer lacked the account or a parseable ARN.
    Malformed(String),
}

/// The partition named by an ARN.
pub fn partition_of(arn: &str) -> Option<&str> {
    let mut parts = arn.split(':');
    (parts.next() == Some("arn")).then_some(())?;
    parts.next().filter(|p| !p.is_empty())
}

/// Calls `GetCallerIdentity` once.
pub async fn caller_identity(
    client: &Client,
    limits: &crate::collect::limits::RateLimits,
    region: &str,
) -> Result<CallerIdentity, IdentityError> {
    limits.acquire("sts", "GetCallerIdentity", region).await;
    let out = client
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| IdentityError::Call(Box::new(e)))?;
    let account_id = out
        .account()
        .filter(|a| !a.is_empty())
        .ok_or_else(|| IdentityError::Malformed("the answer has no Account".to_string()))?
        .to_string();
    let arn = out.arn().unwrap_or_default().to_string();
    let partition = partition_of(&arn)
        .ok_or_else(|| IdentityError::Malformed(format!("the caller ARN {arn:?} is not an ARN")))?
        .to_string();
    Ok(CallerIdentity {
        account_id,
        partition,
        arn,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_from_arn() {
        assert_eq!(
            partition_of("arn:aws-cn:sts::123456789012:assumed-role/r/s"),
            Some("aws-cn")
        );
        assert_eq!(
            partition_of("arn:aws:iam::123456789012:user/me"),
            Some("aws")
        );
        assert_eq!(partition_of("not-an-arn"), None);
        assert_eq!(partition_of("arn::iam"), None);
    }
}
