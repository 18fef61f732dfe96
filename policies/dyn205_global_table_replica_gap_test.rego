package dynaudit.rules.dyn205_test

import data.dynaudit.lib.inventory_test as build
import data.dynaudit.rules.dyn205

arn(region) := build.table_arn(region, "orders")

key(region) := build.kms_key_arn(region, sprintf("k-%s", [region]))

cmk(region) := build.kms_key(key(region), {"aliases": ["alias/orders"]})

kms_enc(region) := build.kms_encryption(key(region))

pitr_on := build.pitr_enabled(35)

rep(region, status) := build.replica(region, status, key(region))

tbl(region, tags, replicas, pitr, enc) := build.table(region, "orders", {
	"tags": tags,
	"replicas": replicas,
	"point_in_time_recovery": pitr,
	"encryption": enc,
})

region_inv(t) := build.region({"tables": {t.arn: t}, "kms_keys": {key(t_region(t)): cmk(t_region(t))}})

t_region(t) := split(t.arn, ":")[3]

inv(tables) := build.inventory({t_region(t): region_inv(t) | some t in tables})

# The inventory with the KMS keys of `region` replaced.
with_keys(i, region, keys) := build.merge(i, {"regions": build.merge(i.regions, {region: build.merge(i.regions[region], {"kms_keys": keys})})})

# A healthy two-region global table, us-east-1 + eu-west-1, both scanned.
primary := tbl("us-east-1", {}, [rep("eu-west-1", "ACTIVE")], pitr_on, kms_enc("us-east-1"))

replica := tbl("eu-west-1", {}, [rep("us-east-1", "ACTIVE")], pitr_on, kms_enc("eu-west-1"))

required(regions) := {"orders": regions}

outcome(out, region) := o if {
	some o in out
	o.resource == arn(region)
}

test_no_outcome_without_requirement if {
	out := dyn205.outcomes with input as inv([primary, replica])
	count(out) == 0
}

test_pass_when_required_replica_active_and_posture_matches if {
	out := dyn205.outcomes with input as inv([primary, replica])
		with data.dynaudit.params.required_replica_regions as required(["us-east-1", "eu-west-1"])
	count(out) == 2
	o := outcome(out, "us-east-1")
	o.status == "pass"
	o.evidence.required_regions == ["eu-west-1"]
	o.evidence.posture_differs == []
	count(o.evidence.posture) == 2
	outcome(out, "eu-west-1").status == "pass"
}

test_fail_when_required_region_missing if {
	out := dyn205.outcomes with input as inv([primary, replica])
		with data.dynaudit.params.required_replica_regions as required(["eu-west-1", "ap-southeast-1"])
	o := outcome(out, "us-east-1")
	o.status == "fail"
	o.evidence.missing_regions == ["ap-southeast-1"]
	contains(o.message, "no replica in required region(s) ap-southeast-1")
}

test_fail_when_replica_not_active if {
	p := tbl("us-east-1", {}, [rep("eu-west-1", "CREATING")], pitr_on, kms_enc("us-east-1"))
	out := dyn205.outcomes with input as inv([p, replica])
		with data.dynaudit.params.required_replica_regions as required(["eu-west-1"])
	o := outcome(out, "us-east-1")
	o.status == "fail"
	o.evidence.replicas_not_active == ["eu-west-1 (CREATING)"]
}

test_fail_when_unrequired_replica_not_active if {
	p := tbl("us-east-1", {}, [rep("eu-west-1", "ACTIVE"), rep("ap-south-1", "INACCESSIBLE_ENCRYPTION_CREDENTIALS")], pitr_on, kms_enc("us-east-1"))
	out := dyn205.outcomes with input as inv([p, replica])
		with data.dynaudit.params.required_replica_regions as required(["eu-west-1"])
	outcome(out, "us-east-1").status == "fail"
}

test_fail_when_pitr_differs if {
	r := tbl("eu-west-1", {}, [rep("us-east-1", "ACTIVE")], build.pitr_disabled, kms_enc("eu-west-1"))
	out := dyn205.outcomes with input as inv([primary, r])
		with data.dynaudit.params.required_replica_regions as required(["eu-west-1"])
	o := outcome(out, "us-east-1")
	o.status == "fail"
	o.evidence.posture_differs == ["pitr_status"]
	contains(o.message, "us-east-1: ENABLED, eu-west-1: DISABLED")
	outcome(out, "eu-west-1").status == "fail"
}

test_fail_when_key_type_differs if {
	r := tbl("eu-west-1", {}, [rep("us-east-1", "ACTIVE")], pitr_on, build.aws_owned_encryption)
	out := dyn205.outcomes with input as inv([primary, r])
		with data.dynaudit.params.required_replica_regions as required(["eu-west-1"])
	o := outcome(out, "us-east-1")
	o.status == "fail"
	o.evidence.posture_differs == ["key_type"]
	contains(o.message, "CUSTOMER_MANAGED")
	contains(o.message, "AWS_OWNED")
}

test_fail_when_aws_managed_versus_customer_managed if {
	aws_key := build.kms_key(key("eu-west-1"), {"rotation_enabled": null, "aliases": ["alias/aws/dynamodb"]})
	i := with_keys(inv([primary, replica]), "eu-west-1", {key("eu-west-1"): aws_key})
	out := dyn205.outcomes with input as i
		with data.dynaudit.params.required_replica_regions as required(["eu-west-1"])
	o := outcome(out, "us-east-1")
	o.status == "fail"
	o.evidence.posture_differs == ["key_type"]
}

test_tag_requirement_space_separated if {
	p := tbl("us-east-1", {"dynaudit:replica-regions": "us-east-1 eu-west-1"}, [rep("eu-west-1", "ACTIVE")], pitr_on, kms_enc("us-east-1"))
	out := dyn205.outcomes with input as inv([p, replica])
	count(out) == 1
	o := outcome(out, "us-east-1")
	o.status == "pass"
	o.evidence.required_by_tag == "us-east-1 eu-west-1"
}

test_tag_requirement_missing_region_fails if {
	p := tbl("us-east-1", {"dynaudit:replica-regions": "eu-west-1,  ap-south-1"}, [rep("eu-west-1", "ACTIVE")], pitr_on, kms_enc("us-east-1"))
	out := dyn205.outcomes with input as inv([p, replica])
	o := outcome(out, "us-east-1")
	o.status == "fail"
	o.evidence.missing_regions == ["ap-south-1"]
}

test_custom_tag_name if {
	p := tbl("us-east-1", {"dr": "ap-south-1"}, [rep("eu-west-1", "ACTIVE")], pitr_on, kms_enc("us-east-1"))
	out := dyn205.outcomes with input as inv([p, replica])
		with data.dynaudit.params.replica_regions_tag as "dr"
	outcome(out, "us-east-1").status == "fail"
}

test_config_and_tag_are_united if {
	p := tbl("us-east-1", {"dynaudit:replica-regions": "ap-south-1"}, [rep("eu-west-1", "ACTIVE")], pitr_on, kms_enc("us-east-1"))
	out := dyn205.outcomes with input as inv([p, replica])
		with data.dynaudit.params.required_replica_regions as required(["eu-west-1"])
	o := outcome(out, "us-east-1")
	o.status == "fail"
	o.evidence.required_regions == ["ap-south-1", "eu-west-1"]
	o.evidence.missing_regions == ["ap-south-1"]
}

test_own_region_counts_as_covered if {
	p := tbl("us-east-1", {}, [], pitr_on, kms_enc("us-east-1"))
	out := dyn205.outcomes with input as inv([p])
		with data.dynaudit.params.required_replica_regions as required(["us-east-1"])
	o := outcome(out, "us-east-1")
	o.status == "pass"
	o.evidence.required_regions == []
}

test_unknown_when_replicas_not_collected if {
	p := tbl("us-east-1", {}, null, pitr_on, kms_enc("us-east-1"))
	out := dyn205.outcomes with input as inv([p])
		with data.dynaudit.params.required_replica_regions as required(["eu-west-1"])
	o := outcome(out, "us-east-1")
	o.status == "unknown"
	o.needs == ["DescribeTable"]
}

test_unknown_scope_when_tags_not_collected if {
	p := tbl("us-east-1", null, [], pitr_on, kms_enc("us-east-1"))
	out := dyn205.outcomes with input as inv([p])
	count(out) == 1
	o := outcome(out, "us-east-1")
	o.status == "unknown"
	o.needs == ["ListTagsOfResource"]
}

test_no_outcome_when_tags_not_collected_and_tag_disabled if {
	p := tbl("us-east-1", null, [], pitr_on, kms_enc("us-east-1"))
	out := dyn205.outcomes with input as inv([p]) with data.dynaudit.params.replica_regions_tag as ""
	count(out) == 0
}

test_unknown_when_config_met_but_tags_not_collected if {
	p := tbl("us-east-1", null, [rep("eu-west-1", "ACTIVE")], pitr_on, kms_enc("us-east-1"))
	out := dyn205.outcomes with input as inv([p, replica])
		with data.dynaudit.params.required_replica_regions as required(["eu-west-1"])
	o := outcome(out, "us-east-1")
	o.status == "unknown"
	o.needs == ["ListTagsOfResource"]
}

test_fail_dominates_unknown if {
	p := tbl("us-east-1", null, [], pitr_on, kms_enc("us-east-1"))
	out := dyn205.outcomes with input as inv([p])
		with data.dynaudit.params.required_replica_regions as required(["eu-west-1"])
	outcome(out, "us-east-1").status == "fail"
}

test_unscanned_replica_region_counts_but_posture_not_compared if {
	p := tbl("us-east-1", {}, [rep("ap-south-1", "ACTIVE")], pitr_on, kms_enc("us-east-1"))
	out := dyn205.outcomes with input as inv([p])
		with data.dynaudit.params.required_replica_regions as required(["ap-south-1"])
	o := outcome(out, "us-east-1")
	o.status == "pass"
	o.evidence.posture_not_compared == [{"region": "ap-south-1", "reason": "region not scanned"}]
	contains(o.message, "no replica's posture could be compared: ap-south-1 (region not scanned)")
}

test_unscanned_replica_region_not_active_fails if {
	p := tbl("us-east-1", {}, [rep("ap-south-1", "REGION_DISABLED")], pitr_on, kms_enc("us-east-1"))
	out := dyn205.outcomes with input as inv([p])
		with data.dynaudit.params.required_replica_regions as required(["ap-south-1"])
	outcome(out, "us-east-1").status == "fail"
}

test_unknown_when_replica_pitr_not_collected if {
	r := tbl("eu-west-1", {}, [rep("us-east-1", "ACTIVE")], null, kms_enc("eu-west-1"))
	out := dyn205.outcomes with input as inv([primary, r])
		with data.dynaudit.params.required_replica_regions as required(["eu-west-1"])
	o := outcome(out, "us-east-1")
	o.status == "unknown"
	o.needs == ["DescribeContinuousBackups"]
}

test_unknown_when_replica_key_not_described if {
	i := with_keys(inv([primary, replica]), "eu-west-1", {})
	out := dyn205.outcomes with input as i
		with data.dynaudit.params.required_replica_regions as required(["eu-west-1"])
	o := outcome(out, "us-east-1")
	o.status == "unknown"
	o.needs == ["DescribeKey", "DescribeTable"]
}

test_unknown_when_replica_status_missing if {
	p := tbl("us-east-1", {}, [rep("eu-west-1", null)], pitr_on, kms_enc("us-east-1"))
	out := dyn205.outcomes with input as inv([p, replica])
		with data.dynaudit.params.required_replica_regions as required(["eu-west-1"])
	o := outcome(out, "us-east-1")
	o.status == "unknown"
	o.needs == ["DescribeTable"]
}

test_unknown_when_tables_not_listed if {
	out := dyn205.outcomes with input as build.one_region({"tables": null})
	count(out) == 1
	some o in out
	o.status == "unknown"
	o.resource == "111122223333/us-east-1"
}

# A replica region that was scanned but whose tables could not be listed:
# the replica there may differ, so no pass (this passed, "not compared").
test_unknown_when_replica_region_tables_not_collected if {
	i := build.merge(inv([primary]), {"regions": build.merge(inv([primary]).regions, {"eu-west-1": build.region({"tables": null})})})
	out := dyn205.outcomes with input as i
		with data.dynaudit.params.required_replica_regions as required(["eu-west-1"])
	o := outcome(out, "us-east-1")
	o.status == "unknown"
	o.needs == ["ListTables"]
	contains(o.message, "the tables of replica region(s) eu-west-1 were not collected")
}
