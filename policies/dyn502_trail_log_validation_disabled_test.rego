package dynaudit.rules.dyn502_test

import data.dynaudit.rules.dyn502

trail(name, multi, logging, selectors, validation) := {
	"arn": sprintf("arn:aws:cloudtrail:eu-west-1:111122223333:trail/%s", [name]),
	"name": name,
	"home_region": "eu-west-1",
	"is_multi_region": multi,
	"is_organization_trail": false,
	"include_global_service_events": true,
	"log_file_validation_enabled": validation,
	"kms_key_id": null,
	"s3_bucket_name": "logs",
	"is_logging": logging,
	"selectors": selectors,
}

all_mgmt := {"event_selectors": [], "advanced_event_selectors": []}

no_mgmt := {"event_selectors": [{"read_write_type": "All", "include_management_events": false, "data_resources": []}], "advanced_event_selectors": []}

inv(trails) := {
	"account_id": "111122223333",
	"partition": "aws",
	"collected_at": "2026-11-01T00:00:00Z",
	"trails": {t.arn: t | some t in trails},
	"regions": {"us-east-1": {"trail_arns": [t.arn | some t in trails]}},
}

test_pass_when_validation_on if {
	t := trail("main", true, true, all_mgmt, true)
	out := dyn502.outcomes with input as inv([t])
	count(out) == 1
	some o in out
	o.status == "pass"
	o.resource == t.arn
	o.region == "eu-west-1"
}

test_fail_when_validation_off if {
	t := trail("main", true, true, all_mgmt, false)
	out := dyn502.outcomes with input as inv([t])
	count(out) == 1
	some o in out
	o.status == "fail"
	o.resource == t.arn
}

test_no_outcome_for_trails_not_relied_on if {
	single := trail("single", false, true, all_mgmt, false)
	stopped := trail("stopped", true, false, all_mgmt, false)
	data_only := trail("data", true, true, no_mgmt, false)
	out := dyn502.outcomes with input as inv([single, stopped, data_only])
	count(out) == 0
}

test_unknown_when_trail_status_missing if {
	t := trail("main", true, null, all_mgmt, false)
	out := dyn502.outcomes with input as inv([t])
	count(out) == 1
	some o in out
	o.status == "unknown"
	o.needs == ["GetTrailStatus"]
}

test_unknown_when_selectors_missing if {
	t := trail("main", true, true, null, true)
	out := dyn502.outcomes with input as inv([t])
	count(out) == 1
	some o in out
	o.status == "unknown"
	o.needs == ["GetEventSelectors"]
}

test_each_qualifying_trail_reported if {
	a := trail("a", true, true, all_mgmt, true)
	b := trail("b", true, true, all_mgmt, false)
	out := dyn502.outcomes with input as inv([a, b])
	{[o.resource, o.status] | some o in out} == {[a.arn, "pass"], [b.arn, "fail"]}
}
