package dynaudit.rules.dyn208_test

import data.dynaudit.lib.inventory_test as build
import data.dynaudit.rules.dyn208

# A cluster "cache" in us-east-1 whose nodes are in `zones` (one node per
# entry; `null`: zone not reported), TotalNodes `total`.
cluster(total, zones) := build.dax_cluster("us-east-1", "cache", {
	"total_nodes": total,
	"nodes": [build.dax_node("cache", i + 1, z) | some i, z in zones],
})

one_region(clusters) := build.one_region({"dax_clusters": build.by_arn(clusters)})

outcome(c) := o if {
	out := dyn208.outcomes with input as one_region([c])
	count(out) == 1
	o := build.only(out, c.arn)
}

test_pass_three_nodes_in_three_zones if {
	c := build.dax_cluster("us-east-1", "cache", {})
	o := outcome(c)
	o.status == "pass"
	o.region == "us-east-1"
	o.evidence.availability_zones == ["us-east-1a", "us-east-1b", "us-east-1c"]
	contains(o.message, "3 nodes in 3 Availability Zones")
}

test_pass_three_nodes_in_two_zones if {
	o := outcome(cluster(3, ["us-east-1a", "us-east-1b", "us-east-1a"]))
	o.status == "pass"
}

test_pass_two_zones_known_despite_unknown_zone if {
	o := outcome(cluster(3, ["us-east-1a", "us-east-1b", null]))
	o.status == "pass"
	o.evidence.nodes_without_zone == ["cache-c"]
}

test_fail_single_node if {
	o := outcome(cluster(1, ["us-east-1a"]))
	o.status == "fail"
	contains(o.message, "cache")
	contains(o.message, "us-east-1")
	contains(o.message, "1 node(s), fewer than 3")
}

test_fail_two_nodes_in_two_zones if {
	o := outcome(cluster(2, ["us-east-1a", "us-east-1b"]))
	o.status == "fail"
}

test_fail_too_few_nodes_even_when_nodes_not_collected if {
	c := build.dax_cluster("us-east-1", "cache", {"total_nodes": 2, "nodes": null})
	o := outcome(c)
	o.status == "fail"
	o.evidence.nodes == null
}

test_fail_counts_listed_nodes_when_total_not_reported if {
	o := outcome(cluster(null, ["us-east-1a", "us-east-1b"]))
	o.status == "fail"
	contains(o.message, "2 node(s)")
}

test_fail_all_nodes_in_one_zone if {
	o := outcome(cluster(3, ["us-east-1a", "us-east-1a", "us-east-1a"]))
	o.status == "fail"
	contains(o.message, "all 3 nodes in Availability Zone us-east-1a")
	o.evidence.availability_zones == ["us-east-1a"]
}

test_pass_total_nodes_counts_nodes_being_created if {
	o := outcome(cluster(3, ["us-east-1a", "us-east-1b"]))
	o.status == "pass"
}

test_unknown_nodes_not_collected if {
	c := build.dax_cluster("us-east-1", "cache", {"nodes": null})
	o := outcome(c)
	o.status == "unknown"
	o.needs == ["DescribeClusters"]
}

test_unknown_nothing_collected if {
	c := build.dax_cluster("us-east-1", "cache", {"total_nodes": null, "nodes": null})
	o := outcome(c)
	o.status == "unknown"
	o.needs == ["DescribeClusters"]
}

test_unknown_zones_partly_unknown_and_rest_in_one_zone if {
	o := outcome(cluster(3, ["us-east-1a", null, "us-east-1a"]))
	o.status == "unknown"
	o.needs == ["DescribeClusters"]
	contains(o.message, "cache-b")
	contains(o.message, "the others are all in us-east-1a")
}

test_unknown_no_zone_known if {
	o := outcome(cluster(3, [null, null, null]))
	o.status == "unknown"
	o.evidence.nodes_without_zone == ["cache-a", "cache-b", "cache-c"]
}

test_unknown_no_node_listed if {
	o := outcome(cluster(3, []))
	o.status == "unknown"
	contains(o.message, "none of its 3 nodes")
}

test_unknown_not_in_this_schema_version if {
	c := object.remove(build.dax_cluster("us-east-1", "cache", {}), {"total_nodes", "nodes"})
	out := dyn208.outcomes with input as build.merge(one_region([c]), {"schema_version": "1.2"})
	o := build.only(out, c.arn)
	o.status == "unknown"
	contains(o.message, "not in this inventory's schema version (1.2)")
	o.needs == []
}

test_unknown_when_clusters_not_listed if {
	out := dyn208.outcomes with input as build.one_region({"dax_clusters": null})
	count(out) == 1
	o := build.only(out, "111122223333/us-east-1")
	o.status == "unknown"
	o.needs == ["DescribeClusters"]
}

test_no_outcome_for_region_without_clusters if {
	out := dyn208.outcomes with input as one_region([])
	count(out) == 0
}

test_one_outcome_per_cluster_across_regions if {
	a := build.dax_cluster("us-east-1", "a", {})
	b := build.dax_cluster("eu-west-1", "b", {"total_nodes": 1, "nodes": [build.dax_node("b", 1, "eu-west-1a")]})
	out := dyn208.outcomes with input as build.inventory({
		"us-east-1": build.region({"dax_clusters": build.by_arn([a])}),
		"eu-west-1": build.region({"dax_clusters": build.by_arn([b])}),
		"ap-south-1": build.region({"dax_clusters": null}),
	})
	count(out) == 3
	build.only(out, a.arn).status == "pass"
	build.only(out, b.arn).status == "fail"
	build.only(out, b.arn).region == "eu-west-1"
	build.only(out, "111122223333/ap-south-1").status == "unknown"
}
