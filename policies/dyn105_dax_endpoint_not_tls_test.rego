package dynaudit.rules.dyn105_test

import data.dynaudit.rules.dyn105

cluster_arn(region, name) := sprintf("arn:aws:dax:%s:111122223333:cache/%s", [region, name])

cluster(region, name, enc) := {
	"arn": cluster_arn(region, name),
	"name": name,
	"status": "available",
	"sse_status": "ENABLED",
	"endpoint_encryption": enc,
}

inv(regions) := {"account_id": "111122223333", "partition": "aws", "collected_at": "2026-11-01T00:00:00Z", "regions": regions}

one_region(clusters) := inv({"us-east-1": {"tables": {}, "kms_keys": {}, "dax_clusters": {c.arn: c | some c in clusters}}})

only(out, resource) := o if {
	matching := [x | some x in out; x.resource == resource]
	count(matching) == 1
	o := matching[0]
}

test_pass_tls if {
	c := cluster("us-east-1", "cache", "TLS")
	out := dyn105.outcomes with input as one_region([c])
	count(out) == 1
	o := only(out, c.arn)
	o.status == "pass"
	o.region == "us-east-1"
	o.evidence.endpoint_encryption == "TLS"
}

test_fail_none if {
	c := cluster("us-east-1", "cache", "NONE")
	out := dyn105.outcomes with input as one_region([c])
	o := only(out, c.arn)
	o.status == "fail"
	contains(o.message, "cache")
	contains(o.message, "NONE")
}

test_unknown_not_collected if {
	c := cluster("us-east-1", "cache", null)
	out := dyn105.outcomes with input as one_region([c])
	o := only(out, c.arn)
	o.status == "unknown"
	o.needs == ["DescribeClusters"]
}

test_unknown_undocumented_value if {
	c := cluster("us-east-1", "cache", "SOMETHING_NEW")
	out := dyn105.outcomes with input as one_region([c])
	only(out, c.arn).status == "unknown"
}

test_unknown_when_clusters_not_listed if {
	out := dyn105.outcomes with input as inv({"us-east-1": {"tables": {}, "kms_keys": {}, "dax_clusters": null}})
	count(out) == 1
	o := only(out, "111122223333/us-east-1")
	o.status == "unknown"
	o.needs == ["DescribeClusters"]
}

test_no_outcome_for_region_without_clusters if {
	out := dyn105.outcomes with input as one_region([])
	count(out) == 0
}

test_one_outcome_per_cluster_across_regions if {
	a := cluster("us-east-1", "a", "TLS")
	b := cluster("us-east-1", "b", "NONE")
	c := cluster("eu-west-1", "c", null)
	out := dyn105.outcomes with input as inv({
		"us-east-1": {"tables": {}, "kms_keys": {}, "dax_clusters": {a.arn: a, b.arn: b}},
		"eu-west-1": {"tables": {}, "kms_keys": {}, "dax_clusters": {c.arn: c}},
		"ap-south-1": {"tables": {}, "kms_keys": {}, "dax_clusters": null},
	})
	count(out) == 4
	only(out, a.arn).status == "pass"
	only(out, b.arn).status == "fail"
	only(out, c.arn).status == "unknown"
	only(out, "111122223333/ap-south-1").status == "unknown"
}
