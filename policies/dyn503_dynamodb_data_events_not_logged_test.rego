package dynaudit.rules.dyn503_test

import data.dynaudit.lib.inventory_test as build
import data.dynaudit.rules.dyn503

table_arn(name) := build.table_arn("us-east-1", name)

table(name) := build.table("us-east-1", name, {})

trail(name, multi, logging, home, selectors) := build.trail(home, name, {
	"is_multi_region": multi,
	"is_logging": logging,
	"selectors": selectors,
})

classic(rw, values) := {"read_write_type": rw, "include_management_events": true, "data_resources": [{"type": "AWS::DynamoDB::Table", "values": values}]}

classic_sels(selectors) := {"event_selectors": selectors, "advanced_event_selectors": []}

fs(field, op, values) := build.field_selector(field, {op: values})

ddb_data(extra) := {"name": "ddb", "field_selectors": array.concat(
	[fs("eventCategory", "equals", ["Data"]), fs("resources.type", "equals", ["AWS::DynamoDB::Table"])],
	extra,
)}

adv(selectors) := {"event_selectors": [], "advanced_event_selectors": selectors}

inv(tables, trails, trail_arns) := build.inventory_with(
	{"us-east-1": build.region({"tables": build.by_arn(tables), "trail_arns": trail_arns})},
	{"trails": build.by_arn(trails)},
)

multi(selectors) := trail("main", true, true, "eu-west-1", selectors)

run(tables, t) := out if {
	out := dyn503.outcomes with input as inv(tables, [t], [t.arn])
}

status_of(out, arn) := o.status if {
	some o in out
	o.resource == arn
}

# --- classic selectors

test_pass_classic_all_tables if {
	out := run([table("orders")], multi(classic_sels([classic("All", ["arn:aws:dynamodb"])])))
	count(out) == 1
	status_of(out, table_arn("orders")) == "pass"
}

test_classic_exact_arn_only_that_table if {
	out := run(
		[table("orders"), table("orders-archive"), table("users")],
		multi(classic_sels([classic("All", [table_arn("orders")])])),
	)
	count(out) == 3
	status_of(out, table_arn("orders")) == "pass"
	status_of(out, table_arn("orders-archive")) == "fail"
	status_of(out, table_arn("users")) == "fail"
}

test_classic_region_prefix if {
	out := run([table("orders")], multi(classic_sels([classic("All", ["arn:aws:dynamodb:us-east-1:111122223333:table/"])])))
	status_of(out, table_arn("orders")) == "pass"
}

test_classic_other_region_prefix_does_not_cover if {
	out := run([table("orders")], multi(classic_sels([classic("All", ["arn:aws:dynamodb:eu-west-1"])])))
	status_of(out, table_arn("orders")) == "fail"
}

test_classic_non_boundary_prefix_does_not_cover if {
	out := run([table("orders")], multi(classic_sels([classic("All", ["arn:aws:dynamodb:us-east-1:111122223333:table/ord"])])))
	status_of(out, table_arn("orders")) == "fail"
}

test_fail_classic_write_only if {
	out := run([table("orders")], multi(classic_sels([classic("WriteOnly", ["arn:aws:dynamodb"])])))
	some o in out
	o.status == "fail"
	o.evidence.read_events == "no"
	o.evidence.write_events == "yes"
	contains(o.message, "reads are not recorded")
}

test_pass_classic_read_and_write_selectors if {
	out := run([table("orders")], multi(classic_sels([
		classic("ReadOnly", ["arn:aws:dynamodb"]),
		classic("WriteOnly", [table_arn("orders")]),
	])))
	status_of(out, table_arn("orders")) == "pass"
}

test_fail_classic_other_resource_type if {
	sel := {"read_write_type": "All", "include_management_events": true, "data_resources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]}
	out := run([table("orders")], multi(classic_sels([sel])))
	status_of(out, table_arn("orders")) == "fail"
}

test_fail_management_only if {
	out := run([table("orders")], multi({"event_selectors": [], "advanced_event_selectors": []}))
	status_of(out, table_arn("orders")) == "fail"
}

# --- advanced selectors

test_pass_advanced_all_tables if {
	out := run([table("orders")], multi(adv([ddb_data([])])))
	status_of(out, table_arn("orders")) == "pass"
}

test_advanced_starts_with if {
	sel := ddb_data([fs("resources.ARN", "starts_with", ["arn:aws:dynamodb:us-east-1:111122223333:table/pci-"])])
	out := run([table("pci-cards"), table("catalog")], multi(adv([sel])))
	status_of(out, table_arn("pci-cards")) == "pass"
	status_of(out, table_arn("catalog")) == "fail"
}

test_advanced_equals if {
	sel := ddb_data([fs("resources.ARN", "equals", [table_arn("orders")])])
	out := run([table("orders"), table("orders-archive")], multi(adv([sel])))
	status_of(out, table_arn("orders")) == "pass"
	status_of(out, table_arn("orders-archive")) == "fail"
}

test_advanced_ends_with if {
	sel := ddb_data([fs("resources.ARN", "ends_with", ["-pci"])])
	out := run([table("cards-pci"), table("catalog")], multi(adv([sel])))
	status_of(out, table_arn("cards-pci")) == "pass"
	status_of(out, table_arn("catalog")) == "fail"
}

test_advanced_not_starts_with_excludes if {
	sel := ddb_data([fs("resources.ARN", "not_starts_with", ["arn:aws:dynamodb:us-east-1:111122223333:table/scratch"])])
	out := run([table("orders"), table("scratch-1")], multi(adv([sel])))
	status_of(out, table_arn("orders")) == "pass"
	status_of(out, table_arn("scratch-1")) == "fail"
}

test_advanced_not_equals_excludes if {
	sel := ddb_data([fs("resources.ARN", "not_equals", [table_arn("noise")])])
	out := run([table("orders"), table("noise")], multi(adv([sel])))
	status_of(out, table_arn("orders")) == "pass"
	status_of(out, table_arn("noise")) == "fail"
}

test_advanced_not_ends_with_excludes if {
	sel := ddb_data([fs("resources.ARN", "not_ends_with", ["-tmp"])])
	out := run([table("orders"), table("orders-tmp")], multi(adv([sel])))
	status_of(out, table_arn("orders")) == "pass"
	status_of(out, table_arn("orders-tmp")) == "fail"
}

test_advanced_positive_and_negative_combined if {
	sel := ddb_data([object.union(
		fs("resources.ARN", "starts_with", ["arn:aws:dynamodb:us-east-1:111122223333:table/pci-"]),
		{"not_equals": [table_arn("pci-test")]},
	)])
	out := run([table("pci-cards"), table("pci-test"), table("catalog")], multi(adv([sel])))
	status_of(out, table_arn("pci-cards")) == "pass"
	status_of(out, table_arn("pci-test")) == "fail"
	status_of(out, table_arn("catalog")) == "fail"
}

test_fail_advanced_read_only if {
	sel := ddb_data([fs("readOnly", "equals", ["true"])])
	out := run([table("orders")], multi(adv([sel])))
	some o in out
	o.status == "fail"
	o.evidence.read_events == "yes"
	o.evidence.write_events == "no"
}

test_pass_advanced_read_and_write_in_two_trails if {
	r := trail("reads", true, true, "us-east-1", adv([ddb_data([fs("readOnly", "equals", ["true"])])]))
	w := trail("writes", false, true, "us-east-1", adv([ddb_data([fs("readOnly", "equals", ["false"])])]))
	out := dyn503.outcomes with input as inv([table("orders")], [r, w], [r.arn, w.arn])
	some o in out
	o.status == "pass"
	o.evidence.matching_trails == sort([r.arn, w.arn])
}

test_fail_advanced_event_name_filter_is_partial if {
	sel := ddb_data([fs("eventName", "equals", ["PutItem", "DeleteItem"])])
	out := run([table("orders")], multi(adv([sel])))
	status_of(out, table_arn("orders")) == "fail"
}

test_pass_advanced_event_source_dynamodb if {
	sel := ddb_data([fs("eventSource", "equals", ["dynamodb.amazonaws.com"])])
	out := run([table("orders")], multi(adv([sel])))
	status_of(out, table_arn("orders")) == "pass"
}

test_fail_advanced_stream_type if {
	sel := {"name": "streams", "field_selectors": [
		fs("eventCategory", "equals", ["Data"]),
		fs("resources.type", "equals", ["AWS::DynamoDB::Stream"]),
	]}
	out := run([table("orders")], multi(adv([sel])))
	status_of(out, table_arn("orders")) == "fail"
}

# --- trail coverage and status

test_fail_trail_not_logging if {
	t := trail("main", true, false, "eu-west-1", adv([ddb_data([])]))
	out := run([table("orders")], t)
	status_of(out, table_arn("orders")) == "fail"
}

test_fail_single_region_trail_elsewhere if {
	t := trail("main", false, true, "eu-west-1", adv([ddb_data([])]))
	out := run([table("orders")], t)
	status_of(out, table_arn("orders")) == "fail"
}

test_pass_single_region_trail_in_region if {
	t := trail("main", false, true, "us-east-1", adv([ddb_data([])]))
	out := run([table("orders")], t)
	status_of(out, table_arn("orders")) == "pass"
}

test_unknown_when_trail_status_missing if {
	t := trail("main", true, null, "eu-west-1", adv([ddb_data([])]))
	out := run([table("orders")], t)
	some o in out
	o.status == "unknown"
	o.needs == ["GetTrailStatus"]
}

test_unknown_when_selectors_missing if {
	t := trail("main", true, true, "eu-west-1", null)
	out := run([table("orders")], t)
	some o in out
	o.status == "unknown"
	o.needs == ["GetEventSelectors"]
}

test_unknown_when_trails_not_listed if {
	out := dyn503.outcomes with input as inv([table("orders")], [], null)
	count(out) == 1
	some o in out
	o.status == "unknown"
	o.needs == ["DescribeTrails"]
}

test_pass_when_trails_not_listed_but_covered if {
	t := multi(adv([ddb_data([])]))
	out := dyn503.outcomes with input as inv([table("orders")], [t], null)
	status_of(out, table_arn("orders")) == "pass"
}

test_fail_when_reads_definitely_missing_and_writes_uncertain if {
	known := multi(adv([ddb_data([fs("readOnly", "equals", ["false"])])]))
	blind := trail("other", true, null, "eu-west-1", adv([ddb_data([fs("readOnly", "equals", ["false"])])]))
	out := dyn503.outcomes with input as inv([table("orders")], [known, blind], [known.arn, blind.arn])
	status_of(out, table_arn("orders")) == "fail"
}

test_unknown_when_tables_not_listed if {
	t := multi(adv([ddb_data([])]))
	out := dyn503.outcomes with input as build.inventory_with(
		{"us-east-1": build.region({"tables": null, "trail_arns": [t.arn]})},
		{"trails": {t.arn: t}},
	)
	count(out) == 1
	some o in out
	o.status == "unknown"
	o.resource == "111122223333/us-east-1"
}

test_one_outcome_per_table if {
	t := multi(adv([ddb_data([]), ddb_data([fs("readOnly", "equals", ["true"])])]))
	out := run([table("a"), table("b")], t)
	count(out) == 2
}

test_unknown_when_writes_logged_and_reads_possibly_by_unlisted_trails if {
	t := multi(adv([ddb_data([fs("readOnly", "equals", ["false"])])]))
	out := dyn503.outcomes with input as inv([table("orders")], [t], null)
	some o in out
	o.status == "unknown"
	o.evidence.read_events == "maybe"
	o.evidence.write_events == "yes"
	o.needs == ["DescribeTrails"]
	contains(o.message, "its reads could be recorded")
}

test_every_table_writes_plus_conditional_reads if {
	writes_all := ddb_data([fs("readOnly", "equals", ["false"])])
	reads_pci := ddb_data([
		fs("readOnly", "equals", ["true"]),
		fs("resources.ARN", "starts_with", ["arn:aws:dynamodb:us-east-1:111122223333:table/pci-"]),
	])
	out := run([table("pci-cards"), table("catalog")], multi(adv([writes_all, reads_pci])))
	count(out) == 2
	status_of(out, table_arn("pci-cards")) == "pass"
	status_of(out, table_arn("catalog")) == "fail"
	some o in out
	o.resource == table_arn("catalog")
	o.evidence.read_events == "no"
	o.evidence.write_events == "yes"
}

test_every_table_spec_passes_tables_outside_conditional_specs if {
	all_tables := ddb_data([])
	pci_only := ddb_data([fs("resources.ARN", "starts_with", ["arn:aws:dynamodb:us-east-1:111122223333:table/pci-"])])
	out := run([table("pci-cards"), table("catalog")], multi(adv([all_tables, pci_only])))
	status_of(out, table_arn("pci-cards")) == "pass"
	status_of(out, table_arn("catalog")) == "pass"
}

test_all_except_negative_condition if {
	sel := ddb_data([fs("resources.ARN", "not_ends_with", ["-scratch"])])
	out := run([table("orders"), table("tmp-scratch"), table("users")], multi(adv([sel])))
	status_of(out, table_arn("orders")) == "pass"
	status_of(out, table_arn("users")) == "pass"
	status_of(out, table_arn("tmp-scratch")) == "fail"
}

test_multiple_arn_field_selectors_all_must_accept if {
	sel := ddb_data([
		fs("resources.ARN", "starts_with", ["arn:aws:dynamodb:us-east-1:111122223333:table/pci-"]),
		fs("resources.ARN", "ends_with", ["-live"]),
	])
	out := run([table("pci-cards-live"), table("pci-cards-test"), table("app-live")], multi(adv([sel])))
	status_of(out, table_arn("pci-cards-live")) == "pass"
	status_of(out, table_arn("pci-cards-test")) == "fail"
	status_of(out, table_arn("app-live")) == "fail"
}

test_pass_message_names_logging_trails_only if {
	t := multi(adv([ddb_data([])]))
	out := run([table("orders")], t)
	some o in out
	o.status == "pass"
	contains(o.message, t.arn)
	o.evidence.matching_trails == [t.arn]
}

test_classic_odd_value_ending_in_colon if {
	# Not a table ARN (names cannot contain `:`): a prefix, matching nothing here.
	out := run([table("orders")], multi(classic_sels([classic("All", [concat("", [table_arn("orders"), ":"])])])))
	status_of(out, table_arn("orders")) == "fail"
}

test_classic_account_prefix_without_trailing_separator if {
	out := run([table("orders")], multi(classic_sels([classic("All", ["arn:aws:dynamodb:us-east-1:111122223333"])])))
	status_of(out, table_arn("orders")) == "pass"
}

# --- an organization trail of the management account, seen from a member
# account: its selectors apply to the member's tables when their ARN
# conditions accept them (an ARN of the management account's tables does
# not cover the member's)

member_table := build.table("eu-west-1", "orders", {})

member_run(t) := out if {
	i := build.inventory_with(
		{"eu-west-1": build.region({"tables": build.by_arn([member_table]), "trail_arns": [t.arn]})},
		{"trails": build.by_arn([t])},
	)
	out := dyn503.outcomes with input as i
}

org_trail(fields) := build.organization_trail("us-east-1", "org-trail", fields)

test_pass_member_table_covered_by_organization_trail if {
	out := member_run(org_trail({"selectors": classic_sels([classic("All", ["arn:aws:dynamodb"])])}))
	count(out) == 1
	some o in out
	o.status == "pass"
	o.resource == build.table_arn("eu-west-1", "orders")
	o.evidence.matching_trails == ["arn:aws:cloudtrail:us-east-1:999988887777:trail/org-trail"]
}

test_pass_member_table_covered_by_organization_trail_advanced if {
	out := member_run(org_trail({"selectors": adv([ddb_data([])])}))
	status_of(out, build.table_arn("eu-west-1", "orders")) == "pass"
}

test_fail_organization_trail_of_management_tables_only if {
	sels := classic_sels([classic("All", ["arn:aws:dynamodb:eu-west-1:999988887777:table/"])])
	out := member_run(org_trail({"selectors": sels}))
	status_of(out, build.table_arn("eu-west-1", "orders")) == "fail"
}

test_unknown_when_organization_trail_selectors_refused if {
	out := member_run(org_trail({"is_logging": null, "selectors": null}))
	count(out) == 1
	some o in out
	o.status == "unknown"
	o.needs == ["GetEventSelectors", "GetTrailStatus"]
}
