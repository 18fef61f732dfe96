# METADATA
# title: DAX cluster endpoint does not use TLS
# description: |-
#   Checks that every DynamoDB Accelerator (DAX) cluster in a scanned region
#   encrypts traffic to its endpoint (`ClusterEndpointEncryptionType = TLS`).
#   `NONE` fails; a value that was not collected (or is not one DAX
#   documents) is unknown, and a region whose clusters could not be listed
#   gets one unknown outcome.
#
#   Without TLS, every item an application reads through or writes through
#   DAX crosses the network in plaintext, and clients cannot authenticate
#   the cluster. PCI DSS v4.0 4.2.1 requires strong cryptography for PAN in
#   transit over open, public networks: DAX endpoints live in a VPC, so the
#   mapping applies where the path from client to cluster crosses networks
#   the entity does not fully control (VPC peering, Transit Gateway, VPN or
#   Direct Connect links) and where, as is common, the entity's policy
#   extends 4.2.1 to all PAN in transit; an assessor should weigh it against
#   the network design. SOC 2 CC6.7 (restricting and protecting the
#   transmission of information) names encryption of data in transit among
#   its points of focus.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DAXEncryptionInTransit.html
#     description: DAX encryption in transit
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/dynamodb-controls.html#dynamodb-7
#     description: Security Hub control DynamoDB.7
# custom:
#   id: DYN105
#   name: dax-endpoint-not-tls
#   severity: high
#   frameworks:
#     pci-dss-4.0: ["4.2.1"]
#     soc2: [CC6.7]
#   remediation:
#     summary: >-
#       Endpoint encryption can only be chosen when a DAX cluster is created:
#       create a replacement cluster with TLS endpoint encryption (and
#       server-side encryption), switch clients to its `daxs://` endpoint,
#       then delete the old cluster.
#     aws_cli: |-
#       aws dax create-cluster --region REGION --cluster-name NEW_CLUSTER \
#         --node-type dax.r5.large --replication-factor 3 \
#         --iam-role-arn ROLE_ARN --subnet-group-name SUBNET_GROUP \
#         --sse-specification Enabled=true \
#         --cluster-endpoint-encryption-type TLS
#       # after clients use NEW_CLUSTER's daxs:// endpoint:
#       aws dax delete-cluster --region REGION --cluster-name OLD_CLUSTER
#     terraform: |-
#       resource "aws_dax_cluster" "this" {
#         # ... (changing this replaces the cluster)
#         cluster_endpoint_encryption_type = "TLS"
#       }
package dynaudit.rules.dyn105

# Importing the one helper used keeps regorus from evaluating all of
# lib/common (its table set costs ~0.5 s at 100,000 tables).
import data.dynaudit.lib.common.region_resource

outcomes contains {
	"status": "unknown",
	"resource": region_resource(region),
	"region": region,
	"message": sprintf("Cannot check endpoint encryption of DAX clusters in %s: the clusters could not be listed (DescribeClusters failed, or DAX is not offered there)", [region]),
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
	"message": sprintf("Endpoint encryption of DAX cluster %s in %s was not collected or is not a documented value (%v)", [c.name, region, encryption(c)]),
	"evidence": evidence(c),
	"needs": ["DescribeClusters"],
} if {
	some region, listed in clusters
	some arn, c in listed
	not encryption(c) in {"TLS", "NONE"}
}

outcomes contains {
	"status": "fail",
	"resource": arn,
	"region": region,
	"message": sprintf("DAX cluster %s in %s has endpoint encryption NONE: items cross the network in plaintext; replace it with a TLS cluster", [c.name, region]),
	"evidence": evidence(c),
} if {
	some region, listed in clusters
	some arn, c in listed
	encryption(c) == "NONE"
}

outcomes contains {
	"status": "pass",
	"resource": arn,
	"region": region,
	"message": sprintf("DAX cluster %s in %s encrypts its endpoint traffic with TLS", [c.name, region]),
	"evidence": evidence(c),
} if {
	some region, listed in clusters
	some arn, c in listed
	encryption(c) == "TLS"
}

# region -> cluster ARN -> cluster, for regions whose clusters were listed.
clusters[region] := r.dax_clusters if {
	some region, r in input.regions
	is_object(r.dax_clusters)
}

encryption(c) := object.get(c, "endpoint_encryption", null)

evidence(c) := {"endpoint_encryption": encryption(c), "cluster_status": object.get(c, "status", null)}
