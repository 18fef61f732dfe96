//! IAM, trails, AWS Config, DAX, alarms, scaling, backup and networks.

use serde_json::json;

use super::*;

#[test]
fn iam_principals_get_the_policies_the_plan_gives_them() {
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:*","Resource":"*"}]}"#;
    let plan = plan_with(
        &[
            res(
                "aws_iam_role.app",
                json!({"name": "app", "path": "/"}),
                json!({"arn": true, "inline_policy": true, "managed_policy_arns": true}),
                json!({"name": constant(json!("app"))}),
            ),
            res(
                "aws_iam_policy.admin",
                json!({"name": "admin", "path": "/", "policy": doc}),
                json!({"arn": true}),
                json!({"name": constant(json!("admin")), "policy": {}}),
            ),
            res(
                "aws_iam_policy.later",
                json!({"name": "later", "path": "/"}),
                json!({"arn": true, "policy": true}),
                json!({"name": constant(json!("later")), "policy": reference("aws_dynamodb_table.t.arn")}),
            ),
            res(
                "aws_iam_role_policy_attachment.admin",
                json!({"role": "app"}),
                json!({"policy_arn": true}),
                json!({"role": reference("aws_iam_role.app.name"), "policy_arn": reference("aws_iam_policy.admin.arn")}),
            ),
            res(
                "aws_iam_role_policy_attachment.later",
                json!({"role": "app"}),
                json!({"policy_arn": true}),
                json!({"role": reference("aws_iam_role.app.name"), "policy_arn": reference("aws_iam_policy.later.arn")}),
            ),
            res(
                "aws_iam_role_policy_attachment.managed",
                json!({"role": "app", "policy_arn": "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess"}),
                json!({}),
                json!({}),
            ),
            res(
                "aws_iam_role_policy.inline",
                json!({"name": "inline", "policy": doc}),
                json!({"role": true}),
                json!({"role": reference("aws_iam_role.app.id"), "policy": {}}),
            ),
            res(
                "aws_iam_user.u",
                json!({"name": "u", "path": "/"}),
                json!({"arn": true}),
                json!({}),
            ),
            res(
                "aws_iam_group.g",
                json!({"name": "g", "path": "/"}),
                json!({"arn": true}),
                json!({}),
            ),
            res(
                "aws_iam_user_group_membership.u",
                json!({"user": "u", "groups": ["g"]}),
                json!({}),
                json!({}),
            ),
        ],
        json!(null),
    );
    let inventory = read(&plan);
    let iam = inventory.iam.as_ref().unwrap();
    let role = &iam.roles[&format!("arn:aws:iam::{ACCOUNT}:role/app")];
    assert_eq!(role.inline_policies[0].name, "inline");
    assert_eq!(role.attached_policy_arns.len(), 3);
    let admin = &iam.policies[&format!("arn:aws:iam::{ACCOUNT}:policy/admin")];
    assert_eq!(admin.attachment_count, Some(1));
    assert!(admin.document.is_some());
    let later = format!("arn:aws:iam::{ACCOUNT}:policy/later");
    assert_eq!(iam.policies[&later].document, None);
    assert!(
        error(&inventory, "GetAccountAuthorizationDetails", &later)
            .contains("aws_iam_policy.later.policy")
    );
    let managed = "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess";
    assert_eq!(iam.policies[managed].document, None);
    assert!(
        error(&inventory, "GetAccountAuthorizationDetails", managed).contains("AWS managed policy")
    );
    assert_eq!(
        iam.users[&format!("arn:aws:iam::{ACCOUNT}:user/u")].group_names,
        ["g"]
    );
}

#[test]
fn trails_config_dax_alarms_scaling_and_backup() {
    let plan = plan_with(
        &[
            res(
                "aws_cloudtrail.main",
                json!({"name": "main", "is_multi_region_trail": true, "enable_log_file_validation": true, "event_selector": [], "advanced_event_selector": []}),
                json!({"arn": true}),
                json!({}),
            ),
            Res {
                provider: "aws.eu",
                ..table(json!({}), json!({}), json!({}))
            },
            res(
                "aws_config_config_rule.pitr",
                json!({"name": "pitr", "source": [{"owner": "AWS", "source_identifier": "DYNAMODB_PITR_ENABLED"}], "scope": []}),
                json!({"arn": true}),
                json!({}),
            ),
            res(
                "aws_config_configuration_recorder.r",
                json!({"name": "default", "recording_group": [{"all_supported": true}]}),
                json!({}),
                json!({}),
            ),
            res(
                "aws_config_configuration_recorder_status.r",
                json!({"name": "default", "is_enabled": true}),
                json!({}),
                json!({}),
            ),
            res(
                "aws_dax_cluster.three",
                json!({"cluster_name": "three", "replication_factor": 3, "availability_zones": ["us-east-1a", "us-east-1b", "us-east-1c"], "server_side_encryption": [{"enabled": true}], "cluster_endpoint_encryption_type": "TLS"}),
                json!({"arn": true}),
                json!({}),
            ),
            res(
                "aws_dax_cluster.anywhere",
                json!({"cluster_name": "anywhere", "replication_factor": 3}),
                json!({"arn": true}),
                json!({}),
            ),
            res(
                "aws_sns_topic.alerts",
                json!({"name": "alerts"}),
                json!({"arn": true}),
                json!({}),
            ),
            res(
                "aws_cloudwatch_metric_alarm.t",
                json!({"alarm_name": "t-throttles", "namespace": "AWS/DynamoDB", "metric_name": "ThrottledRequests", "dimensions": {"Operation": "PutItem"}, "actions_enabled": true, "metric_query": []}),
                json!({"arn": true, "alarm_actions": true, "dimensions": {"TableName": true}}),
                json!({"alarm_actions": reference("aws_sns_topic.alerts.arn"), "dimensions": reference("aws_dynamodb_table.t.id")}),
            ),
            res(
                "aws_appautoscaling_target.read",
                json!({"service_namespace": "dynamodb", "resource_id": "table/t", "scalable_dimension": "dynamodb:table:ReadCapacityUnits", "min_capacity": 5, "max_capacity": 100, "suspended_state": []}),
                json!({}),
                json!({}),
            ),
            res(
                "aws_appautoscaling_policy.read",
                json!({"name": "read", "policy_type": "TargetTrackingScaling"}),
                json!({"resource_id": true, "scalable_dimension": true, "service_namespace": true}),
                json!({"resource_id": reference("aws_appautoscaling_target.read.resource_id"), "scalable_dimension": reference("aws_appautoscaling_target.read.scalable_dimension"), "service_namespace": reference("aws_appautoscaling_target.read.service_namespace")}),
            ),
            res(
                "aws_backup_selection.lost",
                json!({"name": "lost"}),
                json!({"plan_id": true}),
                json!({"plan_id": reference("data.aws_backup_plan.shared.id")}),
            ),
            res(
                "aws_backup_plan.p",
                json!({"name": "p", "rule": [{"rule_name": "daily", "target_vault_name": "v", "lifecycle": [{"delete_after": 7}]}]}),
                json!({"arn": true, "id": true}),
                json!({}),
            ),
        ],
        json!(null),
    );
    let inventory = read(&plan);
    let trail_arn = format!("arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/main");
    let trail = &inventory.trails[&trail_arn];
    assert_eq!(trail.absent, [TrailField::KmsKeyId]);
    assert_eq!(
        trail.selectors.as_ref().unwrap().event_selectors[0]
            .read_write_type
            .as_deref(),
        Some("All")
    );
    assert_eq!(trail.is_logging, Some(true));
    for region in ["us-east-1", "eu-west-1"] {
        assert_eq!(
            inventory.regions[region].trail_arns.as_ref().unwrap(),
            std::slice::from_ref(&trail_arn),
            "multi-region: {region}"
        );
    }
    let east = &inventory.regions["us-east-1"];
    assert_eq!(east.config_rules.as_ref().unwrap()["pitr"].compliance, None);
    assert!(
        error(&inventory, "DescribeComplianceByConfigRule", "pitr")
            .contains("once AWS Config has evaluated")
    );
    assert_eq!(
        east.config_recorders.as_ref().unwrap()[0].recording,
        Some(true)
    );
    let dax = east.dax_clusters.as_ref().unwrap();
    let three = &dax[&format!("arn:aws:dax:us-east-1:{ACCOUNT}:cache/three")];
    assert_eq!(
        three.nodes.as_ref().unwrap().as_ref().unwrap()[2]
            .availability_zone
            .as_deref(),
        Some("us-east-1c")
    );
    let anywhere = format!("arn:aws:dax:us-east-1:{ACCOUNT}:cache/anywhere");
    assert_eq!(dax[&anywhere].sse_status.as_deref(), Some("DISABLED"));
    assert!(error(&inventory, "DescribeClusters", &anywhere).contains("DAX chooses"));
    let alarms = east.metric_alarms.as_ref().unwrap().as_ref().unwrap();
    let alarm = alarms.values().next().unwrap();
    assert_eq!(alarm.metrics[0].dimensions["TableName"], "t");
    assert_eq!(
        alarm.alarm_actions,
        [format!("arn:aws:sns:us-east-1:{ACCOUNT}:alerts")]
    );
    let policies = east.scaling_policies.as_ref().unwrap().as_ref().unwrap();
    assert_eq!(policies[0].resource_id, "table/t");
    assert_eq!(
        east.scalable_targets.as_ref().unwrap().as_ref().unwrap()[0].max_capacity,
        100
    );
    let plan_arn =
        format!("arn:aws:backup:us-east-1:{ACCOUNT}:backup-plan:planned-aws_backup_plan.p");
    let backup_plan = &east.backup_plans.as_ref().unwrap()[&plan_arn];
    assert_eq!(
        backup_plan.rules.as_ref().unwrap()[0].delete_after_days,
        Some(7)
    );
    assert_eq!(
        backup_plan.selections, None,
        "a selection of an unknown plan"
    );
    assert!(error(&inventory, "ListBackupSelections", &plan_arn).contains("plan_id"));
}

#[test]
fn endpoints_without_a_policy_and_with_associations() {
    let plan = plan_with(
        &[
            res(
                "aws_vpc.main",
                json!({"cidr_block": "10.0.0.0/16"}),
                json!({"id": true}),
                json!({}),
            ),
            res(
                "aws_route_table.private",
                json!({}),
                json!({"id": true}),
                json!({}),
            ),
            res(
                "aws_vpc_endpoint.ddb",
                json!({"service_name": "com.amazonaws.us-east-1.dynamodb", "vpc_endpoint_type": "Gateway"}),
                json!({"id": true, "vpc_id": true, "policy": true, "route_table_ids": true}),
                json!({"vpc_id": reference("aws_vpc.main.id")}),
            ),
            res(
                "aws_vpc_endpoint_route_table_association.a",
                json!({}),
                json!({"vpc_endpoint_id": true, "route_table_id": true}),
                json!({"vpc_endpoint_id": reference("aws_vpc_endpoint.ddb.id"), "route_table_id": reference("aws_route_table.private.id")}),
            ),
        ],
        json!(null),
    );
    let inventory = read(&plan);
    let east = &inventory.regions["us-east-1"];
    let endpoint = &east.vpc_endpoints.as_ref().unwrap()["vpce-planned-aws_vpc_endpoint.ddb"];
    assert_eq!(endpoint.vpc_id, "vpc-planned-aws_vpc.main");
    assert_eq!(endpoint.absent, [VpcEndpointField::PolicyDocument]);
    assert_eq!(
        endpoint.route_table_ids,
        ["rtb-planned-aws_route_table.private"]
    );
    assert!(
        east.vpcs
            .as_ref()
            .unwrap()
            .contains_key("vpc-planned-aws_vpc.main")
    );
    // An endpoint whose VPC the plan cannot tell.
    let plan = plan_with(
        &[res(
            "aws_vpc_endpoint.ddb",
            json!({"service_name": "com.amazonaws.us-east-1.dynamodb"}),
            json!({"id": true, "vpc_id": true}),
            json!({"vpc_id": reference("data.aws_vpc.shared.id")}),
        )],
        json!(null),
    );
    let inventory = read(&plan);
    assert_eq!(inventory.regions["us-east-1"].vpc_endpoints, None);
}
