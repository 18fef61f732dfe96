package dynaudit.lib.iam_test

import data.dynaudit.lib.iam

acct := "111122223333"

st(s) := iam.statements({"Version": "2012-10-17", "Statement": [s]})[0]

# A statement about a DynamoDB action, for resource/condition/principal tests.
sr(s) := st(object.union({"Effect": "Allow", "Action": "dynamodb:GetItem"}, s))

# --- normalisation

test_statement_object_or_array if {
	count(iam.statements({"Statement": {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}})) == 1
	count(iam.statements({"Statement": [{"Effect": "Allow", "Action": "*"}, {"Effect": "Deny", "NotAction": "s3:*"}]})) == 2
	iam.statements({"Version": "2012-10-17"}) == []
}

test_only_dynamodb_statements_and_patterns_are_kept if {
	sts := iam.statements({"Statement": [
		{"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
		{"Effect": "Allow", "NotAction": ["dynamodb:*", "s3:*"], "Resource": "*"},
		{"Effect": "Allow", "Action": ["s3:Get*", "DynamoDB:Query", "dynamo*:Scan", "*"], "Resource": "*"},
		{"Effect": "Allow", "NotAction": ["s3:*", "dynamodb:Scan"], "Resource": "*"},
	]})
	count(sts) == 2
	sts[0].index == 2
	sts[0].actions == ["dynamodb:query", "dynamo*:scan", "*"]
	sts[1].index == 3
	sts[1].not_actions == ["dynamodb:scan"]
}

test_unusable_documents_are_null if {
	iam.statements(null) == null
	iam.statements("{oops") == null
	iam.statements(42) == null
}

test_json_string_document if {
	sts := iam.statements(`{"Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}]}`)
	sts[0].actions == ["dynamodb:getitem"]
}

test_elements_normalised if {
	s := st({
		"Sid": "x",
		"Effect": "Allow",
		"Action": "DynamoDB:GetItem",
		"NotResource": ["arn:aws:s3:::b"],
		"Principal": "*",
		"Condition": {"StringEquals": {"AWS:PrincipalAccount": ["1", "2"], "aws:SourceVpc": "vpc-1"}},
	})
	s.index == 0
	s.sid == "x"
	s.actions == ["dynamodb:getitem"]
	s.not_actions == null
	s.resources == null
	s.not_resources == ["arn:aws:s3:::b"]
	s.principal == {"AWS": ["*"]}
	count(s.condition) == 2
	some c in s.condition
	c.key == "aws:principalaccount"
	c.op == "stringequals"
	c.values == ["1", "2"]
}

test_labels if {
	iam.label({"index": 3, "sid": null}) == "Statement[3]"
	iam.label({"index": 0, "sid": "Read"}) == "Statement[0] (Sid Read)"
}

# --- actions

test_action_wildcards_case_insensitive if {
	iam.grants_action(st({"Effect": "Allow", "Action": "DynamoDB:Get*"}), "dynamodb:getitem")
	iam.grants_action(st({"Effect": "Allow", "Action": "*"}), "dynamodb:scan")
	iam.grants_action(st({"Effect": "Allow", "Action": "dynamodb:?can"}), "dynamodb:scan")
	not iam.grants_action(st({"Effect": "Allow", "Action": "dynamodb:Get*"}), "dynamodb:query")
}

test_not_action if {
	s := st({"Effect": "Allow", "NotAction": ["dynamodb:Delete*"]})
	iam.grants_action(s, "dynamodb:getitem")
	not iam.grants_action(s, "dynamodb:deletetable")
}

test_glob_metacharacters_are_literal if {
	# A stray bracket or brace must not make glob.match fail.
	not iam.grants_action(st({"Effect": "Allow", "Action": "dynamodb:[Get]Item"}), "dynamodb:getitem")
	iam.grants_action(st({"Effect": "Allow", "Action": "dynamodb:{a,b}"}), "dynamodb:{a,b}")
}

test_granted_actions_agrees_with_grants_action if {
	candidates := {"dynamodb:getitem", "dynamodb:query", "dynamodb:scan", "dynamodb:{a,b}", "dynamodb:[get]item"}
	statements := [
		st({"Effect": "Allow", "Action": ["DynamoDB:GetItem", "dynamodb:Q*"]}),
		st({"Effect": "Allow", "Action": ["dynamodb:?can", "dynamodb:[Get]Item", "dynamodb:{a,b}"]}),
		st({"Effect": "Allow", "Action": "*"}),
		st({"Effect": "Allow", "NotAction": ["dynamodb:Get*", "dynamodb:Scan"]}),
	]
	count(statements) == 4
	every s in statements {
		iam.granted_actions(s, candidates) == {a | some a in candidates; iam.grants_action(s, a)}
	}
}

test_granted_actions_literal_and_wildcard if {
	s := st({"Effect": "Allow", "Action": ["DynamoDB:GetItem", "dynamodb:Q*", "dynamodb:[Get]Item"]})
	iam.granted_actions(s, {"dynamodb:getitem", "dynamodb:query", "dynamodb:scan"}) == {"dynamodb:getitem", "dynamodb:query"}
	iam.granted_actions(s, {"dynamodb:[get]item"}) == {"dynamodb:[get]item"}
}

test_covers_dynamodb if {
	iam.covers_dynamodb(st({"Action": "dynamodb:*"}))
	iam.covers_dynamodb(st({"Action": "*"}))
	iam.covers_dynamodb(st({"Action": "dynamo*:*"}))
	not iam.covers_dynamodb(st({"Action": "dynamodb:Get*"}))
	not iam.covers_dynamodb(st({"Action": "dynamodb:?*"}))
	iam.covers_dynamodb(st({"NotAction": "iam:*"}))
	not iam.covers_dynamodb(st({"NotAction": "dynamodb:DeleteTable"}))
}

test_grants_dynamodb if {
	iam.grants_dynamodb(st({"Effect": "Allow", "Action": "dynamodb:GetItem"}))
	iam.grants_dynamodb(st({"Effect": "Allow", "NotAction": "dynamodb:DeleteTable"}))
	not st({"Effect": "Allow", "NotAction": "dynamodb:*"})
	not st({"Effect": "Allow", "Action": "s3:*"})
}

# --- resources

table := "arn:aws:dynamodb:us-east-1:111122223333:table/orders"

test_reaches if {
	iam.reaches(sr({"Resource": "*"}), table)
	iam.reaches(sr({"Resource": "arn:aws:dynamodb:*:*:table/*"}), table)
	iam.reaches(sr({"Resource": ["x", table]}), table)
	not iam.reaches(sr({"Resource": "arn:aws:dynamodb:us-east-1:111122223333:table/Orders"}), table)
	iam.reaches(sr({"NotResource": "arn:aws:s3:::*"}), table)
	not iam.reaches(sr({"NotResource": "arn:aws:dynamodb:*:*:*"}), table)
}

test_policy_variables if {
	# Allow side: could be anything. Deny side: certainly matches nothing.
	iam.reaches(sr({"Resource": "arn:aws:dynamodb:us-east-1:111122223333:table/${aws:username}"}), table)
	not iam.deny_reaches(sr({"Resource": "arn:aws:dynamodb:us-east-1:111122223333:table/${aws:username}"}), table)
	# An Allow NotResource with a variable excludes nothing for sure.
	iam.reaches(sr({"NotResource": "arn:aws:dynamodb:*:*:table/${aws:username}"}), table)
}

test_subsumes if {
	iam.subsumes("*", "arn:aws:dynamodb:*:111122223333:table/*")
	iam.subsumes("arn:aws:dynamodb:*:*:table/*", "arn:aws:dynamodb:*:111122223333:table/*")
	not iam.subsumes("arn:aws:dynamodb:us-east-1:*:table/*", "arn:aws:dynamodb:*:111122223333:table/*")
	not iam.subsumes("arn:aws:dynamodb:?:*:table/*", "arn:aws:dynamodb:*:111122223333:table/*")
	not iam.subsumes("${aws:username}*", "x")
}

test_deny_covers_resources if {
	iam.deny_covers_resources(sr({"Resource": "*"}), sr({"Resource": table}))
	iam.deny_covers_resources(sr({"Resource": "*"}), sr({"NotResource": "x"}))
	not iam.deny_covers_resources(sr({"Resource": table}), sr({"Resource": "*"}))
	not iam.deny_covers_resources(sr({"NotResource": "x"}), sr({"Resource": table}))
}

# --- conditions and principals

test_requires_key_present if {
	iam.requires_key_present(sr({"Condition": {"Null": {"dynamodb:LeadingKeys": "false"}}}), "dynamodb:leadingkeys")
	iam.requires_key_present(sr({"Condition": {"Null": {"dynamodb:LeadingKeys": [false]}}}), "dynamodb:leadingkeys")
	not iam.requires_key_present(sr({"Condition": {"Null": {"dynamodb:LeadingKeys": "true"}}}), "dynamodb:leadingkeys")
	not iam.requires_key_present(sr({"Condition": {}}), "dynamodb:leadingkeys")
}

test_principal_account if {
	iam.principal_account("*") == "*"
	iam.principal_account("444455556666") == "444455556666"
	iam.principal_account("arn:aws:iam::444455556666:root") == "444455556666"
	iam.principal_account("arn:aws:sts::444455556666:assumed-role/r/s") == "444455556666"
	iam.principal_account("AROAEXAMPLE") == null
}

test_public_principal if {
	iam.public_principal(sr({"Principal": "*"}))
	iam.public_principal(sr({"Principal": {"AWS": ["*"]}}))
	not iam.public_principal(sr({"Principal": {"AWS": acct}}))
}

# --- attachments

doc(stmts) := {"Version": "2012-10-17", "Statement": stmts}

principal(kind, name, inline, attached, groups) := {
	"arn": sprintf("arn:aws:iam::%s:%s/%s", [acct, kind, name]),
	"name": name,
	"inline_policies": inline,
	"attached_policy_arns": attached,
	"group_names": groups,
	"tags": {},
}

p_arn(n) := sprintf("arn:aws:iam::%s:policy/%s", [acct, n])

deny_all := {"Effect": "Deny", "Action": "*", "Resource": "*"}

sample := {
	"account_id": acct,
	"partition": "aws",
	"iam": {
		"users": {"arn:aws:iam::111122223333:user/alice": principal("user", "alice", [], [p_arn("shared")], ["ops"])},
		"groups": {"arn:aws:iam::111122223333:group/ops": principal("group", "ops", [{"name": "g", "document": doc([deny_all])}], [], [])},
		"roles": {"arn:aws:iam::111122223333:role/app": principal("role", "app", [], [p_arn("shared"), p_arn("missing")], [])},
		"policies": {
			p_arn("shared"): {"arn": p_arn("shared"), "name": "shared", "attachment_count": 2, "document": doc([])},
			p_arn("unused"): {"arn": p_arn("unused"), "name": "unused", "attachment_count": 0, "document": doc([])},
		},
	},
}

test_policies_in_scope if {
	ps := iam.policies with input as sample
	object.keys(ps) == {p_arn("shared"), p_arn("missing"), "arn:aws:iam::111122223333:group/ops|g"}
	ps[p_arn("shared")].principals == ["arn:aws:iam::111122223333:role/app", "arn:aws:iam::111122223333:user/alice"]
	ps[p_arn("missing")].statements == null
	ps[p_arn("missing")].name == "missing"
	ps["arn:aws:iam::111122223333:group/ops|g"].resource == "arn:aws:iam::111122223333:group/ops"
}

test_group_policies_in_user_policy_set if {
	d := iam.denies with input as sample
	count(d["arn:aws:iam::111122223333:user/alice"]) == 1
	count(d["arn:aws:iam::111122223333:group/ops"]) == 1
	not d["arn:aws:iam::111122223333:role/app"]
}

test_resource_helpers if {
	# (Arguments are bound first: regorus 0.14 leaves a function call in an
	# argument of an expression with `with` undefined.)
	shared := p_arn("shared")
	missing := p_arn("missing")
	t := iam.resource_title(shared) with input as sample
	t == "Managed policy shared (arn:aws:iam::111122223333:policy/shared)"
	g := iam.resource_title("arn:aws:iam::111122223333:group/ops") with input as sample
	g == "Inline policy g of group arn:aws:iam::111122223333:group/ops"
	e := iam.resource_evidence(shared) with input as sample
	e.principal_count == 2
	u := iam.unreadable(missing) with input as sample
	u == ["missing"]
}

test_not_collected if {
	not iam.collected with input as {"account_id": acct, "iam": null}
	o := iam.not_collected_outcome("x") with input as {"account_id": acct, "iam": null}
	o.status == "unknown"
	o.resource == "111122223333/global"
	o.region == "global"
}
