# IAM policy analysis shared by the access-control rules (DYN301-DYN305).
# Plain Rego v1, no custom builtins.
#
# What it provides:
# - the IAM policy grammar (`grammar_problem`, `read_document`): a document
#   that breaks it is read as unknown, with its first problem in words,
#   never leniently;
# - document and statement normalisation: `Statement` as object or array;
#   `Action`/`NotAction`, `Resource`/`NotResource`, `Principal`/`NotPrincipal`
#   as string or array; `Condition` flattened to one entry per operator and
#   key. Only the statements that can allow or deny a DynamoDB action are
#   kept (with their original index), and of their Action/NotAction only the
#   patterns that can match a DynamoDB action (`dynamodb:...`, `*`,
#   `dynamo*:...`): every question the rules ask is about DynamoDB actions,
#   and regorus costs about 10 us per call, so an AWS managed policy with a
#   thousand actions is cut down once instead of being matched again for
#   every question. Globs are precomputed per statement for the same reason;
# - action matching as IAM does it: case-insensitive, `*` and `?` wildcards,
#   `NotAction` as "every action except";
# - resource matching: case-sensitive, wildcards, `NotResource`, policy
#   variables (`${...}`) read as "could be anything" when the question is
#   "could this Allow reach X" and as "matches nothing for sure" when the
#   question is "does this Deny certainly cover X" (never a false pass);
# - the policy attachments, computed once: every managed policy (default
#   version) attached to a user, group or role, and every inline policy,
#   with the principals it applies to. Policies attached to nothing are out
#   of scope;
# - for each principal, the unconditional Deny statements of its policy set
#   (its own policies, and for a user those of its groups), so a rule can
#   tell whether an Allow is neutralised. A Deny with any condition never
#   neutralises (conservative). A principal whose policy set holds a
#   document that could not be read (`unsure`) may have any Deny: an Allow
#   that rests on it alone is "maybe neutralised" (unknown, not fail).
#
# regorus 0.14 notes for rule authors: a multi-value rule (`m[k] contains v`)
# with no entry is undefined, not {}; a `contains` head whose expression is
# undefined for one iteration fails the whole rule ("not an object"), so
# bind head values in the body.
package dynaudit.lib.iam

import data.dynaudit.lib.common

# ---------------------------------------------------------------------------
# Collection status

# The account's authorization details were collected.
collected if is_object(input.iam)

# Resource id of the account-wide unknown outcome.
global_resource := sprintf("%s/global", [input.account_id])

# The one unknown outcome a rule emits when GetAccountAuthorizationDetails
# failed (input.iam is null).
not_collected_outcome(what) := {
	"status": "unknown",
	"resource": global_resource,
	"region": "global",
	"message": sprintf(
		"Cannot check %s: the account's IAM users, groups, roles and policies (GetAccountAuthorizationDetails) were not collected",
		[what],
	),
	"evidence": {"iam": null},
	"needs": ["GetAccountAuthorizationDetails"],
}

# ---------------------------------------------------------------------------
# Documents and statements

# A policy document as an object: collectors store the parsed JSON; a JSON
# string is accepted too. Undefined when unusable.
parse(d) := d if is_object(d)

parse(d) := json.unmarshal(d) if {
	is_string(d)
	json.is_valid(d)
}

raw_statements(doc) := doc.Statement if is_array(doc.Statement)

raw_statements(doc) := [doc.Statement] if is_object(doc.Statement)

raw_statements(doc) := [] if {
	st := object.get(doc, "Statement", null)
	not is_array(st)
	not is_object(st)
}

# The normalised statements of a document that can allow or deny a DynamoDB
# action, or null when the document is missing or unusable (the caller
# turns that into unknown).
statements(d) := [st | some i, s in raw_statements(doc); is_object(s); st := normalise(s, i)] if {
	doc := parse(d)
	is_object(doc)
} else := null

# Undefined for a statement that concerns no DynamoDB action.
normalise(s, i) := {
	"index": i,
	"sid": object.get(s, "Sid", null),
	"effect": object.get(s, "Effect", null),
	"actions": acts,
	"not_actions": nacts,
	"action_globs": globs(acts),
	"not_action_globs": globs(nacts),
	"resources": res,
	"not_resources": nres,
	"resource_loose": loose_globs(res),
	"resource_strict": strict_globs(res),
	"not_resource_loose": loose_globs(nres),
	"not_resource_strict": strict_globs(nres),
	"principal": principal_map(object.get(s, "Principal", null)),
	"not_principal": principal_map(object.get(s, "NotPrincipal", null)),
	"condition": conditions_of(object.get(s, "Condition", null)),
	"raw": s,
} if {
	acts := dynamodb_patterns(object.get(s, "Action", null))
	nacts := dynamodb_patterns(object.get(s, "NotAction", null))
	concerns_dynamodb(acts, nacts)
	res := strings_of(object.get(s, "Resource", null))
	nres := strings_of(object.get(s, "NotResource", null))
}

concerns_dynamodb(acts, _) if {
	acts != null
	count(acts) > 0
}

concerns_dynamodb(null, nacts) if {
	nacts != null
	not any_covers_dynamodb(nacts)
}

# The lower-cased patterns of an Action/NotAction element that can match a
# DynamoDB action; null when the element is absent.
dynamodb_patterns(x) := null if x == null

dynamodb_patterns(x) := [p | some v in strings_of(x); p := lower(v); touches_dynamodb(p)] if x != null

# An action pattern (lower-case) could match some DynamoDB action.
touches_dynamodb(p) := true if {
	startswith(p, "dynamodb:")
} else := true if {
	regex.match(`^[^:]*[*?]`, p)
	common.wildcard_match(glob_escape(split(p, ":")[0]), "dynamodb")
} else := false

globs(ps) := null if ps == null

globs(ps) := [glob_escape(p) | some p in ps] if ps != null

loose_globs(ps) := null if ps == null

loose_globs(ps) := [loose_glob(p) | some p in ps] if ps != null

# Patterns with a variable are left out: they certainly match nothing.
strict_globs(ps) := null if ps == null

strict_globs(ps) := [glob_escape(p) | some p in ps; not has_var(p)] if ps != null

# String-or-array element to an array of strings; null stays null (absent).
strings_of(x) := null if x == null

strings_of(x) := [x] if is_string(x)

strings_of(x) := [v | some v in x; is_string(v)] if is_array(x)

strings_of(x) := [] if {
	x != null
	not is_string(x)
	not is_array(x)
}

# Principal element: null when absent; `"*"` is {"AWS": ["*"]}.
principal_map(p) := null if p == null

principal_map(p) := {"AWS": [p]} if is_string(p)

principal_map(p) := {k: strings_of(v) | some k, v in p; strings_of(v) != null} if is_object(p)

principal_map(p) := {} if {
	p != null
	not is_string(p)
	not is_object(p)
}

# Condition element flattened: one entry per (operator, key), the key
# lower-cased (condition key names are case-insensitive), values as array.
conditions_of(c) := [
{"operator": op, "op": lower(op), "key": lower(k), "key_name": k, "values": values_of(v)} |
	is_object(c)
	some op, block in c
	is_object(block)
	some k, v in block
]

values_of(v) := v if is_array(v)

values_of(v) := [v] if not is_array(v)

unconditional(s) if count(s.condition) == 0

is_allow(s) if s.effect == "Allow"

is_deny(s) if s.effect == "Deny"

# "Statement[2] (Sid ReadOwnItems)": the index is the 0-based position in
# the document's Statement array (0 when Statement is a single object).
label(s) := sprintf("Statement[%d] (Sid %s)", [s.index, s.sid]) if is_string(s.sid) else := sprintf("Statement[%d]", [s.index])

# The statement as evidence: where it is and what it says.
statement_evidence(pol, s) := {
	"label": label(s),
	"policy": pol.name,
	"policy_type": pol.type,
	"statement": s.index,
	"sid": s.sid,
	"effect": s.effect,
	"action": object.get(s.raw, "Action", null),
	"not_action": object.get(s.raw, "NotAction", null),
	"resource": object.get(s.raw, "Resource", null),
	"not_resource": object.get(s.raw, "NotResource", null),
	"condition": object.get(s.raw, "Condition", null),
}

# ---------------------------------------------------------------------------
# Policy grammar
#
# AWS refuses a policy that breaks the IAM policy grammar, so a document
# that breaks it is not what AWS enforces: the inventory was edited,
# truncated or corrupted. Reading such a document anyway (skipping what
# does not parse, as `statements` does) flips verdicts: an Allow whose
# Effect is null is not counted, a Deny whose Action is a number stops
# applying. So a document is first checked against the grammar, and one
# that breaks it is treated like one that was not collected: every rule
# that reads it is unknown and quotes the first problem.
#
# `kind` is "identity" for IAM managed and inline policies (no Principal;
# a Resource or NotResource in every statement) or "resource" for
# resource-based policies, which here are table policies and VPC endpoint
# policies (a Principal or NotPrincipal in every statement; Resource may
# be left out, as in role trust policies, and then means the resource the
# policy is attached to).

document_elements := {"Version", "Id", "Statement"}

statement_elements := {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}

principal_types := {"AWS", "Service", "Federated", "CanonicalUser"}

# The first problem of the document, in words ("Statement[1] (Sid
# \"Read\") has Effect null; it must be \"Allow\" or \"Deny\""), or null
# when the document follows the grammar.
grammar_problem(d, kind) := p if {
	p := document_problem(parsed(d), kind)
} else := null

parsed(d) := x if {
	x := parse(d)
} else := d

# A document read for the rules: its normalised statements, or null with
# the reason: `problem` null when it was not collected (d is null), else the
# grammar problem.
read_document(d, _) := {"statements": null, "problem": null} if d == null

read_document(d, kind) := checked(grammar_problem(d, kind), d) if d != null

checked(null, d) := {"statements": statements(d), "problem": null}

checked(p, _) := {"statements": null, "problem": p} if p != null

# A value as a problem message shows it: JSON for scalars (strings quoted,
# control characters escaped, cut at 60 characters), a word for the rest.
shown(v) := "an object" if is_object(v)

shown(v) := "an array" if is_array(v)

shown(v) := s if {
	not is_object(v)
	not is_array(v)
	j := json.marshal(v)
	s := cut(j)
}

cut(j) := j if count(j) <= 60

cut(j) := concat("", [substring(j, 0, 57), "..."]) if count(j) > 60

present(x, key) if key in object.keys(x)

document_problem(doc, _) := sprintf("it is %s, not a JSON object", [shown(doc)]) if not is_object(doc)

document_problem(doc, kind) := p if {
	is_object(doc)
	p := object_problem(doc, kind)
}

object_problem(doc, kind) := sprintf("it has the element %s, which a policy cannot have (only Version, Id and Statement)", [json.marshal(k)]) if {
	unknown := sort([k | some k, _ in doc; not k in document_elements])
	count(unknown) > 0
	k := unknown[0]
} else := sprintf("its Version is %s; it must be a string such as \"2012-10-17\"", [shown(doc.Version)]) if {
	present(doc, "Version")
	not is_string(doc.Version)
} else := sprintf("its Id is %s; it must be a string", [shown(doc.Id)]) if {
	present(doc, "Id")
	not is_string(doc.Id)
} else := "it has no Statement" if {
	not present(doc, "Statement")
} else := sprintf("its Statement is %s; it must be an object or a non-empty array of objects", [shown(doc.Statement)]) if {
	not is_object(doc.Statement)
	not is_array(doc.Statement)
} else := "its Statement is an empty array; it must hold at least one statement" if {
	doc.Statement == []
} else := p if {
	sts := statement_list(doc.Statement)
	problems := [[i, q] | some i, s in sts; q := statement_problem(s, i, kind)]
	count(problems) > 0
	first := min({pr[0] | some pr in problems})
	some pr in problems
	pr[0] == first
	p := pr[1]
}

statement_list(st) := [st] if is_object(st)

statement_list(st) := st if is_array(st)

# "Statement[2] (Sid \"Read\")": the 0-based position, as `label` says it,
# with the Sid when it is a string.
position(s, i) := sprintf("Statement[%d] (Sid %s)", [i, cut(json.marshal(s.Sid))]) if {
	is_object(s)
	is_string(object.get(s, "Sid", null))
} else := sprintf("Statement[%d]", [i])

statement_problem(s, i, _) := sprintf("%s is %s; each statement must be an object", [position(s, i), shown(s)]) if not is_object(s)

statement_problem(s, i, kind) := sprintf("%s %s", [position(s, i), p]) if {
	is_object(s)
	p := element_problem(s, kind)
}

# The first problem of one statement (an object), as a phrase.
element_problem(s, kind) := sprintf("has the element %s, which a statement cannot have (only %s)", [json.marshal(k), concat(", ", sort(statement_elements))]) if {
	unknown := sort([k | some k, _ in s; not k in statement_elements])
	count(unknown) > 0
	k := unknown[0]
} else := sprintf("has Sid %s; it must be a string", [shown(s.Sid)]) if {
	present(s, "Sid")
	not is_string(s.Sid)
} else := "has no Effect; it must be \"Allow\" or \"Deny\"" if {
	not present(s, "Effect")
} else := sprintf("has Effect %s; it must be \"Allow\" or \"Deny\"", [shown(s.Effect)]) if {
	not s.Effect in {"Allow", "Deny"}
} else := p if {
	p := pair_problem(s, "Action", "NotAction", true, "")
} else := p if {
	p := list_problem(s, "Action")
} else := p if {
	p := list_problem(s, "NotAction")
} else := p if {
	required := kind == "identity"
	p := pair_problem(s, "Resource", "NotResource", required, " (an identity-based policy must say which resources it covers)")
} else := p if {
	p := list_problem(s, "Resource")
} else := p if {
	p := list_problem(s, "NotResource")
} else := p if {
	kind == "identity"
	ks := [k | some k in ["Principal", "NotPrincipal"]; present(s, k)]
	count(ks) > 0
	p := sprintf("has a %s, which an identity-based policy cannot have (it applies to the user, group or role it is attached to)", [ks[0]])
} else := p if {
	kind != "identity"
	p := pair_problem(s, "Principal", "NotPrincipal", true, " (a resource-based policy must say whom it applies to)")
} else := p if {
	kind != "identity"
	ks := [k | some k in ["Principal", "NotPrincipal"]; present(s, k)]
	count(ks) > 0
	p := principal_problem(ks[0], s[ks[0]])
} else := p if {
	present(s, "Condition")
	p := condition_problem(s.Condition)
}

# Exactly one of two exclusive elements (at most one when not `required`).
pair_problem(s, a, b, _, _) := sprintf("has both %s and %s; it can have only one of them", [a, b]) if {
	present(s, a)
	present(s, b)
}

pair_problem(s, a, b, true, why) := sprintf("has neither %s nor %s%s", [a, b, why]) if {
	not present(s, a)
	not present(s, b)
}

# Action, NotAction, Resource, NotResource: a string or a non-empty array
# of strings.
list_problem(s, k) := p if {
	present(s, k)
	p := string_list_problem(k, s[k])
}

string_list_problem(name, v) := sprintf("has %s %s; it must be a string or a non-empty array of strings", [name, shown(v)]) if {
	not is_string(v)
	not is_array(v)
} else := sprintf("has %s [], an empty array; it must be a string or a non-empty array of strings", [name]) if {
	v == []
} else := sprintf("has %s[%d] %s; each must be a string", [name, j, shown(v[j])]) if {
	is_array(v)
	bad := [i | some i, x in v; not is_string(x)]
	count(bad) > 0
	j := bad[0]
}

# Principal, NotPrincipal: "*", or an object of AWS, Service, Federated,
# CanonicalUser whose values are strings or non-empty arrays of strings.
principal_problem(k, v) := sprintf("has %s %s; it must be \"*\" or an object such as {\"AWS\": \"arn:aws:iam::111122223333:root\"}", [k, shown(v)]) if {
	not v == "*"
	not is_object(v)
} else := sprintf("has %s {}, an empty object; it must name at least one principal", [k]) if {
	v == {}
} else := sprintf("has %s with the principal type %s; it must be one of AWS, Service, Federated, CanonicalUser", [k, cut(json.marshal(t))]) if {
	is_object(v)
	unknown := sort([t | some t, _ in v; not t in principal_types])
	count(unknown) > 0
	t := unknown[0]
} else := p if {
	is_object(v)
	bad := sort([[t, q] | some t, x in v; q := string_list_problem(sprintf("%s.%s", [k, t]), x)])
	count(bad) > 0
	p := bad[0][1]
}

# Condition: an object of operators, each an object of condition keys whose
# values are strings, numbers, booleans or arrays of them.
condition_problem(c) := sprintf("has Condition %s; it must be an object of operators such as {\"StringEquals\": {...}}", [shown(c)]) if {
	not is_object(c)
} else := sprintf("has Condition operator %s with %s; it must be an object of condition keys", [cut(json.marshal(op)), shown(block)]) if {
	bad := sort([op | some op, b in c; not is_object(b)])
	count(bad) > 0
	op := bad[0]
	block := c[op]
} else := sprintf("has Condition %s %s %s; a condition value must be a string, a number, a boolean or an array of them", [cut(json.marshal(op)), cut(json.marshal(key)), shown(v)]) if {
	bad := sort([[op, key] | some op, b in c; some key, x in b; not condition_values(x)])
	count(bad) > 0
	op := bad[0][0]
	key := bad[0][1]
	v := c[op][key]
}

condition_values(x) if scalar(x)

condition_values(x) if {
	is_array(x)
	every v in x {
		scalar(v)
	}
}

scalar(x) if is_string(x)

scalar(x) if is_number(x)

scalar(x) if is_boolean(x)

# ---------------------------------------------------------------------------
# Wildcards

# Escape the glob metacharacters IAM does not have, so that only `*` and
# `?` are wildcards (and a stray `[` cannot make glob.match fail).
glob_escape(p) := strings.replace_n(
	{"[": "\\[", "]": "\\]", "{": "\\{", "}": "\\}"},
	replace(p, "\\", "\\\\"),
)

var_regex := `\$\{[^}]*\}`

has_var(p) if contains(p, "${")

# Allow side: a policy variable could resolve to anything.
loose_glob(p) := glob_escape(regex.replace(p, var_regex, "*"))

# Pattern `p` covers every string pattern `lit` covers (both with `*`
# wildcards): sound when `p` has no `?` and no variable, because each `*`
# of `lit` then falls inside a span matched by a `*` of `p`.
subsumes(p, lit) if {
	not contains(p, "?")
	not has_var(p)
	common.wildcard_match(glob_escape(p), lit)
}

# ---------------------------------------------------------------------------
# Actions (case-insensitive; `action` must be a lower-case "dynamodb:Name")

# The statement's Action/NotAction covers the concrete action.
grants_action(s, action) if {
	s.actions != null
	some g in s.action_globs
	glob.match(g, null, action)
}

grants_action(s, action) if {
	s.actions == null
	s.not_actions != null
	not excludes_action(s, action)
}

excludes_action(s, action) if {
	some g in s.not_action_globs
	glob.match(g, null, action)
}

# An action pattern matches every DynamoDB action.
covers_dynamodb_pattern(p) if subsumes(p, "dynamodb:*")

any_covers_dynamodb(ps) if {
	some p in ps
	covers_dynamodb_pattern(p)
}

# The statement covers every DynamoDB action (`dynamodb:*`, `*`, or a
# NotAction that excludes no DynamoDB action).
covers_dynamodb(s) if {
	s.actions != null
	any_covers_dynamodb(s.actions)
}

covers_dynamodb(s) if {
	s.actions == null
	s.not_actions != null
	count(s.not_actions) == 0
}

# The statement covers at least one DynamoDB action: every normalised
# statement does (statements that cover none are dropped).
grants_dynamodb(s) if s.effect != null

# The actions of `candidates` (lower-case) the statement grants: the same as
# `grants_action` for each, but a pattern without `*` or `?` (which can only
# match itself) is compared directly instead of through glob.match, which
# costs tens of microseconds per call.
granted_actions(s, candidates) := {a | some a in candidates; a in s.actions} | {a |
	some i, p in s.actions
	regex.match(`[*?]`, p)
	some a in candidates
	glob.match(s.action_globs[i], null, a)
} if s.actions != null

granted_actions(s, candidates) := {a | some a in candidates; not excludes_action(s, a)} if {
	s.actions == null
	s.not_actions != null
}

granted_actions(s, candidates) := set() if {
	s.actions == null
	s.not_actions == null
}

# ---------------------------------------------------------------------------
# Resources (case-sensitive)

# An Allow statement can reach the concrete ARN.
reaches(s, arn) if {
	s.resources != null
	some g in s.resource_loose
	glob.match(g, null, arn)
}

reaches(s, arn) if {
	s.resources == null
	s.not_resources != null
	not any_glob(s.not_resource_strict, arn)
}

any_glob(gs, value) if {
	some g in gs
	glob.match(g, null, value)
}

loose_match(p, value) if glob.match(loose_glob(p), null, value)

# A Deny statement certainly covers the concrete ARN.
deny_reaches(d, arn) if {
	d.resources != null
	any_glob(d.resource_strict, arn)
}

deny_reaches(d, arn) if {
	d.resources == null
	d.not_resources != null
	not any_glob(d.not_resource_loose, arn)
}

# A Deny statement certainly covers every resource the Allow statement
# names (a NotResource on either side is not analysed: no neutralisation).
deny_covers_resources(d, s) if {
	d.resources != null
	s.resources != null
	every p in s.resources {
		some dp in d.resources
		subsumes(dp, p)
	}
}

deny_covers_resources(d, s) if {
	d.resources != null
	s.resources == null
	some dp in d.resources
	subsumes(dp, "*")
}

# The ARN service segment of a resource pattern could be `svc`.
resource_touches_service(p, svc) if p == "*"

resource_touches_service(p, svc) if {
	parts := split(p, ":")
	count(parts) > 2
	common.wildcard_match(glob_escape(parts[2]), svc)
}

# ---------------------------------------------------------------------------
# Conditions

# Entries of the statement's Condition on `key` (lower-case).
conditions_on(s, key) := [c | some c in s.condition; c.key == key]

uses_key(s, key) if {
	some c in s.condition
	c.key == key
}

is_false_value(v) if v == false

is_false_value(v) if {
	is_string(v)
	lower(v) == "false"
}

# `"Null": {"<key>": "false"}`: the statement only applies when the key is
# present in the request.
requires_key_present(s, key) if {
	some c in s.condition
	c.key == key
	c.op == "null"
	count(c.values) > 0
	every v in c.values {
		is_false_value(v)
	}
}

# ---------------------------------------------------------------------------
# Principals of resource-based policies

# The account a principal value belongs to: "*" for everyone, the account id
# for an account id or an IAM/STS ARN, null when it cannot be told (unique
# ids of deleted principals, malformed values).
principal_account(v) := "*" if v == "*"

principal_account(v) := v if regex.match(`^[0-9]{12}$`, v)

principal_account(v) := acct if {
	regex.match(`^arn:[^:]+:(iam|sts)::[^:]*:.+`, v)
	acct := split(v, ":")[4]
}

principal_account(v) := null if {
	v != "*"
	not regex.match(`^[0-9]{12}$`, v)
	not regex.match(`^arn:[^:]+:(iam|sts)::[^:]*:.+`, v)
}

# The statement's Principal names everyone.
public_principal(s) if {
	s.principal != null
	some v in object.get(s.principal, "AWS", [])
	v == "*"
}

public_principal(s) if {
	s.principal != null
	some k, vs in s.principal
	k != "AWS"
	some v in vs
	v == "*"
}

# ---------------------------------------------------------------------------
# Policy attachments (computed once)

collections := {"users": "user", "groups": "group", "roles": "role"}

# principal ARN -> "user" | "group" | "role"
principal_kind[arn] := kind if {
	collected
	some coll, kind in collections
	some arn, _ in object.get(input.iam, coll, {})
}

# managed policy ARN -> principal ARNs it is attached to
managed_attached[parn] contains arn if {
	collected
	some coll, _ in collections
	some arn, p in object.get(input.iam, coll, {})
	some parn in object.get(p, "attached_policy_arns", [])
	is_string(parn)
}

managed_records := object.get(input.iam, "policies", {}) if collected

managed_name(parn, rec) := rec.name if {
	is_string(object.get(rec, "name", null))
	rec.name != ""
} else := n if {
	parts := split(parn, "/")
	n := parts[count(parts) - 1]
}

# Every policy in scope, keyed by policy key (managed: the policy ARN;
# inline: "<principal ARN>|<policy name>"):
# {key, type, resource, name, principals, statements (null = unknown),
#  problem (why statements is null: null when the document was not
#  collected, else its grammar problem), needs (for a document not
#  collected)}.
policies[parn] := {
	"key": parn,
	"type": "managed",
	"resource": parn,
	"arn": parn,
	"name": managed_name(parn, rec),
	"principals": sort(principals),
	"statements": doc.statements,
	"problem": doc.problem,
	"needs": managed_needs(parn),
} if {
	some parn, principals in managed_attached
	rec := object.get(managed_records, parn, {})
	doc := read_document(object.get(rec, "document", null), "identity")
}

# A managed policy without a readable document, or attached but missing
# from the answer: the collector records both under the one call that reads
# policy documents, GetAccountAuthorizationDetails, with the policy ARN as
# the resource.
managed_needs(_) := ["GetAccountAuthorizationDetails"]

policies[key] := {
	"key": key,
	"type": "inline",
	"resource": arn,
	"arn": null,
	"name": pol.name,
	"principals": [arn],
	"statements": doc.statements,
	"problem": doc.problem,
	"needs": ["GetAccountAuthorizationDetails"],
} if {
	collected
	some coll, _ in collections
	some arn, p in object.get(input.iam, coll, {})
	some pol in object.get(p, "inline_policies", [])
	key := sprintf("%s|%s", [arn, pol.name])
	doc := read_document(object.get(pol, "document", null), "identity")
}

# Outcome resource -> policy keys behind it (a managed policy ARN has one;
# a principal ARN has all of its inline policies).
resource_keys[res] contains key if {
	some key, pol in policies
	res := pol.resource
}

# Policy keys that apply to each principal directly.
principal_keys[arn] contains key if {
	some key, pol in policies
	some arn in pol.principals
}

group_arns_by_name[g.name] contains arn if {
	collected
	some arn, g in object.get(input.iam, "groups", {})
}

# The policy set of each principal: its own policies, and for a user those
# of the groups it belongs to.
policy_set[arn] contains key if {
	some arn, keys in principal_keys
	some key in keys
}

policy_set[uarn] contains key if {
	collected
	some uarn, u in object.get(input.iam, "users", {})
	some gname in object.get(u, "group_names", [])
	some garn in group_arns_by_name[gname]
	some key in principal_keys[garn]
}

# Unconditional Deny statements in each principal's policy set.
denies[arn] contains d if {
	some arn, keys in policy_set
	some key in keys
	sts := policies[key].statements
	sts != null
	some d in sts
	is_deny(d)
	unconditional(d)
}

# (A multi-value rule such as `denies` with no entry at all is undefined in
# regorus 0.14, not {}: never read one with object.get.)
denies_of(arn) := ds if {
	ds := denies[arn]
} else := set()

# Principals whose policy set holds a document that could not be read (not
# collected, or breaking the policy grammar): whatever Deny it holds is
# unknown, so an Allow that applies to them may be void without the rules
# seeing it. A finding that rests on such a principal is unknown, not fail.
unsure contains arn if {
	some arn, keys in policy_set
	some key in keys
	policies[key].statements == null
}

# Policy keys whose principals (at least one) all have an unconditional
# Deny statement or an unreadable policy: only statements of these
# policies can be neutralised or have an action denied, for sure or maybe
# (`neutralised`, `maybe_neutralised`, `action_denied`,
# `action_maybe_denied`, `action_denied_on`, `action_maybe_denied_on` are
# false for every other policy), so rules can skip the per-action and
# per-table Deny checks for the rest.
deny_applies contains key if {
	some key, pol in policies
	count(pol.principals) > 0
	every arn in pol.principals {
		deny_or_unsure(arn)
	}
}

deny_or_unsure(arn) if denies[arn]

deny_or_unsure(arn) if unsure[arn]

# The Deny statement certainly covers every action the Allow statement
# grants (a NotAction Allow is covered only by a Deny of `*`).
deny_covers_actions(d, s) if {
	d.actions != null
	"*" in d.actions
}

deny_covers_actions(d, s) if {
	d.actions != null
	s.actions != null
	every p in s.actions {
		some dp in d.actions
		subsumes(dp, p)
	}
}

# The Allow statement is void for every principal the policy applies to:
# each has an unconditional Deny covering all its actions on all its
# resources.
neutralised(pol, s) if {
	count(pol.principals) > 0
	every arn in pol.principals {
		void_for(arn, s)
	}
}

# The Allow statement may be void for every principal the policy applies
# to: each has such a Deny, or an unreadable policy that may hold one.
maybe_neutralised(pol, s) if {
	count(pol.principals) > 0
	every arn in pol.principals {
		maybe_void_for(arn, s)
	}
}

void_for(arn, s) if {
	some d in denies_of(arn)
	deny_covers_actions(d, s)
	deny_covers_resources(d, s)
}

maybe_void_for(arn, s) if void_for(arn, s)

maybe_void_for(arn, _) if unsure[arn]

# The concrete (lower-case) action on every resource of the Allow statement
# is denied, unconditionally, to every principal the policy applies to
# (`action_maybe_denied`: or may be, by an unreadable policy).
action_denied(pol, s, action) if {
	count(pol.principals) > 0
	every arn in pol.principals {
		denied_for(arn, s, action)
	}
}

action_maybe_denied(pol, s, action) if {
	count(pol.principals) > 0
	every arn in pol.principals {
		maybe_denied_for(arn, s, action)
	}
}

denied_for(arn, s, action) if {
	some d in denies_of(arn)
	grants_action(d, action)
	deny_covers_resources(d, s)
}

maybe_denied_for(arn, s, action) if denied_for(arn, s, action)

maybe_denied_for(arn, _, _) if unsure[arn]

# The concrete action on the concrete ARN is denied, unconditionally, to
# every principal the policy applies to (`action_maybe_denied_on`: or may
# be, by an unreadable policy).
action_denied_on(pol, action, arn) if {
	count(pol.principals) > 0
	every p in pol.principals {
		denied_on_for(p, action, arn)
	}
}

action_maybe_denied_on(pol, action, arn) if {
	count(pol.principals) > 0
	every p in pol.principals {
		maybe_denied_on_for(p, action, arn)
	}
}

denied_on_for(p, action, arn) if {
	some d in denies_of(p)
	grants_action(d, action)
	deny_reaches(d, arn)
}

maybe_denied_on_for(p, action, arn) if denied_on_for(p, action, arn)

maybe_denied_on_for(p, _, _) if unsure[p]

# ---------------------------------------------------------------------------
# Outcome helpers for policy-scoped rules (DYN301-DYN303)

# Title of an outcome resource: what a reader should look at.
resource_title(res) := sprintf("Managed policy %s (%s)", [pol.name, res]) if {
	some key in resource_keys[res]
	pol := policies[key]
	pol.type == "managed"
} else := sprintf("Inline %s %s of %s %s", [noun, concat(", ", names), object.get(principal_kind, res, "principal"), res]) if {
	names := sort([policies[key].name | some key in resource_keys[res]])
	noun := plural(count(names), "policy", "policies")
}

plural(n, one, many) := one if n == 1 else := many

# Evidence common to every outcome about a resource.
resource_evidence(res) := {
	"policy_type": policies[key0].type,
	"policies": sort([policies[key].name | some key in resource_keys[res]]),
	"principals": array.slice(ps, 0, 20),
	"principal_count": count(ps),
} if {
	some key0 in resource_keys[res]
	ps := sort({p | some key in resource_keys[res]; some p in policies[key].principals})
}

# The resource's policies that could not be read.
unreadable(res) := sort([policies[key].name | some key in resource_keys[res]; policies[key].statements == null])

# Needs of an unknown outcome about the resource: the call that reads the
# documents that were not collected (a document that breaks the grammar
# needs no permission: its problem is quoted instead).
resource_needs(res) := sort({n | some key in resource_keys[res]; policies[key].statements == null; policies[key].problem == null; some n in policies[key].needs})

# Why a policy's statements are null, in words; `title` names the policy.
unreadable_reason(pol, title) := sprintf("the document of %s was not collected", [title]) if {
	pol.problem == null
} else := sprintf("the document of %s is not a valid IAM policy: %s", [title, pol.problem])

# The grammar problems of the resource's policies, as evidence.
policy_problems(res) := [{"policy": pol.name, "problem": pol.problem} |
	some key in resource_keys[res]
	pol := policies[key]
	pol.problem != null
]

# Where a finding is: "Statement[1]", or "Statement[1] of <inline name>".
location(f) := sprintf("%s of %s", [f.label, f.policy]) if f.policy_type == "inline" else := f.label

locations(fs) := concat(", ", [location(f) | some f in bounded(fs)])

# The unknown outcome of a policy-scoped rule for a resource whose policy
# documents could not be read.
unreadable_outcome(res, what) := {
	"status": "unknown",
	"resource": res,
	"region": "global",
	"message": sprintf(
		"%s: %s, so %s cannot be checked",
		[resource_title(res), concat("; ", reasons), what],
	),
	"evidence": object.union(resource_evidence(res), {"unreadable_policies": unreadable(res), "policy_problems": policy_problems(res)}),
	"needs": resource_needs(res),
} if {
	reasons := [unreadable_reason(policies[key], policies[key].name) |
		some key in sort([x | some x in resource_keys[res]])
		policies[key].statements == null
	]
}

# A policy as messages name it outside its own outcome: "managed policy p"
# or "inline policy guard of arn:aws:iam::...:role/app".
policy_title(pol) := sprintf("managed policy %s", [pol.name]) if {
	pol.type == "managed"
} else := sprintf("inline policy %s of %s", [pol.name, pol.resource])

# The unreadable policies (keys) in the policy sets of the principals the
# resource's policies apply to that are `unsure`.
unsure_keys(res) := {k |
	some key in resource_keys[res]
	some arn in policies[key].principals
	unsure[arn]
	some k in policy_set[arn]
	policies[k].statements == null
}

# The unknown outcome of a policy-scoped rule for a resource whose findings
# (`fs`) may be void: every principal they apply to that has no Deny
# against them has an unreadable policy, which may hold one.
unsure_outcome(res, fs, would) := {
	"status": "unknown",
	"resource": res,
	"region": "global",
	"message": sprintf(
		"%s %s (%s), unless a Deny in a policy that could not be read voids it for the principals it applies to: %s",
		[resource_title(res), would, locations(fs), concat("; ", reasons)],
	),
	"evidence": object.union(resource_evidence(res), {
		"statements": bounded(fs),
		"statement_count": count(fs),
		"unreadable_policies": sort([policies[k].resource | some k in keys]),
	}),
	"needs": sort({n | some k in keys; policies[k].problem == null; some n in policies[k].needs}),
} if {
	keys := unsure_keys(res)
	reasons := [unreadable_reason(policies[k], policy_title(policies[k])) | some k in sort([x | some x in keys])]
}

# Cap evidence lists.
max_items := 20

bounded(xs) := array.slice(xs, 0, max_items)
