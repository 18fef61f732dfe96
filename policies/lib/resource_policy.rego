# The trust boundary of resource-based policies, shared by the rules that
# judge who a policy lets in: DYN305 (a table's policy), DYN306 (a stream's
# policy) and DYN404 (a DynamoDB VPC endpoint's policy). Plain Rego v1, no
# custom builtins.
#
# A policy is read through `iam.read_document(doc, "resource")`; `outcome`
# turns what was read into the rule's outcome:
# - unknown, quoting the first problem, when the document breaks the IAM
#   policy grammar;
# - fail when an Allow statement grants everyone (`"Principal": "*"`,
#   `{"AWS": "*"}`, or an Allow with `NotPrincipal`) without a condition
#   that confines callers to trusted accounts (`keys` says which condition
#   keys can), or names an AWS principal (account id, account root, IAM or
#   STS ARN) of an account outside the trusted accounts
#   (`common.trusted_account`);
# - unknown when `trusted_account_ids` names `organization`, the inventory
#   does not list the organization's accounts, and only an account of the
#   organization could clear the grant;
# - pass otherwise.
# An Allow void under an unconditional Deny for every principal in the same
# policy is not counted, nor one that a Deny for every principal confines
# to trusted callers (one negated condition on a confining key whose
# values are all trusted, `confined_by_deny`). Service and federated
# principals are not judged.
#
# Performance: rules import the individual rules and functions they use
# from this package (see policies/lib/kms.rego), and so does this package
# from `iam` and `common`.
package dynaudit.lib.resource_policy

import data.dynaudit.lib.common.organization_unresolved
import data.dynaudit.lib.common.organization_unresolved_reason
import data.dynaudit.lib.common.possibly_trusted_account
import data.dynaudit.lib.common.trust_evidence
import data.dynaudit.lib.common.trust_undeterminable
import data.dynaudit.lib.common.trusted_account
import data.dynaudit.lib.iam.bounded
import data.dynaudit.lib.iam.deny_covers_actions
import data.dynaudit.lib.iam.deny_covers_resources
import data.dynaudit.lib.iam.is_allow
import data.dynaudit.lib.iam.is_deny
import data.dynaudit.lib.iam.label
import data.dynaudit.lib.iam.principal_account
import data.dynaudit.lib.iam.public_principal
import data.dynaudit.lib.iam.unconditional

# ---------------------------------------------------------------------------
# Condition keys that confine callers (lower-case, as `iam` flattens them)
#
# `account`: values are account ids; `arn`: values are ARNs, whose account
# must be trusted; `scope`: any concrete value confines (an organization, an
# organization path, a VPC endpoint, a VPC). `confined_to` words the problem.

# A table's or a stream's policy: the caller is a principal, or a service
# acting for a resource (`aws:Source...`), or arrives through a network
# path the keys name.
table_keys := {
	"account": {"aws:principalaccount", "aws:sourceaccount"},
	"arn": {"aws:principalarn", "aws:sourcearn"},
	"scope": {"aws:principalorgid", "aws:principalorgpaths", "aws:sourceorgid", "aws:sourcevpce", "aws:sourcevpc"},
	"confined_to": "trusted accounts or networks",
}

# A VPC endpoint's policy: only the caller's own identity confines callers.
# `aws:SourceVpce` / `aws:SourceVpc` are true of every request through the
# endpoint, `aws:ResourceAccount` confines the tables reached, not the
# callers, and `aws:Source...` keys describe a service's calls, which do
# not pass through a VPC endpoint.
caller_keys := {
	"account": {"aws:principalaccount"},
	"arn": {"aws:principalarn"},
	"scope": {"aws:principalorgid", "aws:principalorgpaths"},
	"confined_to": "trusted accounts or the organization",
}

# Trust is judged twice when the organization is trusted but its accounts are
# not in the inventory (`common.organization_unresolved`): strictly (an
# account only the organization could trust is not trusted) and leniently
# (it is). What fails leniently fails; what fails only strictly is unknown.
# Otherwise both judgements agree.
trusted_in(acct, false) if trusted_account(acct)

trusted_in(acct, true) if possibly_trusted_account(acct)

# ---------------------------------------------------------------------------
# Restricting conditions

# Positive operators: `...IfExists`, negated and `ForAllValues` forms are
# true when the key is absent, so they confine nothing.
positive_operators := {
	"stringequals",
	"stringlike",
	"stringequalsignorecase",
	"arnequals",
	"arnlike",
	"foranyvalue:stringequals",
	"foranyvalue:stringlike",
}

wildcard(v) if contains(v, "*")

wildcard(v) if contains(v, "?")

wildcard(v) if contains(v, "${")

trusted_value(keys, k, v, lenient) if {
	k in keys.account
	trusted_in(v, lenient)
}

trusted_value(keys, k, v, lenient) if {
	k in keys.arn
	parts := split(v, ":")
	count(parts) > 5
	trusted_in(parts[4], lenient)
}

trusted_value(keys, k, v, _) if {
	k in keys.scope
	v != ""
}

restricting(c, keys, lenient) if {
	c.op in positive_operators
	count(c.values) > 0
	every v in c.values {
		is_string(v)
		not wildcard_account(keys, c.key, v)
		trusted_value(keys, c.key, v, lenient)
	}
}

# For an ARN key only the account must be concrete, for an organization
# path only the organization id; for the others, the whole value.
wildcard_account(keys, k, v) if {
	k in keys.arn
	wildcard(split(v, ":")[4])
}

wildcard_account(_, "aws:principalorgpaths", v) if wildcard(split(v, "/")[0])

wildcard_account(keys, k, v) if {
	not k in keys.arn
	k != "aws:principalorgpaths"
	wildcard(v)
}

restricted(s, keys, lenient) if {
	some c in s.condition
	restricting(c, keys, lenient)
}

# ---------------------------------------------------------------------------
# Statements

public(s) if public_principal(s)

public(s) if s.not_principal != null

untrusted_accounts(s, lenient) := sort({acct |
	s.principal != null
	some v in object.get(s.principal, "AWS", [])
	acct := principal_account(v)
	acct != null
	acct != "*"
	not trusted_in(acct, lenient)
})

# An unconditional Deny for everyone covering the Allow.
void(sts, s) if {
	some d in sts
	is_deny(d)
	unconditional(d)
	public_principal(d)
	deny_covers_actions(d, s)
	deny_covers_resources(d, s)
}

# Negated operators: true for every value outside the listed ones, and
# (also without `IfExists`) when the request has no such key.
negated_operators := {
	"stringnotequals",
	"stringnotequalsifexists",
	"stringnotlike",
	"stringnotlikeifexists",
	"stringnotequalsignorecase",
	"stringnotequalsignorecaseifexists",
	"arnnotequals",
	"arnnotequalsifexists",
	"arnnotlike",
	"arnnotlikeifexists",
}

# A Deny for everyone, covering the Allow, whose one condition denies
# every caller outside the trusted accounts (or the organization, or the
# network) the values name: `"Condition": {"StringNotEquals":
# {"aws:PrincipalAccount": ["111122223333"]}}`. The Allow then reaches
# trusted callers only. Two conditions (or two keys) would both have to
# hold for the Deny to apply, so they do not confine.
confined_by_deny(sts, s, keys, lenient) if {
	some d in sts
	is_deny(d)
	public_principal(d)
	deny_covers_actions(d, s)
	deny_covers_resources(d, s)
	count(d.condition) == 1
	some c in d.condition
	c.op in negated_operators
	count(c.values) > 0
	every v in c.values {
		is_string(v)
		not wildcard_account(keys, c.key, v)
		trusted_value(keys, c.key, v, lenient)
	}
}

problems(s, keys, lenient) := array.concat(
	[sprintf("every principal is allowed without a condition confining callers to %s", [keys.confined_to]) |
		public(s)
		not restricted(s, keys, lenient)
	],
	[sprintf("principals of accounts outside the trusted accounts: %s", [concat(", ", untrusted_accounts(s, lenient))]) |
		count(untrusted_accounts(s, lenient)) > 0
	],
)

# The statements that give access beyond the trusted accounts (`lenient`:
# counting an account only the organization could trust as trusted).
findings(sts, keys, lenient) := [object.union(evidence(s), {"problems": problems(s, keys, lenient)}) |
	some s in sts
	is_allow(s)
	count(problems(s, keys, lenient)) > 0
	not void(sts, s)
	not confined_by_deny(sts, s, keys, lenient)
]

# The accounts that only the unresolved organization could trust, named by
# an Allow of `sts` that grants too much unless they are trusted: in an AWS
# principal, or in a value of an account or ARN condition key.
undetermined_accounts(sts, keys) := sort({acct |
	some s in sts
	is_allow(s)
	count(problems(s, keys, false)) > 0
	not void(sts, s)
	not confined_by_deny(sts, s, keys, false)
	some acct in statement_accounts(s, keys) | deny_accounts(sts, keys)
	trust_undeterminable(acct)
})

# The accounts the confining Denies of `sts` name (an account or ARN key).
deny_accounts(sts, keys) := {acct |
	some d in sts
	is_deny(d)
	some c in d.condition
	c.op in negated_operators
	some acct in statement_accounts({"principal": null, "condition": [c]}, keys)
}

statement_accounts(s, keys) := {acct |
	s.principal != null
	some v in object.get(s.principal, "AWS", [])
	acct := principal_account(v)
} | {v |
	some c in s.condition
	c.key in keys.account
	some v in c.values
} | {acct |
	some c in s.condition
	c.key in keys.arn
	some v in c.values
	is_string(v)
	parts := split(v, ":")
	count(parts) > 5
	acct := parts[4]
}

# The findings that only an account of the unresolved organization could
# clear (none when the organization is resolved or not trusted).
undetermined_findings(_, _) := [] if not organization_unresolved

undetermined_findings(sts, keys) := findings(sts, keys, false) if organization_unresolved

evidence(s) := {
	"label": label(s),
	"statement": s.index,
	"sid": s.sid,
	"principal": object.get(s.raw, "Principal", null),
	"not_principal": object.get(s.raw, "NotPrincipal", null),
	"action": object.get(s.raw, "Action", null),
	"not_action": object.get(s.raw, "NotAction", null),
	"resource": object.get(s.raw, "Resource", null),
	"condition": object.get(s.raw, "Condition", null),
}

# ---------------------------------------------------------------------------
# Outcomes

# The outcome of a policy document, `read` by `iam.read_document(doc,
# "resource")` (not null: a policy that was not collected or does not exist
# is the rule's own case), judged with the condition `keys`. `x` says what
# the outcome is about:
#   resource, region:    the outcome's resource and region;
#   subject:             the policy in words, without an article ("policy
#                        of DynamoDB VPC endpoint vpce-1 (VPC vpc-1,
#                        us-east-1)"): messages start "The <subject> ...";
#   evidence:            added to the evidence of every outcome;
#   document_evidence:   added to the evidence of the unknown outcome of a
#                        document that breaks the grammar (the document).
outcome(read, keys, x) := {
	"status": "unknown",
	"resource": x.resource,
	"region": x.region,
	"message": sprintf("The %s is not a valid IAM policy: %s", [x.subject, read.problem]),
	"evidence": object.union(object.union(x.evidence, x.document_evidence), {"problem": read.problem}),
	"needs": [],
} if {
	read.problem != null
}

outcome(read, keys, x) := {
	"status": "fail",
	"resource": x.resource,
	"region": x.region,
	"message": sprintf(
		"The %s allows access to everyone or to untrusted accounts (%s)",
		[x.subject, concat("; ", [sprintf("%s: %s", [f.label, concat(", ", f.problems)]) | some f in bounded(fs)])],
	),
	"evidence": object.union(object.union(x.evidence, trust_evidence), {
		"statements": bounded(fs),
		"statement_count": count(fs),
	}),
} if {
	sts := read.statements
	sts != null
	fs := findings(sts, keys, true)
	count(fs) > 0
}

outcome(read, keys, x) := {
	"status": "unknown",
	"resource": x.resource,
	"region": x.region,
	"message": sprintf(
		"Cannot tell whether the %s allows only trusted accounts: it grants account(s) %s, which only \"organization\" in trusted_account_ids could trust, and %s",
		[x.subject, concat(", ", accounts), organization_unresolved_reason],
	),
	"evidence": object.union(object.union(x.evidence, trust_evidence), {
		"statements": bounded(us),
		"statement_count": count(us),
		"undetermined_accounts": accounts,
	}),
	"needs": [],
} if {
	sts := read.statements
	sts != null
	count(findings(sts, keys, true)) == 0
	us := undetermined_findings(sts, keys)
	count(us) > 0
	accounts := undetermined_accounts(sts, keys)
}

outcome(read, keys, x) := {
	"status": "pass",
	"resource": x.resource,
	"region": x.region,
	"message": sprintf("The %s allows only principals of trusted accounts", [x.subject]),
	"evidence": object.union(object.union(x.evidence, trust_evidence), {
		"statements": [],
		"allow_statements": count([s | some s in sts; is_allow(s)]),
	}),
} if {
	sts := read.statements
	sts != null
	count(findings(sts, keys, true)) == 0
	count(undetermined_findings(sts, keys)) == 0
}
