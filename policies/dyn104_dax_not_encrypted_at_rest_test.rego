package dynaudit.rules.dyn104_test

import data.dynaudit.lib.inventory_test as build
import data.dynaudit.rules.dyn104

cluster(region, name, sse) := build.dax_cluster(region, name, {"sse_status": sse})

one_region(clusters) := build.one_region({"dax_clusters": build.by_arn(clusters)})

test_pass_sse_enabled if {
	c := cluster("us-east-1", "cache", "ENABLED")
	out := dyn104.outcomes with input as one_region([c])
	count(out) == 1
	o := build.only(out, c.arn)
	o.status == "pass"
	o.region == "us-east-1"
	o.evidence.sse_status == "ENABLED"
}

test_fail_sse_disabled if {
	c := cluster("us-east-1", "cache", "DISABLED")
	out := dyn104.outcomes with input as one_region([c])
	o := build.only(out, c.arn)
	o.status == "fail"
	contains(o.message, "cache")
	contains(o.message, "us-east-1")
}

test_fail_sse_in_transition if {
	c := cluster("us-east-1", "cache", "DISABLING")
	out := dyn104.outcomes with input as one_region([c])
	build.only(out, c.arn).status == "fail"
}

test_unknown_sse_not_collected if {
	c := cluster("us-east-1", "cache", null)
	out := dyn104.outcomes with input as one_region([c])
	o := build.only(out, c.arn)
	o.status == "unknown"
	o.needs == ["DescribeClusters"]
}

test_unknown_when_clusters_not_listed if {
	out := dyn104.outcomes with input as build.one_region({"dax_clusters": null})
	count(out) == 1
	o := build.only(out, "111122223333/us-east-1")
	o.status == "unknown"
	o.needs == ["DescribeClusters"]
}

test_no_outcome_for_region_without_clusters if {
	out := dyn104.outcomes with input as one_region([])
	count(out) == 0
}

test_one_outcome_per_cluster_across_regions if {
	a := cluster("us-east-1", "a", "ENABLED")
	b := cluster("us-east-1", "b", "DISABLED")
	c := cluster("eu-west-1", "c", null)
	out := dyn104.outcomes with input as build.inventory({
		"us-east-1": build.region({"dax_clusters": {a.arn: a, b.arn: b}}),
		"eu-west-1": build.region({"dax_clusters": {c.arn: c}}),
		"ap-south-1": build.region({"dax_clusters": null}),
	})
	count(out) == 4
	build.only(out, a.arn).status == "pass"
	build.only(out, b.arn).status == "fail"
	build.only(out, c.arn).status == "unknown"
	build.only(out, c.arn).region == "eu-west-1"
	build.only(out, "111122223333/ap-south-1").status == "unknown"
}
