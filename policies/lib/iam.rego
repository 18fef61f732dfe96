# IAM policy analysis shared by the access-control rules (DYN301-DYN305).
# Plain Rego v1, no custom builtins.
#
# What it provides:
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
#   neutralises (conservative).
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
#  needs (for unknown)}.
policies[parn] := {
	"key": parn,
	"type": "managed",
	"resource": parn,
	"arn": parn,
	"name": managed_name(parn, rec),
	"principals": sort(principals),
	"statements": statements(object.get(rec, "document", null)),
	"needs": managed_needs(parn),
} if {
	some parn, principals in managed_attached
	rec := object.get(managed_records, parn, {})
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
	"statements": statements(object.get(pol, "document", null)),
	"needs": ["GetAccountAuthorizationDetails"],
} if {
	collected
	some coll, _ in collections
	some arn, p in object.get(input.iam, coll, {})
	some pol in object.get(p, "inline_policies", [])
	key := sprintf("%s|%s", [arn, pol.name])
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

# Policy keys whose principals (at least one) all have an unconditional
# Deny statement: only statements of these policies can be neutralised or
# have an action denied (`neutralised`, `action_denied`, `action_denied_on`
# are false for every other policy), so rules can skip the per-action and
# per-table Deny checks for the rest.
deny_applies contains key if {
	some key, pol in policies
	count(pol.principals) > 0
	every arn in pol.principals {
		denies[arn]
	}
}

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
		some d in denies_of(arn)
		deny_covers_actions(d, s)
		deny_covers_resources(d, s)
	}
}

# The concrete (lower-case) action on every resource of the Allow statement
# is denied, unconditionally, to every principal the policy applies to.
action_denied(pol, s, action) if {
	count(pol.principals) > 0
	every arn in pol.principals {
		some d in denies_of(arn)
		grants_action(d, action)
		deny_covers_resources(d, s)
	}
}

# The concrete action on the concrete ARN is denied, unconditionally, to
# every principal the policy applies to.
action_denied_on(pol, action, arn) if {
	count(pol.principals) > 0
	every p in pol.principals {
		some d in denies_of(p)
		grants_action(d, action)
		deny_reaches(d, arn)
	}
}

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

# Needs of an unknown outcome about the resource.
resource_needs(res) := sort({n | some key in resource_keys[res]; policies[key].statements == null; some n in policies[key].needs})

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
		"%s: the document of %s was not collected, so %s cannot be checked",
		[resource_title(res), concat(", ", unreadable(res)), what],
	),
	"evidence": object.union(resource_evidence(res), {"unreadable_policies": unreadable(res)}),
	"needs": resource_needs(res),
}

# Cap evidence lists.
max_items := 20

bounded(xs) := array.slice(xs, 0, max_items)
