//! `AWS::DAX::Cluster`: a cluster record keyed by the ARN `!GetAtt .Arn`
//! gives (`cache/<ClusterName or LogicalId>`), as `DescribeClusters` would
//! show it once deployed (status `available`).
//!
//! - `SSESpecification.SSEEnabled` (default false) is `sse_status`
//!   `ENABLED` or `DISABLED` (DYN104); `ClusterEndpointEncryptionType`
//!   (default `NONE`) is `endpoint_encryption` (DYN105).
//! - `ReplicationFactor` is `total_nodes`, one node per replica (ids
//!   `<name>-a`, `<name>-b`, ... as DAX names them), each in the zone of
//!   `AvailabilityZones` at its position. Without `AvailabilityZones`, DAX
//!   places the nodes at creation: their zones are `null`, with a
//!   `not_determinable` error of `DescribeClusters`, so DYN208 says unknown
//!   for a cluster of 3 or more nodes (and fails one of fewer, whatever
//!   the zones).
//! - A value the template does not determine is `null` with an error of
//!   `DescribeClusters`: the encryption fields, or `total_nodes` and
//!   `nodes` for the replication factor.

use crate::iac::IacError;
use crate::iac::cloudformation::context::Context;
use crate::iac::cloudformation::physical;
use crate::iac::resolved::{Resolved, Undetermined};
use crate::inventory::{DaxCluster, DaxNode};

const SERVICE: &str = "dax";
const OPERATION: &str = "DescribeClusters";

/// `AWS::DAX::Cluster`.
pub fn cluster(context: &mut Context<'_, '_>) -> Result<(), IacError> {
    let region = context.region.clone();
    let (name, determinable) = physical::name(context.resolver, context.logical, "ClusterName")?;
    let name = match name.as_string() {
        Some(name) if determinable => name,
        _ => context.logical.to_string(),
    };
    let arn = format!(
        "arn:{}:dax:{region}:{}:cache/{name}",
        context.builder.partition(),
        context.builder.account()
    );
    let p = context.properties.clone();
    let path = ["SSESpecification", "SSEEnabled"];
    let sse_status = match super::cloudtrail::boolean(
        context,
        p.get("SSESpecification").get("SSEEnabled"),
        &path,
        Some(false),
    ) {
        Ok(true) => Some("ENABLED".to_string()),
        Ok(false) => Some("DISABLED".to_string()),
        Err(why) => {
            context.undetermined(SERVICE, OPERATION, &arn, &why);
            None
        }
    };
    let endpoint_encryption = match p.get("ClusterEndpointEncryptionType") {
        Resolved::Null => Some("NONE".to_string()),
        Resolved::Unknown(why) => {
            let why = (**why).clone();
            context.undetermined(SERVICE, OPERATION, &arn, &why);
            None
        }
        other => other.as_string(),
    };
    let (total_nodes, nodes) = nodes(context, &arn, &name, &p);
    let cluster = DaxCluster {
        arn: arn.clone(),
        name,
        status: Some("available".to_string()),
        sse_status,
        endpoint_encryption,
        total_nodes: Some(total_nodes),
        nodes: Some(nodes),
    };
    if let Some(clusters) = context.builder.region(&region).dax_clusters.as_mut() {
        clusters.insert(arn.clone(), cluster);
    }
    context.plan(
        &arn,
        determinable,
        &[
            ("sse_status", &["SSESpecification"]),
            ("endpoint_encryption", &["ClusterEndpointEncryptionType"]),
            ("total_nodes", &["ReplicationFactor"]),
            ("nodes", &["AvailabilityZones"]),
        ],
    );
    Ok(())
}

/// `total_nodes` and `nodes` from `ReplicationFactor` and
/// `AvailabilityZones`.
fn nodes(
    context: &mut Context<'_, '_>,
    arn: &str,
    name: &str,
    p: &Resolved,
) -> (Option<i64>, Option<Vec<DaxNode>>) {
    let factor = p.get("ReplicationFactor");
    let count = match factor {
        Resolved::Unknown(why) => Err((**why).clone()),
        other => other
            .as_i64()
            .filter(|n| (1..=26).contains(n))
            .ok_or_else(|| {
                context.unexpected(&["ReplicationFactor"], "a number of nodes (1 to 26)")
            }),
    };
    let count = match count {
        Ok(count) => count,
        Err(why) => {
            context.undetermined(SERVICE, OPERATION, arn, &why);
            return (None, None);
        }
    };
    let zones = p.get("AvailabilityZones");
    let unplaced = match zones {
        Resolved::Null => Some(Undetermined {
            expression: "AvailabilityZones".to_string(),
            reason: "without AvailabilityZones, DAX chooses the nodes' zones when it creates the cluster".to_string(),
            line: context.line_of(&["ReplicationFactor"]),
        }),
        other => other.undetermined().cloned(),
    };
    if let Some(why) = &unplaced {
        context.undetermined(SERVICE, OPERATION, arn, why);
    }
    let nodes = (0..count)
        .map(|i| {
            let letter = u8::try_from(i)
                .ok()
                .and_then(|i| b'a'.checked_add(i))
                .map_or('z', char::from);
            DaxNode {
                id: format!("{name}-{letter}"),
                availability_zone: zones
                    .items()
                    .get(usize::try_from(i).unwrap_or(usize::MAX))
                    .and_then(Resolved::as_string),
                status: Some("available".to_string()),
            }
        })
        .collect();
    (Some(count), Some(nodes))
}
