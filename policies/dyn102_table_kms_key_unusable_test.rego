package dynaudit.rules.dyn102_test

import data.dynaudit.lib.inventory_test as build
import data.dynaudit.rules.dyn102

cmk := build.kms_key_arn("us-east-1", "1111aaaa-0000-0000-0000-000000000001")

ap_cmk := build.kms_key_arn("ap-south-1", "5555eeee-0000-0000-0000-000000000005")

key(arn, state) := build.kms_key(arn, {"key_state": state})

table(name, status, enc) := build.table("us-east-1", name, {"status": status, "encryption": enc})

inv(tables, keys) := build.one_region({"tables": build.by_arn(tables), "kms_keys": build.by_arn(keys)})

test_pass_enabled_key if {
	t := table("orders", "ACTIVE", build.kms_encryption(cmk))
	out := dyn102.outcomes with input as inv([t], [key(cmk, "Enabled")])
	count(out) == 1
	o := build.only(out, t.arn)
	o.status == "pass"
	o.region == "us-east-1"
	o.evidence.key_state == "Enabled"
}

test_pass_updating_multi_region_key if {
	t := table("orders", "ACTIVE", build.kms_encryption(cmk))
	out := dyn102.outcomes with input as inv([t], [key(cmk, "Updating")])
	build.only(out, t.arn).status == "pass"
}

test_pass_aws_owned_key if {
	t := table("orders", "ACTIVE", build.aws_owned_encryption)
	out := dyn102.outcomes with input as inv([t], [])
	o := build.only(out, t.arn)
	o.status == "pass"
	o.evidence.sse_type == "AWS_OWNED"
}

test_pass_sse_disabled_means_aws_owned_key if {
	t := table("orders", "ACTIVE", object.union(build.kms_encryption(cmk), {"status": "DISABLED"}))
	out := dyn102.outcomes with input as inv([t], [])
	build.only(out, t.arn).status == "pass"
}

test_fail_each_unusable_key_state if {
	every state in ["Disabled", "PendingDeletion", "PendingReplicaDeletion", "PendingImport", "Unavailable"] {
		t := table("orders", "ACTIVE", build.kms_encryption(cmk))
		out := dyn102.outcomes with input as inv([t], [key(cmk, state)])
		o := build.only(out, t.arn)
		o.status == "fail"
		o.evidence.key_state == state
		contains(o.message, state)
	}
}

test_fail_pending_deletion_message_says_what_to_do if {
	t := table("orders", "ACTIVE", build.kms_encryption(cmk))
	out := dyn102.outcomes with input as inv([t], [key(cmk, "PendingDeletion")])
	contains(build.only(out, t.arn).message, "cancel the key's scheduled deletion")
}

test_fail_inaccessible_table_even_if_key_looks_fine if {
	t := table("orders", "INACCESSIBLE_ENCRYPTION_CREDENTIALS", build.kms_encryption(cmk))
	out := dyn102.outcomes with input as inv([t], [key(cmk, "Enabled")])
	o := build.only(out, t.arn)
	o.status == "fail"
	o.evidence.table_status == "INACCESSIBLE_ENCRYPTION_CREDENTIALS"
	contains(o.message, "inaccessible")
}

test_fail_inaccessible_table_with_undescribed_key if {
	t := table("orders", "INACCESSIBLE_ENCRYPTION_CREDENTIALS", build.kms_encryption(cmk))
	out := dyn102.outcomes with input as inv([t], [])
	build.only(out, t.arn).status == "fail"
}

test_fail_inaccessible_since_reported if {
	enc := object.union(build.kms_encryption(cmk), {"inaccessible_since": "2026-10-30T12:00:00Z"})
	t := table("orders", "ACTIVE", enc)
	out := dyn102.outcomes with input as inv([t], [key(cmk, null)])
	o := build.only(out, t.arn)
	o.status == "fail"
	o.evidence.inaccessible_since == "2026-10-30T12:00:00Z"
}

test_fail_disabled_key_when_table_status_not_collected if {
	t := table("orders", null, build.kms_encryption(cmk))
	out := dyn102.outcomes with input as inv([t], [key(cmk, "Disabled")])
	build.only(out, t.arn).status == "fail"
}

test_unknown_key_state_not_collected if {
	t := table("orders", "ACTIVE", build.kms_encryption(cmk))
	out := dyn102.outcomes with input as inv([t], [key(cmk, null)])
	o := build.only(out, t.arn)
	o.status == "unknown"
	o.needs == ["DescribeKey"]
}

test_unknown_key_not_described if {
	t := table("orders", "ACTIVE", build.kms_encryption(cmk))
	out := dyn102.outcomes with input as inv([t], [])
	o := build.only(out, t.arn)
	o.status == "unknown"
	o.needs == ["DescribeKey"]
	o.evidence.key_state == null
}

test_unknown_transient_creating_state if {
	t := table("orders", "ACTIVE", build.kms_encryption(cmk))
	out := dyn102.outcomes with input as inv([t], [key(cmk, "Creating")])
	o := build.only(out, t.arn)
	o.status == "unknown"
	o.needs == ["DescribeKey"]
}

test_unknown_table_not_described if {
	t := table("orders", null, null)
	out := dyn102.outcomes with input as inv([t], [])
	o := build.only(out, t.arn)
	o.status == "unknown"
	o.needs == ["DescribeTable"]
}

test_unknown_table_status_missing_with_enabled_key if {
	t := table("orders", null, build.kms_encryption(cmk))
	out := dyn102.outcomes with input as inv([t], [key(cmk, "Enabled")])
	o := build.only(out, t.arn)
	o.status == "unknown"
	o.needs == ["DescribeTable"]
}

test_unknown_kms_key_arn_missing if {
	t := table("orders", "ACTIVE", build.kms_encryption(null))
	out := dyn102.outcomes with input as inv([t], [])
	o := build.only(out, t.arn)
	o.status == "unknown"
	o.needs == ["DescribeTable"]
}

test_unknown_when_tables_not_listed if {
	out := dyn102.outcomes with input as build.one_region({"tables": null})
	count(out) == 1
	o := build.only(out, "111122223333/us-east-1")
	o.status == "unknown"
	o.needs == ["ListTables"]
}

replicated(rep) := object.union(table("orders", "ACTIVE", build.kms_encryption(cmk)), {"replicas": [rep]})

test_fail_replica_in_unscanned_region_inaccessible if {
	t := replicated({"region": "ap-south-1", "status": "INACCESSIBLE_ENCRYPTION_CREDENTIALS", "kms_key_arn": ap_cmk})
	out := dyn102.outcomes with input as inv([t], [key(cmk, "Enabled")])
	count(out) == 2
	o := build.only(out, build.table_arn("ap-south-1", "orders"))
	o.status == "fail"
	o.region == "ap-south-1"
}

test_fail_replica_in_unscanned_region_key_disabled if {
	t := replicated({"region": "ap-south-1", "status": "ACTIVE", "kms_key_arn": ap_cmk})
	out := dyn102.outcomes with input as inv([t], [key(cmk, "Enabled"), key(ap_cmk, "Disabled")])
	build.only(out, build.table_arn("ap-south-1", "orders")).status == "fail"
	build.only(out, t.arn).status == "pass"
}

test_pass_replica_in_unscanned_region_key_enabled if {
	t := replicated({"region": "ap-south-1", "status": "ACTIVE", "kms_key_arn": ap_cmk})
	out := dyn102.outcomes with input as inv([t], [key(cmk, "Enabled"), key(ap_cmk, "Enabled")])
	o := build.only(out, build.table_arn("ap-south-1", "orders"))
	o.status == "pass"
	contains(o.message, "not scanned")
}

test_unknown_replica_in_unscanned_region_key_not_described if {
	t := replicated({"region": "ap-south-1", "status": "ACTIVE", "kms_key_arn": ap_cmk})
	out := dyn102.outcomes with input as inv([t], [key(cmk, "Enabled")])
	o := build.only(out, build.table_arn("ap-south-1", "orders"))
	o.status == "unknown"
	o.needs == ["DescribeKey"]
}

test_unknown_replica_in_unscanned_region_without_key if {
	t := replicated({"region": "ap-south-1", "status": "ACTIVE", "kms_key_arn": null})
	out := dyn102.outcomes with input as inv([t], [key(cmk, "Enabled")])
	o := build.only(out, build.table_arn("ap-south-1", "orders"))
	o.status == "unknown"
	o.needs == ["DescribeTable"]
}

test_unknown_replica_status_not_reported if {
	t := replicated({"region": "ap-south-1", "status": null, "kms_key_arn": ap_cmk})
	out := dyn102.outcomes with input as inv([t], [key(cmk, "Enabled"), key(ap_cmk, "Enabled")])
	o := build.only(out, build.table_arn("ap-south-1", "orders"))
	o.status == "unknown"
	o.needs == ["DescribeTable"]
}
