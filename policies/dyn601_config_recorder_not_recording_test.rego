package dynaudit.rules.dyn601_test

import data.dynaudit.lib.inventory_test as build
import data.dynaudit.rules.dyn601

inv(recorders) := build.one_region({"config_recorders": recorders})

recorder(name, all_supported, types, excluded, recording) := build.config_recorder(name, {
	"all_supported": all_supported,
	"resource_types": types,
	"excluded_resource_types": excluded,
	"recording": recording,
})

only(out, status) if {
	count(out) == 1
	some o in out
	o.status == status
	o.resource == "111122223333/us-east-1"
	o.region == "us-east-1"
}

test_pass_all_supported_and_recording if {
	out := dyn601.outcomes with input as inv([recorder("default", true, [], [], true)])
	only(out, "pass")
}

test_pass_inclusion_lists_tables if {
	out := dyn601.outcomes with input as inv([recorder("default", false, ["AWS::DynamoDB::Table", "AWS::KMS::Key"], [], true)])
	only(out, "pass")
}

test_pass_exclusion_strategy_not_excluding_tables if {
	out := dyn601.outcomes with input as inv([recorder("default", false, [], ["AWS::EC2::NetworkInterface"], true)])
	only(out, "pass")
}

test_fail_no_recorder if {
	out := dyn601.outcomes with input as inv([])
	only(out, "fail")
	some o in out
	contains(o.message, "no AWS Config configuration recorder")
}

test_fail_not_recording if {
	out := dyn601.outcomes with input as inv([recorder("default", true, [], [], false)])
	only(out, "fail")
	some o in out
	contains(o.message, "none is recording")
	o.evidence.config_recorders[0].recording == false
}

test_fail_tables_excluded if {
	out := dyn601.outcomes with input as inv([recorder("default", false, [], ["AWS::DynamoDB::Table"], true)])
	only(out, "fail")
	some o in out
	contains(o.message, "no recorder that records AWS::DynamoDB::Table")
}

test_fail_all_supported_but_tables_excluded if {
	out := dyn601.outcomes with input as inv([recorder("default", true, [], ["AWS::DynamoDB::Table"], true)])
	only(out, "fail")
}

test_fail_inclusion_without_tables if {
	out := dyn601.outcomes with input as inv([recorder("default", false, ["AWS::S3::Bucket"], [], true)])
	only(out, "fail")
	some o in out
	o.evidence.config_recorders[0].records_dynamodb_tables == false
}

test_unknown_when_recorders_not_collected if {
	out := dyn601.outcomes with input as inv(null)
	only(out, "unknown")
	some o in out
	o.needs == ["DescribeConfigurationRecorders"]
}

test_unknown_when_status_not_collected if {
	out := dyn601.outcomes with input as inv([recorder("default", true, [], [], null)])
	only(out, "unknown")
	some o in out
	o.needs == ["DescribeConfigurationRecorderStatus"]
}

test_fail_when_status_unknown_but_recorder_skips_tables if {
	# The recorder does not record tables, so its status cannot change the answer.
	out := dyn601.outcomes with input as inv([recorder("default", false, ["AWS::S3::Bucket"], [], null)])
	only(out, "fail")
}

test_pass_wins_over_unknown_status if {
	recs := [
		recorder("service-linked", true, [], [], null),
		recorder("default", true, [], [], true),
	]
	out := dyn601.outcomes with input as inv(recs)
	only(out, "pass")
}

test_one_outcome_per_region if {
	i := build.inventory({
		"us-east-1": build.region({"config_recorders": [recorder("default", true, [], [], true)]}),
		"eu-west-1": build.region({"config_recorders": []}),
		"us-west-2": build.region({"config_recorders": null}),
	})
	out := dyn601.outcomes with input as i
	count(out) == 3
	{o.resource: o.status | some o in out} == {
		"111122223333/us-east-1": "pass",
		"111122223333/eu-west-1": "fail",
		"111122223333/us-west-2": "unknown",
	}
}
