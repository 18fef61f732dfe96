//! Capacity and alarms (schema 1.3 rules): two tables switched to
//! PROVISIONED capacity, one with Application Auto Scaling for reads and
//! writes (DYN206 pass) and one without (fail); CloudWatch alarms with an
//! action on `orders` for throttling and system errors (DYN506 pass), and
//! one without an action on `ledger` (still a fail).

use aws_sdk_applicationautoscaling::types::{
    MetricType, PredefinedMetricSpecification, ScalableDimension, ServiceNamespace,
    TargetTrackingScalingPolicyConfiguration,
};
use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, Statistic};
use aws_sdk_dynamodb::types::{BillingMode, ProvisionedThroughput};

use super::{EAST, Estate};
use crate::support::moto::TestAccount;

async fn provision(ddb: &aws_sdk_dynamodb::Client, table: &str) {
    ddb.update_table()
        .table_name(table)
        .billing_mode(BillingMode::Provisioned)
        .provisioned_throughput(
            ProvisionedThroughput::builder()
                .read_capacity_units(5)
                .write_capacity_units(5)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("UpdateTable {table} to PROVISIONED: {e:?}"));
}

async fn autoscale(
    aas: &aws_sdk_applicationautoscaling::Client,
    table: &str,
    dimension: ScalableDimension,
    metric: MetricType,
) {
    let resource = format!("table/{table}");
    aas.register_scalable_target()
        .service_namespace(ServiceNamespace::Dynamodb)
        .resource_id(&resource)
        .scalable_dimension(dimension.clone())
        .min_capacity(5)
        .max_capacity(100)
        .send()
        .await
        .unwrap_or_else(|e| panic!("RegisterScalableTarget {resource}: {e:?}"));
    aas.put_scaling_policy()
        .policy_name(format!("{table}-{}", dimension.as_str()))
        .service_namespace(ServiceNamespace::Dynamodb)
        .resource_id(&resource)
        .scalable_dimension(dimension)
        .policy_type(aws_sdk_applicationautoscaling::types::PolicyType::TargetTrackingScaling)
        .target_tracking_scaling_policy_configuration(
            TargetTrackingScalingPolicyConfiguration::builder()
                .target_value(70.0)
                .predefined_metric_specification(
                    PredefinedMetricSpecification::builder()
                        .predefined_metric_type(metric)
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("PutScalingPolicy {resource}: {e:?}"));
}

async fn alarm(
    cw: &aws_sdk_cloudwatch::Client,
    name: &str,
    metric: &str,
    table: &str,
    action: Option<&str>,
) {
    cw.put_metric_alarm()
        .alarm_name(name)
        .namespace("AWS/DynamoDB")
        .metric_name(metric)
        .dimensions(Dimension::builder().name("TableName").value(table).build())
        .statistic(Statistic::Sum)
        .period(60)
        .evaluation_periods(1)
        .threshold(1.0)
        .comparison_operator(ComparisonOperator::GreaterThanOrEqualToThreshold)
        .set_alarm_actions(action.map(|a| vec![a.to_string()]))
        .send()
        .await
        .unwrap_or_else(|e| panic!("PutMetricAlarm {name}: {e:?}"));
}

pub(super) async fn seed_monitoring(account: &TestAccount, e: &mut Estate) {
    let config = account.config(EAST);
    let ddb = aws_sdk_dynamodb::Client::new(&config);
    provision(&ddb, "tenants").await;
    provision(&ddb, "tenants-legacy").await;
    let aas = aws_sdk_applicationautoscaling::Client::new(&config);
    autoscale(
        &aas,
        "tenants",
        ScalableDimension::DynamoDbTableReadCapacityUnits,
        MetricType::DynamoDbReadCapacityUtilization,
    )
    .await;
    autoscale(
        &aas,
        "tenants",
        ScalableDimension::DynamoDbTableWriteCapacityUnits,
        MetricType::DynamoDbWriteCapacityUtilization,
    )
    .await;

    let cw = aws_sdk_cloudwatch::Client::new(&config);
    let topic = format!("arn:aws:sns:{EAST}:{}:oncall", account.account_id);
    alarm(
        &cw,
        "orders-throttles",
        "ThrottledRequests",
        "orders",
        Some(&topic),
    )
    .await;
    alarm(&cw, "orders-errors", "SystemErrors", "orders", Some(&topic)).await;
    alarm(&cw, "ledger-errors-silent", "SystemErrors", "ledger", None).await;
    e.put(
        "alarm:orders-throttles",
        format!(
            "arn:aws:cloudwatch:{EAST}:{}:alarm:orders-throttles",
            account.account_id
        ),
    );
}
