//! The session of a collection run: SDK configuration and credentials
//! (`--profile`, `--role-arn`), the home region, who is scanning
//! (`GetCallerIdentity`), the regions to scan, and the state every region's
//! collectors share (operation record, rate limits, region breaker, error
//! list). Every client, the identity and region calls included, is built
//! with [`sdk_client!`](crate::sdk_client) from [`Session::context`].

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{Region, SdkConfig};
use aws_sdk_sts::config::{ProvideCredentials, SharedCredentialsProvider};

use crate::collect::breaker::RegionBreaker;
use crate::collect::context::RegionContext;
use crate::collect::errors::{CallFailure, ErrorRecorder, describe};
use crate::collect::limits::RateLimits;
use crate::collect::record::OperationRecorder;
use crate::collect::services::sts;
use crate::config::ScanSettings;
use crate::organization::failure::FailureKind;
use crate::regions::{KNOWN_REGIONS, RegionSelection, closest_region};

/// Everything a collection run needs.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    /// Regions to scan.
    pub regions: RegionSelection,
    /// Named profile of the shared config files.
    pub profile: Option<String>,
    /// Role to assume (on top of the default credential chain).
    pub role_arn: Option<String>,
    /// External id for the role.
    pub external_id: Option<String>,
    /// Retry, timeout, concurrency and rate-limit settings.
    pub settings: ScanSettings,
    /// Show a progress bar on stderr (only if stderr is a terminal).
    pub progress: bool,
    /// The operation record of a multi-account run, shared by its
    /// accounts' sessions (which then leave writing it to the run).
    pub shared_recorder: Option<OperationRecorder>,
}

impl Default for CollectOptions {
    fn default() -> Self {
        CollectOptions {
            regions: RegionSelection::Default,
            profile: None,
            role_arn: None,
            external_id: None,
            settings: ScanSettings::default(),
            progress: false,
            shared_recorder: None,
        }
    }
}

/// Why a collection could not run at all (exit code 2). Failed calls during
/// the run are not fatal: they are evidence in the inventory.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// No usable credentials.
    #[error("{0}")]
    Credentials(String),
    /// A region argument or setting is wrong.
    #[error("{0}")]
    Region(String),
    /// The AWS endpoint could not be reached.
    #[error("{0}")]
    Unreachable(String),
    /// Invalid settings.
    #[error("{0}")]
    Settings(String),
    /// The organization could not be listed.
    #[error("{0}")]
    Organization(String),
    /// `sts:AssumeRole` on the role of `--role-arn` / `--role-name` was
    /// refused or failed.
    #[error("{message}")]
    AssumeRole {
        /// What failed, why, and what to check.
        message: String,
        /// The cause, for the summary of a multi-account run.
        kind: FailureKind,
        /// The call as evidence (the failed account's inventory).
        error: Box<crate::inventory::CollectionError>,
    },
}

impl CollectError {
    /// The cause of a failed account, for the summary and the index.
    pub fn failure_kind(&self) -> FailureKind {
        match self {
            CollectError::AssumeRole { kind, .. } => *kind,
            CollectError::Unreachable(_) => FailureKind::Unreachable,
            CollectError::Credentials(_) => FailureKind::AccessDenied,
            CollectError::Region(_) | CollectError::Settings(_) | CollectError::Organization(_) => {
                FailureKind::Other
            }
        }
    }
}

/// What a run knows once it may start collecting.
#[derive(Debug)]
pub struct Session {
    /// SDK configuration: credentials (the role's, with `--role-arn`),
    /// retries, timeouts, the home region.
    pub base: SdkConfig,
    /// Where the identity and account-wide calls (IAM) go.
    pub home_region: String,
    /// Who is scanning.
    pub identity: sts::CallerIdentity,
    /// The regions to scan, validated.
    pub regions: Vec<String>,
    /// Every operation sent.
    pub recorder: OperationRecorder,
    /// Client-side rate limits, shared by every region.
    pub limits: Arc<RateLimits>,
    /// Cuts off unreachable regions.
    pub breaker: RegionBreaker,
    /// Failed calls, as evidence.
    pub errors: ErrorRecorder,
    region_endpoints: Arc<BTreeMap<String, String>>,
}

impl Session {
    /// Loads the configuration, assumes the role, asks who is scanning and
    /// which regions to scan. A failure here is fatal (exit 2) and says
    /// what to do.
    pub async fn open(opts: &CollectOptions) -> Result<Session, CollectError> {
        let base = load_sdk_config(opts).await;
        let home_region = home_region(opts, &base)?;
        let base = base
            .into_builder()
            .region(Region::new(home_region.clone()))
            .build();
        // AWS_ENDPOINT_URL or [scan.region_endpoints]: an emulator or a
        // proxy, whose own answers the errors are told apart by.
        let endpoints = crate::collect::errors::CustomEndpoints {
            all: base.endpoint_url().is_some(),
            regions: opts.settings.region_endpoints.keys().cloned().collect(),
        };
        let mut session = Session {
            base,
            home_region: home_region.clone(),
            identity: sts::CallerIdentity::default(),
            regions: Vec::new(),
            recorder: opts.shared_recorder.clone().unwrap_or_default(),
            limits: Arc::new(RateLimits::new(opts.settings.rate_limits.clone())),
            breaker: RegionBreaker::default(),
            errors: ErrorRecorder::for_endpoints(endpoints),
            region_endpoints: Arc::new(opts.settings.region_endpoints.clone()),
        };
        if let Some(role_arn) = &opts.role_arn {
            let ctx = session.context(&home_region);
            let provider = AssumedRole {
                client: crate::sdk_client!(aws_sdk_sts, ctx),
                role_arn: role_arn.clone(),
                external_id: opts.external_id.clone(),
                first: std::sync::Mutex::new(None),
            };
            // Assumed once up front, so that a refusal is reported as
            // what it is (and classified), not as missing credentials.
            ctx.limits.acquire("sts", "AssumeRole", &home_region).await;
            let first = provider
                .assume()
                .await
                .map_err(|failure| assume_role_error(&failure, role_arn, opts, &home_region))?;
            if let Ok(mut slot) = provider.first.lock() {
                *slot = Some(first);
            }
            session.base = session
                .base
                .clone()
                .into_builder()
                .credentials_provider(SharedCredentialsProvider::new(provider))
                .build();
        }
        let ctx = session.context(&home_region);
        // Who are we? Few attempts: a missing credential or unreachable
        // endpoint must fail in seconds.
        let settings = &opts.settings;
        let client = crate::sdk_client!(aws_sdk_sts, ctx, |b| b.retry_config(
            RetryConfig::standard()
                .with_max_attempts(settings.max_attempts.clamp(1, 3))
                .with_initial_backoff(Duration::from_millis(settings.initial_backoff_ms.min(500))),
        ));
        session.identity = sts::caller_identity(&client, &session.limits, &home_region)
            .await
            .map_err(|e| identity_error(e, &home_region, opts, &session.breaker))?;
        let ctx = session.context(&home_region);
        session.regions = resolve_regions(opts, &ctx).await?;
        Ok(session)
    }

    /// The context of the collectors of `region` (and of the identity and
    /// region calls, before the identity is known).
    pub fn context(&self, region: &str) -> RegionContext {
        RegionContext {
            region: region.to_string(),
            sdk_config: self
                .base
                .clone()
                .into_builder()
                .region(Region::new(region.to_string()))
                .build(),
            account_id: self.identity.account_id.clone(),
            partition: self.identity.partition.clone(),
            errors: self.errors.clone(),
            limits: Arc::clone(&self.limits),
            operations: self.recorder.clone(),
            breaker: self.breaker.clone(),
            region_endpoints: Arc::clone(&self.region_endpoints),
        }
    }
}

/// The region of the identity call and account-wide collectors.
fn home_region(opts: &CollectOptions, base: &SdkConfig) -> Result<String, CollectError> {
    Ok(match &opts.regions {
        // A name this build does not know is checked with DescribeRegions
        // later; the identity call goes to a known region.
        RegionSelection::List(list) => match list
            .iter()
            .find(|r| KNOWN_REGIONS.contains(&r.as_str()))
            .or(list.first())
        {
            Some(first) if KNOWN_REGIONS.contains(&first.as_str()) => first.clone(),
            Some(first) => match base.region() {
                Some(region) if KNOWN_REGIONS.contains(&region.as_ref()) => region.to_string(),
                _ if first.starts_with("cn-") => "cn-north-1".to_string(),
                _ if first.starts_with("us-gov-") => "us-gov-west-1".to_string(),
                _ => "us-east-1".to_string(),
            },
            None => return Err(CollectError::Region("--regions is empty".to_string())),
        },
        RegionSelection::All => match base.region() {
            Some(region) => region.to_string(),
            None => {
                return Err(CollectError::Region(
                    "--regions all lists the account's enabled regions with DescribeRegions, which must be \
                     called in a region, and none is configured: set AWS_REGION (or a region in the profile \
                     of ~/.aws/config), or name the regions: --regions us-east-1,eu-west-1"
                        .to_string(),
                ));
            }
        },
        RegionSelection::Default => match base.region() {
            Some(region) => region.to_string(),
            None => {
                return Err(CollectError::Region(
                    "no AWS region configured: pass --regions us-east-1,eu-west-1 (or --regions all), \
                     or set AWS_REGION, or a region in the profile of ~/.aws/config"
                        .to_string(),
                ));
            }
        },
    })
}

/// Loads the AWS configuration: the full default chain, `--profile`,
/// retries and timeouts; `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>`
/// are honoured by the SDK itself.
async fn load_sdk_config(opts: &CollectOptions) -> SdkConfig {
    let s = &opts.settings;
    let retry = RetryConfig::standard()
        .with_max_attempts(s.max_attempts.max(1))
        .with_initial_backoff(Duration::from_millis(s.initial_backoff_ms));
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs_f64(s.connect_timeout_secs))
        .operation_attempt_timeout(Duration::from_secs_f64(s.attempt_timeout_secs))
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(retry)
        .timeout_config(timeouts);
    if let Some(profile) = &opts.profile {
        loader = loader.profile_name(profile);
    }
    loader.load().await
}

/// The credentials of `--role-arn`: `sts:AssumeRole` with the base
/// credentials, through a client built like every other (operation record,
/// region breaker, `[scan.region_endpoints]`). The SDK's identity cache
/// keeps them until they are about to expire, then asks again.
#[derive(Debug)]
struct AssumedRole {
    client: aws_sdk_sts::Client,
    role_arn: String,
    external_id: Option<String>,
    /// The credentials of the call made up front, handed out once.
    first: std::sync::Mutex<Option<aws_credential_types::Credentials>>,
}

/// The session name dynaudit's role sessions carry, so CloudTrail shows who
/// read the account.
pub const ROLE_SESSION_NAME: &str = "dynaudit";

impl AssumedRole {
    /// One `sts:AssumeRole` call.
    async fn assume(&self) -> Result<aws_credential_types::Credentials, CallFailure> {
        let out = self
            .client
            .assume_role()
            .role_arn(&self.role_arn)
            .role_session_name(ROLE_SESSION_NAME)
            .set_external_id(self.external_id.clone())
            .send()
            .await
            .map_err(|err| describe(&err))?;
        let c = out.credentials().ok_or_else(|| CallFailure {
            code: "MalformedResponse".to_string(),
            message: "sts:AssumeRole answered without credentials".to_string(),
            http_status: None,
            kind: crate::inventory::ErrorKind::Other,
        })?;
        let expiry = std::time::SystemTime::try_from(*c.expiration()).ok();
        Ok(aws_credential_types::Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_string()),
            expiry,
            "dynaudit-assume-role",
        ))
    }

    async fn credentials(&self) -> aws_credential_types::provider::Result {
        use aws_credential_types::provider::error::CredentialsError;
        let first = self.first.lock().ok().and_then(|mut slot| slot.take());
        if let Some(credentials) = first {
            return Ok(credentials);
        }
        self.assume().await.map_err(|failure| {
            CredentialsError::provider_error(format!(
                "sts:AssumeRole on {} failed: {}: {}",
                self.role_arn, failure.code, failure.message
            ))
        })
    }
}

/// The error of a refused or failed `sts:AssumeRole`: what failed, the
/// cause, and what to check.
fn assume_role_error(
    failure: &CallFailure,
    role_arn: &str,
    opts: &CollectOptions,
    region: &str,
) -> CollectError {
    let kind = FailureKind::of_call(&failure.code, &failure.message, failure.http_status);
    let advice = match kind {
        FailureKind::AccessDenied => format!(
            "check that the role exists, that its trust policy allows the scanning principal{}, and that the scanning principal may call sts:AssumeRole on it",
            if opts.external_id.is_some() {
                " with this external id"
            } else {
                " (and whether it requires --external-id)"
            }
        ),
        FailureKind::ScpDenied => {
            "a service control policy denies it: exempt the audit role in the SCP".to_string()
        }
        FailureKind::RegionDisabled => format!(
            "STS is not enabled in {region} for the account: enable the region, or scan from another home region"
        ),
        FailureKind::Unreachable => {
            "check the network, proxy settings and AWS_ENDPOINT_URL".to_string()
        }
        FailureKind::NotAMember | FailureKind::Other => "see the message above".to_string(),
    };
    CollectError::AssumeRole {
        message: format!(
            "sts:AssumeRole on {role_arn} failed ({}: {}): {advice}",
            failure.code, failure.message
        ),
        kind,
        error: Box::new(crate::inventory::CollectionError {
            service: "sts".to_string(),
            region: region.to_string(),
            operation: "AssumeRole".to_string(),
            resource: Some(role_arn.to_string()),
            kind: failure.kind,
            code: failure.code.clone(),
            message: failure.message.clone(),
        }),
    }
}

impl ProvideCredentials for AssumedRole {
    fn provide_credentials<'a>(
        &'a self,
    ) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        aws_credential_types::provider::future::ProvideCredentials::new(self.credentials())
    }
}

/// The message for a failed `GetCallerIdentity`.
fn identity_error(
    err: sts::IdentityError,
    region: &str,
    opts: &CollectOptions,
    breaker: &RegionBreaker,
) -> CollectError {
    let err = match err {
        sts::IdentityError::Malformed(m) => {
            return CollectError::Credentials(format!(
                "STS GetCallerIdentity gave an unusable answer ({m}); check AWS_ENDPOINT_URL"
            ));
        }
        sts::IdentityError::Call(err) => err,
    };
    let failure = describe(&err);
    // Retries after a connect failure are refused by the region breaker:
    // the cause worth showing is the connect failure itself.
    let chain = match breaker.cause(region) {
        Some(cause) if failure.http_status.is_none() => cause,
        _ => failure.message.clone(),
    };
    let lower = chain.to_ascii_lowercase();
    let role_hint = match &opts.role_arn {
        Some(role) => format!(
            " The role {role} is assumed with the base credentials: check that they may call sts:AssumeRole on it{}.",
            if opts.external_id.is_some() {
                " and that the external id is right"
            } else {
                " (and whether it needs --external-id)"
            }
        ),
        None => String::new(),
    };
    if lower.contains("credential") && failure.http_status.is_none() {
        return CollectError::Credentials(format!(
            "no usable AWS credentials: {chain}. Provide credentials through the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), \
             a profile (--profile NAME or AWS_PROFILE; run `aws sso login` for SSO profiles), web identity (AWS_ROLE_ARN with \
             AWS_WEB_IDENTITY_TOKEN_FILE) or an instance/container role.{role_hint}"
        ));
    }
    match failure.http_status {
        Some(status) if failure.code.starts_with("HTTP") => CollectError::Unreachable(format!(
            "the endpoint for AWS STS in {region} did not answer like AWS (HTTP {status}: {chain}). \
             Check AWS_ENDPOINT_URL and proxy settings."
        )),
        None => CollectError::Unreachable(format!(
            "could not reach AWS STS in {region}: {chain}. Check the network, proxy settings and AWS_ENDPOINT_URL, \
             or raise [scan] connect_timeout_secs."
        )),
        Some(_) => CollectError::Credentials(format!(
            "AWS STS rejected the credentials ({}: {}).{role_hint} Check the access key, session token and clock, \
             or choose other credentials with --profile.",
            failure.code, failure.message
        )),
    }
}

/// Regions with `DescribeRegions`: only enabled ones (`all_regions`
/// false), or every region with its opt-in status (`all_regions` true).
async fn describe_regions(ctx: &RegionContext, all_regions: bool) -> Result<Vec<String>, String> {
    // Few attempts: the answer decides whether the scan starts at all.
    let ec2 = crate::sdk_client!(aws_sdk_ec2, ctx, |b| b.retry_config(
        RetryConfig::standard()
            .with_max_attempts(3)
            .with_initial_backoff(Duration::from_millis(200)),
    ));
    ctx.limits
        .acquire("ec2", "DescribeRegions", &ctx.region)
        .await;
    let out = ec2
        .describe_regions()
        .all_regions(all_regions)
        .send()
        .await
        .map_err(|e| {
            let f = describe(&e);
            format!("{}: {}", f.code, f.message)
        })?;
    let mut names: Vec<String> = out
        .regions()
        .iter()
        .filter(|r| {
            all_regions
                || matches!(
                    r.opt_in_status(),
                    None | Some("opt-in-not-required") | Some("opted-in")
                )
        })
        .filter_map(|r| r.region_name().map(str::to_string))
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}

/// The regions to scan, validated.
async fn resolve_regions(
    opts: &CollectOptions,
    ctx: &RegionContext,
) -> Result<Vec<String>, CollectError> {
    match &opts.regions {
        RegionSelection::Default => Ok(vec![ctx.region.clone()]),
        RegionSelection::All => {
            let regions = describe_regions(ctx, false)
                .await
                .map_err(|e| {
                    CollectError::Region(format!(
                        "--regions all: could not list the account's enabled regions with EC2 DescribeRegions ({e}); \
                         grant ec2:DescribeRegions or name the regions, e.g. --regions us-east-1,eu-west-1"
                    ))
                })?;
            if regions.is_empty() {
                return Err(CollectError::Region(
                    "--regions all: DescribeRegions listed no enabled region; name the regions instead"
                        .to_string(),
                ));
            }
            Ok(regions)
        }
        RegionSelection::List(list) => {
            let unknown: Vec<&String> = list
                .iter()
                .filter(|r| !KNOWN_REGIONS.contains(&r.as_str()))
                .collect();
            if unknown.is_empty() {
                return Ok(list.clone());
            }
            // Perhaps a region newer than this build: ask the account.
            let listed = describe_regions(ctx, true).await.unwrap_or_default();
            let still_unknown: Vec<&String> = unknown
                .into_iter()
                .filter(|r| !listed.contains(r))
                .collect();
            if still_unknown.is_empty() {
                return Ok(list.clone());
            }
            let hints: Vec<String> = still_unknown
                .iter()
                .map(|r| match closest_region(r) {
                    Some(close) => format!("{r} (did you mean {close}?)"),
                    None => r.to_string(),
                })
                .collect();
            Err(CollectError::Region(format!(
                "unknown region{} {}: give region names such as us-east-1,eu-west-1, or --regions all for every enabled region",
                if hints.len() == 1 { "" } else { "s" },
                hints.join(", ")
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    //! `sts:AssumeRole` refusals the emulator cannot produce (it grants
    //! every AssumeRole): each classified by cause, with advice, and the
    //! call that failed.
    use super::*;
    use crate::collect::testing::{query_error, test_client};
    use aws_smithy_mocks::{RuleMode, mock};

    const ROLE: &str = "arn:aws:iam::222222222222:role/DynauditAudit";

    async fn refused(status: u16, code: &'static str, message: &'static str) -> CollectError {
        let rule = mock!(aws_sdk_sts::Client::assume_role)
            .then_http_response(move || query_error(status, code, message));
        let client = test_client!(aws_sdk_sts, RuleMode::MatchAny, [&rule]);
        let role = AssumedRole {
            client,
            role_arn: ROLE.to_string(),
            external_id: None,
            first: std::sync::Mutex::new(None),
        };
        let failure = role.assume().await.expect_err("refused");
        assume_role_error(&failure, ROLE, &CollectOptions::default(), "us-east-1")
    }

    fn parts(err: &CollectError) -> (FailureKind, String, &crate::inventory::CollectionError) {
        match err {
            CollectError::AssumeRole {
                message,
                kind,
                error,
            } => (*kind, message.clone(), error.as_ref()),
            other => panic!("not an AssumeRole error: {other:?}"),
        }
    }

    #[tokio::test]
    async fn access_denied_names_the_role_and_what_to_check() {
        let err = refused(
            403,
            "AccessDenied",
            "User: arn:aws:iam::111111111111:user/ci is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role/DynauditAudit",
        )
        .await;
        let (kind, message, error) = parts(&err);
        assert_eq!(kind, FailureKind::AccessDenied);
        assert!(
            message.starts_with(&format!(
                "sts:AssumeRole on {ROLE} failed (AccessDenied: User: "
            )),
            "{message}"
        );
        assert!(message.contains("check that the role exists"), "{message}");
        assert_eq!(
            (error.service.as_str(), error.operation.as_str()),
            ("sts", "AssumeRole")
        );
        assert_eq!(error.resource.as_deref(), Some(ROLE));
        assert_eq!(error.kind, crate::inventory::ErrorKind::AccessDenied);
    }

    #[tokio::test]
    async fn an_scp_deny_is_told_apart_from_a_trust_policy_refusal() {
        let err = refused(
            403,
            "AccessDenied",
            "User: arn:aws:iam::111111111111:user/ci is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role/DynauditAudit with an explicit deny in a service control policy",
        )
        .await;
        let (kind, message, _) = parts(&err);
        assert_eq!(kind, FailureKind::ScpDenied);
        assert!(
            message.contains("exempt the audit role in the SCP"),
            "{message}"
        );
    }

    #[tokio::test]
    async fn a_region_disabled_for_the_account_says_so() {
        let err = refused(
            403,
            "RegionDisabledException",
            "STS is not activated in this region for account:222222222222. Your account administrator can activate STS in this region using the IAM Console.",
        )
        .await;
        let (kind, message, _) = parts(&err);
        assert_eq!(kind, FailureKind::RegionDisabled);
        assert!(
            message.contains("STS is not enabled in us-east-1 for the account"),
            "{message}"
        );
    }
}
