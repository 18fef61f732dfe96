# METADATA
# title: DAX cluster is not encrypted at rest
# description: |-
#   Checks that every DynamoDB Accelerator (DAX) cluster in a scanned region
#   has server-side encryption enabled (`SSEDescription.Status = ENABLED`).
#   Any other status (`DISABLED`, or `ENABLING`/`DISABLING` while the
#   cluster is created) fails; a status that was not collected is unknown,
#   and a region whose clusters could not be listed gets one unknown
#   outcome.
#
#   DAX holds copies of table items (its item and query caches), cluster
#   configuration and logs on its nodes; without server-side encryption
#   those copies are stored in the clear, however well the table itself is
#   encrypted. PCI DSS v4.0 3.5.1 requires PAN to be rendered unreadable
#   anywhere it is stored, which includes caches of the tables holding it.
#   SOC 2 CC6.1 (logical access security over protected information assets)
#   names encryption of data at rest among its points of focus.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DAXEncryptionAtRest.html
#     description: DAX encryption at rest
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/dynamodb-controls.html#dynamodb-3
#     description: Security Hub control DynamoDB.3
# custom:
#   id: DYN104
#   name: dax-not-encrypted-at-rest
#   severity: high
#   frameworks:
#     pci-dss-4.0: ["3.5.1"]
#     soc2: [CC6.1]
#   remediation:
#     summary: >-
#       Encryption at rest can only be chosen when a DAX cluster is created:
#       create a replacement cluster with server-side encryption (and TLS
#       endpoint encryption), move clients to its endpoint, then delete the
#       old cluster.
#     aws_cli: |-
#       aws dax create-cluster --region REGION --cluster-name NEW_CLUSTER \
#         --node-type dax.r5.large --replication-factor 3 \
#         --iam-role-arn ROLE_ARN --subnet-group-name SUBNET_GROUP \
#         --sse-specification Enabled=true \
#         --cluster-endpoint-encryption-type TLS
#       # after clients use NEW_CLUSTER's endpoint:
#       aws dax delete-cluster --region REGION --cluster-name OLD_CLUSTER
#     terraform: |-
#       resource "aws_dax_cluster" "this" {
#         # ... (changing these replaces the cluster)
#         server_side_encryption {
#           enabled = true
#         }
#         cluster_endpoint_encryption_type = "TLS"
#       }
package dynaudit.rules.dyn104

# Importing the one helper used keeps regorus from evaluating all of
# lib/common (its table set costs ~0.5 s at 100,000 tables).
import data.dynaudit.lib.common.region_resource

outcomes contains {
	"status": "unknown",
	"resource": region_resource(region),
	"region": region,
	"message": sprintf("Cannot check encryption at rest of DAX clusters in %s: the clusters could not be listed (DescribeClusters failed, or DAX is not offered there)", [region]),
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
	"message": sprintf("Encryption at rest of DAX cluster %s in %s was not collected", [c.name, region]),
	"evidence": evidence(c),
	"needs": ["DescribeClusters"],
} if {
	some region, listed in clusters
	some arn, c in listed
	object.get(c, "sse_status", null) == null
}

outcomes contains {
	"status": "fail",
	"resource": arn,
	"region": region,
	"message": sprintf("DAX cluster %s in %s has server-side encryption %s: cached items are stored unencrypted; replace it with an encrypted cluster", [c.name, region, c.sse_status]),
	"evidence": evidence(c),
} if {
	some region, listed in clusters
	some arn, c in listed
	is_string(c.sse_status)
	c.sse_status != "ENABLED"
}

outcomes contains {
	"status": "pass",
	"resource": arn,
	"region": region,
	"message": sprintf("DAX cluster %s in %s has server-side encryption enabled", [c.name, region]),
	"evidence": evidence(c),
} if {
	some region, listed in clusters
	some arn, c in listed
	c.sse_status == "ENABLED"
}

# region -> cluster ARN -> cluster, for regions whose clusters were listed.
clusters[region] := r.dax_clusters if {
	some region, r in input.regions
	is_object(r.dax_clusters)
}

evidence(c) := {"sse_status": object.get(c, "sse_status", null), "cluster_status": object.get(c, "status", null)}
