package dynaudit.rules.dyn504_test

import data.dynaudit.rules.dyn504

key := "arn:aws:kms:eu-west-1:111122223333:key/0f0e0d0c-0b0a-0908-0706-050403020100"

trail(name, multi, logging, selectors, kms) := {
	"arn": sprintf("arn:aws:cloudtrail:eu-west-1:111122223333:trail/%s", [name]),
	"name": name,
	"home_region": "eu-west-1",
	"is_multi_region": multi,
	"is_organization_trail": false,
	"include_global_service_events": true,
	"log_file_validation_enabled": true,
	"kms_key_id": kms,
	"s3_bucket_name": "logs",
	"is_logging": logging,
	"selectors": selectors,
}

all_mgmt := {"event_selectors": [], "advanced_event_selectors": []}

inv(trails) := {
	"account_id": "111122223333",
	"partition": "aws",
	"collected_at": "2026-11-01T00:00:00Z",
	"trails": {t.arn: t | some t in trails},
	"regions": {"us-east-1": {"trail_arns": [t.arn | some t in trails]}},
}

test_pass_when_kms_encrypted if {
	t := trail("main", true, true, all_mgmt, key)
	out := dyn504.outcomes with input as inv([t])
	count(out) == 1
	some o in out
	o.status == "pass"
	o.evidence.kms_key_id == key
}

test_fail_when_not_encrypted if {
	t := trail("main", true, true, all_mgmt, null)
	out := dyn504.outcomes with input as inv([t])
	count(out) == 1
	some o in out
	o.status == "fail"
	o.resource == t.arn
}

test_fail_when_key_id_empty if {
	t := trail("main", true, true, all_mgmt, "")
	out := dyn504.outcomes with input as inv([t])
	count(out) == 1
	some o in out
	o.status == "fail"
}

test_no_outcome_for_single_region_trail if {
	t := trail("single", false, true, all_mgmt, null)
	out := dyn504.outcomes with input as inv([t])
	count(out) == 0
}

test_no_outcome_without_trails if {
	out := dyn504.outcomes with input as inv([])
	count(out) == 0
}

test_unknown_when_status_and_selectors_missing if {
	t := trail("main", true, null, null, null)
	out := dyn504.outcomes with input as inv([t])
	count(out) == 1
	some o in out
	o.status == "unknown"
	o.needs == ["GetTrailStatus", "GetEventSelectors"]
}
