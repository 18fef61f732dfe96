package dynaudit.rules.dyn101_test

import data.dynaudit.rules.dyn101

acct := "111122223333"

key_arn(region, id) := sprintf("arn:aws:kms:%s:%s:key/%s", [region, acct, id])

table_arn(region, name) := sprintf("arn:aws:dynamodb:%s:%s:table/%s", [region, acct, name])

cmk := key_arn("us-east-1", "1111aaaa-0000-0000-0000-000000000001")

cmk2 := key_arn("us-east-1", "2222bbbb-0000-0000-0000-000000000002")

aws_key := key_arn("us-east-1", "3333cccc-0000-0000-0000-000000000003")

eu_cmk := key_arn("eu-west-1", "4444dddd-0000-0000-0000-000000000004")

ap_cmk := key_arn("ap-south-1", "5555eeee-0000-0000-0000-000000000005")

key(arn, manager, aliases) := {
	"arn": arn,
	"key_manager": manager,
	"key_state": "Enabled",
	"rotation_enabled": true,
	"aliases": aliases,
	"multi_region": false,
}

kms_enc(arn) := {"sse_type": "KMS", "status": "ENABLED", "kms_key_arn": arn, "inaccessible_since": null}

owned_enc := {"sse_type": "AWS_OWNED", "status": null, "kms_key_arn": null, "inaccessible_since": null}

table(region, name, enc) := {
	"arn": table_arn(region, name),
	"name": name,
	"status": "ACTIVE",
	"encryption": enc,
	"replicas": [],
}

with_replicas(t, replicas) := object.union(t, {"replicas": replicas})

region_inv(tables, keys) := {"tables": {t.arn: t | some t in tables}, "kms_keys": {k.arn: k | some k in keys}}

inv(regions) := {"account_id": acct, "partition": "aws", "collected_at": "2026-11-01T00:00:00Z", "regions": regions}

one_region(tables, keys) := inv({"us-east-1": region_inv(tables, keys)})

only(out, resource) := o if {
	matching := [x | some x in out; x.resource == resource]
	count(matching) == 1
	o := matching[0]
}

test_fail_aws_owned_key if {
	t := table("us-east-1", "orders", owned_enc)
	out := dyn101.outcomes with input as one_region([t], [])
	count(out) == 1
	o := only(out, t.arn)
	o.status == "fail"
	o.region == "us-east-1"
	o.evidence.key_type == "AWS_OWNED"
	contains(o.message, "orders")
	contains(o.message, "AWS owned key")
}

test_fail_aws_managed_key_by_key_manager if {
	t := table("us-east-1", "orders", kms_enc(aws_key))
	k := key(aws_key, "AWS", ["alias/aws/dynamodb"])
	out := dyn101.outcomes with input as one_region([t], [k])
	o := only(out, t.arn)
	o.status == "fail"
	o.evidence.key_type == "AWS_MANAGED"
	o.evidence.key_manager == "AWS"
}

test_fail_aws_managed_key_reported_as_customer_by_emulator if {
	# moto reports KeyManager = CUSTOMER for alias/aws/dynamodb
	t := table("us-east-1", "orders", kms_enc(aws_key))
	k := key(aws_key, "CUSTOMER", ["alias/aws/dynamodb"])
	out := dyn101.outcomes with input as one_region([t], [k])
	o := only(out, t.arn)
	o.status == "fail"
	o.evidence.key_type == "AWS_MANAGED"
}

test_fail_aws_managed_key_by_alias_when_key_manager_not_collected if {
	t := table("us-east-1", "orders", kms_enc(aws_key))
	k := key(aws_key, null, ["alias/aws/dynamodb"])
	out := dyn101.outcomes with input as one_region([t], [k])
	only(out, t.arn).status == "fail"
}

test_pass_customer_managed_key if {
	t := table("us-east-1", "orders", kms_enc(cmk))
	k := key(cmk, "CUSTOMER", ["alias/orders"])
	out := dyn101.outcomes with input as one_region([t], [k])
	count(out) == 1
	o := only(out, t.arn)
	o.status == "pass"
	o.evidence.key_type == "CUSTOMER_MANAGED"
	o.evidence.kms_key_arn == cmk
	not o.needs
}

test_pass_customer_managed_key_without_aliases if {
	t := table("us-east-1", "orders", kms_enc(cmk))
	k := key(cmk, "CUSTOMER", [])
	out := dyn101.outcomes with input as one_region([t], [k])
	only(out, t.arn).status == "pass"
}

test_pass_when_key_manager_missing_but_aliases_collected if {
	# every AWS managed key carries an alias/aws/ alias, so collected
	# aliases without one prove a customer managed key
	t := table("us-east-1", "orders", kms_enc(cmk))
	k := key(cmk, null, ["alias/orders"])
	out := dyn101.outcomes with input as one_region([t], [k])
	o := only(out, t.arn)
	o.status == "pass"
	o.evidence.key_type == "CUSTOMER_MANAGED"
}

test_pass_key_on_allow_list if {
	t := table("us-east-1", "orders", kms_enc(cmk))
	k := key(cmk, "CUSTOMER", [])
	out := dyn101.outcomes with input as one_region([t], [k])
		with data.dynaudit.params.allowed_kms_key_arns as [cmk]
	o := only(out, t.arn)
	o.status == "pass"
	o.evidence.on_allowed_list == true
	contains(o.message, "allowed_kms_key_arns")
}

test_fail_customer_key_outside_allow_list if {
	t := table("us-east-1", "orders", kms_enc(cmk2))
	k := key(cmk2, "CUSTOMER", [])
	out := dyn101.outcomes with input as one_region([t], [k])
		with data.dynaudit.params.allowed_kms_key_arns as [cmk]
	o := only(out, t.arn)
	o.status == "fail"
	o.evidence.key_type == "CUSTOMER_MANAGED"
	o.evidence.on_allowed_list == false
	contains(o.message, "not in allowed_kms_key_arns")
}

test_fail_aws_managed_key_even_if_on_allow_list if {
	t := table("us-east-1", "orders", kms_enc(aws_key))
	k := key(aws_key, "AWS", ["alias/aws/dynamodb"])
	out := dyn101.outcomes with input as one_region([t], [k])
		with data.dynaudit.params.allowed_kms_key_arns as [aws_key]
	only(out, t.arn).status == "fail"
}

test_fail_undescribed_key_outside_allow_list if {
	# whichever type the key is, it is not an allowed key
	t := table("us-east-1", "orders", kms_enc(cmk2))
	out := dyn101.outcomes with input as one_region([t], [])
		with data.dynaudit.params.allowed_kms_key_arns as [cmk]
	o := only(out, t.arn)
	o.status == "fail"
	o.evidence.key_type == null
}

test_unknown_when_key_not_described if {
	t := table("us-east-1", "orders", kms_enc(cmk))
	out := dyn101.outcomes with input as one_region([t], [])
	o := only(out, t.arn)
	o.status == "unknown"
	o.needs == ["DescribeKey", "ListAliases"]
	o.evidence.key_type == null
}

test_unknown_when_key_manager_and_aliases_not_collected if {
	t := table("us-east-1", "orders", kms_enc(cmk))
	k := key(cmk, null, null)
	out := dyn101.outcomes with input as one_region([t], [k])
	o := only(out, t.arn)
	o.status == "unknown"
	o.needs == ["DescribeKey", "ListAliases"]
}

test_unknown_undescribed_key_on_allow_list if {
	# on the list, but it could still be an AWS managed key
	t := table("us-east-1", "orders", kms_enc(cmk))
	out := dyn101.outcomes with input as one_region([t], [])
		with data.dynaudit.params.allowed_kms_key_arns as [cmk]
	only(out, t.arn).status == "unknown"
}

test_unknown_when_encryption_not_collected if {
	t := table("us-east-1", "orders", null)
	out := dyn101.outcomes with input as one_region([t], [])
	o := only(out, t.arn)
	o.status == "unknown"
	o.needs == ["DescribeTable"]
	o.evidence == {"encryption": null}
}

test_unknown_when_kms_key_arn_missing if {
	t := table("us-east-1", "orders", kms_enc(null))
	out := dyn101.outcomes with input as one_region([t], [])
	o := only(out, t.arn)
	o.status == "unknown"
	o.needs == ["DescribeTable"]
}

test_fail_sse_disabled_means_aws_owned if {
	enc := object.union(kms_enc(cmk), {"status": "DISABLED"})
	t := table("us-east-1", "orders", enc)
	k := key(cmk, "CUSTOMER", [])
	out := dyn101.outcomes with input as one_region([t], [k])
	o := only(out, t.arn)
	o.status == "fail"
	o.evidence.key_type == "AWS_OWNED"
}

test_fail_sse_disabling if {
	enc := object.union(kms_enc(cmk), {"status": "DISABLING"})
	t := table("us-east-1", "orders", enc)
	k := key(cmk, "CUSTOMER", [])
	out := dyn101.outcomes with input as one_region([t], [k])
	o := only(out, t.arn)
	o.status == "fail"
	contains(o.message, "DISABLING")
}

test_unknown_when_tables_not_listed if {
	out := dyn101.outcomes with input as inv({"us-east-1": {"tables": null, "kms_keys": {}}})
	count(out) == 1
	o := only(out, "111122223333/us-east-1")
	o.status == "unknown"
	o.needs == ["ListTables"]
}

test_key_described_only_in_another_region if {
	# a key record found in another scanned region's kms_keys is used
	t := table("us-east-1", "orders", kms_enc(cmk))
	k := key(cmk, "CUSTOMER", [])
	out := dyn101.outcomes with input as inv({
		"us-east-1": region_inv([t], []),
		"eu-west-1": region_inv([], [k]),
	})
	only(out, t.arn).status == "pass"
}

test_replicas_in_scanned_regions_are_their_own_records if {
	us := with_replicas(table("us-east-1", "orders", kms_enc(cmk)), [{"region": "eu-west-1", "status": "ACTIVE", "kms_key_arn": eu_cmk}])
	eu := with_replicas(table("eu-west-1", "orders", owned_enc), [{"region": "us-east-1", "status": "ACTIVE", "kms_key_arn": cmk}])
	out := dyn101.outcomes with input as inv({
		"us-east-1": region_inv([us], [key(cmk, "CUSTOMER", [])]),
		"eu-west-1": region_inv([eu], []),
	})
	count(out) == 2
	only(out, us.arn).status == "pass"
	only(out, eu.arn).status == "fail"
}

test_pass_replica_in_unscanned_region_with_known_cmk if {
	us := with_replicas(table("us-east-1", "orders", kms_enc(cmk)), [{"region": "ap-south-1", "status": "ACTIVE", "kms_key_arn": ap_cmk}])
	out := dyn101.outcomes with input as one_region([us], [key(cmk, "CUSTOMER", []), key(ap_cmk, "CUSTOMER", ["alias/orders"])])
	count(out) == 2
	o := only(out, table_arn("ap-south-1", "orders"))
	o.status == "pass"
	o.region == "ap-south-1"
	o.evidence.key_type == "CUSTOMER_MANAGED"
	o.evidence.listed_by_regions == ["us-east-1"]
	contains(o.message, "not scanned")
}

test_fail_replica_in_unscanned_region_with_aws_managed_key if {
	us := with_replicas(table("us-east-1", "orders", kms_enc(cmk)), [{"region": "ap-south-1", "status": "ACTIVE", "kms_key_arn": ap_cmk}])
	out := dyn101.outcomes with input as one_region([us], [key(cmk, "CUSTOMER", []), key(ap_cmk, "AWS", ["alias/aws/dynamodb"])])
	o := only(out, table_arn("ap-south-1", "orders"))
	o.status == "fail"
	o.evidence.key_type == "AWS_MANAGED"
}

test_unknown_replica_in_unscanned_region_with_undescribed_key if {
	us := with_replicas(table("us-east-1", "orders", kms_enc(cmk)), [{"region": "ap-south-1", "status": "ACTIVE", "kms_key_arn": ap_cmk}])
	out := dyn101.outcomes with input as one_region([us], [key(cmk, "CUSTOMER", [])])
	o := only(out, table_arn("ap-south-1", "orders"))
	o.status == "unknown"
	o.needs == ["DescribeKey", "ListAliases"]
	contains(o.message, "ap-south-1")
	contains(o.message, "not scanned")
}

test_unknown_replica_in_unscanned_region_without_key if {
	us := with_replicas(table("us-east-1", "orders", owned_enc), [{"region": "ap-south-1", "status": "ACTIVE", "kms_key_arn": null}])
	out := dyn101.outcomes with input as one_region([us], [])
	o := only(out, table_arn("ap-south-1", "orders"))
	o.status == "unknown"
	o.needs == ["DescribeTable"]
}

test_fail_replica_key_outside_allow_list_even_if_undescribed if {
	us := with_replicas(table("us-east-1", "orders", kms_enc(cmk)), [{"region": "ap-south-1", "status": "ACTIVE", "kms_key_arn": ap_cmk}])
	out := dyn101.outcomes with input as one_region([us], [key(cmk, "CUSTOMER", [])])
		with data.dynaudit.params.allowed_kms_key_arns as [cmk]
	only(out, table_arn("ap-south-1", "orders")).status == "fail"
	only(out, us.arn).status == "pass"
}

test_one_outcome_for_replica_listed_by_two_scanned_tables if {
	rep := {"region": "ap-south-1", "status": "ACTIVE", "kms_key_arn": ap_cmk}
	us := with_replicas(table("us-east-1", "orders", kms_enc(cmk)), [rep, {"region": "eu-west-1", "status": "ACTIVE", "kms_key_arn": eu_cmk}])
	eu := with_replicas(table("eu-west-1", "orders", kms_enc(eu_cmk)), [rep, {"region": "us-east-1", "status": "UPDATING", "kms_key_arn": cmk}])
	out := dyn101.outcomes with input as inv({
		"us-east-1": region_inv([us], [key(cmk, "CUSTOMER", []), key(ap_cmk, "CUSTOMER", [])]),
		"eu-west-1": region_inv([eu], [key(eu_cmk, "CUSTOMER", [])]),
	})
	count(out) == 3
	o := only(out, table_arn("ap-south-1", "orders"))
	o.status == "pass"
	o.evidence.listed_by_regions == ["eu-west-1", "us-east-1"]
}

test_unknown_replica_reported_with_different_keys if {
	us := with_replicas(table("us-east-1", "orders", kms_enc(cmk)), [{"region": "ap-south-1", "status": "ACTIVE", "kms_key_arn": ap_cmk}])
	eu := with_replicas(table("eu-west-1", "orders", kms_enc(eu_cmk)), [{"region": "ap-south-1", "status": "UPDATING", "kms_key_arn": null}])
	out := dyn101.outcomes with input as inv({
		"us-east-1": region_inv([us], [key(cmk, "CUSTOMER", []), key(ap_cmk, "CUSTOMER", [])]),
		"eu-west-1": region_inv([eu], [key(eu_cmk, "CUSTOMER", [])]),
	})
	o := only(out, table_arn("ap-south-1", "orders"))
	o.status == "unknown"
	o.needs == ["DescribeTable"]
}

test_replica_in_region_whose_tables_were_not_listed if {
	us := with_replicas(table("us-east-1", "orders", kms_enc(cmk)), [{"region": "eu-west-1", "status": "ACTIVE", "kms_key_arn": eu_cmk}])
	out := dyn101.outcomes with input as inv({
		"us-east-1": region_inv([us], [key(cmk, "CUSTOMER", []), key(eu_cmk, "CUSTOMER", [])]),
		"eu-west-1": {"tables": null, "kms_keys": {}},
	})
	count(out) == 3
	only(out, "111122223333/eu-west-1").status == "unknown"
	o := only(out, table_arn("eu-west-1", "orders"))
	o.status == "pass"
	contains(o.message, "could not be listed")
}

test_replicas_not_collected_is_not_an_error if {
	t := object.union(table("us-east-1", "orders", kms_enc(cmk)), {"replicas": null})
	out := dyn101.outcomes with input as one_region([t], [key(cmk, "CUSTOMER", [])])
	count(out) == 1
	only(out, t.arn).status == "pass"
}

test_one_outcome_per_table_in_a_mixed_region if {
	tables := [
		table("us-east-1", "a", owned_enc),
		table("us-east-1", "b", kms_enc(aws_key)),
		table("us-east-1", "c", kms_enc(cmk)),
		table("us-east-1", "d", kms_enc(cmk2)),
		table("us-east-1", "e", null),
	]
	keys := [key(aws_key, "AWS", ["alias/aws/dynamodb"]), key(cmk, "CUSTOMER", [])]
	out := dyn101.outcomes with input as one_region(tables, keys)
	count(out) == 5
	[o.status | some name in ["a", "b", "c", "d", "e"]; o := only(out, table_arn("us-east-1", name))] == ["fail", "fail", "pass", "unknown", "unknown"]
}

test_key_record_from_own_region_preferred if {
	# the key's own region's record wins over another region's copy
	t := table("us-east-1", "orders", kms_enc(cmk))
	out := dyn101.outcomes with input as inv({
		"us-east-1": region_inv([t], [key(cmk, "AWS", ["alias/aws/dynamodb"])]),
		"ap-south-1": region_inv([], [key(cmk, "CUSTOMER", [])]),
	})
	only(out, t.arn).status == "fail"
}

test_evidence_on_allowed_list_null_without_list if {
	t := table("us-east-1", "orders", kms_enc(cmk))
	out := dyn101.outcomes with input as one_region([t], [key(cmk, "CUSTOMER", [])])
	only(out, t.arn).evidence.on_allowed_list == null
}
