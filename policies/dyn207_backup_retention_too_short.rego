# METADATA
# title: The AWS Backup plans protecting a table keep its recovery points too briefly
# description: |-
#   For every table that an AWS Backup plan of its region selects (the
#   selection is evaluated exactly as DYN203 evaluates it: resources,
#   NotResources, ListOfTags and Conditions), checks that at least one rule
#   of a selecting plan keeps recovery points at least
#   `min_backup_retention_days` (default 30) days: its
#   `Lifecycle.DeleteAfterDays` is that many days or more, or unset (the
#   recovery points never expire). With `require_vault_lock = true` that
#   same rule must also write to a backup vault with an AWS Backup Vault
#   Lock (`Locked` in ListBackupVaults), so the recovery points cannot be
#   deleted before their time. Fails with the longest retention found, the
#   minimum required and, with the lock, the vaults that have none. A table
#   that no plan selects gets no outcome here: DYN203 reports it. Unknown
#   when the plans could not be listed (ListBackupPlans), when which plans
#   select the table cannot be told (a plan's selections or the table's
#   tags were not collected) and it matters, when a selecting plan's rules
#   were not collected (GetBackupPlan), or, with the lock required, when
#   the region's vaults were not collected (ListBackupVaults, or an
#   inventory before schema 1.3) or a rule's target vault is not among
#   them; each only where the answer depends on it (a rule that already
#   passes makes the table pass).
#
#   Severity medium: backups that expire within days are gone before many
#   incidents are noticed (corruption by an application bug, a malicious
#   deletion, ransomware that waits), so the backup exists but cannot
#   restore the data needed; the table itself is not exposed. PCI DSS v4.0
#   12.10.1: the incident response plan must include data backup
#   processes, and a backup whose recovery points expire before an
#   incident is detected does not serve that plan. SOC 2 A1.2: the entity
#   implements data backup processes and recovery infrastructure to meet
#   its availability objectives; the retention period (and, for immutable
#   backups, the vault lock) is what lets those backups be restored when
#   needed.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/aws-backup/latest/devguide/API_Lifecycle.html
#     description: AWS Backup Lifecycle (DeleteAfterDays)
#   - ref: https://docs.aws.amazon.com/aws-backup/latest/devguide/vault-lock.html
#     description: AWS Backup Vault Lock
#   - ref: https://docs.aws.amazon.com/config/latest/developerguide/dynamodb-resources-protected-by-backup-plan.html
#     description: AWS Config managed rule dynamodb-resources-protected-by-backup-plan (minimum retention parameter)
#   - ref: https://docs.aws.amazon.com/aws-backup/latest/devguide/creating-a-backup-plan.html
#     description: Creating an AWS Backup plan (backup rules, retention)
# custom:
#   id: DYN207
#   name: backup-retention-too-short
#   severity: medium
#   evaluated_per: table
#   frameworks:
#     pci-dss-4.0: ["12.10.1"]
#     soc2: [A1.2]
#   remediation:
#     summary: >-
#       Give a rule of the plan that selects the table a retention
#       (Lifecycle DeleteAfterDays) of at least the required days, or
#       remove the lifecycle so recovery points never expire; when vault
#       locks are required, point that rule at a vault with an AWS Backup
#       Vault Lock.
#     aws_cli: |-
#       aws backup get-backup-plan --region REGION --backup-plan-id PLAN_ID \
#         --query BackupPlan > plan.json
#       # edit plan.json: "Lifecycle": {"DeleteAfterDays": 35} in the rule
#       aws backup update-backup-plan --region REGION --backup-plan-id PLAN_ID \
#         --backup-plan file://plan.json
#       aws backup put-backup-vault-lock-configuration --region REGION \
#         --backup-vault-name VAULT --min-retention-days 30 --changeable-for-days 3
#     terraform: |-
#       resource "aws_backup_plan" "daily" {
#         name = "daily"
#         rule {
#           rule_name         = "daily"
#           target_vault_name = aws_backup_vault.locked.name
#           schedule          = "cron(0 3 * * ? *)"
#           lifecycle {
#             delete_after = 35
#           }
#         }
#       }
#       resource "aws_backup_vault_lock_configuration" "locked" {
#         backup_vault_name   = aws_backup_vault.locked.name
#         min_retention_days  = 30
#         changeable_for_days = 3
#       }
package dynaudit.rules.dyn207

import data.dynaudit.lib.common.not_in_version
import data.dynaudit.lib.common.not_in_version_reason
import data.dynaudit.lib.common.unlisted_table_regions
import data.dynaudit.lib.common.unlisted_tables_outcome

# Which selections select which tables: DYN203's evaluation of the
# region's backup selections, reused so both rules agree on membership.
import data.dynaudit.rules.dyn203.selections
import data.dynaudit.rules.dyn203.verdicts

# Parameters, with the defaults of src/config/parameters.rs when dynaudit
# (or a stock OPA run) provides none.
default min_days := 30

min_days := data.dynaudit.params.min_backup_retention_days

default require_lock := false

require_lock := data.dynaudit.params.require_vault_lock

outcomes contains unlisted_tables_outcome(region, "backup retention of tables") if {
	some region in unlisted_table_regions
}

outcomes contains {
	"status": "unknown",
	"resource": arn,
	"region": region,
	"message": sprintf("Cannot check backup retention of table %s in %s: the region's AWS Backup plans were not collected", [t.name, region]),
	"evidence": {"backup_plans": null},
	"needs": ["ListBackupPlans"],
} if {
	some region, r in input.regions
	is_object(r.tables)
	r.backup_plans == null
	some arn, t in r.tables
}

outcomes contains table_outcome(region, arn, t, plans, certain, maybe) if {
	some region, r in input.regions
	is_object(r.tables)
	vs := verdicts[region]
	sels := selections[region]
	plans := plan_verdicts[region]
	unselected := uncollected_selections[region]
	some arn, t in r.tables
	certain := {sels[i].plan_arn | some i, v in vs; arn in v.yes}
	maybe := object.union(
		{sels[i].plan_arn: "tags" | some i, v in vs; arn in v.maybe; not sels[i].plan_arn in certain},
		{p: "selections" | some p in unselected; not p in certain},
	)
	count(certain) + count(maybe) > 0
}

# Plans whose selections were not collected: they may select any table.
uncollected_selections[region] := {arn | some arn, plan in r.backup_plans; plan.selections == null} if {
	some region, r in input.regions
	is_object(r.backup_plans)
}

# --- each plan's verdict, once per region ---

plan_verdicts[region] := {arn: plan_verdict(r, arn, plan) | some arn, plan in r.backup_plans} if {
	some region, r in input.regions
	is_object(r.backup_plans)
}

plan_verdict(r, arn, plan) := {
	"arn": arn,
	"name": plan.name,
	"status": "unknown",
	"rules": null,
	"gaps": [{"reason": sprintf("the rules of plan %s were not collected", [plan.name]), "needs": ["GetBackupPlan"]}],
} if {
	plan.rules == null
} else := {
	"arn": arn,
	"name": plan.name,
	"status": combined({rv.status | some rv in rvs}),
	"rules": rvs,
	"gaps": [g | some rv in rvs; some g in rv.gaps],
} if {
	rvs := [rule_verdict(r, rule) | some rule in plan.rules]
}

# pass if any passes, else unknown if any is unknown, else fail (also for none).
combined(statuses) := "pass" if {
	"pass" in statuses
} else := "unknown" if {
	"unknown" in statuses
} else := "fail"

rule_verdict(r, rule) := object.union(rule_facts(r, rule), rule_status(r, rule))

rule_facts(r, rule) := {
	"rule": rule.name,
	"delete_after_days": object.get(rule, "delete_after_days", null),
	"target_vault": object.get(rule, "target_vault", null),
	"vault_locked": vault_locked(r, object.get(rule, "target_vault", null)),
	"long_enough": long_enough(rule),
}

# Recovery points kept long enough: never expiring, or `min_days` or more.
long_enough(rule) := true if {
	object.get(rule, "delete_after_days", null) == null
} else := true if {
	rule.delete_after_days >= min_days
} else := false

# Whether the vault named `name` has a vault lock; null when unknown.
vault_locked(r, name) := r.backup_vaults[name].locked if {
	is_object(object.get(r, "backup_vaults", null))
	is_string(name)
	is_boolean(r.backup_vaults[name].locked)
} else := null

rule_status(r, rule) := {"status": "fail", "gaps": []} if {
	not long_enough(rule)
} else := {"status": "pass", "gaps": []} if {
	not require_lock
} else := {"status": "unknown", "gaps": [{"reason": sprintf("the region's backup vaults are %s", [not_in_version_reason]), "needs": []}]} if {
	not_in_version(r, "backup_vaults")
} else := {"status": "unknown", "gaps": [{"reason": "the region's backup vaults were not collected", "needs": ["ListBackupVaults"]}]} if {
	r.backup_vaults == null
} else := {"status": "unknown", "gaps": [{"reason": sprintf("the target vault of rule %s was not collected", [rule.name]), "needs": ["GetBackupPlan"]}]} if {
	not is_string(object.get(rule, "target_vault", null))
} else := {"status": "unknown", "gaps": [{"reason": sprintf("vault %s (target of rule %s) is not among the region's listed vaults", [rule.target_vault, rule.name]), "needs": ["ListBackupVaults"]}]} if {
	vault_locked(r, rule.target_vault) == null
} else := {"status": "pass", "gaps": []} if {
	vault_locked(r, rule.target_vault) == true
} else := {"status": "fail", "gaps": []}

# --- per table ---

# `certain`: the plans that select the table; `maybe`: plan ARN -> why it
# may select it ("tags": a selection tests tags that were not collected;
# "selections": the plan's selections were not collected).
table_outcome(region, arn, t, plans, certain, maybe) := {
	"status": "pass",
	"resource": arn,
	"region": region,
	"message": sprintf("Table %s in %s is backed up by AWS Backup plan %s, whose rule %s keeps recovery points %s%s", [t.name, region, p.name, rv.rule, kept(rv), locked_note(rv)]),
	"evidence": object.union(settings, {"plan": {"arn": p.arn, "name": p.name}, "rule": object.remove(rv, {"gaps", "status"})}),
} if {
	passing := sort([[plans[a].name, a] | some a in certain; plans[a].status == "pass"])
	count(passing) > 0
	p := plans[passing[0][1]]
	rv := [x | some x in p.rules; x.status == "pass"][0]
} else := unknown_outcome(region, arn, t, plans, certain, maybe, object.keys(maybe)) if {
	count(certain) == 0
} else := fail_outcome(region, arn, t, plans, certain) if {
	every a in (certain | object.keys(maybe)) {
		plans[a].status == "fail"
	}
} else := unknown_outcome(region, arn, t, plans, certain, maybe, {a | some a, _ in maybe; plans[a].status != "fail"})

settings := {"min_backup_retention_days": min_days, "require_vault_lock": require_lock}

kept(rv) := "forever (no expiry)" if {
	rv.delete_after_days == null
} else := sprintf("%d days (at least %d)", [rv.delete_after_days, min_days])

locked_note(rv) := sprintf(" in vault %s, which has a vault lock", [rv.target_vault]) if {
	require_lock
} else := ""

named(plans, arns) := concat(", ", sort([plans[a].name | some a in arns]))

unknown_outcome(region, arn, t, plans, certain, maybe, open) := {
	"status": "unknown",
	"resource": arn,
	"region": region,
	"message": sprintf("Cannot check backup retention of table %s in %s: %s", [t.name, region, concat("; ", [g.reason | some g in gaps])]),
	"evidence": object.union(settings, {
		"plans": [{"arn": a, "name": plans[a].name, "status": plans[a].status} | some a in sort(certain)],
		"plans_that_may_select": [{"arn": a, "name": plans[a].name, "status": plans[a].status, "undecided_by": maybe[a]} | some a in sort(open)],
	}),
	"needs": sort({op | some g in gaps; some op in g.needs}),
} if {
	gaps := array.concat(
		[g | some a in certain; plans[a].status == "unknown"; some g in plans[a].gaps],
		[g | some a in open; some g in selection_gaps(plans[a], maybe[a])],
	)
}

selection_gaps(p, "tags") := array.concat(
	[{"reason": sprintf("plan %s selects by tags and the table's tags were not collected", [p.name]), "needs": ["ListTagsOfResource"]}],
	[g | p.status == "unknown"; some g in p.gaps],
)

selection_gaps(p, "selections") := array.concat(
	[{"reason": sprintf("the selections of plan %s were not collected", [p.name]), "needs": ["ListBackupSelections"]}],
	[g | p.status == "unknown"; some g in p.gaps],
)

fail_outcome(region, arn, t, plans, certain) := {
	"status": "fail",
	"resource": arn,
	"region": region,
	"message": sprintf("Table %s in %s is selected by AWS Backup plan(s) %s, %s", [t.name, region, named(plans, certain), why]),
	"evidence": object.union(settings, {
		"plans": [{"arn": a, "name": plans[a].name} | some a in sort(certain)],
		"rules": rules,
		"longest_retention_days": longest,
		"retention_never_expires": never_expires(rules),
		"unlocked_vaults": unlocked,
	}),
} if {
	rules := [object.union(object.remove(rv, {"gaps", "status"}), {"plan": plans[a].name}) | some a in sort(certain); some rv in plans[a].rules]
	longest := longest_retention([rv.delete_after_days | some rv in rules])
	unlocked := sort({rv.target_vault | some rv in rules; rv.long_enough; is_string(rv.target_vault)})
	why := fail_reason(rules, longest, unlocked)
}

# The longest of the retentions that expire; null when none does.
longest_retention(days) := max(numbers) if {
	numbers := [d | some d in days; is_number(d)]
	count(numbers) > 0
} else := null

fail_reason(rules, longest, unlocked) := "which have no backup rules, so they keep no recovery points; add a rule with a retention of at least the required days" if {
	count(rules) == 0
} else := sprintf("whose rules keeping recovery points at least %d days (longest: %s) write to vault(s) %s, which have no vault lock; lock those vaults or use a locked vault", [min_days, retention_text(longest, rules), concat(", ", unlocked)]) if {
	count(unlocked) > 0
} else := sprintf("whose rules keep recovery points at most %d days, fewer than the required %d; lengthen the retention", [longest, min_days])

# Some rule keeps its recovery points forever (no DeleteAfterDays).
never_expires(rules) if {
	some rv in rules
	rv.delete_after_days == null
} else := false

retention_text(longest, rules) := "no expiry" if {
	never_expires(rules)
} else := sprintf("%d days", [longest])
