//! `aws_dax_cluster`: encryption at rest (`server_side_encryption`, off
//! by default), the endpoint's (`cluster_endpoint_encryption_type`, `NONE`
//! by default) and its nodes: `replication_factor` of them, in the
//! `availability_zones` listed; without that list DAX chooses the zones
//! when it creates the cluster, so they are not determinable.

use crate::iac::IacError;
use crate::iac::resolved::Undetermined;
use crate::iac::terraform::{Adapter, physical};
use crate::inventory::{DaxCluster, DaxNode};

/// Reads the plan's DAX clusters.
pub fn read(adapter: &mut Adapter<'_, '_>) -> Result<(), IacError> {
    let plan = adapter.plan;
    for cluster in plan.of_type("aws_dax_cluster") {
        let Ok(Some(name)) = cluster.string(&["cluster_name"]) else {
            continue;
        };
        let region = cluster.region.clone();
        let arn = physical::value(plan, cluster, "arn").unwrap_or_default();
        let sse_status = match cluster.blocks(&["server_side_encryption"]) {
            Ok(blocks) => {
                let enabled = !blocks.is_empty()
                    && cluster
                        .boolean(&["server_side_encryption", "0", "enabled"])
                        .ok()
                        .flatten()
                        .unwrap_or(false);
                Some(if enabled { "ENABLED" } else { "DISABLED" }.to_string())
            }
            Err(why) => {
                adapter.undetermined("dax", &region, "DescribeClusters", Some(&arn), &why);
                None
            }
        };
        let endpoint_encryption = match cluster.string(&["cluster_endpoint_encryption_type"]) {
            Ok(kind) => Some(kind.unwrap_or_else(|| "NONE".to_string())),
            Err(why) => {
                adapter.undetermined("dax", &region, "DescribeClusters", Some(&arn), &why);
                None
            }
        };
        let total = match cluster.integer(&["replication_factor"]) {
            // A cluster has 1 to 11 nodes.
            Ok(Some(total)) if !(1..=11).contains(&total) => {
                let why = cluster.unexpected(&["replication_factor"], "a node count from 1 to 11");
                adapter.undetermined("dax", &region, "DescribeClusters", Some(&arn), &why);
                None
            }
            Ok(total) => total,
            Err(why) => {
                adapter.undetermined("dax", &region, "DescribeClusters", Some(&arn), &why);
                None
            }
        };
        let zones = cluster.strings(&["availability_zones"]).unwrap_or_default();
        let nodes = total.map(|total| {
            let count = usize::try_from(total).unwrap_or(0);
            if zones.len() != count {
                let why = Undetermined {
                    expression: cluster.expression(&["availability_zones"]),
                    reason: "DAX chooses the nodes' Availability Zones when it creates the cluster"
                        .to_string(),
                    line: cluster.line,
                };
                adapter.undetermined("dax", &region, "DescribeClusters", Some(&arn), &why);
            }
            (0..count)
                .map(|i| DaxNode {
                    id: format!("{name}-{}", node_letter(i)),
                    availability_zone: (zones.len() == count).then(|| zones[i].clone()),
                    status: Some("available".to_string()),
                })
                .collect::<Vec<_>>()
        });
        let record = DaxCluster {
            arn: arn.clone(),
            name,
            status: Some("available".to_string()),
            sse_status,
            endpoint_encryption,
            total_nodes: Some(total),
            nodes: Some(nodes),
        };
        if let Some(clusters) = adapter.builder.region(&region).dax_clusters.as_mut() {
            clusters.insert(arn.clone(), record);
        }
        adapter.planned(&arn, cluster, true, &[]);
    }
    Ok(())
}

/// `a`, `b`, ... as DAX names nodes (`cluster-a`).
fn node_letter(index: usize) -> String {
    let letters = b"abcdefghijklmnopqrstuvwxyz";
    let mut name = String::new();
    let mut i = index;
    loop {
        name.insert(0, char::from(letters[i % 26]));
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    name
}
