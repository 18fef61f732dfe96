//! `aws_cloudtrail`: a trail whose home region is its provider's region,
//! listed in that region (and, multi-region, in every region the plan
//! reads), with its event selectors (`event_selector`,
//! `advanced_event_selector`; neither: AWS's default, all management
//! events) and logging (`enable_logging`, on by default).

use crate::iac::IacError;
use crate::iac::node::{Node, NodeValue};
use crate::iac::resolved::Undetermined;
use crate::iac::terraform::kms::KEY_REFERENCES;
use crate::iac::terraform::plan::Instance;
use crate::iac::terraform::{Adapter, physical};
use crate::inventory::{
    AdvancedEventSelector, DataResource, EventSelector, EventSelectors, FieldSelector, Trail,
    TrailField,
};

const BUCKET_REFERENCES: [(&str, &str); 2] = [("aws_s3_bucket", "id"), ("aws_s3_bucket", "bucket")];

/// Reads the plan's trails.
pub fn read(adapter: &mut Adapter<'_, '_>) -> Result<(), IacError> {
    let plan = adapter.plan;
    for trail in plan.of_type("aws_cloudtrail") {
        let Ok(Some(name)) = trail.string(&["name"]) else {
            continue;
        };
        let region = trail.region.clone();
        let arn = physical::value(plan, trail, "arn").unwrap_or_else(|| {
            format!(
                "arn:{}:cloudtrail:{region}:{}:trail/{name}",
                plan.partition, plan.account
            )
        });
        let flag = |attribute: &str, default: bool| {
            trail
                .boolean(&[attribute])
                .ok()
                .flatten()
                .unwrap_or(default)
        };
        let (kms_key_id, absent) = match trail.linked(
            plan,
            &["kms_key_id"],
            Some(&["kms_key_id"]),
            &KEY_REFERENCES,
        ) {
            Ok(Some(key)) => (Some(key), Vec::new()),
            Ok(None) => (None, vec![TrailField::KmsKeyId]),
            Err(why) => {
                adapter.undetermined("cloudtrail", &region, "DescribeTrails", Some(&arn), &why);
                (None, Vec::new())
            }
        };
        let is_logging = match trail.boolean(&["enable_logging"]) {
            Ok(logging) => Some(logging.unwrap_or(true)),
            Err(why) => {
                adapter.undetermined("cloudtrail", &region, "GetTrailStatus", Some(&arn), &why);
                None
            }
        };
        let selectors = match selectors(trail) {
            Ok(selectors) => Some(selectors),
            Err(why) => {
                adapter.undetermined("cloudtrail", &region, "GetEventSelectors", Some(&arn), &why);
                None
            }
        };
        let is_multi_region = flag("is_multi_region_trail", false);
        let record = Trail {
            arn: arn.clone(),
            name,
            home_region: region.clone(),
            is_multi_region,
            is_organization_trail: flag("is_organization_trail", false),
            include_global_service_events: flag("include_global_service_events", true),
            log_file_validation_enabled: flag("enable_log_file_validation", false),
            kms_key_id,
            s3_bucket_name: trail
                .linked(
                    plan,
                    &["s3_bucket_name"],
                    Some(&["s3_bucket_name"]),
                    &BUCKET_REFERENCES,
                )
                .ok()
                .flatten(),
            is_logging,
            selectors,
            absent,
        };
        adapter.builder.inventory.trails.insert(arn.clone(), record);
        let regions: Vec<String> = if is_multi_region {
            adapter.builder.inventory.regions.keys().cloned().collect()
        } else {
            vec![region.clone()]
        };
        for listed in regions {
            if let Some(arns) = adapter.builder.region(&listed).trail_arns.as_mut()
                && !arns.contains(&arn)
            {
                arns.push(arn.clone());
                arns.sort();
            }
        }
        adapter.planned(&arn, trail, true, &[]);
    }
    Ok(())
}

/// The trail's selectors; AWS's default (all management events) when it
/// declares none.
fn selectors(trail: &Instance<'_>) -> Result<EventSelectors, Undetermined> {
    let classic = trail.blocks(&["event_selector"])?;
    let advanced = trail.blocks(&["advanced_event_selector"])?;
    if classic.is_empty() && advanced.is_empty() {
        return Ok(EventSelectors {
            event_selectors: vec![EventSelector {
                read_write_type: Some("All".to_string()),
                include_management_events: Some(true),
                data_resources: Vec::new(),
            }],
            advanced_event_selectors: Vec::new(),
        });
    }
    let event_selectors = classic
        .iter()
        .map(|selector| EventSelector {
            read_write_type: Some(
                text(selector, "read_write_type").unwrap_or_else(|| "All".to_string()),
            ),
            include_management_events: Some(
                selector
                    .get("include_management_events")
                    .and_then(|v| match v.value {
                        NodeValue::Bool(b) => Some(b),
                        _ => None,
                    })
                    .unwrap_or(true),
            ),
            data_resources: items(selector, "data_resource")
                .iter()
                .map(|resource| DataResource {
                    resource_type: text(resource, "type").unwrap_or_default(),
                    values: texts(resource, "values"),
                })
                .collect(),
        })
        .collect();
    let advanced_event_selectors = advanced
        .iter()
        .map(|selector| AdvancedEventSelector {
            name: text(selector, "name"),
            field_selectors: items(selector, "field_selector")
                .iter()
                .map(|field| FieldSelector {
                    field: text(field, "field").unwrap_or_default(),
                    equals: texts(field, "equals"),
                    not_equals: texts(field, "not_equals"),
                    starts_with: texts(field, "starts_with"),
                    not_starts_with: texts(field, "not_starts_with"),
                    ends_with: texts(field, "ends_with"),
                    not_ends_with: texts(field, "not_ends_with"),
                })
                .collect(),
        })
        .collect();
    // A selector known only after apply (an ARN of the plan in `values`)
    // leaves the whole set unknown.
    for (block, count) in [
        ("event_selector", classic.len()),
        ("advanced_event_selector", advanced.len()),
    ] {
        for index in 0..count {
            let i = index.to_string();
            if trail.has_unknown(&[block, &i]) {
                return Err(trail.after_apply(&[block, &i]));
            }
        }
    }
    Ok(EventSelectors {
        event_selectors,
        advanced_event_selectors,
    })
}

fn items<'n>(node: &'n Node, key: &str) -> &'n [Node] {
    node.get(key).map_or(&[][..], Node::items)
}

fn text(node: &Node, key: &str) -> Option<String> {
    node.get(key).and_then(Node::as_str).map(str::to_string)
}

fn texts(node: &Node, key: &str) -> Vec<String> {
    items(node, key)
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}
