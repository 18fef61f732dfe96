# METADATA
# title: A dynamodb:LeadingKeys condition does not bind items to the caller
# description: |-
#   Checks every Allow statement of every IAM policy attached to a user,
#   group or role that conditions on `dynamodb:LeadingKeys` (the partition
#   key values a request touches: the basis of row-level security in
#   DynamoDB). The condition is sound only with the set operator
#   `ForAllValues:StringEquals` or `ForAllValues:StringLike` and values that
#   are principal-bound policy variables: `${aws:username}`,
#   `${aws:userid}`, `${aws:PrincipalTag/KEY}`,
#   `${cognito-identity.amazonaws.com:sub}`, `${www.amazon.com:user_id}`,
#   `${graph.facebook.com:id}`, `${accounts.google.com:sub}`, `${saml:sub}`
#   (variable names are case-insensitive, as in IAM; a value may add a
#   literal prefix or suffix, such as `tenant#${aws:PrincipalTag/tenant}`).
#   It fails when the operator is anything else (`StringEquals` without
#   `ForAllValues` - the DynamoDB documentation requires the modifier -,
#   `ForAnyValue:*`, which lets a BatchGetItem mix foreign keys with one's
#   own, `...IfExists`, `...IgnoreCase`, negated operators), or when a value
#   is a literal (`*`, a constant, a non-principal variable such as
#   `${aws:PrincipalAccount}`, a variable with a default value, which falls
#   back to a constant, or a `StringLike` wildcard around the variable,
#   which matches other callers' keys that share the prefix). A statement
#   with several LeadingKeys conditions passes when one of them is sound
#   (conditions are AND-ed); a `Null` check on the key restricts no value
#   and does not count. Deny statements are not judged (deny-based
#   patterns legitimately use other operators). One outcome per managed
#   policy and per principal with inline policies that use LeadingKeys; a
#   policy whose document was not collected or breaks the IAM policy
#   grammar is unknown, quoting the problem, and so is a weak statement
#   that an unconditional Deny in such a policy of its principals may void.
#
#   PCI DSS v4.0 7.2.1 (access granted according to need) and 7.3.1 (an
#   access control system restricts access based on need to know): a
#   LeadingKeys condition is the control that limits each principal to its
#   own rows, and a weak one silently grants every row. SOC 2 CC6.1 (logical
#   access security over protected information assets) and CC6.3 (access
#   authorised according to roles and least privilege): the row-level
#   restriction is the logical access control, and it must be bound to the
#   identity of the caller to enforce least privilege.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
#     description: Using IAM policy conditions for fine-grained access control
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
#     description: Single-valued vs. multivalued context keys (ForAllValues, ForAnyValue)
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
#     description: IAM policy elements - variables and tags
# custom:
#   id: DYN302
#   name: leading-keys-condition-weak
#   severity: high
#   frameworks:
#     pci-dss-4.0: ["7.2.1", "7.3.1"]
#     soc2: [CC6.1, CC6.3]
#   remediation:
#     summary: >-
#       Use `ForAllValues:StringEquals` (or `ForAllValues:StringLike` without
#       wildcards around the variable) on `dynamodb:LeadingKeys`, with a
#       principal-bound policy variable as the only value, such as
#       `${aws:userid}`, `${aws:PrincipalTag/tenant}` or
#       `${cognito-identity.amazonaws.com:sub}`, and the policy `Version`
#       `2012-10-17` (older versions read variables as literals).
#     aws_cli: |-
#       aws iam create-policy-version --policy-arn POLICY_ARN --set-as-default \
#         --policy-document file://row-level-policy.json
#       # row-level-policy.json statement condition:
#       # "Condition": {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:userid}"]}}
#     terraform: |-
#       data "aws_iam_policy_document" "own_items" {
#         statement {
#           actions   = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
#           resources = [aws_dynamodb_table.orders.arn]
#           condition {
#             test     = "ForAllValues:StringEquals"
#             variable = "dynamodb:LeadingKeys"
#             values   = ["$${aws:userid}"]
#           }
#         }
#       }
package dynaudit.rules.dyn302

import data.dynaudit.lib.iam

outcomes contains iam.not_collected_outcome("dynamodb:LeadingKeys conditions") if not iam.collected

key := "dynamodb:leadingkeys"

sound_operators := {"forallvalues:stringequals", "forallvalues:stringlike"}

# Policy variables whose value identifies the caller (lower-case).
principal_variables := {
	"aws:username",
	"aws:userid",
	"cognito-identity.amazonaws.com:sub",
	"www.amazon.com:user_id",
	"graph.facebook.com:id",
	"accounts.google.com:sub",
	"saml:sub",
}

principal_variable(v) if {
	name := lower(trim_space(substring(v, 2, count(v) - 3)))
	name in principal_variables
}

principal_variable(v) if {
	name := lower(trim_space(substring(v, 2, count(v) - 3)))
	startswith(name, "aws:principaltag/")
	count(name) > count("aws:principaltag/")
	not contains(name, ",")
}

# A condition value bound to the caller: only principal variables, at
# least one, and (for StringLike) no wildcard outside them.
bound_value(v, op) if {
	is_string(v)
	vars := regex.find_n(iam.var_regex, v, -1)
	count(vars) > 0
	every var in vars {
		principal_variable(var)
	}
	not loose_literal(regex.replace(v, iam.var_regex, ""), op)
}

loose_literal(rest, "forallvalues:stringlike") if contains(rest, "*")

loose_literal(rest, "forallvalues:stringlike") if contains(rest, "?")

sound(c) if {
	c.op in sound_operators
	count(c.values) > 0
	every v in c.values {
		bound_value(v, c.op)
	}
}

problems(c) := array.concat(
	[{"operator": c.operator, "problem": "operator is not ForAllValues:StringEquals or ForAllValues:StringLike"} | not c.op in sound_operators],
	[{"operator": c.operator, "value": v, "problem": "value is not a principal-bound policy variable"} | some v in c.values; not bound_value(v, c.op)],
)

# The LeadingKeys conditions that restrict values (a `Null` check only
# requires the key to be present: it is judged by DYN303, not here).
value_conditions(s) := [c | some c in iam.conditions_on(s, key); c.op != "null"]

weak(s) if {
	iam.is_allow(s)
	iam.uses_key(s, key)
	not any_sound(value_conditions(s))
}

any_sound(cs) if {
	some c in cs
	sound(c)
}

statement_problems(s) := [p | some c in value_conditions(s); some p in problems(c)] if {
	count(value_conditions(s)) > 0
} else := [{"operator": "Null", "problem": "only a Null check: the key values are not restricted"}]

finding(pol, s) := object.union(iam.statement_evidence(pol, s), {"problems": statement_problems(s)})

findings[k] := fs if {
	some k, pol in iam.policies
	pol.statements != null
	fs := [finding(pol, s) | some s in pol.statements; weak(s); not iam.maybe_neutralised(pol, s)]
	count(fs) > 0
}

# Weak statements that a Deny in an unreadable policy may void.
unsure_findings[k] := fs if {
	some k, pol in iam.policies
	pol.statements != null
	fs := [finding(pol, s) | some s in pol.statements; weak(s); iam.maybe_neutralised(pol, s); not iam.neutralised(pol, s)]
	count(fs) > 0
}

# The policy conditions an Allow on LeadingKeys.
relevant[k] if {
	some k, pol in iam.policies
	pol.statements != null
	some s in pol.statements
	iam.is_allow(s)
	iam.uses_key(s, key)
}

status(res) := "fail" if {
	some k in iam.resource_keys[res]
	findings[k]
} else := "unknown" if {
	count(iam.unreadable(res)) > 0
} else := "unsure" if {
	some k in iam.resource_keys[res]
	unsure_findings[k]
} else := "pass" if {
	some k in iam.resource_keys[res]
	relevant[k]
}

outcomes contains o if {
	some res, _ in iam.resource_keys
	st := status(res)
	o := outcome(res, st)
}

all_findings(res) := [f | some k in iam.resource_keys[res]; some f in findings[k]]

outcome(res, "fail") := {
	"status": "fail",
	"resource": res,
	"region": "global",
	"message": sprintf(
		"%s conditions access on dynamodb:LeadingKeys with a wrong operator or a value not bound to the caller (%s), so principals can reach other callers' items; it applies to %d principal(s)",
		[iam.resource_title(res), concat("; ", [summary(f) | some f in iam.bounded(fs)]), ev.principal_count],
	),
	"evidence": object.union(ev, {
		"statements": iam.bounded(fs),
		"statement_count": count(fs),
	}),
} if {
	fs := all_findings(res)
	ev := iam.resource_evidence(res)
}

summary(f) := sprintf("%s: %s", [iam.location(f), concat(", ", [short(p) | some p in f.problems])])

short(p) := sprintf("value %v", [p.value]) if "value" in object.keys(p) else := sprintf("operator %s", [p.operator])

outcome(res, "unknown") := iam.unreadable_outcome(res, "its dynamodb:LeadingKeys conditions")

outcome(res, "unsure") := iam.unsure_outcome(
	res,
	[f | some k in iam.resource_keys[res]; some f in unsure_findings[k]],
	"would condition access on dynamodb:LeadingKeys with a wrong operator or a value not bound to the caller",
)

outcome(res, "pass") := {
	"status": "pass",
	"resource": res,
	"region": "global",
	"message": sprintf(
		"%s binds dynamodb:LeadingKeys to the caller with ForAllValues and principal policy variables",
		[iam.resource_title(res)],
	),
	"evidence": iam.resource_evidence(res),
}
