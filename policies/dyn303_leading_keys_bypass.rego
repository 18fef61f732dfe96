# METADATA
# title: A ForAllValues dynamodb:LeadingKeys restriction also allows actions that carry no partition key
# description: |-
#   Checks every Allow statement of every IAM policy attached to a user,
#   group or role that restricts access with `ForAllValues:...` on
#   `dynamodb:LeadingKeys`. `ForAllValues` over a key that is absent from the
#   request is true (IAM: "if the key values in the request resolve to an
#   empty data set, a condition operator modified by ForAllValues returns
#   true"), so the statement also allows every granted action whose request
#   carries no partition key, and the row-level restriction is void for it.
#   The actions checked are those of the Service Authorization Reference
#   that do not list `dynamodb:LeadingKeys` and that read, copy, overwrite or
#   destroy other callers' items or change who may: `Scan` (the DynamoDB
#   guide: Scan "returns all items regardless of the leading keys"),
#   `PartiQLSelect` (a SELECT with no partition-key equality is a full table
#   scan and has no leading key), `ExportTableToPointInTime`, `GetRecords`
#   (stream records of every item), `SearchVectors`,
#   `ReadDataForReplication`, `WriteDataForReplication`,
#   `RestoreTableToPointInTime`, `RestoreTableFromBackup`,
#   `RestoreTableFromAwsBackup`, `DeleteTable`, `DeleteTableReplica` and
#   `PutResourcePolicy`, granted explicitly or through a wildcard
#   (`dynamodb:*`, `dynamodb:Delete*`, `NotAction`) on a resource that can
#   be a table, index or stream. The PartiQL API operations
#   `ExecuteStatement`, `BatchExecuteStatement` and `ExecuteTransaction` are
#   not IAM actions: they are authorised as `PartiQLSelect`/`Insert`/
#   `Update`/`Delete`, of which only a full-scan SELECT lacks the key.
#   A `"Null": {"dynamodb:LeadingKeys": "false"}` guard in the same
#   statement (the key must be present) closes the bypass; a
#   `"Bool": {"dynamodb:FullTableScan": "false"}` guard closes it for
#   PartiQLSelect; an unconditional Deny of the action in the policy set of
#   every principal the policy applies to closes it for that action. One
#   outcome per managed policy and per principal with inline policies that
#   use such a restriction; a policy whose document was not collected or
#   breaks the IAM policy grammar is unknown, quoting the problem, and so is
#   a bypass that an unconditional Deny in such a policy of its principals
#   may close.
#
#   PCI DSS v4.0 7.2.1 (access granted according to need) and 7.3.1 (the
#   access control system restricts access based on need to know): the
#   statement is meant to confine each principal to its own rows, and the
#   bypass hands it every row of the table. SOC 2 CC6.1 (logical access
#   security over protected information assets) and CC6.3 (least
#   privilege): the row-level control exists on paper but does not
#   restrict access.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
#     description: Using IAM policy conditions for fine-grained access control (Scan returns all items regardless of the leading keys)
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
#     description: Multivalued context keys - ForAllValues returns true when the key is absent; use a Null check
#   - ref: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
#     description: Actions, resources, and condition keys for Amazon DynamoDB (which actions carry dynamodb:LeadingKeys)
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-iam.html
#     description: IAM policies with PartiQL for DynamoDB (dynamodb:FullTableScan)
# custom:
#   id: DYN303
#   name: leading-keys-bypass
#   severity: critical
#   frameworks:
#     pci-dss-4.0: ["7.2.1", "7.3.1"]
#     soc2: [CC6.1, CC6.3]
#   remediation:
#     summary: >-
#       List only the item actions that carry a partition key (GetItem,
#       BatchGetItem, Query, PutItem, UpdateItem, DeleteItem, BatchWriteItem,
#       ConditionCheckItem, PartiQLInsert/Update/Delete) in the row-level
#       statement, and add `"Null": {"dynamodb:LeadingKeys": "false"}` to it so
#       that any action without the key is not allowed by it. Grant Scan,
#       exports, streams and table administration, if at all, in separate
#       statements to separate principals.
#     aws_cli: |-
#       aws iam create-policy-version --policy-arn POLICY_ARN --set-as-default \
#         --policy-document file://row-level-policy.json
#       # row-level-policy.json statement condition:
#       # "Condition": {
#       #   "ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:userid}"]},
#       #   "Null": {"dynamodb:LeadingKeys": "false"}
#       # }
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
#           condition {
#             test     = "Null"
#             variable = "dynamodb:LeadingKeys"
#             values   = ["false"]
#           }
#         }
#       }
package dynaudit.rules.dyn303

import data.dynaudit.lib.iam

outcomes contains iam.not_collected_outcome("dynamodb:LeadingKeys restrictions for bypasses") if not iam.collected

key := "dynamodb:leadingkeys"

# Actions on a table or index whose request carries no partition key
# (lower case, as statements are compared; the value is the name as AWS
# spells it, shown in messages and evidence).
table_bypass_names := {
	"dynamodb:scan": "dynamodb:Scan",
	"dynamodb:partiqlselect": "dynamodb:PartiQLSelect",
	"dynamodb:exporttabletopointintime": "dynamodb:ExportTableToPointInTime",
	"dynamodb:searchvectors": "dynamodb:SearchVectors",
	"dynamodb:readdataforreplication": "dynamodb:ReadDataForReplication",
	"dynamodb:writedataforreplication": "dynamodb:WriteDataForReplication",
	"dynamodb:restoretabletopointintime": "dynamodb:RestoreTableToPointInTime",
	"dynamodb:restoretablefrombackup": "dynamodb:RestoreTableFromBackup",
	"dynamodb:restoretablefromawsbackup": "dynamodb:RestoreTableFromAwsBackup",
	"dynamodb:deletetable": "dynamodb:DeleteTable",
	"dynamodb:deletetablereplica": "dynamodb:DeleteTableReplica",
	"dynamodb:putresourcepolicy": "dynamodb:PutResourcePolicy",
}

# Actions on a stream (records of every item).
stream_bypass_names := {"dynamodb:getrecords": "dynamodb:GetRecords"}

table_bypass := {a | some a, _ in table_bypass_names}

stream_bypass := {a | some a, _ in stream_bypass_names}

# Lower-case action names as AWS spells them, sorted.
spelt(actions) := sort([object.union(table_bypass_names, stream_bypass_names)[a] | some a in actions])

# The statement restricts with ForAllValues on LeadingKeys.
restricts(s) if {
	iam.is_allow(s)
	some c in iam.conditions_on(s, key)
	startswith(c.op, "forallvalues:")
}

# A resource pattern could name a table or index / a stream.
table_like(p) if p == "*"

table_like(p) if {
	iam.resource_touches_service(p, "dynamodb")
	not regex.match(`/(stream|backup|export|import)/`, p)
}

stream_like(p) if p == "*"

stream_like(p) if {
	iam.resource_touches_service(p, "dynamodb")
	contains(p, "/stream/")
}

stream_like(p) if {
	iam.resource_touches_service(p, "dynamodb")
	endswith(p, "*")
}

reaches_kind(s, kind) if s.resources == null

reaches_kind(s, "table") if {
	some p in s.resources
	table_like(p)
}

reaches_kind(s, "stream") if {
	some p in s.resources
	stream_like(p)
}

candidates(s) := {a | some a in table_bypass; reaches_kind(s, "table")} | {a | some a in stream_bypass; reaches_kind(s, "stream")}

full_table_scan_guard(s) if {
	some c in iam.conditions_on(s, "dynamodb:fulltablescan")
	c.op == "bool"
	count(c.values) > 0
	every v in c.values {
		iam.is_false_value(v)
	}
}

guarded(s, "dynamodb:partiqlselect") if full_table_scan_guard(s)

# The bypass actions the statement allows, after guards and Denies
# (`maybe_bypass`: those only a Deny in an unreadable policy may void).
bypass(pol, s) := sort({a |
	some a in iam.granted_actions(s, candidates(s))
	not guarded(s, a)
	not iam.action_maybe_denied(pol, s, a)
})

maybe_bypass(pol, s) := sort({a |
	some a in iam.granted_actions(s, candidates(s))
	not guarded(s, a)
	iam.action_maybe_denied(pol, s, a)
	not iam.action_denied(pol, s, a)
})

open_restriction(s) if {
	restricts(s)
	not iam.requires_key_present(s, key)
}

offending(pol, s) if {
	open_restriction(s)
	count(bypass(pol, s)) > 0
}

finding(pol, s) := object.union(iam.statement_evidence(pol, s), {"bypass_actions": spelt(bypass(pol, s))})

findings[k] := fs if {
	some k, pol in iam.policies
	pol.statements != null
	fs := [finding(pol, s) | some s in pol.statements; offending(pol, s)]
	count(fs) > 0
}

unsure_findings[k] := fs if {
	some k, pol in iam.policies
	pol.statements != null
	fs := [object.union(iam.statement_evidence(pol, s), {"bypass_actions": spelt(bs)}) |
		some s in pol.statements
		open_restriction(s)
		not offending(pol, s)
		bs := maybe_bypass(pol, s)
		count(bs) > 0
	]
	count(fs) > 0
}

relevant[k] if {
	some k, pol in iam.policies
	pol.statements != null
	some s in pol.statements
	restricts(s)
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
		"%s restricts items with ForAllValues on dynamodb:LeadingKeys but also allows actions that carry no partition key, for which the condition is true (%s: %s); every row is reachable. It applies to %d principal(s)",
		[iam.resource_title(res), iam.locations(fs), concat(", ", sort({a | some f in fs; some a in f.bypass_actions})), ev.principal_count],
	),
	"evidence": object.union(ev, {
		"statements": iam.bounded(fs),
		"statement_count": count(fs),
	}),
} if {
	fs := all_findings(res)
	ev := iam.resource_evidence(res)
}

outcome(res, "unknown") := iam.unreadable_outcome(res, "its dynamodb:LeadingKeys restrictions")

outcome(res, "unsure") := iam.unsure_outcome(
	res,
	fs,
	sprintf("would restrict items with ForAllValues on dynamodb:LeadingKeys but also allow actions that carry no partition key (%s)", [concat(", ", sort({a | some f in fs; some a in f.bypass_actions}))]),
) if {
	fs := [f | some k in iam.resource_keys[res]; some f in unsure_findings[k]]
}

outcome(res, "pass") := {
	"status": "pass",
	"resource": res,
	"region": "global",
	"message": sprintf(
		"%s restricts items with ForAllValues on dynamodb:LeadingKeys and allows no action that carries no partition key under that restriction",
		[iam.resource_title(res)],
	),
	"evidence": iam.resource_evidence(res),
}
