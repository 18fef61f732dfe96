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

# --- grammar

# The problem of a one-statement identity / resource-based document.
identity_problem(s) := iam.grammar_problem({"Version": "2012-10-17", "Statement": [s]}, "identity")

resource_problem(s) := iam.grammar_problem({"Version": "2012-10-17", "Statement": [s]}, "resource")

ok_identity := {"Sid": "Read", "Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}

ok_resource := {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root"]}, "Action": ["dynamodb:GetItem"]}

test_grammar_accepts_valid_documents if {
	identity_problem(ok_identity) == null
	identity_problem(object.union(ok_identity, {"NotAction": ["s3:*"], "Action": null})) != null
	identity_problem({"Effect": "Deny", "NotAction": ["s3:*"], "NotResource": "arn:aws:s3:::b", "Condition": {"Bool": {"aws:SecureTransport": false}, "NumericLessThan": {"s3:max-keys": [10, "20"]}}}) == null
	resource_problem(ok_resource) == null
	resource_problem({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}) == null
	resource_problem({"Effect": "Deny", "NotPrincipal": {"Service": "dynamodb.amazonaws.com", "AWS": "*"}, "NotAction": "dynamodb:Get*"}) == null
	iam.grammar_problem({"Statement": ok_identity}, "identity") == null
	iam.grammar_problem(json.marshal({"Id": "x", "Statement": [ok_identity]}), "identity") == null
}

test_grammar_document_level if {
	iam.grammar_problem("{oops", "identity") == `it is "{oops", not a JSON object`
	iam.grammar_problem(42, "identity") == "it is 42, not a JSON object"
	iam.grammar_problem(`["x"]`, "identity") == "it is an array, not a JSON object"
	iam.grammar_problem({"Version": "2012-10-17"}, "identity") == "it has no Statement"
	iam.grammar_problem({"Statement": null}, "identity") == "its Statement is null; it must be an object or a non-empty array of objects"
	iam.grammar_problem({"Statement": "Allow"}, "identity") == `its Statement is "Allow"; it must be an object or a non-empty array of objects`
	iam.grammar_problem({"Statement": []}, "identity") == "its Statement is an empty array; it must hold at least one statement"
	iam.grammar_problem({"Version": 2012, "Statement": [ok_identity]}, "identity") == `its Version is 2012; it must be a string such as "2012-10-17"`
	iam.grammar_problem({"Statements": [ok_identity]}, "identity") == `it has the element "Statements", which a policy cannot have (only Version, Id and Statement)`
}

test_grammar_statement_not_object if {
	iam.grammar_problem({"Statement": [ok_identity, null]}, "identity") == "Statement[1] is null; each statement must be an object"
}

test_grammar_first_problem_wins if {
	doc := {"Statement": [ok_identity, object.union(ok_identity, {"Effect": null}), object.remove(ok_identity, {"Action"})]}
	iam.grammar_problem(doc, "identity") == `Statement[1] (Sid "Read") has Effect null; it must be "Allow" or "Deny"`
}

test_grammar_effect if {
	identity_problem(object.remove(ok_identity, {"Effect"})) == `Statement[0] (Sid "Read") has no Effect; it must be "Allow" or "Deny"`
	identity_problem(object.union(ok_identity, {"Effect": "allow"})) == `Statement[0] (Sid "Read") has Effect "allow"; it must be "Allow" or "Deny"`
	identity_problem(object.union(ok_identity, {"Effect": ["Deny"]})) == `Statement[0] (Sid "Read") has Effect an array; it must be "Allow" or "Deny"`
}

test_grammar_sid if {
	identity_problem(object.union(ok_identity, {"Sid": 7})) == "Statement[0] has Sid 7; it must be a string"
}

test_grammar_action if {
	identity_problem(object.union(ok_identity, {"Action": null})) == `Statement[0] (Sid "Read") has Action null; it must be a string or a non-empty array of strings`
	identity_problem(object.union(ok_identity, {"Action": []})) == `Statement[0] (Sid "Read") has Action [], an empty array; it must be a string or a non-empty array of strings`
	identity_problem(object.union(ok_identity, {"Action": ["dynamodb:GetItem", 5]})) == `Statement[0] (Sid "Read") has Action[1] 5; each must be a string`
	identity_problem(object.union(ok_identity, {"NotAction": "s3:*"})) == `Statement[0] (Sid "Read") has both Action and NotAction; it can have only one of them`
	identity_problem(object.remove(ok_identity, {"Action"})) == `Statement[0] (Sid "Read") has neither Action nor NotAction`
	identity_problem(object.union(object.remove(ok_identity, {"Action"}), {"NotAction": {"a": 1}})) == `Statement[0] (Sid "Read") has NotAction an object; it must be a string or a non-empty array of strings`
}

test_grammar_resource if {
	identity_problem(object.remove(ok_identity, {"Resource"})) == `Statement[0] (Sid "Read") has neither Resource nor NotResource (an identity-based policy must say which resources it covers)`
	resource_problem(ok_resource) == null
	identity_problem(object.union(ok_identity, {"Resource": 1})) == `Statement[0] (Sid "Read") has Resource 1; it must be a string or a non-empty array of strings`
	resource_problem(object.union(ok_resource, {"Resource": "*", "NotResource": "*"})) == "Statement[0] has both Resource and NotResource; it can have only one of them"
}

test_grammar_principal if {
	identity_problem(object.union(ok_identity, {"Principal": "*"})) == `Statement[0] (Sid "Read") has a Principal, which an identity-based policy cannot have (it applies to the user, group or role it is attached to)`
	resource_problem(object.remove(ok_resource, {"Principal"})) == "Statement[0] has neither Principal nor NotPrincipal (a resource-based policy must say whom it applies to)"
	resource_problem(object.union(ok_resource, {"Principal": null})) == `Statement[0] has Principal null; it must be "*" or an object such as {"AWS": "arn:aws:iam::111122223333:root"}`
	resource_problem(object.union(ok_resource, {"Principal": "arn:aws:iam::111122223333:root"})) == `Statement[0] has Principal "arn:aws:iam::111122223333:root"; it must be "*" or an object such as {"AWS": "arn:aws:iam::111122223333:root"}`
	resource_problem(object.union(object.remove(ok_resource, {"Principal"}), {"Principal": {}})) == "Statement[0] has Principal {}, an empty object; it must name at least one principal"
	resource_problem(object.union(ok_resource, {"Principal": {"aws": "*"}})) == `Statement[0] has Principal with the principal type "aws"; it must be one of AWS, Service, Federated, CanonicalUser`
	resource_problem(object.union(ok_resource, {"Principal": {"AWS": null}})) == "Statement[0] has Principal.AWS null; it must be a string or a non-empty array of strings"
	resource_problem(object.union(ok_resource, {"Principal": {"AWS": ["*", 1]}})) == "Statement[0] has Principal.AWS[1] 1; each must be a string"
	resource_problem(object.union(ok_resource, {"NotPrincipal": "*"})) == "Statement[0] has both Principal and NotPrincipal; it can have only one of them"
}

test_grammar_condition if {
	identity_problem(object.union(ok_identity, {"Condition": null})) == `Statement[0] (Sid "Read") has Condition null; it must be an object of operators such as {"StringEquals": {...}}`
	identity_problem(object.union(ok_identity, {"Condition": {"StringEquals": "x"}})) == `Statement[0] (Sid "Read") has Condition operator "StringEquals" with "x"; it must be an object of condition keys`
	identity_problem(object.union(ok_identity, {"Condition": {"StringEquals": {"aws:username": null}}})) == `Statement[0] (Sid "Read") has Condition "StringEquals" "aws:username" null; a condition value must be a string, a number, a boolean or an array of them`
	identity_problem(object.union(ok_identity, {"Condition": {"StringEquals": {"aws:username": [{"a": 1}]}}})) != null
}

test_grammar_unknown_statement_element if {
	identity_problem(object.union(ok_identity, {"Actions": "dynamodb:*"})) == `Statement[0] (Sid "Read") has the element "Actions", which a statement cannot have (only Action, Condition, Effect, NotAction, NotPrincipal, NotResource, Principal, Resource, Sid)`
}

test_grammar_quotes_hostile_values if {
	p := identity_problem(object.union(ok_identity, {"Effect": "\u001b[31mAllow", "Sid": "\u001b]0;x"}))
	not contains(p, "\u001b")
	contains(p, `\u001b`)
	long := identity_problem(object.union(ok_identity, {"Effect": concat("", [x | some _ in numbers.range(1, 200); x := "a"])}))
	count(long) < 200
}

test_read_document if {
	iam.read_document(null, "identity") == {"statements": null, "problem": null}
	r := iam.read_document({"Statement": [object.union(ok_identity, {"Effect": null})]}, "identity")
	r.statements == null
	startswith(r.problem, "Statement[0]")
	ok := iam.read_document({"Statement": [object.union(ok_identity, {"Action": "dynamodb:*"})]}, "identity")
	ok.problem == null
	count(ok.statements) == 1
}
