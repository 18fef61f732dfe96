//! `AWS::CloudTrail::Trail`: a trail record (`inventory.trails`, keyed by
//! the ARN `!GetAtt .Arn` gives) and its ARN in the region's
//! `trail_arns`, as `DescribeTrails`, `GetTrailStatus` and
//! `GetEventSelectors` would show it once deployed. Its home region is the
//! stack's.
//!
//! AWS defaults: `IsMultiRegionTrail`, `IsOrganizationTrail` and
//! `EnableLogFileValidation` false, `IncludeGlobalServiceEvents` true; a
//! trail without selectors gets AWS's default selector (all management
//! events, read and write); a classic selector's `ReadWriteType` is `All`
//! and `IncludeManagementEvents` true unless set.
//!
//! What is not determinable:
//! - `KMSKeyId`: `null` (not named in `absent`) with an error of
//!   `DescribeTrails` (DYN504 unknown); without `KMSKeyId` the trail has no
//!   key, `null` named in `absent` as the collector records it (DYN504
//!   fails a trail DYN501 relies on);
//! - `IsLogging`: `null` with an error of `GetTrailStatus`;
//! - the selectors: `null` with an error of `GetEventSelectors`;
//! - `IsMultiRegionTrail` or `EnableLogFileValidation`, which the record
//!   holds as plain booleans: the trail is kept as a multi-region trail
//!   whose logging status (`is_logging`) is `null`, with an error of
//!   `GetTrailStatus` naming the expression, so DYN502 and DYN504 say
//!   unknown ("cannot tell whether it is a trail DYN501 relies on") rather
//!   than pass, fail, or pass over it;
//! - `IsOrganizationTrail` and `IncludeGlobalServiceEvents` (no rule
//!   judges them): their default, with an error of `DescribeTrails`.

use crate::iac::IacError;
use crate::iac::cloudformation::context::Context;
use crate::iac::cloudformation::physical;
use crate::iac::resolved::{Resolved, Undetermined};
use crate::inventory::{
    AdvancedEventSelector, DataResource, EventSelector, EventSelectors, FieldSelector, Trail,
    TrailField,
};

const SERVICE: &str = "cloudtrail";

/// `AWS::CloudTrail::Trail`.
pub fn trail(context: &mut Context<'_, '_>) -> Result<(), IacError> {
    let region = context.region.clone();
    let (name, determinable) = physical::name(context.resolver, context.logical, "TrailName")?;
    let name = match name.as_string() {
        Some(name) if determinable => name,
        _ => context.logical.to_string(),
    };
    let arn = format!(
        "arn:{}:cloudtrail:{region}:{}:trail/{name}",
        context.builder.partition(),
        context.builder.account()
    );
    let p = context.properties.clone();

    let mut is_logging = match boolean(context, p.get("IsLogging"), &["IsLogging"], None) {
        Ok(b) => Some(b),
        Err(why) => {
            context.undetermined(SERVICE, "GetTrailStatus", &arn, &why);
            None
        }
    };
    // Booleans the record cannot hold as unknown: the trail's status is
    // then unknown, so the rules cannot rely on it.
    let mut status_unknown = |context: &mut Context<'_, '_>, why: &Undetermined| {
        context.undetermined(SERVICE, "GetTrailStatus", &arn, why);
        is_logging = None;
    };
    let is_multi_region = match boolean(
        context,
        p.get("IsMultiRegionTrail"),
        &["IsMultiRegionTrail"],
        Some(false),
    ) {
        Ok(b) => b,
        Err(why) => {
            status_unknown(context, &why);
            true
        }
    };
    let log_file_validation_enabled = match boolean(
        context,
        p.get("EnableLogFileValidation"),
        &["EnableLogFileValidation"],
        Some(false),
    ) {
        Ok(b) => b,
        Err(why) => {
            status_unknown(context, &why);
            false
        }
    };
    let described = |property: &str, default: bool, context: &mut Context<'_, '_>| {
        boolean(context, p.get(property), &[property], Some(default)).unwrap_or_else(|why| {
            context.undetermined(SERVICE, "DescribeTrails", &arn, &why);
            default
        })
    };
    let is_organization_trail = described("IsOrganizationTrail", false, context);
    let include_global_service_events = described("IncludeGlobalServiceEvents", true, context);

    let (kms_key_id, absent) = match p.get("KMSKeyId") {
        Resolved::Null => (None, vec![TrailField::KmsKeyId]),
        Resolved::Unknown(why) => {
            let why = (**why).clone();
            context.undetermined(SERVICE, "DescribeTrails", &arn, &why);
            (None, Vec::new())
        }
        other => (
            other.as_string().map(|key| key_arn(context, &key)),
            Vec::new(),
        ),
    };
    let s3_bucket_name = match p.get("S3BucketName") {
        Resolved::Unknown(why) => {
            let why = (**why).clone();
            context.undetermined(SERVICE, "DescribeTrails", &arn, &why);
            None
        }
        other => other.as_string(),
    };
    let selectors = match selectors(context, &p) {
        Ok(selectors) => Some(selectors),
        Err(why) => {
            context.undetermined(SERVICE, "GetEventSelectors", &arn, &why);
            None
        }
    };
    context.builder.inventory.trails.insert(
        arn.clone(),
        Trail {
            arn: arn.clone(),
            name,
            home_region: region.clone(),
            is_multi_region,
            is_organization_trail,
            include_global_service_events,
            log_file_validation_enabled,
            kms_key_id,
            s3_bucket_name,
            is_logging,
            selectors,
            absent,
        },
    );
    if let Some(arns) = context.builder.region(&region).trail_arns.as_mut() {
        arns.push(arn.clone());
        arns.sort();
        arns.dedup();
    }
    context.plan(
        &arn,
        determinable,
        &[
            ("log_file_validation_enabled", &["EnableLogFileValidation"]),
            ("kms_key_id", &["KMSKeyId"]),
            ("is_multi_region", &["IsMultiRegionTrail"]),
            ("is_logging", &["IsLogging"]),
            ("selectors", &["EventSelectors"]),
            ("advanced_selectors", &["AdvancedEventSelectors"]),
        ],
    );
    Ok(())
}

/// A boolean property: `default` when unset (`None`: the property is
/// required); the reason when the template does not determine it or it is
/// not a boolean. `path` locates it.
pub(super) fn boolean(
    context: &Context<'_, '_>,
    value: &Resolved,
    path: &[&str],
    default: Option<bool>,
) -> Result<bool, Undetermined> {
    if let Some(why) = value.undetermined() {
        return Err(why.clone());
    }
    match (value, default) {
        (Resolved::Null, Some(default)) => Ok(default),
        (Resolved::Null, None) => Err(Undetermined {
            expression: path.join("."),
            reason: "the property is required and the template does not set it".to_string(),
            line: context.line_of(path),
        }),
        (other, _) => other
            .as_bool()
            .ok_or_else(|| context.unexpected(path, "true or false")),
    }
}

/// The ARN `DescribeTrails` reports for `KMSKeyId` (a key id, key ARN,
/// alias name or alias ARN).
fn key_arn(context: &Context<'_, '_>, key: &str) -> String {
    if key.starts_with("arn:") {
        return key.to_string();
    }
    let prefix = format!(
        "arn:{}:kms:{}:{}",
        context.builder.partition(),
        context.region,
        context.builder.account()
    );
    if key.starts_with("alias/") {
        format!("{prefix}:{key}")
    } else {
        format!("{prefix}:key/{key}")
    }
}

/// The event selectors, classic or advanced; AWS's default selector when
/// the template sets neither.
fn selectors(context: &Context<'_, '_>, p: &Resolved) -> Result<EventSelectors, Undetermined> {
    let classic = p.get("EventSelectors");
    let advanced = p.get("AdvancedEventSelectors");
    if let Some(why) = classic.undetermined().or(advanced.undetermined()) {
        return Err(why.clone());
    }
    if classic.items().is_empty() && advanced.items().is_empty() {
        return Ok(EventSelectors {
            event_selectors: vec![EventSelector {
                read_write_type: Some("All".to_string()),
                include_management_events: Some(true),
                data_resources: Vec::new(),
            }],
            advanced_event_selectors: Vec::new(),
        });
    }
    let mut event_selectors = Vec::new();
    for (index, selector) in classic.items().iter().enumerate() {
        let index = index.to_string();
        let path = ["EventSelectors", index.as_str(), "IncludeManagementEvents"];
        let include = boolean(
            context,
            selector.get("IncludeManagementEvents"),
            &path,
            Some(true),
        )?;
        event_selectors.push(EventSelector {
            read_write_type: Some(
                selector
                    .get("ReadWriteType")
                    .as_string()
                    .unwrap_or_else(|| "All".to_string()),
            ),
            include_management_events: Some(include),
            data_resources: selector
                .get("DataResources")
                .items()
                .iter()
                .map(|resource| DataResource {
                    resource_type: resource.get("Type").as_string().unwrap_or_default(),
                    values: strings(resource.get("Values")),
                })
                .collect(),
        });
    }
    let advanced_event_selectors = advanced
        .items()
        .iter()
        .map(|selector| AdvancedEventSelector {
            name: selector.get("Name").as_string(),
            field_selectors: selector
                .get("FieldSelectors")
                .items()
                .iter()
                .map(|field| FieldSelector {
                    field: field.get("Field").as_string().unwrap_or_default(),
                    equals: strings(field.get("Equals")),
                    not_equals: strings(field.get("NotEquals")),
                    starts_with: strings(field.get("StartsWith")),
                    not_starts_with: strings(field.get("NotStartsWith")),
                    ends_with: strings(field.get("EndsWith")),
                    not_ends_with: strings(field.get("NotEndsWith")),
                })
                .collect(),
        })
        .collect();
    Ok(EventSelectors {
        event_selectors,
        advanced_event_selectors,
    })
}

/// The strings of a list (a single string as a list of one).
fn strings(value: &Resolved) -> Vec<String> {
    match value {
        Resolved::List(items) => items.iter().filter_map(Resolved::as_string).collect(),
        other => other.as_string().into_iter().collect(),
    }
}
