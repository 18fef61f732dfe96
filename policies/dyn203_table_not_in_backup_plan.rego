# METADATA
# title: No AWS Backup plan selects the table
# description: |-
#   Checks that an AWS Backup plan in the table's region (plans are
#   regional) has a resource selection that selects the table, evaluated as
#   AWS Backup evaluates a BackupSelection: `Resources` (ARNs or wildcards
#   such as `*` or `arn:aws:dynamodb:*:*:table/*`, where `*` matches any run
#   of characters) are OR-ed with each other and with `ListOfTags`
#   (STRINGEQUALS tag tests, OR-ed); the result is AND-ed with every
#   `Conditions` entry (StringEquals, StringLike with `*`, StringNotEquals,
#   StringNotLike, case sensitive); anything matching `NotResources` is
#   excluded. A selection with neither Resources nor ListOfTags selects all
#   resources (subject to Conditions and NotResources). As in IAM, a negated
#   condition (StringNotEquals, StringNotLike) holds for a table without
#   that tag. Evidence names the plan and selection that protect the table
#   and whether the match is by DynamoDB resource type (applies regardless of
#   the AWS Backup service opt-in) or by `*`, service or tags only (applies
#   only if DynamoDB is opted in to AWS Backup in the region: AWS opts a
#   region in to every supported type when the first plan or vault is created
#   there, but the setting, DescribeRegionSettings, is not collected). The result is unknown when plans could not
#   be listed, when a plan's selections were not collected and no other plan
#   selects the table, or when the table's tags were not collected and a tag
#   test would decide. Plan rules (schedule, retention) are not judged here.
#
#   PCI DSS v4.0 12.10.1: the incident response plan must include data backup
#   processes; an AWS Backup plan is the scheduled, retained and centrally
#   monitored backup process, and a table outside every plan is outside that
#   process. SOC 2 A1.2: the entity implements and operates data backup
#   processes and recovery infrastructure; membership of a backup plan is how
#   that process is assigned to the table.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/aws-backup/latest/devguide/assigning-resources-json.html
#     description: AWS Backup, assign resources with the AWS CLI (selection JSON and its Boolean logic)
#   - ref: https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupSelection.html
#     description: BackupSelection API reference (Resources, NotResources, ListOfTags, Conditions)
#   - ref: https://docs.aws.amazon.com/aws-backup/latest/devguide/API_Conditions.html
#     description: Conditions API reference (StringEquals, StringLike, StringNotEquals, StringNotLike)
#   - ref: https://docs.aws.amazon.com/aws-backup/latest/devguide/assigning-resources.html
#     description: AWS Backup service opt-in and resource assignment
# custom:
#   id: DYN203
#   name: table-not-in-backup-plan
#   severity: medium
#   evaluated_per: table
#   frameworks:
#     pci-dss-4.0: ["12.10.1"]
#     soc2: [A1.2]
#   remediation:
#     summary: >-
#       Assign the table to an AWS Backup plan in its region, by ARN, by a
#       DynamoDB resource-type wildcard, or by a tag the plan's selection
#       tests (and tag the table accordingly); make sure no NotResources
#       pattern or negated condition excludes it.
#     aws_cli: |-
#       aws backup create-backup-selection --region REGION --backup-plan-id PLAN_ID \
#         --backup-selection '{"SelectionName":"dynamodb-tables","IamRoleArn":"arn:aws:iam::ACCOUNT:role/service-role/AWSBackupDefaultServiceRole","Resources":["arn:aws:dynamodb:REGION:ACCOUNT:table/TABLE"]}'
#     terraform: |-
#       resource "aws_backup_selection" "dynamodb" {
#         name         = "dynamodb-tables"
#         plan_id      = aws_backup_plan.daily.id
#         iam_role_arn = aws_iam_role.backup.arn
#         resources    = [aws_dynamodb_table.this.arn]
#       }
package dynaudit.rules.dyn203

import data.dynaudit.lib.backup.aws_glob
import data.dynaudit.lib.common.table_arn
import data.dynaudit.lib.common.unlisted_table_regions
import data.dynaudit.lib.common.unlisted_tables_outcome

# How this scales: selections are evaluated per region as sets of table ARNs
# (set algebra runs natively; a per-table glob costs tens of microseconds in
# regorus), so each table costs one set lookup per selection. A resource
# pattern that contains `:table/` once is split there: the part before must
# match the region's table ARN prefix (checked once per region) and the part
# after is matched against table names, which cannot contain `:` or `/`, so
# the split is exact.

# --- selections, compiled once per region ---

# Sorted by plan name, selection name, plan ARN and selection id: the order
# in which protecting selections are reported.
selections[region] := [compile(e[2], plan, sel) |
	some e in sort([[plan.name, sel.name, plan_arn, sel.id, i] |
		some plan_arn, plan in r.backup_plans
		is_array(plan.selections)
		some i, sel in plan.selections
	])
	plan := r.backup_plans[e[2]]
	sel := plan.selections[e[4]]
] if {
	some region, r in input.regions
	r.backup_plans != null
}

# Plans whose selections were not collected (ListBackupSelections failed).
plans_without_selections[region] := sort([plan.name |
	some plan in r.backup_plans
	plan.selections == null
]) if {
	some region, r in input.regions
	r.backup_plans != null
}

# Their ARNs, so the finding can quote the recorded collection error.
plan_arns_without_selections[region] := sort([arn |
	some arn, plan in r.backup_plans
	plan.selections == null
]) if {
	some region, r in input.regions
	r.backup_plans != null
}

compile(plan_arn, plan, sel) := {
	"plan_arn": plan_arn,
	"plan_name": plan.name,
	"selection_id": sel.id,
	"selection_name": sel.name,
	"label": sprintf("%s/%s", [plan.name, sel.name]),
	"all_resources": count(sel.resources) + count(sel.list_of_tags) == 0,
	"resources": [regex.replace(p, `\*+`, "*") | some p in sel.resources],
	"not_resources": [regex.replace(p, `\*+`, "*") | some p in sel.not_resources],
	"list_of_tags": [condition(c) | some c in sel.list_of_tags],
	"conditions": [condition(c) | some c in sel.conditions],
}

condition(c) := {
	"type": upper(replace(c.condition_type, "_", "")),
	"key": trim_prefix(c.key, "aws:ResourceTag/"),
	"value": c.value,
	"glob": aws_glob(c.value),
}

# --- per region: which tables each selection selects ---

all_arns[region] := object.keys(r.tables) if {
	some region, r in input.regions
	is_object(r.tables)
}

untagged[region] := {arn | some arn, t in r.tables; t.tags == null} if {
	some region, r in input.regions
	is_object(r.tables)
}

# For each selection of the region (same order as `selections`): the tables
# it certainly selects (`yes`), those it selects depending on uncollected tags
# (`maybe`), and, per resource pattern, the tables that pattern matches.
verdicts[region] := [selection_sets(region, r.tables, s) | some s in selections[region]] if {
	some region, r in input.regions
	is_object(r.tables)
	r.backup_plans != null
}

selection_sets(region, tables, s) := {
	"yes": (base_yes & cond_yes) - excluded,
	"maybe": (((base_yes | base_maybe) & (cond_yes | cond_maybe)) - excluded) - (base_yes & cond_yes),
	"patterns": matches,
	"explicit": union({m[1] | some m in matches; contains(m[0], ":table/")}),
} if {
	everything := all_arns[region]
	matches := [[p, pattern_set(region, tables, everything, p)] | some p in s.resources]
	resource_hits := union({m[1] | some m in matches})
	excluded := union({pattern_set(region, tables, everything, p) | some p in s.not_resources})
	tag_hits := list_of_tags_set(tables, s.list_of_tags)
	base_yes := base_set(s, everything, resource_hits | tag_hits)
	base_maybe := tags_maybe_set(region, s.list_of_tags) - resource_hits
	cond_yes := conditions_set(tables, everything, s.conditions)
	cond_maybe := tags_maybe_set(region, s.conditions)
}

# Resources OR ListOfTags; a selection with neither selects everything.
base_set(s, everything, hits) := everything if {
	s.all_resources
} else := hits

# Tables whose (uncollected) tags could decide: only when tags are tested.
tags_maybe_set(region, tests) := untagged[region] if {
	count(tests) > 0
} else := set()

# ListOfTags: any test holds.
list_of_tags_set(tables, tests) := union({tag_set(tables, c) | some c in tests})

# Conditions: every test holds (no Conditions: every table).
conditions_set(tables, everything, conds) := intersection({tag_set(tables, c) | some c in conds}) if {
	count(conds) > 0
} else := everything

# The tables (with collected tags) for which one tag test holds. Tests are
# case sensitive; as in IAM, the negated operators hold when the tag is
# absent. An unrecognised operator holds for no table.
tag_set(tables, c) := {arn | some arn, t in tables; is_object(t.tags); t.tags[c.key] == c.value} if {
	c.type == "STRINGEQUALS"
} else := {arn | some arn, t in tables; is_object(t.tags); glob.match(c.glob, null, t.tags[c.key])} if {
	c.type == "STRINGLIKE"
} else := {arn | some arn, t in tables; is_object(t.tags); not t.tags[c.key] == c.value} if {
	c.type == "STRINGNOTEQUALS"
} else := {arn | some arn, t in tables; is_object(t.tags); not tag_like(c, t.tags)} if {
	c.type == "STRINGNOTLIKE"
} else := set()

# The tables of the region an (AWS-style, `*` only) ARN pattern matches.
pattern_set(region, tables, everything, p) := everything if {
	p == "*"
} else := {p} & everything if {
	not contains(p, "*")
} else := name_set(tables, everything, region, parts[1]) if {
	parts := split(p, ":table/")
	count(parts) == 2
	glob.match(aws_glob(concat("", [parts[0], ":table/"])), null, table_arn(region, ""))
} else := set() if {
	count(split(p, ":table/")) == 2
} else := {arn | some arn, _ in tables; glob.match(g, null, arn)} if {
	g := aws_glob(p)
}

# The tables whose name matches the part of a pattern after `:table/`.
name_set(tables, everything, region, name) := everything if {
	name == "*"
} else := {table_arn(region, name)} & everything if {
	not contains(name, "*")
} else := {arn | some arn, t in tables; startswith(t.name, prefix)} if {
	endswith(name, "*")
	prefix := trim_suffix(name, "*")
	not contains(prefix, "*")
} else := {arn | some arn, t in tables; glob.match(g, null, t.name)} if {
	g := aws_glob(name)
}

# --- outcomes ---

outcomes contains unlisted_tables_outcome(region, "AWS Backup plan membership") if {
	some region in unlisted_table_regions
}

outcomes contains {
	"status": "unknown",
	"resource": arn,
	"region": region,
	"message": sprintf("AWS Backup plans in %s were not collected, so membership of table %s cannot be checked", [region, t.name]),
	"evidence": {"backup_plans": null},
	"needs": ["ListBackupPlans"],
} if {
	some region, r in input.regions
	is_object(r.tables)
	r.backup_plans == null
	some arn, t in r.tables
}

# Tables some selection may select depending on uncollected tags, per region.
maybe_protected[region] := union({v.maybe | some v in vs}) if {
	some region, vs in verdicts
}

selection_labels[region] := [s.label | some s in sels] if {
	some region, sels in selections
}

# The selection reported for each protected table, per region, as
# arn -> [index into `selections`, depends on the service opt-in]: the first
# (in `selections` order) that matches by DynamoDB resource type (an ARN or
# a `:table/` pattern, which AWS Backup honours regardless of the service
# opt-in), else the first that selects it. Set algebra, then one object
# comprehension, so a table costs one lookup.
reported[region] := object.union(
	{arn: [i, false] | some i, members in explicit; some arn in members},
	{arn: [i, true] | some i, members in plain; some arn in members},
) if {
	some region, vs in verdicts
	explicit := first_sets(vs, "explicit")
	plain := first_sets(vs, "plain")
}

# For each selection, the tables for which it is the first explicit (or,
# for `plain`, the first of all, among tables no selection selects
# explicitly) selecting selection.
first_sets(vs, "explicit") := [first_only(explicit, i) | some i, _ in explicit] if {
	explicit := [intersection({v.yes, v.explicit}) | some v in vs]
}

first_sets(vs, "plain") := [first_only(plain, i) | some i, _ in plain] if {
	any_explicit := union({intersection({v.yes, v.explicit}) | some v in vs})
	plain := [without(v.yes, any_explicit) | some v in vs]
}

without(a, b) := a - b

# The members of sets[i] that are in no earlier set.
first_only(sets, i) := sets[i] - union({sets[j] | some j, _ in sets; j < i})

# What the evidence says about each selection: plan and selection names
# and ids (the criteria are in the inventory; repeating them in every
# outcome would bloat reports of large accounts).
selection_evidence[region] := [{
	"plan": {"arn": s.plan_arn, "name": s.plan_name},
	"selection": {"id": s.selection_id, "name": s.selection_name},
} |
	some s in sels
] if {
	some region, sels in selections
}

outcomes contains {
	"status": "pass",
	"resource": arn,
	"region": region,
	"message": sprintf("Table %s in %s is selected by AWS Backup plan %s (selection %s)%s", [t.name, region, ev.plan.name, ev.selection.name, opt_in_note[pick[1]]]),
	"evidence": {"plan": ev.plan, "selection": ev.selection, "depends_on_service_opt_in": pick[1]},
} if {
	some region, r in input.regions
	is_object(r.tables)
	picks := reported[region]
	evs := selection_evidence[region]
	some arn, t in r.tables
	pick := picks[arn]
	ev := evs[pick[0]]
}

outcomes contains {
	"status": "unknown",
	"resource": arn,
	"region": region,
	"message": sprintf("Cannot tell whether an AWS Backup plan in %s selects table %s: %s", [region, t.name, concat("; ", reasons)]),
	"evidence": {
		"plans_with_uncollected_selections": uncollected,
		"plan_arns_with_uncollected_selections": plan_arns_without_selections[region],
		"selections_needing_tags": needing,
		"tags_collected": t.tags != null,
	},
	"needs": needs,
} if {
	some region, r in input.regions
	is_object(r.tables)
	picks := reported[region]
	maybe := maybe_protected[region]
	uncollected := plans_without_selections[region]
	some arn, t in r.tables
	not picks[arn]
	undecided(maybe, arn, uncollected)
	vs := verdicts[region]
	needing := sort([selections[region][i].label | some i, v in vs; v.maybe[arn]])
	needs := sort(array.concat(
		["ListTagsOfResource" | count(needing) > 0],
		["ListBackupSelections" | count(uncollected) > 0],
	))
	reasons := array.concat(
		[sprintf("the table's tags were not collected and selection(s) %s test tags", [concat(", ", needing)]) | count(needing) > 0],
		[sprintf("the selections of plan(s) %s were not collected", [concat(", ", uncollected)]) | count(uncollected) > 0],
	)
}

outcomes contains {
	"status": "fail",
	"resource": arn,
	"region": region,
	"message": sprintf("Table %s in %s is not selected by any of the %d AWS Backup plan(s) in %s", [t.name, region, count(r.backup_plans), region]),
	"evidence": {
		"backup_plans": count(r.backup_plans),
		"selections_evaluated": labels,
	},
} if {
	some region, r in input.regions
	is_object(r.tables)
	picks := reported[region]
	maybe := maybe_protected[region]
	count(plans_without_selections[region]) == 0
	labels := selection_labels[region]
	some arn, t in r.tables
	not picks[arn]
	not maybe[arn]
}

undecided(maybe, arn, _) if maybe[arn]

undecided(_, _, uncollected) if count(uncollected) > 0

opt_in_note := {
	true: "; the match is by wildcard or tags, so it applies only while DynamoDB is opted in to AWS Backup in the region (AWS opts a region in when its first plan is created; the setting is not collected)",
	false: "",
}

tag_like(c, tags) if glob.match(c.glob, null, tags[c.key])
