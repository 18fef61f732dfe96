package dynaudit.rules.dyn103_test

import data.dynaudit.lib.inventory_test as build
import data.dynaudit.rules.dyn103

cmk := build.kms_key_arn("us-east-1", "1111aaaa-0000-0000-0000-000000000001")

aws_key := build.kms_key_arn("us-east-1", "3333cccc-0000-0000-0000-000000000003")

ap_cmk := build.kms_key_arn("ap-south-1", "5555eeee-0000-0000-0000-000000000005")

key(arn, manager, aliases, rotation) := build.kms_key(arn, {"key_manager": manager, "aliases": aliases, "rotation_enabled": rotation})

table(name, enc) := build.table("us-east-1", name, {"encryption": enc})

inv(tables, keys) := build.one_region({"tables": build.by_arn(tables), "kms_keys": build.by_arn(keys)})

test_pass_rotation_enabled if {
	t := table("orders", build.kms_encryption(cmk))
	out := dyn103.outcomes with input as inv([t], [key(cmk, "CUSTOMER", ["alias/orders"], true)])
	count(out) == 1
	o := build.only(out, cmk)
	o.status == "pass"
	o.region == "us-east-1"
	o.evidence.rotation_enabled == true
	o.evidence.key_type == "CUSTOMER_MANAGED"
	o.evidence.table_count == 1
	o.evidence.tables == ["orders"]
}

test_fail_rotation_disabled if {
	t := table("orders", build.kms_encryption(cmk))
	out := dyn103.outcomes with input as inv([t], [key(cmk, "CUSTOMER", [], false)])
	count(out) == 1
	o := build.only(out, cmk)
	o.status == "fail"
	contains(o.message, cmk)
	contains(o.message, "orders")
}

test_unknown_rotation_not_collected if {
	t := table("orders", build.kms_encryption(cmk))
	out := dyn103.outcomes with input as inv([t], [key(cmk, "CUSTOMER", [], null)])
	o := build.only(out, cmk)
	o.status == "unknown"
	o.needs == ["GetKeyRotationStatus"]
}

test_one_outcome_per_key_shared_by_many_tables if {
	names := ["t00", "t01", "t02", "t03", "t04", "t05", "t06", "t07", "t08", "t09", "t10", "t11"]
	tables := [table(n, build.kms_encryption(cmk)) | some n in names]
	out := dyn103.outcomes with input as inv(tables, [key(cmk, "CUSTOMER", [], false)])
	count(out) == 1
	o := build.only(out, cmk)
	o.status == "fail"
	o.evidence.table_count == 12
	o.evidence.tables == array.slice(names, 0, 10)
	contains(o.message, "12 table(s)")
	contains(o.message, ", ...")
}

test_aws_managed_key_out_of_scope if {
	t := table("orders", build.kms_encryption(aws_key))
	out := dyn103.outcomes with input as inv([t], [key(aws_key, "AWS", ["alias/aws/dynamodb"], null)])
	count(out) == 0
}

test_aws_managed_key_reported_as_customer_by_emulator_out_of_scope if {
	t := table("orders", build.kms_encryption(aws_key))
	out := dyn103.outcomes with input as inv([t], [key(aws_key, "CUSTOMER", ["alias/aws/dynamodb"], false)])
	count(out) == 0
}

test_aws_owned_tables_have_no_key if {
	t := table("orders", build.aws_owned_encryption)
	out := dyn103.outcomes with input as inv([t], [])
	count(out) == 0
}

test_unknown_key_not_described if {
	t := table("orders", build.kms_encryption(cmk))
	out := dyn103.outcomes with input as inv([t], [])
	o := build.only(out, cmk)
	o.status == "unknown"
	o.needs == ["DescribeKey", "ListAliases", "GetKeyRotationStatus"]
}

test_unknown_key_type_not_collected_rotation_off if {
	t := table("orders", build.kms_encryption(cmk))
	out := dyn103.outcomes with input as inv([t], [key(cmk, null, null, false)])
	o := build.only(out, cmk)
	o.status == "unknown"
	o.needs == ["DescribeKey", "ListAliases"]
}

test_pass_key_type_not_collected_but_rotating if {
	t := table("orders", build.kms_encryption(cmk))
	out := dyn103.outcomes with input as inv([t], [key(cmk, null, null, true)])
	build.only(out, cmk).status == "pass"
}

test_unknown_table_encryption_not_collected if {
	t := table("orders", null)
	out := dyn103.outcomes with input as inv([t], [])
	count(out) == 1
	o := build.only(out, t.arn)
	o.status == "unknown"
	o.needs == ["DescribeTable"]
}

test_unknown_when_tables_not_listed if {
	out := dyn103.outcomes with input as build.one_region({"tables": null})
	count(out) == 1
	build.only(out, "111122223333/us-east-1").status == "unknown"
}

test_replica_key_in_unscanned_region if {
	t := object.union(table("orders", build.kms_encryption(cmk)), {"replicas": [{"region": "ap-south-1", "status": "ACTIVE", "kms_key_arn": ap_cmk}]})
	out := dyn103.outcomes with input as inv([t], [key(cmk, "CUSTOMER", [], true), key(ap_cmk, "CUSTOMER", [], false)])
	count(out) == 2
	build.only(out, cmk).status == "pass"
	o := build.only(out, ap_cmk)
	o.status == "fail"
	o.region == "ap-south-1"
	o.evidence.tables == ["orders"]
}

test_sse_disabled_table_does_not_count_for_key if {
	t := table("orders", object.union(build.kms_encryption(cmk), {"status": "DISABLED"}))
	out := dyn103.outcomes with input as inv([t], [key(cmk, "CUSTOMER", [], false)])
	count(out) == 0
}
