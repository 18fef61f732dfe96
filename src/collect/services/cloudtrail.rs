//! CloudTrail: the trails each region can see (`DescribeTrails` with shadow
//! trails), and once per distinct trail its logging status
//! (`GetTrailStatus`) and event selectors (`GetEventSelectors`).
//!
//! A multi-region trail shows up in every region; its details are fetched
//! once, by whichever region lists it first (see [`TrailRegistry`]), and
//! always in the trail's **home** region: some endpoints (moto) answer
//! `TrailNotFound` for a trail asked about elsewhere, and AWS answers the
//! same in the home region, so that is right for both.
//!
//! An organization trail of the management account shows up in every
//! member account (`DescribeTrails` with shadow trails), with the
//! management account's ARN and home region. It is kept like any other
//! trail (the rules judge a trail by what it records, not by whose it is),
//! with `is_organization_trail`, and its details are asked by its full
//! ARN, which a member account must give. When the member is refused them
//! (access denied, `TrailNotFoundException`), they stay `null` and the
//! failed call is recorded against the trail: the rules say unknown, not
//! fail.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::config::Region;
use aws_sdk_cloudtrail::operation::get_event_selectors::GetEventSelectorsOutput;
use aws_sdk_cloudtrail::types::Trail as SdkTrail;

use crate::collect::calls::{Call, record_malformed, single};
use crate::collect::context::RegionContext;
use crate::collect::util::{arn_region, join_ordered};
use crate::inventory::{
    AdvancedEventSelector, DataResource, EventSelector, EventSelectors, FieldSelector, Trail,
    TrailField,
};

const SERVICE: &str = "cloudtrail";

/// The trails of one scan, shared by all its regions: the first region to
/// list a trail fetches its details; the others only note its ARN.
#[derive(Debug, Clone, Default)]
pub struct TrailRegistry {
    state: Arc<Mutex<RegistryState>>,
}

#[derive(Debug, Default)]
struct RegistryState {
    claimed: BTreeSet<String>,
    trails: BTreeMap<String, Trail>,
}

impl TrailRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, RegistryState> {
        crate::collect::util::lock(&self.state)
    }

    /// `true` the first time `arn` is claimed.
    fn claim(&self, arn: &str) -> bool {
        self.lock().claimed.insert(arn.to_string())
    }

    fn insert(&self, trail: Trail) {
        self.lock().trails.insert(trail.arn.clone(), trail);
    }

    /// Every trail collected so far, keyed by ARN (for
    /// [`Inventory::trails`](crate::inventory::Inventory::trails)).
    pub fn trails(&self) -> BTreeMap<String, Trail> {
        self.lock().trails.clone()
    }
}

/// A CloudTrail client for `region`, from the context's SDK configuration
/// (with the operation recorder).
pub fn client_in(ctx: &RegionContext, region: &str) -> Client {
    crate::sdk_client!(aws_sdk_cloudtrail, ctx, |b| b
        .region(Region::new(region.to_string())))
}

/// Lists the trails visible in `ctx.region` (for
/// [`RegionInventory::trail_arns`](crate::inventory::RegionInventory::trail_arns))
/// and adds the ones no other region has claimed yet, with their status and
/// selectors, to `registry`.
pub async fn collect(ctx: &RegionContext, registry: &TrailRegistry) -> Option<Vec<String>> {
    let home = ctx.clone();
    collect_with(ctx, registry, move |region| client_in(&home, region)).await
}

/// [`collect`] with a function that makes the client for a region.
pub async fn collect_with<F>(
    ctx: &RegionContext,
    registry: &TrailRegistry,
    client_for: F,
) -> Option<Vec<String>>
where
    F: Fn(&str) -> Client,
{
    let trails = describe_trails(&client_for(&ctx.region), ctx).await?;
    let mut arns: Vec<String> = trails.iter().map(|trail| trail.arn.clone()).collect();
    arns.sort();
    arns.dedup();

    let mut pending = Vec::new();
    for trail in trails {
        if registry.claim(&trail.arn) {
            let client = client_for(&trail.home_region);
            let ctx = ctx.clone();
            pending.push(async move { trail_details(&client, &ctx, trail).await });
        }
    }
    for trail in join_ordered(pending).await {
        registry.insert(trail);
    }
    Some(arns)
}

/// `DescribeTrails` (with shadow trails) in `ctx.region`; the trails come
/// back with `is_logging` and `selectors` not yet collected.
pub async fn describe_trails(client: &Client, ctx: &RegionContext) -> Option<Vec<Trail>> {
    const OPERATION: &str = "DescribeTrails";
    let call = Call {
        service: SERVICE,
        region: &ctx.region,
        operation: OPERATION,
        resource: None,
    };
    let output = single(
        ctx,
        call,
        client.describe_trails().include_shadow_trails(true).send(),
    )
    .await?;
    let mut trails = Vec::new();
    for trail in output.trail_list.unwrap_or_default() {
        match map_trail(trail) {
            Ok(trail) => trails.push(trail),
            Err((resource, message)) => {
                record_malformed(
                    &ctx.errors,
                    SERVICE,
                    &ctx.region,
                    OPERATION,
                    resource.as_deref(),
                    message,
                );
                return None;
            }
        }
    }
    Some(trails)
}

fn map_trail(trail: SdkTrail) -> Result<Trail, (Option<String>, String)> {
    let Some(arn) = trail.trail_arn else {
        return Err((None, "trail without an ARN".to_string()));
    };
    let name = match trail.name {
        Some(name) => name,
        None => match arn.split_once(":trail/") {
            Some((_, name)) => name.to_string(),
            None => return Err((Some(arn), "trail without a name".to_string())),
        },
    };
    let home_region = match trail
        .home_region
        .or_else(|| arn_region(&arn).map(str::to_string))
    {
        Some(region) => region,
        None => return Err((Some(arn), "trail without a home region".to_string())),
    };
    // DescribeTrails leaves `KmsKeyId` out when the trail has no KMS key.
    let absent = if trail.kms_key_id.is_none() {
        vec![TrailField::KmsKeyId]
    } else {
        Vec::new()
    };
    Ok(Trail {
        name,
        home_region,
        is_multi_region: trail.is_multi_region_trail.unwrap_or(false),
        is_organization_trail: trail.is_organization_trail.unwrap_or(false),
        include_global_service_events: trail.include_global_service_events.unwrap_or(false),
        log_file_validation_enabled: trail.log_file_validation_enabled.unwrap_or(false),
        kms_key_id: trail.kms_key_id,
        s3_bucket_name: trail.s3_bucket_name,
        is_logging: None,
        selectors: None,
        arn,
        absent,
    })
}

/// Fills `is_logging` and `selectors` of `trail`. `client` must be a client
/// for the trail's home region ([`client_in`]); failures are recorded under
/// that region, with the trail's ARN.
pub async fn trail_details(client: &Client, ctx: &RegionContext, mut trail: Trail) -> Trail {
    let status_call = Call {
        service: SERVICE,
        region: &trail.home_region,
        operation: "GetTrailStatus",
        resource: Some(&trail.arn),
    };
    let selectors_call = Call {
        operation: "GetEventSelectors",
        ..status_call
    };
    let (status, selectors) = tokio::join!(
        single(
            ctx,
            status_call,
            client.get_trail_status().name(&trail.arn).send()
        ),
        single(
            ctx,
            selectors_call,
            client.get_event_selectors().trail_name(&trail.arn).send()
        ),
    );
    let is_logging = match status {
        Some(status) => {
            if status.is_logging.is_none() {
                record_malformed(
                    &ctx.errors,
                    SERVICE,
                    &trail.home_region,
                    "GetTrailStatus",
                    Some(&trail.arn),
                    "trail status without IsLogging",
                );
            }
            status.is_logging
        }
        None => None,
    };
    trail.is_logging = is_logging;
    trail.selectors = selectors.map(map_selectors);
    trail
}

fn map_selectors(output: GetEventSelectorsOutput) -> EventSelectors {
    let event_selectors = output
        .event_selectors
        .unwrap_or_default()
        .into_iter()
        .map(|selector| EventSelector {
            read_write_type: selector
                .read_write_type
                .map(|kind| kind.as_str().to_string()),
            include_management_events: selector.include_management_events,
            data_resources: selector
                .data_resources
                .unwrap_or_default()
                .into_iter()
                .map(|resource| DataResource {
                    resource_type: resource.r#type.unwrap_or_default(),
                    values: resource.values.unwrap_or_default(),
                })
                .collect(),
        })
        .collect();
    let advanced_event_selectors = output
        .advanced_event_selectors
        .unwrap_or_default()
        .into_iter()
        .map(|selector| AdvancedEventSelector {
            name: selector.name,
            field_selectors: selector
                .field_selectors
                .into_iter()
                .map(|field| FieldSelector {
                    field: field.field,
                    equals: field.equals.unwrap_or_default(),
                    not_equals: field.not_equals.unwrap_or_default(),
                    starts_with: field.starts_with.unwrap_or_default(),
                    not_starts_with: field.not_starts_with.unwrap_or_default(),
                    ends_with: field.ends_with.unwrap_or_default(),
                    not_ends_with: field.not_ends_with.unwrap_or_default(),
                })
                .collect(),
        })
        .collect();
    EventSelectors {
        event_selectors,
        advanced_event_selectors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::testing::{
        assert_html_500_error, assert_no_errors, context, html_500, json_error, only_error,
        test_client,
    };
    use crate::inventory::ErrorKind;
    use aws_sdk_cloudtrail::operation::describe_trails::DescribeTrailsOutput;
    use aws_sdk_cloudtrail::operation::get_trail_status::GetTrailStatusOutput;
    use aws_sdk_cloudtrail::types::{
        AdvancedEventSelector as SdkAdvanced, AdvancedFieldSelector,
        DataResource as SdkDataResource, EventSelector as SdkSelector, ReadWriteType,
    };
    use aws_smithy_mocks::{Rule, RuleMode, mock};

    const ORG: &str = "arn:aws:cloudtrail:us-east-1:123456789012:trail/org";
    const LOCAL: &str = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/local";

    fn org_trail() -> SdkTrail {
        SdkTrail::builder()
            .name("org")
            .trail_arn(ORG)
            .home_region("us-east-1")
            .is_multi_region_trail(true)
            .include_global_service_events(true)
            .log_file_validation_enabled(true)
            .kms_key_id("arn:aws:kms:us-east-1:123456789012:key/k1")
            .s3_bucket_name("trail-bucket")
            .is_organization_trail(false)
            .build()
    }

    fn local_trail() -> SdkTrail {
        SdkTrail::builder()
            .name("local")
            .trail_arn(LOCAL)
            .home_region("eu-west-1")
            .is_multi_region_trail(false)
            .build()
    }

    fn describe(trails: Vec<SdkTrail>) -> Rule {
        mock!(Client::describe_trails)
            .match_requests(|req| req.include_shadow_trails() == Some(true))
            .then_output(move || {
                DescribeTrailsOutput::builder()
                    .set_trail_list(Some(trails.clone()))
                    .build()
            })
    }

    fn status(arn: &'static str, logging: bool) -> Rule {
        mock!(Client::get_trail_status)
            .match_requests(move |req| req.name() == Some(arn))
            .then_output(move || GetTrailStatusOutput::builder().is_logging(logging).build())
    }

    /// `trail` logs management events and the data events of every table.
    fn all_table_data_events(trail: &'static str) -> Rule {
        mock!(Client::get_event_selectors)
            .match_requests(move |req| req.trail_name() == Some(trail))
            .then_output(move || {
                GetEventSelectorsOutput::builder()
                    .trail_arn(trail)
                    .event_selectors(
                        SdkSelector::builder()
                            .read_write_type(ReadWriteType::All)
                            .include_management_events(true)
                            .data_resources(
                                SdkDataResource::builder()
                                    .r#type("AWS::DynamoDB::Table")
                                    .values("arn:aws:dynamodb")
                                    .build(),
                            )
                            .build(),
                    )
                    .build()
            })
    }

    fn classic_selectors() -> Rule {
        all_table_data_events(ORG)
    }

    fn advanced_selectors() -> Rule {
        mock!(Client::get_event_selectors)
            .match_requests(|req| req.trail_name() == Some(LOCAL))
            .then_output(|| {
                GetEventSelectorsOutput::builder()
                    .trail_arn(LOCAL)
                    .advanced_event_selectors(
                        SdkAdvanced::builder()
                            .name("dynamodb data events")
                            .field_selectors(
                                AdvancedFieldSelector::builder()
                                    .field("eventCategory")
                                    .equals("Data")
                                    .build()
                                    .unwrap(),
                            )
                            .field_selectors(
                                AdvancedFieldSelector::builder()
                                    .field("resources.type")
                                    .equals("AWS::DynamoDB::Table")
                                    .build()
                                    .unwrap(),
                            )
                            .field_selectors(
                                AdvancedFieldSelector::builder()
                                    .field("resources.ARN")
                                    .starts_with(
                                        "arn:aws:dynamodb:eu-west-1:123456789012:table/orders",
                                    )
                                    .not_ends_with("/backup")
                                    .build()
                                    .unwrap(),
                            )
                            .build()
                            .unwrap(),
                    )
                    .build()
            })
    }

    /// A client factory that notes which regions clients were made for.
    fn factory(client: Client) -> (impl Fn(&str) -> Client, Arc<Mutex<Vec<String>>>) {
        let regions = Arc::new(Mutex::new(Vec::new()));
        let noted = regions.clone();
        (
            move |region: &str| {
                noted.lock().unwrap().push(region.to_string());
                client.clone()
            },
            regions,
        )
    }

    #[tokio::test]
    async fn maps_trails_status_and_selectors() {
        let rules = [
            describe(vec![org_trail(), local_trail()]),
            status(ORG, true),
            status(LOCAL, false),
            classic_selectors(),
            advanced_selectors(),
        ];
        let client = test_client!(
            aws_sdk_cloudtrail,
            RuleMode::MatchAny,
            [&rules[0], &rules[1], &rules[2], &rules[3], &rules[4]]
        );
        let ctx = context("eu-west-1");
        let registry = TrailRegistry::new();
        let (client_for, regions) = factory(client);

        let arns = collect_with(&ctx, &registry, client_for)
            .await
            .expect("listed");
        assert_no_errors(&ctx);
        assert_eq!(arns, vec![LOCAL.to_string(), ORG.to_string()]);
        // Listed from eu-west-1, details asked in each trail's home region.
        let mut regions = regions.lock().unwrap().clone();
        regions.sort();
        assert_eq!(regions, vec!["eu-west-1", "eu-west-1", "us-east-1"]);

        let trails = registry.trails();
        let org = &trails[ORG];
        assert_eq!(org.name, "org");
        assert_eq!(org.home_region, "us-east-1");
        assert!(
            org.is_multi_region
                && org.include_global_service_events
                && org.log_file_validation_enabled
        );
        assert_eq!(
            org.kms_key_id.as_deref(),
            Some("arn:aws:kms:us-east-1:123456789012:key/k1")
        );
        assert!(org.absent.is_empty());
        assert_eq!(org.s3_bucket_name.as_deref(), Some("trail-bucket"));
        assert_eq!(org.is_logging, Some(true));
        let classic = org.selectors.as_ref().unwrap();
        assert!(classic.advanced_event_selectors.is_empty());
        assert_eq!(
            classic.event_selectors[0].read_write_type.as_deref(),
            Some("All")
        );
        assert_eq!(
            classic.event_selectors[0].include_management_events,
            Some(true)
        );
        assert_eq!(
            classic.event_selectors[0].data_resources[0].resource_type,
            "AWS::DynamoDB::Table"
        );
        assert_eq!(
            classic.event_selectors[0].data_resources[0].values,
            vec!["arn:aws:dynamodb"]
        );

        let local = &trails[LOCAL];
        assert!(!local.is_multi_region);
        assert_eq!(local.kms_key_id, None);
        assert_eq!(local.absent, vec![TrailField::KmsKeyId]);
        assert_eq!(local.is_logging, Some(false));
        let advanced = &local.selectors.as_ref().unwrap().advanced_event_selectors[0];
        assert_eq!(advanced.name.as_deref(), Some("dynamodb data events"));
        assert_eq!(advanced.field_selectors.len(), 3);
        assert_eq!(
            advanced.field_selectors[1].equals,
            vec!["AWS::DynamoDB::Table"]
        );
        assert_eq!(
            advanced.field_selectors[2].starts_with,
            vec!["arn:aws:dynamodb:eu-west-1:123456789012:table/orders"]
        );
        assert_eq!(advanced.field_selectors[2].not_ends_with, vec!["/backup"]);
        assert!(advanced.field_selectors[2].equals.is_empty());
    }

    #[tokio::test]
    async fn a_trail_seen_from_several_regions_is_described_once() {
        let describe_rule = describe(vec![org_trail()]);
        let status_rule = status(ORG, true);
        let selectors_rule = classic_selectors();
        let client = test_client!(
            aws_sdk_cloudtrail,
            RuleMode::MatchAny,
            [&describe_rule, &status_rule, &selectors_rule]
        );
        let registry = TrailRegistry::new();

        let regions = ["us-east-1", "eu-west-1", "ap-southeast-2"];
        let contexts: Vec<_> = regions.iter().map(|region| context(region)).collect();
        let results = tokio::join!(
            collect_with(&contexts[0], &registry, |_: &str| client.clone()),
            collect_with(&contexts[1], &registry, |_: &str| client.clone()),
            collect_with(&contexts[2], &registry, |_: &str| client.clone()),
        );
        for arns in [results.0, results.1, results.2] {
            assert_eq!(arns, Some(vec![ORG.to_string()]));
        }
        assert_eq!(describe_rule.num_calls(), 3);
        assert_eq!(status_rule.num_calls(), 1);
        assert_eq!(selectors_rule.num_calls(), 1);
        assert_eq!(registry.trails().len(), 1);
    }

    #[tokio::test]
    async fn access_denied() {
        let rule = mock!(Client::describe_trails).then_http_response(|| {
            json_error(
                400,
                "AccessDeniedException",
                "User is not authorized to perform: cloudtrail:DescribeTrails",
            )
        });
        let client = test_client!(aws_sdk_cloudtrail, RuleMode::MatchAny, [&rule]);
        let ctx = context("eu-west-1");
        let registry = TrailRegistry::new();

        assert_eq!(
            collect_with(&ctx, &registry, |_: &str| client.clone()).await,
            None
        );
        let error = only_error(&ctx);
        assert_eq!(error.kind, ErrorKind::AccessDenied);
        assert_eq!(
            (
                error.service.as_str(),
                error.region.as_str(),
                error.operation.as_str()
            ),
            ("cloudtrail", "eu-west-1", "DescribeTrails")
        );
        assert!(registry.trails().is_empty());
    }

    #[tokio::test]
    async fn denied_selectors_leave_only_selectors_unknown() {
        let rules = [
            describe(vec![org_trail()]),
            status(ORG, true),
            mock!(Client::get_event_selectors)
                .then_http_response(|| json_error(400, "AccessDeniedException", "not authorized")),
        ];
        let client = test_client!(
            aws_sdk_cloudtrail,
            RuleMode::MatchAny,
            [&rules[0], &rules[1], &rules[2]]
        );
        let ctx = context("eu-west-1");
        let registry = TrailRegistry::new();

        collect_with(&ctx, &registry, |_: &str| client.clone())
            .await
            .expect("listed");
        let trail = &registry.trails()[ORG];
        assert_eq!(trail.is_logging, Some(true));
        assert_eq!(trail.selectors, None);
        let error = only_error(&ctx);
        assert_eq!(error.kind, ErrorKind::AccessDenied);
        assert_eq!(error.operation, "GetEventSelectors");
        assert_eq!(error.region, "us-east-1", "recorded in the home region");
        assert_eq!(error.resource.as_deref(), Some(ORG));
    }

    #[tokio::test]
    async fn trail_not_found_leaves_status_unknown() {
        let rules = [
            describe(vec![org_trail()]),
            mock!(Client::get_trail_status).then_http_response(|| {
                json_error(
                    400,
                    "TrailNotFoundException",
                    "Unknown trail: org for the user: 123456789012",
                )
            }),
            classic_selectors(),
        ];
        let client = test_client!(
            aws_sdk_cloudtrail,
            RuleMode::MatchAny,
            [&rules[0], &rules[1], &rules[2]]
        );
        let ctx = context("eu-west-1");
        let registry = TrailRegistry::new();

        collect_with(&ctx, &registry, |_: &str| client.clone())
            .await
            .expect("listed");
        let trail = &registry.trails()[ORG];
        assert_eq!(trail.is_logging, None);
        assert!(trail.selectors.is_some());
        let error = only_error(&ctx);
        assert_eq!(
            (error.kind, error.code.as_str()),
            (ErrorKind::Other, "TrailNotFoundException")
        );
    }

    #[tokio::test]
    async fn throttling_that_outlasts_retries() {
        let rule = mock!(Client::describe_trails)
            .then_http_response(|| json_error(400, "ThrottlingException", "Rate exceeded"));
        let client = test_client!(aws_sdk_cloudtrail, RuleMode::MatchAny, [&rule]);
        let ctx = context("eu-west-1");

        assert_eq!(
            collect_with(&ctx, &TrailRegistry::new(), |_: &str| client.clone()).await,
            None
        );
        assert_eq!(only_error(&ctx).kind, ErrorKind::Throttled);
        assert_eq!(rule.num_calls(), 3);
    }

    #[tokio::test]
    async fn html_error_page() {
        let rule = mock!(Client::describe_trails).then_http_response(html_500);
        let client = test_client!(aws_sdk_cloudtrail, RuleMode::MatchAny, [&rule]);
        let ctx = context("eu-west-1");

        assert_eq!(
            collect_with(&ctx, &TrailRegistry::new(), |_: &str| client.clone()).await,
            None
        );
        assert_html_500_error(&only_error(&ctx));
    }

    #[tokio::test]
    async fn no_trails() {
        let rule = describe(vec![]);
        let client = test_client!(aws_sdk_cloudtrail, RuleMode::MatchAny, [&rule]);
        let ctx = context("eu-west-1");
        let registry = TrailRegistry::new();

        assert_eq!(
            collect_with(&ctx, &registry, |_: &str| client.clone()).await,
            Some(vec![])
        );
        assert_no_errors(&ctx);
        assert!(registry.trails().is_empty());
    }

    /// An organization trail of the management account (999988887777),
    /// home region us-east-1, as `DescribeTrails` (with shadow trails)
    /// returns it in a member account (the context's 123456789012).
    const MANAGEMENT_ORG: &str = "arn:aws:cloudtrail:us-east-1:999988887777:trail/org-trail";

    fn management_org_trail() -> SdkTrail {
        SdkTrail::builder()
            .name("org-trail")
            .trail_arn(MANAGEMENT_ORG)
            .home_region("us-east-1")
            .is_multi_region_trail(true)
            .is_organization_trail(true)
            .include_global_service_events(true)
            .log_file_validation_enabled(true)
            .s3_bucket_name("org-trail-bucket")
            .build()
    }

    /// A member account must ask about an organization trail by its full
    /// ARN (the name alone is not found there); the rules match only then.
    fn org_status() -> Rule {
        status(MANAGEMENT_ORG, true)
    }

    fn org_selectors() -> Rule {
        all_table_data_events(MANAGEMENT_ORG)
    }

    #[tokio::test]
    async fn a_member_account_keeps_the_management_accounts_organization_trail() {
        let rules = [
            describe(vec![management_org_trail()]),
            org_status(),
            org_selectors(),
        ];
        let client = test_client!(
            aws_sdk_cloudtrail,
            RuleMode::MatchAny,
            [&rules[0], &rules[1], &rules[2]]
        );
        // A member account scanning eu-west-1 only.
        let ctx = context("eu-west-1");
        assert_ne!(ctx.account_id, "999988887777");
        let registry = TrailRegistry::new();
        let (client_for, regions) = factory(client);

        let arns = collect_with(&ctx, &registry, client_for)
            .await
            .expect("listed");
        assert_no_errors(&ctx);
        assert_eq!(arns, vec![MANAGEMENT_ORG.to_string()]);
        assert_eq!(rules[1].num_calls(), 1, "status asked by ARN");
        assert_eq!(rules[2].num_calls(), 1, "selectors asked by ARN");
        // Its details are asked in its home region, not the scanned one.
        let mut regions = regions.lock().unwrap().clone();
        regions.sort();
        assert_eq!(regions, vec!["eu-west-1", "us-east-1"]);

        let trails = registry.trails();
        let org = &trails[MANAGEMENT_ORG];
        assert!(org.is_organization_trail && org.is_multi_region);
        assert_eq!(org.home_region, "us-east-1");
        assert_eq!(org.is_logging, Some(true));
        let selectors = org.selectors.as_ref().expect("selectors collected");
        assert_eq!(
            selectors.event_selectors[0].data_resources[0].values,
            vec!["arn:aws:dynamodb"]
        );
    }

    #[tokio::test]
    async fn a_refused_organization_trail_is_kept_with_its_details_not_collected() {
        // Depending on the setup a member account may be refused the
        // details of the management account's trail, or told it does not
        // exist: the trail stays listed, its status and selectors are not
        // collected (unknown), and each failed call is recorded against the
        // trail in its home region, where the rules' reasons find it.
        let rules = [
            describe(vec![management_org_trail()]),
            mock!(Client::get_trail_status).then_http_response(|| {
                json_error(
                    400,
                    "AccessDeniedException",
                    "User: arn:aws:sts::123456789012:assumed-role/DynauditAudit/dynaudit is not authorized to perform: cloudtrail:GetTrailStatus",
                )
            }),
            mock!(Client::get_event_selectors).then_http_response(|| {
                json_error(
                    400,
                    "TrailNotFoundException",
                    "Unknown trail: arn:aws:cloudtrail:us-east-1:999988887777:trail/org-trail for the user: 123456789012",
                )
            }),
        ];
        let client = test_client!(
            aws_sdk_cloudtrail,
            RuleMode::MatchAny,
            [&rules[0], &rules[1], &rules[2]]
        );
        let ctx = context("eu-west-1");
        let registry = TrailRegistry::new();

        let arns = collect_with(&ctx, &registry, |_: &str| client.clone())
            .await
            .expect("listed");
        assert_eq!(arns, vec![MANAGEMENT_ORG.to_string()]);
        let trail = &registry.trails()[MANAGEMENT_ORG];
        assert!(trail.is_organization_trail);
        assert_eq!(trail.is_logging, None);
        assert_eq!(trail.selectors, None);

        let mut errors = ctx.errors.snapshot();
        errors.sort_by(|a, b| a.operation.cmp(&b.operation));
        let seen: Vec<_> = errors
            .iter()
            .map(|e| {
                (
                    e.operation.as_str(),
                    e.kind,
                    e.code.as_str(),
                    e.region.as_str(),
                    e.resource.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                (
                    "GetEventSelectors",
                    ErrorKind::Other,
                    "TrailNotFoundException",
                    "us-east-1",
                    Some(MANAGEMENT_ORG)
                ),
                (
                    "GetTrailStatus",
                    ErrorKind::AccessDenied,
                    "AccessDeniedException",
                    "us-east-1",
                    Some(MANAGEMENT_ORG)
                ),
            ]
        );
    }

    #[test]
    fn home_region_and_name_fall_back_to_the_arn() {
        let trail = map_trail(SdkTrail::builder().trail_arn(ORG).build()).unwrap();
        assert_eq!(trail.home_region, "us-east-1");
        assert_eq!(trail.name, "org");
        assert!(!trail.is_multi_region);
        assert!(map_trail(SdkTrail::builder().name("x").build()).is_err());
    }
}
