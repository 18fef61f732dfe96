package dynaudit.rules.dyn507_test

import data.dynaudit.lib.inventory_test as build
import data.dynaudit.rules.dyn507

acct := build.account_id

outsider := "444455556666"

member := "222233334444"

table_arn := build.table_arn("us-east-1", "orders")

export_arn(id) := sprintf("%s/export/%s", [table_arn, id])

kms_key := build.kms_key_arn("us-east-1", "exports")

# A completed export of orders to bucket `exports` of this account (no owner
# named), with the bucket's default encryption (no algorithm named), as
# DescribeExport reports it.
export(id, fields) := build.merge(
	{
		"arn": export_arn(id),
		"table_arn": table_arn,
		"status": "COMPLETED",
		"s3_bucket": "exports",
		"s3_bucket_owner": null,
		"s3_sse_algorithm": null,
		"s3_sse_kms_key_id": null,
		"absent": ["s3_bucket_owner", "s3_sse_algorithm", "s3_sse_kms_key_id"],
	},
	fields,
)

# An export with KMS encryption to the bucket of `owner`.
kms_export(id, owner) := export(id, {
	"s3_bucket_owner": owner,
	"s3_sse_algorithm": "KMS",
	"s3_sse_kms_key_id": kms_key,
	"absent": [],
})

inv(exports) := build.merge(build.one_region({"exports": {e.arn: e | some e in exports}}), {"schema_version": "1.3"})

outcome(e) := o if {
	out := dyn507.outcomes with input as inv([e])
	count(out) == 1
	o := build.only(out, e.arn)
	o.region == "us-east-1"
}

outcome_with(e, params) := o if {
	out := dyn507.outcomes with input as inv([e]) with data.dynaudit.params as params
	count(out) == 1
	o := build.only(out, e.arn)
}

test_no_outcome_without_exports if {
	out := dyn507.outcomes with input as inv([])
	count(out) == 0
}

test_pass_export_to_own_bucket if {
	o := outcome(export("a", {}))
	o.status == "pass"
	o.evidence.bucket_owner == acct
	contains(o.message, table_arn)
	contains(o.message, "S3 bucket exports")
	contains(o.message, "of this account (111122223333)")
}

test_pass_owner_named_as_own_account if {
	outcome(kms_export("a", acct)).status == "pass"
}

test_pass_owner_trusted if {
	o := outcome_with(kms_export("a", outsider), {"trusted_account_ids": [outsider]})
	o.status == "pass"
	contains(o.message, "encrypted with SSE-KMS")
}

test_fail_owner_untrusted if {
	o := outcome(kms_export("a", outsider))
	o.status == "fail"
	contains(o.message, "account 444455556666, is not a trusted account")
	o.evidence.bucket_owner == outsider
}

test_fail_export_in_progress_or_failed_is_judged_too if {
	e := build.merge(kms_export("a", outsider), {"status": "FAILED"})
	outcome(e).status == "fail"
}

test_pass_sse_s3_when_kms_not_required if {
	outcome(export("a", {"s3_sse_algorithm": "AES256", "absent": ["s3_bucket_owner", "s3_sse_kms_key_id"]})).status == "pass"
}

test_fail_sse_s3_when_kms_required if {
	e := export("a", {"s3_sse_algorithm": "AES256", "absent": ["s3_bucket_owner", "s3_sse_kms_key_id"]})
	o := outcome_with(e, {"require_export_kms": true})
	o.status == "fail"
	contains(o.message, "SSE-S3 (AES256), not SSE-KMS")
}

test_fail_no_algorithm_when_kms_required if {
	o := outcome_with(export("a", {}), {"require_export_kms": true})
	o.status == "fail"
	contains(o.message, "requested no encryption")
}

test_pass_kms_when_kms_required if {
	o := outcome_with(kms_export("a", acct), {"require_export_kms": true})
	o.status == "pass"
	contains(o.message, kms_key)
}

test_fail_lists_both_problems if {
	e := export("a", {"s3_bucket_owner": outsider, "s3_sse_algorithm": "AES256", "absent": ["s3_sse_kms_key_id"]})
	o := outcome_with(e, {"require_export_kms": true})
	o.status == "fail"
	count(o.evidence.problems) == 2
}

test_unknown_when_owner_not_collected if {
	e := export("a", {"table_arn": null, "status": null, "s3_bucket": null, "s3_bucket_owner": null, "s3_sse_algorithm": null, "s3_sse_kms_key_id": null, "absent": []})
	o := outcome(e)
	o.status == "unknown"
	o.needs == ["DescribeExport"]
	contains(o.message, "its bucket owner was not collected")
}

test_unknown_when_owner_absent_key_missing if {
	# No `absent` list: every null is "not collected".
	o := outcome(object.remove(export("a", {}), {"absent"}))
	o.status == "unknown"
	o.needs == ["DescribeExport"]
}

test_unknown_when_algorithm_not_collected_and_kms_required if {
	e := export("a", {"absent": ["s3_bucket_owner"]})
	o := outcome_with(e, {"require_export_kms": true})
	o.status == "unknown"
	o.needs == ["DescribeExport"]
}

test_pass_when_algorithm_not_collected_and_kms_not_required if {
	outcome(export("a", {"absent": ["s3_bucket_owner"]})).status == "pass"
}

test_fail_untrusted_owner_even_if_algorithm_not_collected if {
	e := export("a", {"s3_bucket_owner": outsider, "absent": []})
	outcome_with(e, {"require_export_kms": true}).status == "fail"
}

test_pass_owner_in_organization if {
	i := build.with_organization(inv([kms_export("a", member)]), [acct, member])
	out := dyn507.outcomes with input as build.merge(i, {"schema_version": "1.3"})
		with data.dynaudit.params.trusted_account_ids as ["organization"]
	build.only(out, export_arn("a")).status == "pass"
}

test_fail_owner_outside_organization if {
	i := build.with_organization(inv([kms_export("a", outsider)]), [acct, member])
	out := dyn507.outcomes with input as build.merge(i, {"schema_version": "1.3"})
		with data.dynaudit.params.trusted_account_ids as ["organization"]
	build.only(out, export_arn("a")).status == "fail"
}

test_unknown_owner_when_organization_not_listed if {
	out := dyn507.outcomes with input as inv([kms_export("a", member)])
		with data.dynaudit.params.trusted_account_ids as ["organization"]
	o := build.only(out, export_arn("a"))
	o.status == "unknown"
	o.needs == []
	contains(o.message, "could only be trusted through \"organization\"")
	o.evidence.trusts_organization == true
}

test_unknown_when_exports_not_listed if {
	out := dyn507.outcomes with input as inv([]) with input.regions["us-east-1"].exports as null
	count(out) == 1
	o := build.only(out, "111122223333/us-east-1")
	o.status == "unknown"
	o.needs == ["ListExports"]
}

test_unknown_when_exports_not_in_schema_version if {
	i := build.merge(inv([]), {"schema_version": "1.2"})
	old := build.merge(i, {"regions": {"us-east-1": object.remove(i.regions["us-east-1"], {"exports"})}})
	out := dyn507.outcomes with input as old
	count(out) == 1
	o := build.only(out, "111122223333/us-east-1")
	o.status == "unknown"
	o.needs == []
	contains(o.message, "not in this inventory's schema version (1.2); collect it again with this dynaudit")
}

test_unknown_when_region_not_collected if {
	# A region that could not be collected at all has no 1.3 keys.
	r := object.union(object.remove(build.region({"tables": null}), {"exports"}), {"not_collected": "the region could not be reached: timeout"})
	out := dyn507.outcomes with input as build.merge(build.inventory({"us-east-1": r}), {"schema_version": "1.3"})
	count(out) == 1
	o := build.only(out, "111122223333/us-east-1")
	o.status == "unknown"
	o.needs == ["ListExports"]
	contains(o.message, "the region could not be reached")
}

test_one_outcome_per_export if {
	out := dyn507.outcomes with input as inv([export("a", {}), kms_export("b", outsider)])
	{[o.resource, o.status] | some o in out} == {[export_arn("a"), "pass"], [export_arn("b"), "fail"]}
}
