# METADATA
# title: A table that requires row-level security is reachable without a dynamodb:LeadingKeys condition
# description: |-
#   For each table that requires row-level security - named in
#   `row_level_security_tables` (by name or ARN), or tagged with
#   `row_level_security_tag` (default `dynaudit:row-level-security`) =
#   `required` - checks every Allow statement that can reach the table or
#   one of its indexes and grants an item-level action (GetItem,
#   BatchGetItem, Query, Scan, PutItem, UpdateItem, DeleteItem,
#   BatchWriteItem, ConditionCheckItem, PartiQLSelect, PartiQLInsert,
#   PartiQLUpdate, PartiQLDelete, SearchVectors; transactions are
#   authorised as these actions), explicitly or through a wildcard or
#   `NotAction`. It fails when such a statement has no `dynamodb:LeadingKeys`
#   condition: the principal can read or write every partition. Statements
#   come from the IAM policies attached to users, groups and roles (an
#   action denied unconditionally on the table to every principal the policy
#   applies to is not counted) and from the table's resource-based policy
#   (statements whose principals are only account roots delegate to IAM and
#   are not counted). Resource patterns with policy variables are read as
#   matching any table. Whether the LeadingKeys condition itself is sound is
#   DYN302 and DYN303. Unknown when IAM, an attached policy document or the
#   table's resource policy was not collected or breaks the IAM policy
#   grammar (the finding quotes the first problem; a grant that a Deny in
#   such a document may void is not a sure failure), or when the table's
#   tags were not collected and it is not named in the configuration; a
#   table that does not require row-level security gets no outcome.
#
#   PCI DSS v4.0 7.2.1 (access granted according to need) and 7.3.1 (an
#   access control system restricts access based on need to know): for a
#   multi-tenant or per-customer table, the need-to-know boundary is the
#   partition, and a grant without LeadingKeys crosses it. SOC 2 CC6.3
#   (access authorised according to roles and least privilege): every
#   principal with item access must be confined to the rows it owns.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
#     description: Using IAM policy conditions for fine-grained access control
#   - ref: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
#     description: Actions, resources, and condition keys for Amazon DynamoDB
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/access-control-resource-based.html
#     description: Using resource-based policies for DynamoDB
# custom:
#   id: DYN304
#   name: row-level-security-missing
#   severity: high
#   evaluated_per: table
#   frameworks:
#     pci-dss-4.0: ["7.2.1", "7.3.1"]
#     soc2: [CC6.3]
#   remediation:
#     summary: >-
#       Add a `ForAllValues:StringEquals` condition on `dynamodb:LeadingKeys`
#       bound to the caller (for example `${aws:userid}` or
#       `${aws:PrincipalTag/tenant}`) and a `Null` check on the key to every
#       statement that grants item actions on the table, or scope the
#       statement's Resource away from the table; remove item-level grants
#       from the table's resource-based policy or condition them the same way.
#     aws_cli: |-
#       aws iam create-policy-version --policy-arn POLICY_ARN --set-as-default \
#         --policy-document file://row-level-policy.json
#       # row-level-policy.json statement condition:
#       # "Condition": {
#       #   "ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:userid}"]},
#       #   "Null": {"dynamodb:LeadingKeys": "false"}
#       # }
#     terraform: |-
#       data "aws_iam_policy_document" "tenant_items" {
#         statement {
#           actions   = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
#           resources = [aws_dynamodb_table.orders.arn, "${aws_dynamodb_table.orders.arn}/index/*"]
#           condition {
#             test     = "ForAllValues:StringEquals"
#             variable = "dynamodb:LeadingKeys"
#             values   = ["$${aws:PrincipalTag/tenant}"]
#           }
#           condition {
#             test     = "Null"
#             variable = "dynamodb:LeadingKeys"
#             values   = ["false"]
#           }
#         }
#       }
package dynaudit.rules.dyn304

import data.dynaudit.lib.common
import data.dynaudit.lib.iam

# Parameters (defaults apply when run without dynaudit's data, as in stock OPA).
rls_names := {n | some n in common.params.row_level_security_tables}

rls_tag := t if {
	t := common.params.row_level_security_tag
	is_string(t)
} else := "dynaudit:row-level-security"

leading_keys := "dynamodb:leadingkeys"

item_actions := {
	"dynamodb:getitem",
	"dynamodb:batchgetitem",
	"dynamodb:query",
	"dynamodb:scan",
	"dynamodb:putitem",
	"dynamodb:updateitem",
	"dynamodb:deleteitem",
	"dynamodb:batchwriteitem",
	"dynamodb:conditioncheckitem",
	"dynamodb:partiqlselect",
	"dynamodb:partiqlinsert",
	"dynamodb:partiqlupdate",
	"dynamodb:partiqldelete",
	"dynamodb:searchvectors",
}

# ---------------------------------------------------------------------------
# Which tables require row-level security (one pass each over the tables;
# regorus costs about 10 us per function call, so the per-table work is
# kept inline)

named(x) if x.table.name in rls_names

named(x) if x.arn in rls_names

# Tables that require row-level security, by ARN.
required[x.arn] := x if {
	count(rls_names) > 0
	some x in common.tables
	named(x)
}

required[x.arn] := x if {
	some x in common.tables
	x.table.tags != null
	lower(trim_space(object.get(x.table.tags, rls_tag, ""))) == "required"
}

requirement(x) := {"named": true, "tag": tag_value(x)} if named(x) else := {"named": false, "tag": tag_value(x)}

tag_value(x) := object.get(x.table.tags, rls_tag, null) if x.table.tags != null else := null

# ---------------------------------------------------------------------------
# Offending statements, computed once

# Item grants without LeadingKeys in attached IAM policies:
# [{key, statement, actions, globs, finding, description, deny_applies}],
# where `globs` match the ARN of a table the statement reaches, itself or
# through one of its indexes (null for a NotResource statement: matched the
# slow way), and `finding` (described by `description`) is the statement's
# finding for every table it reaches, unless `deny_applies`: then a Deny of
# the policy's principals may void some of its actions on some tables, and
# the finding is made per table.
iam_offenders := [{
	"key": k,
	"statement": s,
	"actions": acts,
	"globs": table_globs(s),
	"finding": f,
	"description": describe(f),
	"deny_applies": k in iam.deny_applies,
} |
	some k, pol in iam.policies
	pol.statements != null
	some s in pol.statements
	iam.is_allow(s)
	not iam.uses_key(s, leading_keys)
	acts := iam.granted_actions(s, item_actions)
	count(acts) > 0
	f := object.union(iam.statement_evidence(pol, s), {
		"source": "iam",
		"policy_arn": pol.arn,
		"principals": iam.bounded(pol.principals),
		"actions": sort(acts),
	})
]

table_globs(s) := array.concat(
	s.resource_loose,
	[iam.loose_glob(split(p, "/index/")[0]) | some p in s.resources; contains(p, "/index/")],
) if s.resources != null else := null

# A statement (of a resource policy, or a NotResource one) reaches the
# table or one of its indexes.
reaches_table(s, arn) if iam.reaches(s, arn)

reaches_table(s, arn) if iam.reaches(s, concat("", [arn, "/index/i"]))

reaches_table(s, arn) if {
	s.resources != null
	some p in s.resources
	contains(p, "/index/")
	iam.loose_match(split(p, "/index/")[0], arn)
}

reaches_table(s, arn) if {
	s.resources == null
	s.not_resources == null
}

# Index of the offenders, so that each table is matched only against the
# statements that can name it: a concrete resource (no wildcard, no
# variable) names one table (or an index of it); any other statement is
# checked against every table that requires row-level security.
concrete(p) if not regex.match(`[*?]|\$\{`, p)

# The table ARN a concrete table or index ARN names.
table_of(p) := concat("/", array.slice(parts, 0, 2)) if {
	parts := split(p, "/")
	count(parts) == 2
} else := concat("/", array.slice(parts, 0, 2)) if {
	parts := split(p, "/")
	count(parts) > 2
	parts[2] == "index"
}

offenders_by_table[t] contains i if {
	some i, o in iam_offenders
	o.statement.resources != null
	some p in o.statement.resources
	concrete(p)
	t := table_of(p)
}

# Offenders with wildcard resources, grouped by glob: each distinct glob is
# matched once per table, however many statements share it.
wide_by_glob[g] contains i if {
	some i, o in iam_offenders
	o.globs != null
	some p in o.statement.resources
	not concrete(p)
	some g in o.globs
}

# The wildcard globs, bucketed by the literal start (up to 3 characters) of
# the table name they can match, so that a table is only matched against
# the globs that can name it ("" when the pattern's table name starts with
# a wildcard, or it names no `:table/` literally).
wide_by_key[k] contains g if {
	some g, _ in wide_by_glob
	g != "*"
	k := name_key(g)
}

# Offenders whose glob is `*` reach every table: no need to match it.
everywhere := is if {
	is := wide_by_glob["*"]
} else := set()

name_key(g) := substring(regex.replace(split(g, ":table/")[1], `(\\.|[*?$]).*$`, ""), 0, 3) if {
	count(split(g, ":table/")) == 2
} else := ""

keys(name) := {substring(name, 0, n) | some n in [0, 1, 2, 3]}

# Offenders without a Resource element (NotResource): matched one by one.
unbounded_offenders contains i if {
	some i, o in iam_offenders
	o.globs == null
}

# The offenders that reach the table (`probe` is an index ARN of it).
# (Multi-value rules are undefined, not {}, in regorus 0.14 when empty.)
reaching_offenders(x, probe) := ((by_name(x.arn) | everywhere) | by_glob(x, probe)) | by_statement(x.arn)

by_name(arn) := is if {
	is := offenders_by_table[arn]
} else := set()

by_glob(x, probe) := {i |
	some k in keys(x.table.name)
	some g in wide_by_key[k]
	some target in [x.arn, probe]
	glob.match(g, null, target)
	some i in wide_by_glob[g]
}

by_statement(arn) := {i | some i in unbounded_offenders; reaches_table(iam_offenders[i].statement, arn)}

# The account root (or id) of any account: delegates to IAM.
account_root(v) if regex.match(`^[0-9]{12}$`, v)

account_root(v) if regex.match(`^arn:[^:]+:iam::[0-9]{12}:root$`, v)

delegates_only(s) if {
	s.principal != null
	count(s.principal) > 0
	every k, vs in s.principal {
		k == "AWS"
		every v in vs {
			account_root(v)
		}
	}
}

# The findings on the table as [finding, description] pairs (descriptions
# of IAM findings are made once per statement).
iam_findings(x) := iam_findings_probe(x, x.arn, concat("", [x.arn, "/index/i"]))

iam_findings_probe(x, arn, probe) := [[f, o.description] |
	some i in reaching_offenders(x, probe)
	o := iam_offenders[i]
	f := offender_finding(o, arn)
]

# The offender's finding on the table: its actions that no Deny voids
# there, nor may void (a Deny in an unreadable policy of its principals:
# the table is then unknown, as `gaps` says).
offender_finding(o, _) := o.finding if not o.deny_applies

offender_finding(o, arn) := object.union(o.finding, {"actions": acts}) if {
	o.deny_applies
	pol := iam.policies[o.key]
	acts := sort({a | some a in o.actions; not iam.action_maybe_denied_on(pol, a, arn)})
	count(acts) > 0
}

# The table's resource policy record: null when not collected.
resource_policy(x) := object.get(x.table, "resource_policy", null)

# The table's resource-based policy read against the grammar:
# {statements, problem}, both null when the table has no policy.
resource_document(x) := iam.read_document(resource_policy(x).document, "resource") if {
	resource_policy(x) != null
} else := {"statements": null, "problem": null}

policy_findings(x) := [f |
	sts := resource_document(x).statements
	sts != null
	some s in sts
	iam.is_allow(s)
	not iam.uses_key(s, leading_keys)
	not delegates_only(s)
	acts := sort(iam.granted_actions(s, item_actions))
	count(acts) > 0
	reaches_table(s, x.arn)
	f := {
		"source": "resource_policy",
		"label": iam.label(s),
		"statement": s.index,
		"sid": s.sid,
		"principal": object.get(s.raw, "Principal", null),
		"action": object.get(s.raw, "Action", null),
		"not_action": object.get(s.raw, "NotAction", null),
		"resource": object.get(s.raw, "Resource", null),
		"condition": object.get(s.raw, "Condition", null),
		"actions": acts,
	}
]

findings(x) := array.concat(iam_findings(x), [[f, describe(f)] | some f in policy_findings(x)]) if {
	resource_policy(x) != null
	resource_policy(x).document != null
} else := iam_findings(x)

# Attached policies whose documents could not be read: not collected, or
# breaking the policy grammar (a Deny in any of them may void a grant).
unreadable_policies := sort([pol.resource | some pol in iam.policies; pol.statements == null])

uncollected_policies := [pol | some pol in iam.policies; pol.statements == null; pol.problem == null]

unreadable_needs := {n | some pol in uncollected_policies; some n in pol.needs}

# The grammar problems of attached policies, as messages say them.
policy_problems := sort([iam.unreadable_reason(pol, iam.policy_title(pol)) | some pol in iam.policies; pol.problem != null])

# The calls whose evidence is missing to decide a table with no finding
# (none for a document that breaks the grammar: `gaps` quotes it).
missing(x) := sort(array.concat(
	array.concat(
		["GetAccountAuthorizationDetails" | not iam.collected],
		[n | iam.collected; some n in unreadable_needs],
	),
	["GetResourcePolicy" | resource_policy(x) == null],
))

iam_collected := true if iam.collected else := false

# What keeps a table with no finding from passing, in words.
gaps(x) := array.concat(
	array.concat(
		["the IAM authorization details were not collected" | not iam.collected],
		array.concat(
			[sprintf("%d attached policy document(s) were not collected", [count(uncollected_policies)]) |
				iam.collected
				count(uncollected_policies) > 0
			],
			[problems_gap | iam.collected; count(policy_problems) > 0],
		),
	),
	array.concat(
		["the table's resource-based policy was not collected" | resource_policy(x) == null],
		[sprintf("the table's resource-based policy is not a valid IAM policy: %s", [p]) |
			resource_policy(x) != null
			p := resource_document(x).problem
			p != null
		],
	),
)

problems_gap := policy_problems[0] if {
	count(policy_problems) == 1
} else := sprintf("%s (and %d more attached policy document(s) are not valid IAM policies)", [policy_problems[0], count(policy_problems) - 1])

# ---------------------------------------------------------------------------
# Outcomes

outcomes contains common.unlisted_tables_outcome(region, "row-level security") if {
	some region in common.unlisted_table_regions
}

outcomes contains o if {
	some x in common.tables
	x.table.tags == null
	not named(x)
	o := {
		"status": "unknown",
		"resource": x.arn,
		"region": x.region,
		"message": sprintf(
			"Cannot tell whether table %s in %s requires row-level security: its tags were not collected and it is not named in row_level_security_tables",
			[x.table.name, x.region],
		),
		"evidence": {"row_level_security": {"named": false, "tag": null}, "tag_key": rls_tag},
		"needs": ["ListTagsOfResource"],
	}
}

outcomes contains o if {
	some _, x in required
	hits := findings(x)
	o := table_outcome(x, requirement(x), [h[0] | some h in hits], [h[1] | some h in hits])
}

# `fs`: the findings on the table, `ds`: their descriptions.
table_outcome(x, req, fs, ds) := {
	"status": "fail",
	"resource": x.arn,
	"region": x.region,
	"message": sprintf(
		"Table %s in %s requires row-level security, but %d statement(s) grant item actions on it without a dynamodb:LeadingKeys condition: %s",
		[x.table.name, x.region, count(fs), concat("; ", iam.bounded(ds))],
	),
	"evidence": {
		"row_level_security": req,
		"statements": iam.bounded(fs),
		"statement_count": count(fs),
	},
} if count(fs) > 0

table_outcome(x, req, fs, _) := {
	"status": "unknown",
	"resource": x.arn,
	"region": x.region,
	"message": sprintf(
		"Table %s in %s requires row-level security, and %s, but %s",
		[x.table.name, x.region, unsure_lead(us), concat(" and ", gaps(x))],
	),
	"evidence": {
		"row_level_security": req,
		"iam_collected": iam_collected,
		"unreadable_policies": iam.bounded(unreadable_policies),
		"policy_problems": iam.bounded(policy_problems),
		"resource_policy_collected": resource_policy(x) != null,
		"resource_policy_problem": object.get(resource_document(x), "problem", null),
		"statements_a_deny_may_void": iam.bounded([u[0] | some u in us]),
	},
	"needs": missing(x),
} if {
	count(fs) == 0
	count(gaps(x)) > 0
	us := unsure_findings(x)
}

# Grants without LeadingKeys on the table that only a Deny in an unreadable
# policy of their principals may void, as [finding, description] pairs.
unsure_findings(x) := [[f, o.description] |
	some i in reaching_offenders(x, concat("", [x.arn, "/index/i"]))
	o := iam_offenders[i]
	o.deny_applies
	pol := iam.policies[o.key]
	acts := sort({a | some a in o.actions; iam.action_maybe_denied_on(pol, a, x.arn); not iam.action_denied_on(pol, a, x.arn)})
	count(acts) > 0
	f := object.union(o.finding, {"actions": acts})
]

unsure_lead(us) := "no collected policy grants item access to it without dynamodb:LeadingKeys" if {
	count(us) == 0
} else := sprintf(
	"%d statement(s) grant item actions on it without a dynamodb:LeadingKeys condition unless a Deny in a policy that could not be read voids them (%s)",
	[count(us), concat("; ", iam.bounded([u[1] | some u in us]))],
)

table_outcome(x, req, fs, _) := {
	"status": "pass",
	"resource": x.arn,
	"region": x.region,
	"message": sprintf(
		"Table %s in %s requires row-level security, and every statement that grants item actions on it has a dynamodb:LeadingKeys condition",
		[x.table.name, x.region],
	),
	"evidence": {
		"row_level_security": req,
		"statements": [],
		"resource_policy_checked": resource_policy(x).document != null,
	},
} if {
	count(fs) == 0
	count(gaps(x)) == 0
}

# The ARNs are of the principals that hold the policy, not of the policy:
# said so ("attached to" a managed policy, "of" an inline one).
describe(f) := sprintf("%s of managed policy %s (attached to %s)", [f.label, f.policy, concat(", ", f.principals)]) if {
	f.source == "iam"
	f.policy_type == "managed"
} else := sprintf("%s of inline policy %s of %s", [f.label, f.policy, concat(", ", f.principals)]) if {
	f.source == "iam"
	f.policy_type == "inline"
} else := sprintf("%s of the table's resource-based policy", [f.label])
