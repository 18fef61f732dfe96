package dynaudit.rules.dyn102_test

import data.dynaudit.rules.dyn102

acct := "111122223333"

key_arn(region, id) := sprintf("arn:aws:kms:%s:%s:key/%s", [region, acct, id])

table_arn(region, name) := sprintf("arn:aws:dynamodb:%s:%s:table/%s", [region, acct, name])

cmk := key_arn("us-east-1", "1111aaaa-0000-0000-0000-000000000001")

ap_cmk := key_arn("ap-south-1", "5555eeee-0000-0000-0000-000000000005")

key(arn, state) := {
	"arn": arn,
	"key_manager": "CUSTOMER",
	"key_state": state,
	"rotation_enabled": true,
	"aliases": [],
	"multi_region": false,
}

kms_enc(arn) := {"sse_type": "KMS", "status": "ENABLED", "kms_key_arn": arn, "inaccessible_since": null}

owned_enc := {"sse_type": "AWS_OWNED", "status": null, "kms_key_arn": null, "inaccessible_since": null}

table(name, status, enc) := {
	"arn": table_arn("us-east-1", name),
	"name": name,
	"status": status,
	"encryption": enc,
	"replicas": [],
}

inv(tables, keys) := {
	"account_id": acct,
	"partition": "aws",
	"collected_at": "2026-11-01T00:00:00Z",
	"regions": {"us-east-1": {"tables": {t.arn: t | some t in tables}, "kms_keys": {k.arn: k | some k in keys}}},
}

only(out, resource) := o if {
	matching := [x | some x in out; x.resource == resource]
	count(matching) == 1
	o := matching[0]
}

test_pass_enabled_key if {
	t := table("orders", "ACTIVE", kms_enc(cmk))
	out := dyn102.outcomes with input as inv([t], [key(cmk, "Enabled")])
	count(out) == 1
	o := only(out, t.arn)
	o.status == "pass"
	o.region == "us-east-1"
	o.evidence.key_state == "Enabled"
}

test_pass_updating_multi_region_key if {
	t := table("orders", "ACTIVE", kms_enc(cmk))
	out := dyn102.outcomes with input as inv([t], [key(cmk, "Updating")])
	only(out, t.arn).status == "pass"
}

test_pass_aws_owned_key if {
	t := table("orders", "ACTIVE", owned_enc)
	out := dyn102.outcomes with input as inv([t], [])
	o := only(out, t.arn)
	o.status == "pass"
	o.evidence.sse_type == "AWS_OWNED"
}

test_pass_sse_disabled_means_aws_owned_key if {
	t := table("orders", "ACTIVE", object.union(kms_enc(cmk), {"status": "DISABLED"}))
	out := dyn102.outcomes with input as inv([t], [])
	only(out, t.arn).status == "pass"
}

test_fail_each_unusable_key_state if {
	every state in ["Disabled", "PendingDeletion", "PendingReplicaDeletion", "PendingImport", "Unavailable"] {
		t := table("orders", "ACTIVE", kms_enc(cmk))
		out := dyn102.outcomes with input as inv([t], [key(cmk, state)])
		o := only(out, t.arn)
		o.status == "fail"
		o.evidence.key_state == state
		contains(o.message, state)
	}
}

test_fail_pending_deletion_message_says_what_to_do if {
	t := table("orders", "ACTIVE", kms_enc(cmk))
	out := dyn102.outcomes with input as inv([t], [key(cmk, "PendingDeletion")])
	contains(only(out, t.arn).message, "cancel the key's scheduled deletion")
}

test_fail_inaccessible_table_even_if_key_looks_fine if {
	t := table("orders", "INACCESSIBLE_ENCRYPTION_CREDENTIALS", kms_enc(cmk))
	out := dyn102.outcomes with input as inv([t], [key(cmk, "Enabled")])
	o := only(out, t.arn)
	o.status == "fail"
	o.evidence.table_status == "INACCESSIBLE_ENCRYPTION_CREDENTIALS"
	contains(o.message, "inaccessible")
}

test_fail_inaccessible_table_with_undescribed_key if {
	t := table("orders", "INACCESSIBLE_ENCRYPTION_CREDENTIALS", kms_enc(cmk))
	out := dyn102.outcomes with input as inv([t], [])
	only(out, t.arn).status == "fail"
}

test_fail_inaccessible_since_reported if {
	enc := object.union(kms_enc(cmk), {"inaccessible_since": "2026-10-30T12:00:00Z"})
	t := table("orders", "ACTIVE", enc)
	out := dyn102.outcomes with input as inv([t], [key(cmk, null)])
	o := only(out, t.arn)
	o.status == "fail"
	o.evidence.inaccessible_since == "2026-10-30T12:00:00Z"
}

test_fail_disabled_key_when_table_status_not_collected if {
	t := table("orders", null, kms_enc(cmk))
	out := dyn102.outcomes with input as inv([t], [key(cmk, "Disabled")])
	only(out, t.arn).status == "fail"
}

test_unknown_key_state_not_collected if {
	t := table("orders", "ACTIVE", kms_enc(cmk))
	out := dyn102.outcomes with input as inv([t], [key(cmk, null)])
	o := only(out, t.arn)
	o.status == "unknown"
	o.needs == ["DescribeKey"]
}

test_unknown_key_not_described if {
	t := table("orders", "ACTIVE", kms_enc(cmk))
	out := dyn102.outcomes with input as inv([t], [])
	o := only(out, t.arn)
	o.status == "unknown"
	o.needs == ["DescribeKey"]
	o.evidence.key_state == null
}

test_unknown_transient_creating_state if {
	t := table("orders", "ACTIVE", kms_enc(cmk))
	out := dyn102.outcomes with input as inv([t], [key(cmk, "Creating")])
	o := only(out, t.arn)
	o.status == "unknown"
	o.needs == ["DescribeKey"]
}

test_unknown_table_not_described if {
	t := table("orders", null, null)
	out := dyn102.outcomes with input as inv([t], [])
	o := only(out, t.arn)
	o.status == "unknown"
	o.needs == ["DescribeTable"]
}

test_unknown_table_status_missing_with_enabled_key if {
	t := table("orders", null, kms_enc(cmk))
	out := dyn102.outcomes with input as inv([t], [key(cmk, "Enabled")])
	o := only(out, t.arn)
	o.status == "unknown"
	o.needs == ["DescribeTable"]
}

test_unknown_kms_key_arn_missing if {
	t := table("orders", "ACTIVE", kms_enc(null))
	out := dyn102.outcomes with input as inv([t], [])
	o := only(out, t.arn)
	o.status == "unknown"
	o.needs == ["DescribeTable"]
}

test_unknown_when_tables_not_listed if {
	out := dyn102.outcomes with input as {
		"account_id": acct,
		"partition": "aws",
		"regions": {"us-east-1": {"tables": null, "kms_keys": {}}},
	}
	count(out) == 1
	o := only(out, "111122223333/us-east-1")
	o.status == "unknown"
	o.needs == ["ListTables"]
}

replicated(rep) := object.union(table("orders", "ACTIVE", kms_enc(cmk)), {"replicas": [rep]})

test_fail_replica_in_unscanned_region_inaccessible if {
	t := replicated({"region": "ap-south-1", "status": "INACCESSIBLE_ENCRYPTION_CREDENTIALS", "kms_key_arn": ap_cmk})
	out := dyn102.outcomes with input as inv([t], [key(cmk, "Enabled")])
	count(out) == 2
	o := only(out, table_arn("ap-south-1", "orders"))
	o.status == "fail"
	o.region == "ap-south-1"
}

test_fail_replica_in_unscanned_region_key_disabled if {
	t := replicated({"region": "ap-south-1", "status": "ACTIVE", "kms_key_arn": ap_cmk})
	out := dyn102.outcomes with input as inv([t], [key(cmk, "Enabled"), key(ap_cmk, "Disabled")])
	only(out, table_arn("ap-south-1", "orders")).status == "fail"
	only(out, t.arn).status == "pass"
}

test_pass_replica_in_unscanned_region_key_enabled if {
	t := replicated({"region": "ap-south-1", "status": "ACTIVE", "kms_key_arn": ap_cmk})
	out := dyn102.outcomes with input as inv([t], [key(cmk, "Enabled"), key(ap_cmk, "Enabled")])
	o := only(out, table_arn("ap-south-1", "orders"))
	o.status == "pass"
	contains(o.message, "not scanned")
}

test_unknown_replica_in_unscanned_region_key_not_described if {
	t := replicated({"region": "ap-south-1", "status": "ACTIVE", "kms_key_arn": ap_cmk})
	out := dyn102.outcomes with input as inv([t], [key(cmk, "Enabled")])
	o := only(out, table_arn("ap-south-1", "orders"))
	o.status == "unknown"
	o.needs == ["DescribeKey"]
}

test_unknown_replica_in_unscanned_region_without_key if {
	t := replicated({"region": "ap-south-1", "status": "ACTIVE", "kms_key_arn": null})
	out := dyn102.outcomes with input as inv([t], [key(cmk, "Enabled")])
	o := only(out, table_arn("ap-south-1", "orders"))
	o.status == "unknown"
	o.needs == ["DescribeTable"]
}

test_unknown_replica_status_not_reported if {
	t := replicated({"region": "ap-south-1", "status": null, "kms_key_arn": ap_cmk})
	out := dyn102.outcomes with input as inv([t], [key(cmk, "Enabled"), key(ap_cmk, "Enabled")])
	o := only(out, table_arn("ap-south-1", "orders"))
	o.status == "unknown"
	o.needs == ["DescribeTable"]
}
