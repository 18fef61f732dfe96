# METADATA
# title: A table has no CloudWatch alarm with an action on a critical metric
# description: |-
#   Checks, for every table, the CloudWatch metric alarms of its region
#   (`DescribeAlarms`, alarms on `AWS/DynamoDB` metrics). For each entry of
#   `required_alarm_metrics` (a list of alternative metric names; default
#   one of `ThrottledRequests`, `ReadThrottleEvents`, `WriteThrottleEvents`,
#   and `SystemErrors`) the region must hold an alarm that watches one of
#   those metrics with the dimension `TableName` equal to the table's name
#   (other dimensions, such as `Operation`, are free) and that can notify
#   someone: `ActionsEnabled` true and at least one `AlarmActions` entry.
#   When `require_replication_latency_alarm` is true (the default), a global
#   table must also have such an alarm on `ReplicationLatency` with
#   `ReceivingRegion` set to each of its replica regions. The alarm's state
#   does not matter: a healthy throttling or error alarm usually sits in
#   `INSUFFICIENT_DATA`, because DynamoDB publishes these metrics only when
#   there is something to count. Fails listing the missing alarms, and notes
#   the alarms that match but have their actions disabled or no action.
#   Unknown when the region's alarms were not collected or are not in the
#   inventory's schema version, or when the replicas were not collected and
#   nothing else is missing. With `required_alarm_metrics` empty and
#   `require_replication_latency_alarm` false the rule emits nothing.
#
#   No PCI DSS v4.0 requirement is claimed: 10.7.2 is about failures of
#   critical security control systems, and throttling, service errors and
#   replication lag are availability signals, not security controls. SOC 2
#   CC7.2 requires monitoring system components for anomalies indicative of
#   errors and acting on them; throttled requests, system errors and growing
#   replication latency are those anomalies for a table, and an alarm with
#   no enabled action alerts no one. SOC 2 A1.1 requires monitoring current
#   processing capacity and use to manage demand; throttling alarms are how
#   a table signals that its capacity no longer meets demand.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html
#     description: DynamoDB metrics and dimensions
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/creating-alarms.html
#     description: Creating CloudWatch alarms to monitor DynamoDB
#   - ref: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_monitoring.html
#     description: Monitoring global tables (ReplicationLatency per source and destination Region)
#   - ref: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
#     description: Using Amazon CloudWatch alarms (alarm states and actions)
# custom:
#   id: DYN506
#   name: table-alarms-missing
#   severity: low
#   evaluated_per: table
#   frameworks:
#     soc2: [A1.1, CC7.2]
#   remediation:
#     summary: >-
#       Create a CloudWatch alarm with an SNS action (and actions enabled) on
#       each required metric of the table, dimension TableName, and for a
#       global table one on ReplicationLatency per receiving region; treat
#       missing data as not breaching so a quiet table stays out of ALARM.
#     aws_cli: |-
#       aws cloudwatch put-metric-alarm --region REGION \
#         --alarm-name TABLE-throttled-requests --namespace AWS/DynamoDB \
#         --metric-name ThrottledRequests --dimensions Name=TableName,Value=TABLE Name=Operation,Value=PutItem \
#         --statistic Sum --period 60 --evaluation-periods 5 --threshold 1 \
#         --comparison-operator GreaterThanOrEqualToThreshold --treat-missing-data notBreaching \
#         --alarm-actions arn:aws:sns:REGION:ACCOUNT_ID:oncall
#       aws cloudwatch put-metric-alarm --region REGION \
#         --alarm-name TABLE-replication-latency-REPLICA_REGION --namespace AWS/DynamoDB \
#         --metric-name ReplicationLatency --dimensions Name=TableName,Value=TABLE Name=ReceivingRegion,Value=REPLICA_REGION \
#         --statistic Average --period 60 --evaluation-periods 15 --threshold 180000 \
#         --comparison-operator GreaterThanThreshold --treat-missing-data notBreaching \
#         --alarm-actions arn:aws:sns:REGION:ACCOUNT_ID:oncall
#     terraform: |-
#       resource "aws_cloudwatch_metric_alarm" "system_errors" {
#         alarm_name          = "orders-system-errors"
#         namespace           = "AWS/DynamoDB"
#         metric_name         = "SystemErrors"
#         dimensions          = { TableName = aws_dynamodb_table.orders.name, Operation = "PutItem" }
#         statistic           = "Sum"
#         period              = 60
#         evaluation_periods  = 1
#         threshold           = 1
#         comparison_operator = "GreaterThanOrEqualToThreshold"
#         treat_missing_data  = "notBreaching"
#         actions_enabled     = true
#         alarm_actions       = [aws_sns_topic.oncall.arn]
#       }
package dynaudit.rules.dyn506

import data.dynaudit.lib.common

default required_alarm_metrics := [["ThrottledRequests", "ReadThrottleEvents", "WriteThrottleEvents"], ["SystemErrors"]]

required_alarm_metrics := data.dynaudit.params.required_alarm_metrics

default require_replication_latency_alarm := true

require_replication_latency_alarm := data.dynaudit.params.require_replication_latency_alarm

# The rule requires something of some table.
enabled if count(required_alarm_metrics) > 0

enabled if require_replication_latency_alarm == true

latency_required if require_replication_latency_alarm == true

# ---------------------------------------------------------------------------
# The region's alarms by what they watch: [region, table name, metric name]
# -> the alarms of the region on that metric of that table. Built once, so
# that each table costs a few lookups, not a pass over every alarm.

watching[k] contains {
	"alarm": a.name,
	"state": object.get(a, "state", null),
	"actionable": actionable(a),
	"why_not": why_not(a),
	"receiving_region": object.get(m.dimensions, "ReceivingRegion", null),
} if {
	enabled
	some region, r in input.regions
	alarms := object.get(r, "metric_alarms", null)
	is_object(alarms)
	some a in alarms
	some m in a.metrics
	name := m.dimensions.TableName
	k := [region, name, m.metric_name]
}

# The alarm notifies someone when it changes state.
actionable(a) := true if {
	a.actions_enabled == true
	count(a.alarm_actions) > 0
} else := false

why_not(a) := "its actions are disabled and it has no alarm action" if {
	a.actions_enabled != true
	count(a.alarm_actions) == 0
} else := "its actions are disabled" if {
	a.actions_enabled != true
} else := "it has no alarm action" if {
	count(a.alarm_actions) == 0
} else := null

# ---------------------------------------------------------------------------
# Requirements of a table and how its region's alarms meet them

replica_regions(x) := sort({rep.region | some rep in x.table.replicas; rep.region != x.region}) if {
	is_array(x.table.replicas)
} else := []

# The replica regions whose ReplicationLatency alarm is required, or [] when
# none is (the replicas are known: see `replicas_unknown`).
latency_regions(x) := replica_regions(x) if {
	latency_required
	is_array(x.table.replicas)
} else := []

# Whether a ReplicationLatency alarm is required depends on replicas that
# were not collected.
replicas_unknown(x) if {
	latency_required
	x.table.replicas == null
}

metric_matches(x, group) := {e |
	some metric in group
	some e in watching[[x.region, x.table.name, metric]]
}

latency_matches(x, receiving) := {e |
	some e in watching[[x.region, x.table.name, "ReplicationLatency"]]
	e.receiving_region == receiving
}

# One entry per requirement: what it asks for and the alarms that match.
checks(x) := array.concat(
	[check(concat(" or ", group), metric_matches(x, group)) | some group in required_alarm_metrics],
	[check(sprintf("ReplicationLatency to %s", [reg]), latency_matches(x, reg)) | some reg in latency_regions(x)],
)

check(requirement, matches) := {
	"requirement": requirement,
	"alarms": sort({e.alarm | some e in matches; e.actionable}),
	"states": sort({sprintf("%s: %v", [e.alarm, e.state]) | some e in matches; e.actionable}),
	"without_action": sort({sprintf("alarm %s matches but %s", [e.alarm, e.why_not]) | some e in matches; not e.actionable}),
}

missing(cs) := [c | some c in cs; count(c.alarms) == 0]

missing_text(c) := c.requirement if {
	count(c.without_action) == 0
} else := sprintf("%s (%s)", [c.requirement, concat("; ", c.without_action)])

# Nothing is required of this table: no metric is, and no ReplicationLatency
# alarm is (not required, or the table has no replica).
nothing_required(x) if {
	count(required_alarm_metrics) == 0
	not replicas_unknown(x)
	count(latency_regions(x)) == 0
}

base_evidence(x) := {
	"required_alarm_metrics": required_alarm_metrics,
	"require_replication_latency_alarm": latency_required_value,
	"replica_regions": replica_regions_or_null(x),
}

latency_required_value := true if {
	latency_required
} else := false

replica_regions_or_null(x) := replica_regions(x) if {
	is_array(x.table.replicas)
} else := null

describe_table_needs(x) := ["DescribeTable" | replicas_unknown(x)]

replicas_unknown_text(x) := "; its replicas were not collected, so the ReplicationLatency alarms it needs are not known" if {
	replicas_unknown(x)
} else := ""

# ---------------------------------------------------------------------------
# Outcomes

outcomes contains common.unlisted_tables_outcome(region, "CloudWatch alarms of tables") if {
	enabled
	some region in common.unlisted_table_regions
}

outcomes contains o if {
	enabled
	some region, r in input.regions
	is_object(r.tables)
	some arn, t in r.tables
	o := table_outcome({"region": region, "arn": arn, "table": t}, r)
}

table_outcome(x, r) := {
	"status": "pass",
	"resource": x.arn,
	"region": x.region,
	"message": sprintf("Table %s in %s needs no alarm: required_alarm_metrics is empty and it has no replica needing a ReplicationLatency alarm", [x.table.name, x.region]),
	"evidence": base_evidence(x),
} if {
	nothing_required(x)
} else := {
	"status": "unknown",
	"resource": x.arn,
	"region": x.region,
	"message": sprintf("Cannot check the CloudWatch alarms of table %s in %s: metric alarms are %s", [x.table.name, x.region, common.not_in_version_reason]),
	"evidence": object.union(base_evidence(x), {"metric_alarms": "not in this inventory's schema version"}),
	"needs": describe_table_needs(x),
} if {
	common.not_in_version(r, "metric_alarms")
} else := {
	"status": "unknown",
	"resource": x.arn,
	"region": x.region,
	"message": sprintf("Cannot check the CloudWatch alarms of table %s in %s: the region's metric alarms were not collected", [x.table.name, x.region]),
	"evidence": object.union(base_evidence(x), {"metric_alarms": null}),
	"needs": array.concat(["DescribeAlarms"], describe_table_needs(x)),
} if {
	r.metric_alarms == null
} else := {
	"status": "fail",
	"resource": x.arn,
	"region": x.region,
	"message": sprintf("Table %s in %s has no CloudWatch alarm with an enabled alarm action on %s%s", [
		x.table.name, x.region,
		concat("; ", [missing_text(c) | some c in m]),
		replicas_unknown_text(x),
	]),
	"evidence": object.union(base_evidence(x), {"checks": cs, "missing": [c.requirement | some c in m]}),
} if {
	cs := checks(x)
	m := missing(cs)
	count(m) > 0
} else := {
	"status": "unknown",
	"resource": x.arn,
	"region": x.region,
	"message": sprintf("Table %s in %s has an alarm with an action on each required metric, but its replicas were not collected, so the ReplicationLatency alarms it needs are not known", [x.table.name, x.region]),
	"evidence": object.union(base_evidence(x), {"checks": checks(x), "missing": []}),
	"needs": ["DescribeTable"],
} if {
	replicas_unknown(x)
} else := {
	"status": "pass",
	"resource": x.arn,
	"region": x.region,
	"message": sprintf("Table %s in %s has a CloudWatch alarm with an enabled alarm action on %s", [
		x.table.name, x.region,
		concat("; ", [sprintf("%s (%s)", [c.requirement, concat(", ", c.alarms)]) | some c in cs]),
	]),
	"evidence": object.union(base_evidence(x), {"checks": cs, "missing": []}),
} if {
	cs := checks(x)
}
