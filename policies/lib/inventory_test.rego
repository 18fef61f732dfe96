# Builders of inventories (the `input` every rule reads) for the rule pack's
# Rego tests. Test support only: the `_test.rego` suffix keeps this file out
# of the engine that evaluates rules (dynaudit compiles `*_test.rego` files
# only to run tests), and it defines no `test_` rule of its own.
#
# Every record builder takes the few values that identify the record and an
# object of `fields` that replace the defaults, whole field by whole field
# (no deep merge: `{"tags": {"a": "1"}}` gives exactly those tags). A default
# is the value of a field that was collected, usually what AWS reports for a
# resource created without options; `null` ("not collected") only ever comes
# from a test that asks for it.
#
#   import data.dynaudit.lib.inventory_test as build
#
#   t := build.table("us-east-1", "orders", {"deletion_protection": null})
#   out := dyn204.outcomes with input as build.one_region({"tables": build.by_arn([t])})
#
# Plain Rego v1 with OPA's builtins only, like the rules.
package dynaudit.lib.inventory_test

# --- the account

account_id := "111122223333"

partition := "aws"

# The collection time: rules evaluate "now" as this instant.
collected_at := "2026-11-01T00:00:00Z"

# `fields` replacing whole top-level fields of `defaults`.
merge(defaults, fields) := object.union(object.remove(defaults, {k | some k, _ in fields}), fields)

# Records keyed by ARN, as the inventory keys tables, keys, trails, ...
by_arn(records) := {r.arn: r | some r in records}

# --- inventory and regions

# A region where every collection succeeded and found nothing.
empty_region := {
	"tables": {},
	"backups": {},
	"kms_keys": {},
	"vpcs": {},
	"vpc_endpoints": {},
	"trail_arns": [],
	"config_recorders": [],
	"config_rules": {},
	"backup_plans": {},
	"dax_clusters": {},
	"scalable_targets": [],
	"scaling_policies": [],
	"backup_vaults": {},
	"metric_alarms": {},
	"exports": {},
}

# A region: `empty_region` with `fields` (e.g. {"tables": ...}) replaced.
region(fields) := merge(empty_region, fields)

# No region scanned, IAM collected and empty, no trails, no errors. Schema
# 1.0, where a null trail `kms_key_id`, endpoint `policy_document` or Config
# rule `source_identifier` reads as absent; `v1_1(...)` makes an inventory
# of schema 1.1, where only those named in the record's `absent` list are.
empty_inventory := {
	"schema_version": "1.0",
	"account_id": account_id,
	"partition": partition,
	"collected_at": collected_at,
	"errors": [],
	"iam": empty_iam,
	"trails": {},
	"regions": {},
}

# An inventory of `regions` (region name -> `region(...)`).
inventory(regions) := merge(empty_inventory, {"regions": regions})

# `inventory(regions)` with top-level `fields` (`iam`, `trails`, ...) replaced.
inventory_with(regions, fields) := merge(inventory(regions), fields)

# An inventory of us-east-1 alone, that region being `region(fields)`.
one_region(fields) := inventory({"us-east-1": region(fields)})

# The inventory `inv` as schema 1.1 writes it: null fields that AWS has no
# value for are named in their record's `absent` list.
v1_1(inv) := merge(inv, {"schema_version": "1.1"})

# The inventory `inv` as schema 1.2 writes it for an account selected through
# its AWS Organization: an `organization` block whose ACTIVE accounts are
# `account_ids` (the test account, a member of OU `Workloads`).
with_organization(inv, account_ids) := merge(inv, {
	"schema_version": "1.2",
	"organization": {
		"id": "o-a1b2c3d4e5",
		"management_account_id": management_account_id,
		"account_name": "test",
		"account_status": "ACTIVE",
		"ou_path": [{"id": "r-ab12", "name": "Root"}, {"id": "ou-ab12-11111111", "name": "Workloads"}],
		"account_ids": account_ids,
	},
})

# The management account of `with_organization`.
management_account_id := "999988887777"

# --- DynamoDB tables

table_arn(region_name, name) := sprintf("arn:%s:dynamodb:%s:%s:table/%s", [partition, region_name, account_id, name])

# Encrypted with the AWS owned key (no SSEDescription): DynamoDB's default.
aws_owned_encryption := {"sse_type": "AWS_OWNED", "status": null, "kms_key_arn": null, "inaccessible_since": null}

# Encrypted with the KMS key `key_arn` (AWS managed or customer managed).
kms_encryption(key_arn) := {"sse_type": "KMS", "status": "ENABLED", "kms_key_arn": key_arn, "inaccessible_since": null}

pitr_disabled := {"status": "DISABLED", "recovery_period_days": null, "earliest_restorable": null, "latest_restorable": null}

# Point-in-time recovery on, with `days` of recovery period (`null`: not
# reported, AWS then keeps 35).
pitr_enabled(days) := {
	"status": "ENABLED",
	"recovery_period_days": days,
	"earliest_restorable": "2026-09-27T00:00:00Z",
	"latest_restorable": "2026-10-31T23:55:00Z",
}

# A replica of a global table in `region_name`, as its table lists it.
replica(region_name, status, kms_key_arn) := {"region": region_name, "status": status, "kms_key_arn": kms_key_arn}

# The table has no resource-based policy.
no_resource_policy := {"document": null}

# A table in `region_name` as CreateTable leaves it without options: active,
# AWS owned key, no deletion protection, no point-in-time recovery, no
# stream, no replicas, no tags, no resource policy, Contributor Insights off.
table(region_name, name, fields) := merge(
	{
		"arn": table_arn(region_name, name),
		"name": name,
		"status": "ACTIVE",
		"creation_time": "2026-01-05T09:30:00Z",
		"encryption": aws_owned_encryption,
		"deletion_protection": false,
		"point_in_time_recovery": pitr_disabled,
		"stream": {"enabled": false, "view_type": null, "arn": null, "resource_policy": null},
		"replicas": [],
		"tags": {},
		"resource_policy": no_resource_policy,
		"contributor_insights": "DISABLED",
		"billing_mode": "PAY_PER_REQUEST",
		"global_secondary_indexes": [],
		"witness_regions": [],
	},
	fields,
)

# An on-demand backup `id` of the table `table_arn`, available, taken an
# hour before the collection.
backup(table_arn, id, fields) := merge(
	{
		"arn": sprintf("%s/backup/%s", [table_arn, id]),
		"name": id,
		"backup_type": "USER",
		"status": "AVAILABLE",
		"creation_time": "2026-10-31T23:00:00Z",
		"expiry_time": null,
	},
	fields,
)

# --- KMS

kms_key_arn(region_name, id) := sprintf("arn:%s:kms:%s:%s:key/%s", [partition, region_name, account_id, id])

# An enabled customer managed key with rotation on and no alias.
kms_key(arn, fields) := merge(
	{
		"arn": arn,
		"key_manager": "CUSTOMER",
		"key_state": "Enabled",
		"rotation_enabled": true,
		"aliases": [],
		"multi_region": false,
	},
	fields,
)

# --- AWS Backup

backup_plan_arn(region_name, id) := sprintf("arn:%s:backup:%s:%s:backup-plan:%s", [partition, region_name, account_id, id])

# A plan with no rules, selecting with `selections` (`null`: not collected).
backup_plan(region_name, id, name, selections) := {
	"arn": backup_plan_arn(region_name, id),
	"id": id,
	"name": name,
	"rules": [],
	"selections": selections,
}

# A selection named `name` (id `sel-<name>`) that selects nothing by itself.
backup_selection(name, fields) := merge(
	{
		"id": concat("-", ["sel", name]),
		"name": name,
		"resources": [],
		"not_resources": [],
		"list_of_tags": [],
		"conditions": [],
	},
	fields,
)

# --- DAX

dax_cluster_arn(region_name, name) := sprintf("arn:%s:dax:%s:%s:cache/%s", [partition, region_name, account_id, name])

# An available cluster encrypted at rest and in transit (TLS).
dax_cluster(region_name, name, fields) := merge(
	{
		"arn": dax_cluster_arn(region_name, name),
		"name": name,
		"status": "available",
		"sse_status": "ENABLED",
		"endpoint_encryption": "TLS",
		"total_nodes": 3,
		"nodes": [
			dax_node(name, 1, sprintf("%sa", [region_name])),
			dax_node(name, 2, sprintf("%sb", [region_name])),
			dax_node(name, 3, sprintf("%sc", [region_name])),
		],
	},
	fields,
)

# The node `n` of cluster `name`, available in `zone`.
dax_node(name, n, zone) := {"id": sprintf("%s-%s", [name, chr_a(n)]), "availability_zone": zone, "status": "available"}

chr_a(n) := ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"][n - 1]

# --- VPC

# A non-default VPC.
vpc(id, fields) := merge({"vpc_id": id, "cidr_block": "10.0.0.0/16", "is_default": false, "tags": {}}, fields)

# VPCs keyed by VPC id, as `region.vpcs`.
vpcs_by_id(vpcs) := {v.vpc_id: v | some v in vpcs}

# An available DynamoDB gateway endpoint of vpc-1 in us-east-1 with no
# policy document and no route table.
vpc_endpoint(id, fields) := merge(
	{
		"endpoint_id": id,
		"vpc_id": "vpc-1",
		"service_name": "com.amazonaws.us-east-1.dynamodb",
		"endpoint_type": "Gateway",
		"state": "available",
		"policy_document": null,
		"route_table_ids": [],
	},
	fields,
)

# VPC endpoints keyed by endpoint id, as `region.vpc_endpoints`.
endpoints_by_id(endpoints) := {e.endpoint_id: e | some e in endpoints}

# --- CloudTrail

trail_arn(home_region, name) := sprintf("arn:%s:cloudtrail:%s:%s:trail/%s", [partition, home_region, account_id, name])

# No event selectors: a trail then records all management events.
default_selectors := {"event_selectors": [], "advanced_event_selectors": []}

# An advanced event selector's field selector on `field` with the
# operators in `fields` (e.g. {"equals": ["Data"]}); the others empty.
field_selector(field, fields) := merge(
	{
		"field": field,
		"equals": [],
		"not_equals": [],
		"starts_with": [],
		"not_starts_with": [],
		"ends_with": [],
		"not_ends_with": [],
	},
	fields,
)

# A logging multi-region trail of this account, home `home_region`, with
# default selectors, log file validation on and no KMS key.
trail(home_region, name, fields) := merge(
	{
		"arn": trail_arn(home_region, name),
		"name": name,
		"home_region": home_region,
		"is_multi_region": true,
		"is_organization_trail": false,
		"include_global_service_events": true,
		"log_file_validation_enabled": true,
		"kms_key_id": null,
		"s3_bucket_name": "logs",
		"is_logging": true,
		"selectors": default_selectors,
	},
	fields,
)

# An organization trail of the management account (`management_account_id`)
# as a member account sees it: `trail(home_region, name, fields)` with the
# management account's ARN and `is_organization_trail`.
organization_trail(home_region, name, fields) := trail(home_region, name, merge(
	{
		"arn": sprintf("arn:%s:cloudtrail:%s:%s:trail/%s", [partition, home_region, management_account_id, name]),
		"is_organization_trail": true,
	},
	fields,
))

# --- AWS Config

config_rule_arn(region_name, name) := sprintf("arn:%s:config:%s:%s:config-rule/config-rule-%s", [partition, region_name, account_id, name])

# A recorder of all supported resource types that is recording.
config_recorder(name, fields) := merge(
	{
		"name": name,
		"all_supported": true,
		"resource_types": [],
		"excluded_resource_types": [],
		"recording": true,
		"last_status": "Success",
	},
	fields,
)

# An active AWS managed rule scoped to DynamoDB tables, compliant.
config_rule(region_name, name, fields) := merge(
	{
		"name": name,
		"arn": config_rule_arn(region_name, name),
		"source_owner": "AWS",
		"source_identifier": null,
		"state": "ACTIVE",
		"scope_resource_types": ["AWS::DynamoDB::Table"],
		"compliance": "COMPLIANT",
		"non_compliant_resources": [],
	},
	fields,
)

# --- IAM

empty_iam := {"users": {}, "groups": {}, "roles": {}, "policies": {}}

# `input.iam` of these principals and managed policies.
iam(users, groups, roles, policies) := {
	"users": by_arn(users),
	"groups": by_arn(groups),
	"roles": by_arn(roles),
	"policies": by_arn(policies),
}

policy_document(statements) := {"Version": "2012-10-17", "Statement": statements}

iam_policy_arn(name) := sprintf("arn:%s:iam::%s:policy/%s", [partition, account_id, name])

# A user, group or role (`kind`) with no policies, groups or tags.
principal(kind, name, fields) := merge(
	{
		"arn": sprintf("arn:%s:iam::%s:%s/%s", [partition, account_id, kind, name]),
		"name": name,
		"inline_policies": [],
		"attached_policy_arns": [],
		"group_names": [],
		"tags": {},
	},
	fields,
)

# A role with `inline` policies (`inline_policy(...)`) and the managed
# policies `attached` (ARNs).
role(name, inline, attached) := principal("role", name, {"inline_policies": inline, "attached_policy_arns": attached})

inline_policy(name, document) := {"name": name, "document": document}

# A customer managed policy attached once (`document`: `null` if not
# collected).
managed_policy(name, document) := {"arn": iam_policy_arn(name), "name": name, "attachment_count": 1, "document": document}

# --- outcomes

# The one outcome in `out` for `resource`; undefined unless exactly one.
only(out, resource) := o if {
	matching := [x | some x in out; x.resource == resource]
	count(matching) == 1
	o := matching[0]
}
