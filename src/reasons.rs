//! Why an unknown outcome is unknown: for each operation the outcome
//! `needs`, the collection error recorded for it, found by following the
//! evidence graph from the outcome's resource (a table -> its KMS keys; a
//! region -> the trails that apply to it; any ARN or id the evidence names),
//! and, when the needed call was never made because an earlier call about
//! the same resource failed (no `GetKeyRotationStatus` after a failed
//! `DescribeKey`), that earlier failure. Never an error of an unrelated
//! resource or of another region's region-wide call.

use std::collections::{BTreeSet, HashMap};

use crate::inventory::{CollectionError, Inventory};

/// The inventory's collection errors, indexed for [`ErrorIndex::reasons`].
pub struct ErrorIndex<'a> {
    inventory: &'a Inventory,
    by_operation: HashMap<&'a str, Vec<&'a CollectionError>>,
}

impl<'a> ErrorIndex<'a> {
    /// Indexes the errors of `inventory`.
    pub fn new(inventory: &'a Inventory) -> Self {
        let mut by_operation: HashMap<&str, Vec<&CollectionError>> = HashMap::new();
        for error in &inventory.errors {
            by_operation
                .entry(error.operation.as_str())
                .or_default()
                .push(error);
        }
        ErrorIndex {
            inventory,
            by_operation,
        }
    }

    /// The resources an outcome about `resource` in `region` depends on:
    /// itself, what its evidence names, and its neighbours in the evidence
    /// graph.
    fn related(
        &self,
        region: &str,
        resource: &str,
        evidence: &serde_json::Value,
    ) -> BTreeSet<String> {
        let mut related = BTreeSet::from([resource.to_string()]);
        collect_strings(evidence, &mut related);
        if let Some(r) = self.inventory.regions.get(region) {
            // A table's keys (its own and its replicas').
            if let Some(table) = r.tables.as_ref().and_then(|t| t.get(resource)) {
                if let Some(key) = table
                    .encryption
                    .as_ref()
                    .and_then(|e| e.kms_key_arn.clone())
                {
                    related.insert(key);
                }
                for replica in table.replicas.iter().flatten() {
                    if let Some(key) = &replica.kms_key_arn {
                        related.insert(key.clone());
                    }
                }
            }
            // The trails that apply to the region (DescribeTrails there).
            related.extend(r.trail_arns.iter().flatten().cloned());
        }
        related
    }

    /// One reason per needed operation, in words a user can act on.
    pub fn reasons(
        &self,
        region: &str,
        resource: &str,
        evidence: &serde_json::Value,
        needs: &[String],
    ) -> Vec<String> {
        let related = self.related(region, resource, evidence);
        let about =
            |e: &CollectionError| e.resource.as_deref().is_some_and(|r| related.contains(r));
        let region_wide = |e: &CollectionError| e.resource.is_none() && e.region == region;
        let mut reasons = Vec::new();
        for operation in needs {
            let candidates: &[&CollectionError] = self
                .by_operation
                .get(operation.as_str())
                .map(Vec::as_slice)
                .unwrap_or_default();
            // The call itself failed for this resource (or one it depends
            // on), or for the whole region.
            let direct = candidates
                .iter()
                .find(|e| e.resource.as_deref() == Some(resource) && e.region == region)
                .or_else(|| candidates.iter().find(|e| about(e)))
                .or_else(|| candidates.iter().find(|e| region_wide(e)));
            if let Some(e) = direct {
                reasons.push(describe(e, resource));
                continue;
            }
            // The call was never made: an earlier call of the same service
            // about the same resources, or the region's listing, failed.
            let service = service_of(operation).or(candidates.first().map(|e| e.service.as_str()));
            let Some(service) = service else {
                reasons.push(missing(operation, region));
                continue;
            };
            let earlier = self
                .inventory
                .errors
                .iter()
                .filter(|e| e.operation != *operation)
                .filter(|e| e.service == service)
                .find(|e| about(e))
                .or_else(|| {
                    self.inventory
                        .errors
                        .iter()
                        .filter(|e| e.operation != *operation)
                        .filter(|e| e.service == service)
                        .find(|e| region_wide(e))
                });
            reasons.push(match earlier {
                Some(e) => format!("{operation} was not called: {}", describe(e, resource)),
                None => missing(operation, region),
            });
        }
        reasons.dedup();
        reasons
    }
}

/// `AccessDeniedException on kms:DescribeKey in us-east-1 for <key>
/// (access_denied): <message>`.
fn describe(e: &CollectionError, outcome_resource: &str) -> String {
    // Planned evidence: the message names the expression and its line.
    if e.kind == crate::inventory::ErrorKind::NotDeterminable {
        return e.message.clone();
    }
    let target = match e.resource.as_deref() {
        Some(r) if r != outcome_resource => format!(" for {r}"),
        _ => String::new(),
    };
    format!(
        "{} on {}:{} in {}{target} ({}): {}",
        e.code,
        e.service,
        e.operation,
        e.region,
        e.kind.as_str(),
        e.message
    )
}

fn missing(operation: &str, region: &str) -> String {
    format!(
        "{operation} evidence is missing from the inventory (no collection error recorded for it in {region})"
    )
}

/// The service of an operation a rule needs, from the read-only allow-list
/// (every operation dynaudit sends is there, keyed by its IAM prefix, which
/// is the `service` of a recorded error): a key's rotation is asked only
/// after `DescribeKey`, a trail's selectors only after `DescribeTrails`.
fn service_of(operation: &str) -> Option<&'static str> {
    crate::collect::permissions::ALLOWED_OPERATIONS
        .iter()
        .find(|(_, op, _)| *op == operation)
        .map(|(service, ..)| *service)
}

/// Every string in a JSON value (ARNs and ids the evidence names).
fn collect_strings(value: &serde_json::Value, out: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::String(s) => {
            out.insert(s.clone());
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::ErrorKind;

    fn error(
        service: &str,
        region: &str,
        operation: &str,
        resource: Option<&str>,
        code: &str,
    ) -> CollectionError {
        CollectionError {
            service: service.to_string(),
            region: region.to_string(),
            operation: operation.to_string(),
            resource: resource.map(str::to_string),
            kind: ErrorKind::AccessDenied,
            code: code.to_string(),
            message: "m".to_string(),
        }
    }

    /// An inventory with `errors`, and regions given as JSON.
    fn inventory(errors: Vec<CollectionError>, regions: serde_json::Value) -> Inventory {
        let mut inventory: Inventory = serde_json::from_value(serde_json::json!({
            "schema_version": "1.1", "tool_version": "0", "collected_at": "2026-01-01T00:00:00Z",
            "account_id": "111122223333", "partition": "aws", "errors": [], "iam": null,
            "trails": {}, "regions": regions,
        }))
        .unwrap();
        inventory.errors = errors;
        inventory
    }

    fn region(trail_arns: &[&str], tables: serde_json::Value) -> serde_json::Value {
        serde_json::json!({
            "tables": tables, "backups": {}, "kms_keys": {}, "vpcs": {}, "vpc_endpoints": {},
            "trail_arns": trail_arns, "config_recorders": [], "config_rules": {},
            "backup_plans": {}, "dax_clusters": {},
        })
    }

    fn needs(op: &str) -> Vec<String> {
        vec![op.to_string()]
    }

    #[test]
    fn prefers_the_outcomes_own_resource() {
        let inv = inventory(
            vec![
                error("svc", "r1", "Op", Some("other"), "OTHER"),
                error("svc", "r1", "Op", None, "REGION"),
                error("svc", "r1", "Op", Some("mine"), "MINE"),
            ],
            serde_json::json!({}),
        );
        let reasons =
            ErrorIndex::new(&inv).reasons("r1", "mine", &serde_json::json!({}), &needs("Op"));
        assert!(
            reasons[0].starts_with("MINE on svc:Op in r1 (access_denied): m"),
            "{reasons:?}"
        );
    }

    #[test]
    fn a_value_planned_evidence_does_not_determine_is_its_message_alone() {
        let mut planned = error(
            "dynamodb",
            "r1",
            "DescribeTable",
            Some("mine"),
            "NotDeterminable",
        );
        planned.kind = ErrorKind::NotDeterminable;
        planned.message =
            "not determinable from the template (`!ImportValue K`): why (t.yaml:3)".to_string();
        let inv = inventory(vec![planned], serde_json::json!({}));
        let reasons = ErrorIndex::new(&inv).reasons(
            "r1",
            "mine",
            &serde_json::json!({}),
            &needs("DescribeTable"),
        );
        assert_eq!(
            reasons,
            vec![
                "not determinable from the template (`!ImportValue K`): why (t.yaml:3)".to_string()
            ]
        );
    }

    #[test]
    fn never_borrows_an_unrelated_resources_error() {
        let inv = inventory(
            vec![
                error("svc", "r1", "Op", Some("other"), "OTHER"),
                // Another region's region-wide failure.
                error("svc", "r2", "Op", None, "ELSEWHERE"),
            ],
            serde_json::json!({}),
        );
        let reasons =
            ErrorIndex::new(&inv).reasons("r1", "mine", &serde_json::json!({}), &needs("Op"));
        assert!(!reasons[0].contains("OTHER"), "{reasons:?}");
        assert!(!reasons[0].contains("ELSEWHERE"), "{reasons:?}");
        assert!(
            reasons[0].contains("no collection error recorded"),
            "{reasons:?}"
        );
    }

    #[test]
    fn finds_the_error_of_a_resource_named_in_evidence_in_another_region() {
        let inv = inventory(
            vec![error(
                "cloudtrail",
                "us-east-1",
                "GetTrailStatus",
                Some("arn:trail"),
                "TRAIL",
            )],
            serde_json::json!({}),
        );
        let evidence = serde_json::json!({"candidates": ["arn:trail"]});
        let reasons = ErrorIndex::new(&inv).reasons(
            "eu-west-1",
            "acct/eu-west-1",
            &evidence,
            &needs("GetTrailStatus"),
        );
        assert!(reasons[0].contains("TRAIL"), "{reasons:?}");
        assert!(reasons[0].contains("for arn:trail"), "{reasons:?}");
    }

    /// DYN503: the event selectors of the trails that apply to a region;
    /// the errors are recorded against each trail's ARN, which the outcome
    /// (about the region) does not name. Before, this said "no collection
    /// error recorded".
    #[test]
    fn a_region_outcome_finds_the_errors_of_its_trails() {
        let trail = "arn:aws:cloudtrail:us-east-1:111122223333:trail/main";
        let inv = inventory(
            vec![error(
                "cloudtrail",
                "us-east-1",
                "GetEventSelectors",
                Some(trail),
                "AccessDeniedException",
            )],
            serde_json::json!({"us-west-2": region(&[trail], serde_json::json!({}))}),
        );
        let reasons = ErrorIndex::new(&inv).reasons(
            "us-west-2",
            "111122223333/us-west-2",
            &serde_json::json!({}),
            &needs("GetEventSelectors"),
        );
        assert_eq!(
            reasons,
            [format!(
                "AccessDeniedException on cloudtrail:GetEventSelectors in us-east-1 for {trail} (access_denied): m"
            )]
        );
    }

    /// DYN103: rotation is never asked after DescribeKey failed; the
    /// reason says so instead of blaming GetKeyRotationStatus.
    #[test]
    fn a_call_never_made_names_the_failure_before_it() {
        let table = "arn:aws:dynamodb:us-east-1:111122223333:table/orders";
        let key = "arn:aws:kms:us-east-1:111122223333:key/k1";
        let mut inv = inventory(
            vec![error(
                "kms",
                "us-east-1",
                "DescribeKey",
                Some(key),
                "AccessDeniedException",
            )],
            serde_json::json!({"us-east-1": region(&[], serde_json::json!({}))}),
        );
        // A table of the sample estate, encrypted with `key`.
        let sample = crate::load::parse(
            "sample-estate.json",
            include_str!("../fixtures/sample-estate.json"),
        )
        .unwrap();
        let mut orders = sample
            .regions
            .values()
            .flat_map(|r| r.tables.iter().flatten())
            .map(|(_, t)| t.clone())
            .find(|t| t.encryption.is_some())
            .unwrap();
        orders.arn = table.to_string();
        orders.replicas = Some(Vec::new());
        if let Some(encryption) = orders.encryption.as_mut() {
            encryption.kms_key_arn = Some(key.to_string());
        }
        inv.regions
            .get_mut("us-east-1")
            .and_then(|r| r.tables.as_mut())
            .unwrap()
            .insert(table.to_string(), orders);
        let reasons = ErrorIndex::new(&inv).reasons(
            "us-east-1",
            table,
            &serde_json::json!({}),
            &needs("GetKeyRotationStatus"),
        );
        assert_eq!(
            reasons,
            [format!(
                "GetKeyRotationStatus was not called: AccessDeniedException on kms:DescribeKey in us-east-1 for {key} (access_denied): m"
            )]
        );
    }
}
