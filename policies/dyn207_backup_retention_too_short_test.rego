package dynaudit.rules.dyn207_test

import data.dynaudit.lib.inventory_test as build
import data.dynaudit.rules.dyn207

arn := build.table_arn("us-east-1", "orders")

orders := build.table("us-east-1", "orders", {})

# A selection that selects the table by ARN, and one that selects nothing.
selects_orders := [build.backup_selection("orders", {"resources": [arn]})]

selects_other := [build.backup_selection("other", {"resources": [build.table_arn("us-east-1", "other")]})]

# A plan `id` selecting with `selections`, with `rules` (`null`: not collected).
plan(id, selections, rules) := build.merge(build.backup_plan("us-east-1", id, id, selections), {"rules": rules})

rule(name, days, vault) := {"name": name, "schedule": "cron(0 3 * * ? *)", "target_vault": vault, "delete_after_days": days}

vault(name, locked) := {
	"name": name,
	"arn": sprintf("arn:aws:backup:us-east-1:111122223333:backup-vault:%s", [name]),
	"locked": locked,
	"min_retention_days": null,
	"max_retention_days": null,
	"lock_date": null,
}

inv(t, plans, vaults) := build.one_region({
	"tables": {t.arn: t},
	"backup_plans": build.by_arn(plans),
	"backup_vaults": vaults,
})

outcomes(plans, vaults) := out if {
	out := dyn207.outcomes with input as inv(orders, plans, vaults)
}

locked_outcomes(plans, vaults) := out if {
	out := dyn207.outcomes with input as inv(orders, plans, vaults)
		with data.dynaudit.params.require_vault_lock as true
}

only(out) := o if {
	count(out) == 1
	o := build.only(out, arn)
}

test_pass_retention_long_enough if {
	o := only(outcomes([plan("daily", selects_orders, [rule("r1", 35, "Default")])], {}))
	o.status == "pass"
	o.region == "us-east-1"
	contains(o.message, "orders")
	contains(o.message, "35 days (at least 30)")
	o.evidence.plan.name == "daily"
	o.evidence.rule.rule == "r1"
	o.evidence.min_backup_retention_days == 30
}

test_pass_recovery_points_never_expire if {
	o := only(outcomes([plan("daily", selects_orders, [rule("r1", null, "Default")])], {}))
	o.status == "pass"
	contains(o.message, "forever")
}

test_pass_when_any_rule_is_long_enough if {
	o := only(outcomes([plan("daily", selects_orders, [rule("short", 7, "Default"), rule("monthly", 365, "Default")])], {}))
	o.status == "pass"
	o.evidence.rule.rule == "monthly"
}

test_pass_with_lower_minimum if {
	out := dyn207.outcomes with input as inv(orders, [plan("daily", selects_orders, [rule("r1", 7, "Default")])], {})
		with data.dynaudit.params.min_backup_retention_days as 7
	only(out).status == "pass"
}

test_fail_retention_too_short if {
	o := only(outcomes([plan("daily", selects_orders, [rule("r1", 7, "Default"), rule("r2", 14, "Default")])], {}))
	o.status == "fail"
	contains(o.message, "orders")
	contains(o.message, "us-east-1")
	contains(o.message, "at most 14 days, fewer than the required 30")
	o.evidence.longest_retention_days == 14
	o.evidence.plans == [{"arn": build.backup_plan_arn("us-east-1", "daily"), "name": "daily"}]
	count(o.evidence.rules) == 2
}

test_fail_with_higher_minimum if {
	out := dyn207.outcomes with input as inv(orders, [plan("daily", selects_orders, [rule("r1", 35, "Default")])], {})
		with data.dynaudit.params.min_backup_retention_days as 90
	o := only(out)
	o.status == "fail"
	contains(o.message, "fewer than the required 90")
}

test_fail_plan_without_rules if {
	o := only(outcomes([plan("empty", selects_orders, [])], {}))
	o.status == "fail"
	contains(o.message, "no backup rules")
	o.evidence.longest_retention_days == null
}

test_no_outcome_when_no_plan_selects_the_table if {
	count(outcomes([plan("other", selects_other, [rule("r1", 1, "Default")])], {})) == 0
	count(outcomes([], {})) == 0
}

test_unknown_plans_not_collected if {
	out := dyn207.outcomes with input as build.one_region({"tables": {arn: orders}, "backup_plans": null})
	o := only(out)
	o.status == "unknown"
	o.needs == ["ListBackupPlans"]
}

test_unknown_rules_not_collected if {
	o := only(outcomes([plan("daily", selects_orders, null)], {}))
	o.status == "unknown"
	o.needs == ["GetBackupPlan"]
	contains(o.message, "the rules of plan daily were not collected")
}

test_pass_despite_other_plan_rules_not_collected if {
	o := only(outcomes([plan("daily", selects_orders, [rule("r1", 35, "Default")]), plan("weekly", selects_orders, null)], {}))
	o.status == "pass"
}

test_unknown_selections_not_collected if {
	o := only(outcomes([plan("daily", null, [rule("r1", 35, "Default")])], {}))
	o.status == "unknown"
	o.needs == ["ListBackupSelections"]
	o.evidence.plans_that_may_select[0].undecided_by == "selections"
}

test_unknown_tags_not_collected_and_tags_decide if {
	t := build.table("us-east-1", "orders", {"tags": null})
	tagged := [build.backup_selection("tagged", {"list_of_tags": [{"condition_type": "STRINGEQUALS", "key": "backup", "value": "daily"}]})]
	out := dyn207.outcomes with input as inv(t, [plan("daily", tagged, [rule("r1", 7, "Default")])], {})
	o := only(out)
	o.status == "unknown"
	o.needs == ["ListTagsOfResource"]
}

test_fail_when_a_plan_that_may_select_fails_too if {
	plans := [plan("daily", selects_orders, [rule("r1", 7, "Default")]), plan("weekly", null, [rule("r1", 14, "Default")])]
	o := only(outcomes(plans, {}))
	o.status == "fail"
	o.evidence.longest_retention_days == 7
}

test_unknown_when_a_plan_that_may_select_passes if {
	plans := [plan("daily", selects_orders, [rule("r1", 7, "Default")]), plan("weekly", null, [rule("r1", 35, "Default")])]
	o := only(outcomes(plans, {}))
	o.status == "unknown"
	o.needs == ["ListBackupSelections"]
	contains(o.message, "the selections of plan weekly were not collected")
}

test_pass_vault_locked if {
	o := only(locked_outcomes([plan("daily", selects_orders, [rule("r1", 35, "locked")])], {"locked": vault("locked", true)}))
	o.status == "pass"
	contains(o.message, "in vault locked, which has a vault lock")
	o.evidence.rule.vault_locked == true
	o.evidence.require_vault_lock == true
}

test_fail_vault_not_locked if {
	vaults := {"Default": vault("Default", false), "locked": vault("locked", true)}
	o := only(locked_outcomes([plan("daily", selects_orders, [rule("r1", 35, "Default"), rule("r2", 7, "locked")])], vaults))
	o.status == "fail"
	contains(o.message, "(longest: 35 days) write to vault(s) Default, which have no vault lock")
	o.evidence.unlocked_vaults == ["Default"]
}

test_unknown_vaults_not_collected if {
	o := only(locked_outcomes([plan("daily", selects_orders, [rule("r1", 35, "Default")])], null))
	o.status == "unknown"
	o.needs == ["ListBackupVaults"]
}

test_unknown_vault_not_listed if {
	o := only(locked_outcomes([plan("daily", selects_orders, [rule("r1", 35, "gone")])], {"Default": vault("Default", true)}))
	o.status == "unknown"
	o.needs == ["ListBackupVaults"]
	contains(o.message, "vault gone")
}

test_unknown_vaults_not_in_this_schema_version if {
	region := object.remove(build.region({"tables": {arn: orders}, "backup_plans": build.by_arn([plan("daily", selects_orders, [rule("r1", 35, "Default")])])}), {"backup_vaults"})
	inventory := build.merge(build.inventory({"us-east-1": region}), {"schema_version": "1.2"})
	out := dyn207.outcomes with input as inventory with data.dynaudit.params.require_vault_lock as true
	o := only(out)
	o.status == "unknown"
	contains(o.message, "not in this inventory's schema version (1.2)")
	o.needs == []

	# Without the lock requirement the vaults are not needed.
	unlocked := dyn207.outcomes with input as inventory
	only(unlocked).status == "pass"
}

test_pass_when_another_rule_passes_despite_vaults_not_collected if {
	vaults := {"locked": vault("locked", true)}
	o := only(locked_outcomes([plan("daily", selects_orders, [rule("r1", 35, "gone"), rule("r2", 35, "locked")])], vaults))
	o.status == "pass"
	o.evidence.rule.rule == "r2"
}

test_fail_retention_too_short_whatever_the_vaults if {
	o := only(locked_outcomes([plan("daily", selects_orders, [rule("r1", 7, "Default")])], null))
	o.status == "fail"
	contains(o.message, "at most 7 days")
}

test_unknown_when_tables_not_listed if {
	out := dyn207.outcomes with input as build.one_region({"tables": null})
	count(out) == 1
	o := build.only(out, "111122223333/us-east-1")
	o.status == "unknown"
	o.needs == ["ListTables"]
}

test_plans_in_other_regions_do_not_count if {
	out := dyn207.outcomes with input as build.inventory({
		"us-east-1": build.region({"tables": {arn: orders}, "backup_plans": {}}),
		"eu-west-1": build.region({"tables": {}, "backup_plans": build.by_arn([build.merge(
			build.backup_plan("eu-west-1", "x", "x", [build.backup_selection("all", {"resources": ["*"]})]),
			{"rules": [rule("r1", 1, "Default")]},
		)])}),
	})
	count(out) == 0
}
