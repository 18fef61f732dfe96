//! CloudWatch: the region's metric alarms on DynamoDB metrics
//! (`DescribeAlarms`, type `MetricAlarm`, paginated, once per region),
//! which DYN506 matches to tables by their `TableName` dimension.
//!
//! An alarm is kept when its own metric, or any metric of its metric math
//! expression, is in the `AWS/DynamoDB` namespace; only those metrics are
//! kept. Composite alarms watch other alarms, not metrics, and are not
//! asked for.

use std::collections::BTreeMap;

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::types::{AlarmType, Dimension, MetricAlarm as SdkAlarm};

use crate::collect::calls::{Call, paginate, record_malformed};
use crate::collect::context::RegionContext;
use crate::inventory::{AlarmMetric, MetricAlarm};

const SERVICE: &str = "cloudwatch";
/// The namespace of DynamoDB's metrics.
const NAMESPACE: &str = "AWS/DynamoDB";
/// Largest page the API allows.
const PAGE: i32 = 100;

/// Collects the region's alarms on DynamoDB metrics keyed by alarm ARN.
pub async fn collect(ctx: &RegionContext) -> Option<BTreeMap<String, MetricAlarm>> {
    collect_with(&crate::sdk_client!(aws_sdk_cloudwatch, ctx), ctx).await
}

/// [`collect`] with a given client.
pub async fn collect_with(
    client: &Client,
    ctx: &RegionContext,
) -> Option<BTreeMap<String, MetricAlarm>> {
    let call = Call {
        service: SERVICE,
        region: &ctx.region,
        operation: "DescribeAlarms",
        resource: None,
    };
    let alarms = paginate(ctx, call, |token| {
        let request = client
            .describe_alarms()
            .alarm_types(AlarmType::MetricAlarm)
            .max_records(PAGE)
            .set_next_token(token);
        async move {
            let page = request.send().await?;
            let alarms: Vec<Result<MetricAlarm, String>> = page
                .metric_alarms
                .unwrap_or_default()
                .into_iter()
                .filter_map(dynamodb_alarm)
                .collect();
            Ok((alarms, page.next_token))
        }
    })
    .await?;
    let mut by_arn = BTreeMap::new();
    for alarm in alarms {
        match alarm {
            Ok(alarm) => {
                by_arn.insert(alarm.arn.clone(), alarm);
            }
            // Left out, the alarm would read as missing: DYN506 would fail
            // a table it may cover.
            Err(name) => {
                record_malformed(
                    &ctx.errors,
                    SERVICE,
                    &ctx.region,
                    "DescribeAlarms",
                    None,
                    format!("the alarm {name:?} on a DynamoDB metric has no AlarmArn"),
                );
                return None;
            }
        }
    }
    Some(by_arn)
}

/// The alarm with its DynamoDB metrics, if it has any; `Err` with its name
/// when such an alarm has no ARN.
fn dynamodb_alarm(alarm: SdkAlarm) -> Option<Result<MetricAlarm, String>> {
    let mut metrics = Vec::new();
    if alarm.namespace.as_deref() == Some(NAMESPACE)
        && let Some(name) = &alarm.metric_name
    {
        metrics.push(metric(name, alarm.dimensions.as_deref()));
    }
    for query in alarm.metrics.iter().flatten() {
        if let Some(watched) = query.metric_stat.as_ref().and_then(|s| s.metric.as_ref())
            && watched.namespace.as_deref() == Some(NAMESPACE)
            && let Some(name) = &watched.metric_name
        {
            metrics.push(metric(name, watched.dimensions.as_deref()));
        }
    }
    if metrics.is_empty() {
        return None;
    }
    let name = alarm.alarm_name.unwrap_or_default();
    let Some(arn) = alarm.alarm_arn else {
        return Some(Err(name));
    };
    Some(Ok(MetricAlarm {
        name,
        arn,
        actions_enabled: alarm.actions_enabled.unwrap_or(false),
        alarm_actions: alarm.alarm_actions.unwrap_or_default(),
        state: alarm.state_value.map(|state| state.as_str().to_string()),
        metrics,
    }))
}

fn metric(name: &str, dimensions: Option<&[Dimension]>) -> AlarmMetric {
    AlarmMetric {
        metric_name: name.to_string(),
        dimensions: dimensions
            .unwrap_or_default()
            .iter()
            .filter_map(|d| Some((d.name.clone()?, d.value.clone()?)))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::testing::{
        assert_html_500_error, assert_no_errors, context, html_500, only_error, test_client,
    };
    use aws_sdk_cloudwatch::operation::describe_alarms::DescribeAlarmsOutput;
    use aws_sdk_cloudwatch::types::{Metric, MetricDataQuery, MetricStat, StateValue};
    use aws_smithy_mocks::{RuleMode, mock};

    fn dimension(name: &str, value: &str) -> Dimension {
        Dimension::builder().name(name).value(value).build()
    }

    fn alarm(name: &str, namespace: &str, metric: &str, table: &str) -> SdkAlarm {
        SdkAlarm::builder()
            .alarm_name(name)
            .alarm_arn(format!(
                "arn:aws:cloudwatch:us-east-1:123456789012:alarm:{name}"
            ))
            .actions_enabled(true)
            .alarm_actions("arn:aws:sns:us-east-1:123456789012:oncall")
            .state_value(StateValue::InsufficientData)
            .namespace(namespace)
            .metric_name(metric)
            .dimensions(dimension("TableName", table))
            .dimensions(dimension("Operation", "PutItem"))
            .build()
    }

    #[tokio::test]
    async fn keeps_dynamodb_alarms_across_pages() {
        let math = SdkAlarm::builder()
            .alarm_name("errors-math")
            .alarm_arn("arn:aws:cloudwatch:us-east-1:123456789012:alarm:errors-math")
            .actions_enabled(false)
            .metrics(
                MetricDataQuery::builder()
                    .id("e1")
                    .expression("m1 * 2")
                    .build(),
            )
            .metrics(
                MetricDataQuery::builder()
                    .id("m1")
                    .metric_stat(
                        MetricStat::builder()
                            .metric(
                                Metric::builder()
                                    .namespace(NAMESPACE)
                                    .metric_name("SystemErrors")
                                    .dimensions(dimension("TableName", "orders"))
                                    .build(),
                            )
                            .build(),
                    )
                    .build(),
            )
            .build();
        let p1 = mock!(Client::describe_alarms)
            .match_requests(|req| {
                req.next_token().is_none()
                    && req.max_records() == Some(PAGE)
                    && req.alarm_types() == [AlarmType::MetricAlarm]
            })
            .then_output(|| {
                DescribeAlarmsOutput::builder()
                    .metric_alarms(alarm("throttles", NAMESPACE, "ThrottledRequests", "orders"))
                    .metric_alarms(alarm("cpu", "AWS/EC2", "CPUUtilization", "orders"))
                    .next_token("t1")
                    .build()
            });
        let p2 = mock!(Client::describe_alarms)
            .match_requests(|req| req.next_token() == Some("t1"))
            .then_output(move || {
                DescribeAlarmsOutput::builder()
                    .metric_alarms(math.clone())
                    .build()
            });
        let client = test_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&p1, &p2]);
        let ctx = context("us-east-1");

        let alarms = collect_with(&client, &ctx).await.expect("collected");
        assert_no_errors(&ctx);
        assert_eq!(alarms.len(), 2, "{alarms:?}");
        let throttles = &alarms["arn:aws:cloudwatch:us-east-1:123456789012:alarm:throttles"];
        assert!(throttles.actions_enabled);
        assert_eq!(throttles.state.as_deref(), Some("INSUFFICIENT_DATA"));
        assert_eq!(throttles.metrics[0].metric_name, "ThrottledRequests");
        assert_eq!(throttles.metrics[0].dimensions["TableName"], "orders");
        assert_eq!(throttles.metrics[0].dimensions["Operation"], "PutItem");
        let math = &alarms["arn:aws:cloudwatch:us-east-1:123456789012:alarm:errors-math"];
        assert!(!math.actions_enabled);
        assert!(math.alarm_actions.is_empty());
        assert_eq!(math.metrics.len(), 1);
        assert_eq!(math.metrics[0].metric_name, "SystemErrors");
    }

    #[tokio::test]
    async fn a_dynamodb_alarm_without_an_arn_leaves_the_alarms_unknown() {
        let page = mock!(Client::describe_alarms).then_output(|| {
            let mut broken = alarm("throttles", NAMESPACE, "ThrottledRequests", "orders");
            broken.alarm_arn = None;
            DescribeAlarmsOutput::builder()
                .metric_alarms(broken)
                .build()
        });
        let client = test_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&page]);
        let ctx = context("us-east-1");

        assert_eq!(collect_with(&client, &ctx).await, None);
        let error = only_error(&ctx);
        assert_eq!(error.code, "MalformedResponse");
        assert!(error.message.contains("\"throttles\""), "{}", error.message);
    }

    #[tokio::test]
    async fn a_failed_page_leaves_the_alarms_unknown() {
        let p1 = mock!(Client::describe_alarms)
            .match_requests(|req| req.next_token().is_none())
            .then_output(|| {
                DescribeAlarmsOutput::builder()
                    .metric_alarms(alarm("throttles", NAMESPACE, "ThrottledRequests", "orders"))
                    .next_token("t1")
                    .build()
            });
        let p2 = mock!(Client::describe_alarms)
            .match_requests(|req| req.next_token() == Some("t1"))
            .then_http_response(html_500);
        let client = test_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&p1, &p2]);
        let ctx = context("us-east-1");

        assert_eq!(collect_with(&client, &ctx).await, None);
        let error = only_error(&ctx);
        assert_eq!(
            (error.service.as_str(), error.operation.as_str()),
            ("cloudwatch", "DescribeAlarms")
        );
        assert_html_500_error(&error);
    }
}
