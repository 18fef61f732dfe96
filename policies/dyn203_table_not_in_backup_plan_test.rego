package dynaudit.rules.dyn203_test

import data.dynaudit.lib.inventory_test as build
import data.dynaudit.rules.dyn203

arn := build.table_arn("us-east-1", "orders")

plan_arn := build.backup_plan_arn("us-east-1", "p-1")

tbl(tags) := build.table("us-east-1", "orders", {"tags": tags})

sel(name, resources, not_resources, list_of_tags, conditions) := build.backup_selection(name, {
	"resources": resources,
	"not_resources": not_resources,
	"list_of_tags": list_of_tags,
	"conditions": conditions,
})

cond(type, key, value) := {"condition_type": type, "key": key, "value": value}

plan(name, selections) := build.backup_plan("us-east-1", name, name, selections)

inv_plans(t, plans) := build.one_region({"tables": {arn: t}, "backup_plans": plans})

inv(t, selections) := inv_plans(t, {plan_arn: build.backup_plan("us-east-1", "p-1", "daily", selections)})

only(out, status) := o if {
	count(out) == 1
	some o in out
	o.status == status
	o.resource == arn
}

test_pass_by_exact_arn if {
	out := dyn203.outcomes with input as inv(tbl({}), [sel("s1", [arn], [], [], [])])
	o := only(out, "pass")
	o.evidence.plan.name == "daily"
	o.evidence.plan.arn == plan_arn
	o.evidence.selection.name == "s1"
	o.evidence.depends_on_service_opt_in == false
}

test_pass_by_resource_type_wildcard if {
	out := dyn203.outcomes with input as inv(tbl({}), [sel("s1", ["arn:aws:dynamodb:*:*:table/*"], [], [], [])])
	o := only(out, "pass")
	o.evidence.depends_on_service_opt_in == false
}

test_pass_by_star_depends_on_opt_in if {
	out := dyn203.outcomes with input as inv(tbl({}), [sel("all", ["*"], [], [], [])])
	o := only(out, "pass")
	o.evidence.depends_on_service_opt_in == true
	contains(o.message, "opted in")
}

test_pass_by_service_wildcard_depends_on_opt_in if {
	out := dyn203.outcomes with input as inv(tbl({}), [sel("ddb", ["arn:aws:dynamodb:*"], [], [], [])])
	o := only(out, "pass")
	o.evidence.depends_on_service_opt_in == true
}

test_pass_by_prefix_wildcard_with_dotted_name if {
	t := build.table("us-east-1", "orders.v2", {})
	out := dyn203.outcomes with input as build.one_region({
		"tables": {t.arn: t},
		"backup_plans": {plan_arn: plan("daily", [sel("s1", ["arn:aws:dynamodb:us-east-1:111122223333:table/orders.*"], [], [], [])])},
	})
	some o in out
	o.status == "pass"
	count(out) == 1
}

test_fail_when_only_other_resource_types if {
	out := dyn203.outcomes with input as inv(tbl({}), [sel("ebs", ["arn:aws:ec2:*:*:volume/*"], [], [], [])])
	o := only(out, "fail")
	o.evidence.selections_evaluated == ["daily/ebs"]
}

test_fail_when_excluded_by_not_resources if {
	out := dyn203.outcomes with input as inv(tbl({}), [sel("all", ["*"], ["arn:aws:dynamodb:*:*:table/ord*"], [], [])])
	only(out, "fail")
}

test_not_resources_exclude_even_without_tags if {
	out := dyn203.outcomes with input as inv(tbl(null), [sel("all", [], [arn], [cond("STRINGEQUALS", "backup", "yes")], [])])
	only(out, "fail")
}

test_fail_when_no_plans if {
	out := dyn203.outcomes with input as inv_plans(tbl({}), {})
	o := only(out, "fail")
	o.evidence.backup_plans == 0
}

test_pass_by_list_of_tags if {
	out := dyn203.outcomes with input as inv(tbl({"backup": "daily"}), [sel("tagged", [], [], [cond("STRINGEQUALS", "backup", "daily")], [])])
	o := only(out, "pass")
	o.evidence.selection.name == "tagged"
	o.evidence.depends_on_service_opt_in == true
}

test_list_of_tags_key_prefix_is_ignored if {
	out := dyn203.outcomes with input as inv(tbl({"backup": "daily"}), [sel("tagged", [], [], [cond("STRINGEQUALS", "aws:ResourceTag/backup", "daily")], [])])
	only(out, "pass")
}

test_list_of_tags_values_are_case_sensitive if {
	out := dyn203.outcomes with input as inv(tbl({"backup": "Daily"}), [sel("tagged", [], [], [cond("STRINGEQUALS", "backup", "daily")], [])])
	only(out, "fail")
}

test_list_of_tags_are_ored if {
	lot := [cond("STRINGEQUALS", "backup", "daily"), cond("STRINGEQUALS", "tier", "gold")]
	out := dyn203.outcomes with input as inv(tbl({"tier": "gold"}), [sel("tagged", [], [], lot, [])])
	only(out, "pass")
}

test_resources_or_list_of_tags if {
	out := dyn203.outcomes with input as inv(tbl({"backup": "daily"}), [sel("mixed", ["arn:aws:ec2:*:*:volume/*"], [], [cond("STRINGEQUALS", "backup", "daily")], [])])
	only(out, "pass")
}

test_fail_when_untagged_for_list_of_tags if {
	out := dyn203.outcomes with input as inv(tbl({}), [sel("tagged", [], [], [cond("STRINGEQUALS", "backup", "daily")], [])])
	only(out, "fail")
}

test_unknown_when_tags_not_collected_and_tags_decide if {
	out := dyn203.outcomes with input as inv(tbl(null), [sel("tagged", [], [], [cond("STRINGEQUALS", "backup", "daily")], [])])
	o := only(out, "unknown")
	o.needs == ["ListTagsOfResource"]
	o.evidence.selections_needing_tags == ["daily/tagged"]
}

test_pass_when_tags_not_collected_but_arn_decides if {
	out := dyn203.outcomes with input as inv(tbl(null), [sel("s1", [arn], [], [cond("STRINGEQUALS", "backup", "daily")], [])])
	only(out, "pass")
}

test_fail_when_tags_not_collected_but_nothing_could_select if {
	out := dyn203.outcomes with input as inv(tbl(null), [sel("ebs", ["arn:aws:ec2:*:*:volume/*"], [], [], [cond("STRINGEQUALS", "backup", "yes")])])
	only(out, "fail")
}

test_pass_resources_and_conditions if {
	c := [cond("STRINGEQUALS", "backup", "true"), cond("STRINGLIKE", "stage", "prod*")]
	out := dyn203.outcomes with input as inv(tbl({"backup": "true", "stage": "production"}), [sel("s", ["arn:aws:dynamodb:*:*:table/*"], [], [], c)])
	only(out, "pass")
}

test_fail_when_one_condition_fails if {
	c := [cond("STRINGEQUALS", "backup", "true"), cond("STRINGLIKE", "stage", "prod*")]
	out := dyn203.outcomes with input as inv(tbl({"backup": "true", "stage": "staging"}), [sel("s", ["arn:aws:dynamodb:*:*:table/*"], [], [], c)])
	only(out, "fail")
}

test_unknown_when_conditions_need_tags if {
	out := dyn203.outcomes with input as inv(tbl(null), [sel("s", ["*"], [], [], [cond("STRINGEQUALS", "backup", "true")])])
	o := only(out, "unknown")
	o.needs == ["ListTagsOfResource"]
}

test_conditions_only_select_all_matching if {
	out := dyn203.outcomes with input as inv(tbl({"backup": "true"}), [sel("s", [], [], [], [cond("StringEquals", "aws:ResourceTag/backup", "true")])])
	o := only(out, "pass")
	o.evidence.selection.id == "sel-s"
}

test_string_not_equals_holds_for_untagged if {
	out := dyn203.outcomes with input as inv(tbl({}), [sel("s", ["*"], [], [], [cond("STRINGNOTEQUALS", "backup", "false")])])
	only(out, "pass")
}

test_string_not_equals_excludes_opted_out if {
	out := dyn203.outcomes with input as inv(tbl({"backup": "false"}), [sel("s", ["*"], [], [], [cond("STRINGNOTEQUALS", "backup", "false")])])
	only(out, "fail")
}

test_string_not_like if {
	c := [cond("STRINGNOTLIKE", "env", "*test*")]
	out1 := dyn203.outcomes with input as inv(tbl({"env": "prod"}), [sel("s", ["*"], [], [], c)])
	only(out1, "pass")
	out2 := dyn203.outcomes with input as inv(tbl({"env": "loadtest-2"}), [sel("s", ["*"], [], [], c)])
	only(out2, "fail")
}

test_empty_selection_selects_all if {
	out := dyn203.outcomes with input as inv(tbl({}), [sel("empty", [], [], [], [])])
	o := only(out, "pass")
	o.evidence.selection.name == "empty"
	o.evidence.depends_on_service_opt_in == true
}

test_glob_metacharacters_are_literal if {
	out := dyn203.outcomes with input as inv(tbl({"v": "a?"}), [sel("s", ["arn:aws:dynamodb:*:*:table/[o]rders", "arn:aws:dynamodb:*:*:table/orde?s"], [], [], [cond("STRINGLIKE", "v", "a?")])])
	only(out, "fail")
}

test_unknown_when_plans_not_collected if {
	out := dyn203.outcomes with input as inv_plans(tbl({}), null)
	o := only(out, "unknown")
	o.needs == ["ListBackupPlans"]
}

test_unknown_when_selections_not_collected if {
	out := dyn203.outcomes with input as inv_plans(tbl({}), {plan_arn: plan("weekly", null)})
	o := only(out, "unknown")
	o.needs == ["ListBackupSelections"]
	o.evidence.plans_with_uncollected_selections == ["weekly"]
}

test_unknown_needs_both if {
	plans := {
		"arn:aws:backup:us-east-1:111122223333:backup-plan:a": plan("a", null),
		"arn:aws:backup:us-east-1:111122223333:backup-plan:b": plan("b", [sel("tagged", [], [], [cond("STRINGEQUALS", "backup", "daily")], [])]),
	}
	out := dyn203.outcomes with input as inv_plans(tbl(null), plans)
	o := only(out, "unknown")
	o.needs == ["ListBackupSelections", "ListTagsOfResource"]
}

test_pass_when_other_plan_selects_despite_uncollected_selections if {
	plans := {
		"arn:aws:backup:us-east-1:111122223333:backup-plan:a": plan("a", null),
		"arn:aws:backup:us-east-1:111122223333:backup-plan:b": plan("b", [sel("s", [arn], [], [], [])]),
	}
	out := dyn203.outcomes with input as inv_plans(tbl({}), plans)
	o := only(out, "pass")
	o.evidence.plan.name == "b"
}

test_prefers_explicit_selection_in_evidence if {
	plans := {
		"arn:aws:backup:us-east-1:111122223333:backup-plan:a": plan("a", [sel("everything", ["*"], [], [], [])]),
		"arn:aws:backup:us-east-1:111122223333:backup-plan:b": plan("b", [sel("tables", ["arn:aws:dynamodb:*:*:table/*"], [], [], [])]),
	}
	out := dyn203.outcomes with input as inv_plans(tbl({}), plans)
	o := only(out, "pass")
	o.evidence.plan.name == "b"
	o.evidence.depends_on_service_opt_in == false
}

test_plan_in_other_region_does_not_protect if {
	out := dyn203.outcomes with input as build.inventory({
		"us-east-1": build.region({"tables": {arn: tbl({})}, "backup_plans": {}}),
		"eu-west-1": build.region({"tables": {}, "backup_plans": {"arn:aws:backup:eu-west-1:111122223333:backup-plan:x": plan("x", [sel("all", ["*"], [], [], [])])}}),
	})
	only(out, "fail")
}

test_unknown_when_tables_not_listed if {
	out := dyn203.outcomes with input as build.one_region({"tables": null})
	count(out) == 1
	some o in out
	o.status == "unknown"
	o.resource == "111122223333/us-east-1"
}

test_reports_first_explicit_selection_by_plan_name if {
	plans := {
		"arn:aws:backup:us-east-1:111122223333:backup-plan:z": plan("zeta", [sel("t", [arn], [], [], [])]),
		"arn:aws:backup:us-east-1:111122223333:backup-plan:a": plan("alpha", [sel("t", ["arn:aws:dynamodb:us-east-1:*:table/ord*"], [], [], [])]),
		"arn:aws:backup:us-east-1:111122223333:backup-plan:m": plan("mid", [sel("all", ["*"], [], [], [])]),
	}
	out := dyn203.outcomes with input as inv_plans(tbl({}), plans)
	o := only(out, "pass")
	o.evidence.plan.name == "alpha"
	o.evidence.depends_on_service_opt_in == false
}

test_name_patterns if {
	ok := ["arn:aws:dynamodb:us-east-1:111122223333:table/ord*", "arn:aws:dynamodb:*:*:table/*ers", "arn:aws:dynamodb:*:111122223333:table/o*d*s", "arn:aws:dynamodb:us-*", "*:table/orders"]
	every p in ok {
		out := dyn203.outcomes with input as inv(tbl({}), [sel("s", [p], [], [], [])])
		only(out, "pass")
	}
}

test_patterns_that_do_not_match if {
	no := ["arn:aws:dynamodb:eu-west-1:111122223333:table/*", "arn:aws:dynamodb:us-east-1:444455556666:table/orders", "arn:aws:dynamodb:*:*:table/orders-*", "arn:aws:dynamodb:*:*:table/*/index/*", "arn:aws:dynamodb:us-east-1:111122223333:table/orders/stream/*", "arn:aws:s3:::*"]
	every p in no {
		out := dyn203.outcomes with input as inv(tbl({}), [sel("s", [p], [], [], [])])
		only(out, "fail")
	}
}
