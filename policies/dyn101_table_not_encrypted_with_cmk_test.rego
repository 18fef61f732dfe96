package dynaudit.rules.dyn101_test

import data.dynaudit.lib.inventory_test as build
import data.dynaudit.rules.dyn101

cmk := build.kms_key_arn("us-east-1", "1111aaaa-0000-0000-0000-000000000001")

cmk2 := build.kms_key_arn("us-east-1", "2222bbbb-0000-0000-0000-000000000002")

aws_key := build.kms_key_arn("us-east-1", "3333cccc-0000-0000-0000-000000000003")

eu_cmk := build.kms_key_arn("eu-west-1", "4444dddd-0000-0000-0000-000000000004")

ap_cmk := build.kms_key_arn("ap-south-1", "5555eeee-0000-0000-0000-000000000005")

key(arn, manager, aliases) := build.kms_key(arn, {"key_manager": manager, "aliases": aliases})

table(region, name, enc) := build.table(region, name, {"encryption": enc})

with_replicas(t, replicas) := object.union(t, {"replicas": replicas})

region_inv(tables, keys) := build.region({"tables": build.by_arn(tables), "kms_keys": build.by_arn(keys)})

one_region(tables, keys) := build.inventory({"us-east-1": region_inv(tables, keys)})

test_fail_aws_owned_key if {
	t := table("us-east-1", "orders", build.aws_owned_encryption)
	out := dyn101.outcomes with input as one_region([t], [])
	count(out) == 1
	o := build.only(out, t.arn)
	o.status == "fail"
	o.region == "us-east-1"
	o.evidence.key_type == "AWS_OWNED"
	contains(o.message, "orders")
	contains(o.message, "AWS owned key")
}

test_fail_aws_managed_key_by_key_manager if {
	t := table("us-east-1", "orders", build.kms_encryption(aws_key))
	k := key(aws_key, "AWS", ["alias/aws/dynamodb"])
	out := dyn101.outcomes with input as one_region([t], [k])
	o := build.only(out, t.arn)
	o.status == "fail"
	o.evidence.key_type == "AWS_MANAGED"
	o.evidence.key_manager == "AWS"
}

test_fail_aws_managed_key_reported_as_customer_by_emulator if {
	# moto reports KeyManager = CUSTOMER for alias/aws/dynamodb
	t := table("us-east-1", "orders", build.kms_encryption(aws_key))
	k := key(aws_key, "CUSTOMER", ["alias/aws/dynamodb"])
	out := dyn101.outcomes with input as one_region([t], [k])
	o := build.only(out, t.arn)
	o.status == "fail"
	o.evidence.key_type == "AWS_MANAGED"
}

test_fail_aws_managed_key_by_alias_when_key_manager_not_collected if {
	t := table("us-east-1", "orders", build.kms_encryption(aws_key))
	k := key(aws_key, null, ["alias/aws/dynamodb"])
	out := dyn101.outcomes with input as one_region([t], [k])
	build.only(out, t.arn).status == "fail"
}

test_pass_customer_managed_key if {
	t := table("us-east-1", "orders", build.kms_encryption(cmk))
	k := key(cmk, "CUSTOMER", ["alias/orders"])
	out := dyn101.outcomes with input as one_region([t], [k])
	count(out) == 1
	o := build.only(out, t.arn)
	o.status == "pass"
	o.evidence.key_type == "CUSTOMER_MANAGED"
	o.evidence.kms_key_arn == cmk
	not o.needs
}

test_pass_customer_managed_key_without_aliases if {
	t := table("us-east-1", "orders", build.kms_encryption(cmk))
	k := key(cmk, "CUSTOMER", [])
	out := dyn101.outcomes with input as one_region([t], [k])
	build.only(out, t.arn).status == "pass"
}

test_pass_when_key_manager_missing_but_aliases_collected if {
	# every AWS managed key carries an alias/aws/ alias, so collected
	# aliases without one prove a customer managed key
	t := table("us-east-1", "orders", build.kms_encryption(cmk))
	k := key(cmk, null, ["alias/orders"])
	out := dyn101.outcomes with input as one_region([t], [k])
	o := build.only(out, t.arn)
	o.status == "pass"
	o.evidence.key_type == "CUSTOMER_MANAGED"
}

test_pass_key_on_allow_list if {
	t := table("us-east-1", "orders", build.kms_encryption(cmk))
	k := key(cmk, "CUSTOMER", [])
	out := dyn101.outcomes with input as one_region([t], [k])
		with data.dynaudit.params.allowed_kms_key_arns as [cmk]
	o := build.only(out, t.arn)
	o.status == "pass"
	o.evidence.on_allowed_list == true
	contains(o.message, "allowed_kms_key_arns")
}

test_fail_customer_key_outside_allow_list if {
	t := table("us-east-1", "orders", build.kms_encryption(cmk2))
	k := key(cmk2, "CUSTOMER", [])
	out := dyn101.outcomes with input as one_region([t], [k])
		with data.dynaudit.params.allowed_kms_key_arns as [cmk]
	o := build.only(out, t.arn)
	o.status == "fail"
	o.evidence.key_type == "CUSTOMER_MANAGED"
	o.evidence.on_allowed_list == false
	contains(o.message, "not in allowed_kms_key_arns")
}

test_fail_aws_managed_key_even_if_on_allow_list if {
	t := table("us-east-1", "orders", build.kms_encryption(aws_key))
	k := key(aws_key, "AWS", ["alias/aws/dynamodb"])
	out := dyn101.outcomes with input as one_region([t], [k])
		with data.dynaudit.params.allowed_kms_key_arns as [aws_key]
	build.only(out, t.arn).status == "fail"
}

test_fail_undescribed_key_outside_allow_list if {
	# whichever type the key is, it is not an allowed key
	t := table("us-east-1", "orders", build.kms_encryption(cmk2))
	out := dyn101.outcomes with input as one_region([t], [])
		with data.dynaudit.params.allowed_kms_key_arns as [cmk]
	o := build.only(out, t.arn)
	o.status == "fail"
	o.evidence.key_type == null
}

test_unknown_when_key_not_described if {
	t := table("us-east-1", "orders", build.kms_encryption(cmk))
	out := dyn101.outcomes with input as one_region([t], [])
	o := build.only(out, t.arn)
	o.status == "unknown"
	o.needs == ["DescribeKey", "ListAliases"]
	o.evidence.key_type == null
}

test_unknown_when_key_manager_and_aliases_not_collected if {
	t := table("us-east-1", "orders", build.kms_encryption(cmk))
	k := key(cmk, null, null)
	out := dyn101.outcomes with input as one_region([t], [k])
	o := build.only(out, t.arn)
	o.status == "unknown"
	o.needs == ["DescribeKey", "ListAliases"]
}

# KeyManager CUSTOMER but the aliases not collected: an emulator reports
# AWS managed keys as CUSTOMER, and only an `alias/aws/` alias tells them
# apart, so no verdict (this passed).
test_unknown_when_key_manager_customer_but_aliases_not_collected if {
	t := table("us-east-1", "orders", build.kms_encryption(cmk))
	k := key(cmk, "CUSTOMER", null)
	out := dyn101.outcomes with input as one_region([t], [k])
	o := build.only(out, t.arn)
	o.status == "unknown"
	o.evidence.key_type == null
}

test_unknown_undescribed_key_on_allow_list if {
	# on the list, but it could still be an AWS managed key
	t := table("us-east-1", "orders", build.kms_encryption(cmk))
	out := dyn101.outcomes with input as one_region([t], [])
		with data.dynaudit.params.allowed_kms_key_arns as [cmk]
	build.only(out, t.arn).status == "unknown"
}

test_unknown_when_encryption_not_collected if {
	t := table("us-east-1", "orders", null)
	out := dyn101.outcomes with input as one_region([t], [])
	o := build.only(out, t.arn)
	o.status == "unknown"
	o.needs == ["DescribeTable"]
	o.evidence == {"encryption": null}
}

test_unknown_when_kms_key_arn_missing if {
	t := table("us-east-1", "orders", build.kms_encryption(null))
	out := dyn101.outcomes with input as one_region([t], [])
	o := build.only(out, t.arn)
	o.status == "unknown"
	o.needs == ["DescribeTable"]
}

test_fail_sse_disabled_means_aws_owned if {
	enc := object.union(build.kms_encryption(cmk), {"status": "DISABLED"})
	t := table("us-east-1", "orders", enc)
	k := key(cmk, "CUSTOMER", [])
	out := dyn101.outcomes with input as one_region([t], [k])
	o := build.only(out, t.arn)
	o.status == "fail"
	o.evidence.key_type == "AWS_OWNED"
}

test_fail_sse_disabling if {
	enc := object.union(build.kms_encryption(cmk), {"status": "DISABLING"})
	t := table("us-east-1", "orders", enc)
	k := key(cmk, "CUSTOMER", [])
	out := dyn101.outcomes with input as one_region([t], [k])
	o := build.only(out, t.arn)
	o.status == "fail"
	contains(o.message, "DISABLING")
}

test_unknown_when_tables_not_listed if {
	out := dyn101.outcomes with input as build.inventory({"us-east-1": build.region({"tables": null})})
	count(out) == 1
	o := build.only(out, "111122223333/us-east-1")
	o.status == "unknown"
	o.needs == ["ListTables"]
}

test_key_described_only_in_another_region if {
	# a key record found in another scanned region's kms_keys is used
	t := table("us-east-1", "orders", build.kms_encryption(cmk))
	k := key(cmk, "CUSTOMER", [])
	out := dyn101.outcomes with input as build.inventory({
		"us-east-1": region_inv([t], []),
		"eu-west-1": region_inv([], [k]),
	})
	build.only(out, t.arn).status == "pass"
}

test_replicas_in_scanned_regions_are_their_own_records if {
	us := with_replicas(table("us-east-1", "orders", build.kms_encryption(cmk)), [{"region": "eu-west-1", "status": "ACTIVE", "kms_key_arn": eu_cmk}])
	eu := with_replicas(table("eu-west-1", "orders", build.aws_owned_encryption), [{"region": "us-east-1", "status": "ACTIVE", "kms_key_arn": cmk}])
	out := dyn101.outcomes with input as build.inventory({
		"us-east-1": region_inv([us], [key(cmk, "CUSTOMER", [])]),
		"eu-west-1": region_inv([eu], []),
	})
	count(out) == 2
	build.only(out, us.arn).status == "pass"
	build.only(out, eu.arn).status == "fail"
}

test_pass_replica_in_unscanned_region_with_known_cmk if {
	us := with_replicas(table("us-east-1", "orders", build.kms_encryption(cmk)), [{"region": "ap-south-1", "status": "ACTIVE", "kms_key_arn": ap_cmk}])
	out := dyn101.outcomes with input as one_region([us], [key(cmk, "CUSTOMER", []), key(ap_cmk, "CUSTOMER", ["alias/orders"])])
	count(out) == 2
	o := build.only(out, build.table_arn("ap-south-1", "orders"))
	o.status == "pass"
	o.region == "ap-south-1"
	o.evidence.key_type == "CUSTOMER_MANAGED"
	o.evidence.listed_by_regions == ["us-east-1"]
	contains(o.message, "not scanned")
}

test_fail_replica_in_unscanned_region_with_aws_managed_key if {
	us := with_replicas(table("us-east-1", "orders", build.kms_encryption(cmk)), [{"region": "ap-south-1", "status": "ACTIVE", "kms_key_arn": ap_cmk}])
	out := dyn101.outcomes with input as one_region([us], [key(cmk, "CUSTOMER", []), key(ap_cmk, "AWS", ["alias/aws/dynamodb"])])
	o := build.only(out, build.table_arn("ap-south-1", "orders"))
	o.status == "fail"
	o.evidence.key_type == "AWS_MANAGED"
}

test_unknown_replica_in_unscanned_region_with_undescribed_key if {
	us := with_replicas(table("us-east-1", "orders", build.kms_encryption(cmk)), [{"region": "ap-south-1", "status": "ACTIVE", "kms_key_arn": ap_cmk}])
	out := dyn101.outcomes with input as one_region([us], [key(cmk, "CUSTOMER", [])])
	o := build.only(out, build.table_arn("ap-south-1", "orders"))
	o.status == "unknown"
	o.needs == ["DescribeKey", "ListAliases"]
	contains(o.message, "ap-south-1")
	contains(o.message, "not scanned")
}

test_unknown_replica_in_unscanned_region_without_key if {
	us := with_replicas(table("us-east-1", "orders", build.aws_owned_encryption), [{"region": "ap-south-1", "status": "ACTIVE", "kms_key_arn": null}])
	out := dyn101.outcomes with input as one_region([us], [])
	o := build.only(out, build.table_arn("ap-south-1", "orders"))
	o.status == "unknown"
	o.needs == ["DescribeTable"]
}

test_fail_replica_key_outside_allow_list_even_if_undescribed if {
	us := with_replicas(table("us-east-1", "orders", build.kms_encryption(cmk)), [{"region": "ap-south-1", "status": "ACTIVE", "kms_key_arn": ap_cmk}])
	out := dyn101.outcomes with input as one_region([us], [key(cmk, "CUSTOMER", [])])
		with data.dynaudit.params.allowed_kms_key_arns as [cmk]
	build.only(out, build.table_arn("ap-south-1", "orders")).status == "fail"
	build.only(out, us.arn).status == "pass"
}

test_one_outcome_for_replica_listed_by_two_scanned_tables if {
	rep := {"region": "ap-south-1", "status": "ACTIVE", "kms_key_arn": ap_cmk}
	us := with_replicas(table("us-east-1", "orders", build.kms_encryption(cmk)), [rep, {"region": "eu-west-1", "status": "ACTIVE", "kms_key_arn": eu_cmk}])
	eu := with_replicas(table("eu-west-1", "orders", build.kms_encryption(eu_cmk)), [rep, {"region": "us-east-1", "status": "UPDATING", "kms_key_arn": cmk}])
	out := dyn101.outcomes with input as build.inventory({
		"us-east-1": region_inv([us], [key(cmk, "CUSTOMER", []), key(ap_cmk, "CUSTOMER", [])]),
		"eu-west-1": region_inv([eu], [key(eu_cmk, "CUSTOMER", [])]),
	})
	count(out) == 3
	o := build.only(out, build.table_arn("ap-south-1", "orders"))
	o.status == "pass"
	o.evidence.listed_by_regions == ["eu-west-1", "us-east-1"]
}

test_unknown_replica_reported_with_different_keys if {
	us := with_replicas(table("us-east-1", "orders", build.kms_encryption(cmk)), [{"region": "ap-south-1", "status": "ACTIVE", "kms_key_arn": ap_cmk}])
	eu := with_replicas(table("eu-west-1", "orders", build.kms_encryption(eu_cmk)), [{"region": "ap-south-1", "status": "UPDATING", "kms_key_arn": null}])
	out := dyn101.outcomes with input as build.inventory({
		"us-east-1": region_inv([us], [key(cmk, "CUSTOMER", []), key(ap_cmk, "CUSTOMER", [])]),
		"eu-west-1": region_inv([eu], [key(eu_cmk, "CUSTOMER", [])]),
	})
	o := build.only(out, build.table_arn("ap-south-1", "orders"))
	o.status == "unknown"
	o.needs == ["DescribeTable"]
}

test_replica_in_region_whose_tables_were_not_listed if {
	us := with_replicas(table("us-east-1", "orders", build.kms_encryption(cmk)), [{"region": "eu-west-1", "status": "ACTIVE", "kms_key_arn": eu_cmk}])
	out := dyn101.outcomes with input as build.inventory({
		"us-east-1": region_inv([us], [key(cmk, "CUSTOMER", []), key(eu_cmk, "CUSTOMER", [])]),
		"eu-west-1": build.region({"tables": null}),
	})
	count(out) == 3
	build.only(out, "111122223333/eu-west-1").status == "unknown"
	o := build.only(out, build.table_arn("eu-west-1", "orders"))
	o.status == "pass"
	contains(o.message, "could not be listed")
}

test_replicas_not_collected_is_not_an_error if {
	t := object.union(table("us-east-1", "orders", build.kms_encryption(cmk)), {"replicas": null})
	out := dyn101.outcomes with input as one_region([t], [key(cmk, "CUSTOMER", [])])
	count(out) == 1
	build.only(out, t.arn).status == "pass"
}

test_one_outcome_per_table_in_a_mixed_region if {
	tables := [
		table("us-east-1", "a", build.aws_owned_encryption),
		table("us-east-1", "b", build.kms_encryption(aws_key)),
		table("us-east-1", "c", build.kms_encryption(cmk)),
		table("us-east-1", "d", build.kms_encryption(cmk2)),
		table("us-east-1", "e", null),
	]
	keys := [key(aws_key, "AWS", ["alias/aws/dynamodb"]), key(cmk, "CUSTOMER", [])]
	out := dyn101.outcomes with input as one_region(tables, keys)
	count(out) == 5
	[o.status | some name in ["a", "b", "c", "d", "e"]; o := build.only(out, build.table_arn("us-east-1", name))] == ["fail", "fail", "pass", "unknown", "unknown"]
}

test_key_record_from_own_region_preferred if {
	# the key's own region's record wins over another region's copy
	t := table("us-east-1", "orders", build.kms_encryption(cmk))
	out := dyn101.outcomes with input as build.inventory({
		"us-east-1": region_inv([t], [key(cmk, "AWS", ["alias/aws/dynamodb"])]),
		"ap-south-1": region_inv([], [key(cmk, "CUSTOMER", [])]),
	})
	build.only(out, t.arn).status == "fail"
}

test_evidence_on_allowed_list_null_without_list if {
	t := table("us-east-1", "orders", build.kms_encryption(cmk))
	out := dyn101.outcomes with input as one_region([t], [key(cmk, "CUSTOMER", [])])
	build.only(out, t.arn).evidence.on_allowed_list == null
}
