# METADATA
# title: DAX cluster is not spread over several Availability Zones
# description: |-
#   Checks that every DynamoDB Accelerator (DAX) cluster in a scanned region
#   has at least three nodes in at least two Availability Zones, as AWS
#   recommends for production clusters. Fails when the cluster has fewer
#   than three nodes (`TotalNodes`, or the nodes listed when it was not
#   reported) or when all its nodes are in one zone. Passes with three or
#   more nodes in two or more zones. Unknown when the nodes or their zones
#   were not collected (DescribeClusters) and the known ones do not already
#   decide (some nodes' zones unknown and the others all in one zone), when
#   the inventory predates the node fields (schema before 1.3), and for a
#   region whose clusters could not be listed (one outcome for the region).
#
#   Severity medium: a cluster of one or two nodes, or with every node in
#   one zone, goes down with a node or a zone. Reads then fall back to the
#   table (DAX is a cache: no data is lost), but a workload sized on the
#   cache's throughput and latency may throttle or time out. SOC 2 A1.2:
#   the entity designs and operates environmental protections and recovery
#   infrastructure to meet its availability objectives; spreading nodes
#   over Availability Zones is that protection against the loss of one
#   data center. No PCI DSS v4.0 requirement addresses availability of a
#   cache, so none is mapped.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DAX.concepts.cluster.html
#     description: DAX cluster components (nodes, Availability Zones)
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/dax-config-considerations.html
#     description: DAX cluster configuration considerations (three or more nodes across Availability Zones for production)
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DAX.cluster-management.html#DAX.cluster-management.scaling
#     description: Scaling a DAX cluster (adding nodes in chosen Availability Zones)
# custom:
#   id: DYN208
#   name: dax-not-multi-az
#   severity: medium
#   frameworks:
#     soc2: [A1.2]
#   remediation:
#     summary: >-
#       Grow the cluster to at least three nodes and place them in at least
#       two (ideally three) Availability Zones of its subnet group; nodes
#       cannot be moved, so add nodes in the missing zones and then remove
#       surplus nodes from the crowded one.
#     aws_cli: |-
#       aws dax increase-replication-factor --region REGION --cluster-name CLUSTER \
#         --new-replication-factor 3 \
#         --availability-zones REGIONa REGIONb REGIONc
#     terraform: |-
#       resource "aws_dax_cluster" "this" {
#         # ...
#         replication_factor = 3
#         availability_zones = ["us-east-1a", "us-east-1b", "us-east-1c"]
#       }
package dynaudit.rules.dyn208

import data.dynaudit.lib.common.not_in_version
import data.dynaudit.lib.common.not_in_version_reason
import data.dynaudit.lib.common.region_resource

# The fewest nodes of a cluster that can lose one and stay redundant.
min_nodes := 3

outcomes contains {
	"status": "unknown",
	"resource": region_resource(region),
	"region": region,
	"message": sprintf("Cannot check Availability Zones of DAX clusters in %s: the clusters could not be listed (DescribeClusters failed, or DAX is not offered there)", [region]),
	"evidence": {"dax_clusters": null},
	"needs": ["DescribeClusters"],
} if {
	some region, r in input.regions
	object.get(r, "dax_clusters", null) == null
}

outcomes contains {
	"status": "unknown",
	"resource": arn,
	"region": region,
	"message": sprintf("Cannot check Availability Zones of DAX cluster %s in %s: its nodes are %s", [c.name, region, not_in_version_reason]),
	"evidence": {"total_nodes": object.get(c, "total_nodes", null), "nodes": object.get(c, "nodes", null)},
	"needs": [],
} if {
	some region, listed in clusters
	some arn, c in listed
	old(c)
}

outcomes contains verdict(region, arn, c) if {
	some region, listed in clusters
	some arn, c in listed
	not old(c)
}

# region -> cluster ARN -> cluster, for regions whose clusters were listed.
clusters[region] := r.dax_clusters if {
	some region, r in input.regions
	is_object(r.dax_clusters)
}

# The inventory predates the node fields (schema 1.3).
old(c) if not_in_version(c, "total_nodes")

old(c) if not_in_version(c, "nodes")

# The cluster's node count: `TotalNodes`, else the nodes listed; undefined
# when neither was collected.
node_count(c) := c.total_nodes if {
	is_number(c.total_nodes)
} else := count(c.nodes) if {
	is_array(c.nodes)
}

# The distinct known zones of the nodes, and the nodes whose zone is not.
zones(c) := {n.availability_zone | some n in c.nodes; is_string(n.availability_zone)}

unzoned(c) := [n.id | some n in c.nodes; not is_string(n.availability_zone)]

evidence(c) := {
	"total_nodes": c.total_nodes,
	"nodes": count_or_null(c.nodes),
	"availability_zones": sort(zones(c)),
	"nodes_without_zone": unzoned(c),
	"cluster_status": object.get(c, "status", null),
} if {
	is_array(c.nodes)
} else := {
	"total_nodes": c.total_nodes,
	"nodes": null,
	"availability_zones": null,
	"cluster_status": object.get(c, "status", null),
}

count_or_null(x) := count(x) if is_array(x)

verdict(region, arn, c) := {
	"status": "fail",
	"resource": arn,
	"region": region,
	"message": sprintf("DAX cluster %s in %s has %d node(s), fewer than %d: one node's failure leaves it without redundancy; add nodes in other Availability Zones", [c.name, region, n, min_nodes]),
	"evidence": evidence(c),
} if {
	n := node_count(c)
	n < min_nodes
} else := {
	"status": "unknown",
	"resource": arn,
	"region": region,
	"message": sprintf("Cannot check Availability Zones of DAX cluster %s in %s: its nodes were not collected", [c.name, region]),
	"evidence": evidence(c),
	"needs": ["DescribeClusters"],
} if {
	not is_array(c.nodes)
} else := {
	"status": "pass",
	"resource": arn,
	"region": region,
	"message": sprintf("DAX cluster %s in %s has %d nodes in %d Availability Zones (%s)", [c.name, region, node_count(c), count(zs), concat(", ", sort(zs))]),
	"evidence": evidence(c),
} if {
	zs := zones(c)
	count(zs) >= 2
} else := {
	"status": "fail",
	"resource": arn,
	"region": region,
	"message": sprintf("DAX cluster %s in %s has all %d nodes in Availability Zone %s: losing that zone takes the whole cluster down; add nodes in other zones", [c.name, region, node_count(c), zone]),
	"evidence": evidence(c),
} if {
	count(unzoned(c)) == 0
	count(zones(c)) == 1
	some zone in zones(c)
} else := {
	"status": "unknown",
	"resource": arn,
	"region": region,
	"message": sprintf("Cannot check Availability Zones of DAX cluster %s in %s: DescribeClusters listed none of its %d nodes (the cluster may be creating them)", [c.name, region, node_count(c)]),
	"evidence": evidence(c),
	"needs": [],
} if {
	count(c.nodes) == 0
} else := {
	"status": "unknown",
	"resource": arn,
	"region": region,
	"message": sprintf("Cannot check Availability Zones of DAX cluster %s in %s: the zone of node(s) %s was not collected%s", [c.name, region, concat(", ", unzoned(c)), known_note(zones(c))]),
	"evidence": evidence(c),
	"needs": ["DescribeClusters"],
}

known_note(zs) := sprintf(" and the others are all in %s", [concat("", [z | some z in zs])]) if {
	count(zs) == 1
} else := ""
