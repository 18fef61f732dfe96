//! Tables, their replicas, keys, policies and Contributor Insights.

use serde_json::json;

use super::*;

#[test]
fn aws_defaults_apply_where_the_code_sets_nothing() {
    let plan = plan_with(
        &[table(
            json!({}),
            json!({"server_side_encryption": true, "point_in_time_recovery": true, "arn": true}),
            json!({}),
        )],
        json!(null),
    );
    let inventory = read(&plan);
    let t = &inventory.regions["us-east-1"].tables.as_ref().unwrap()[&table_arn("us-east-1", "t")];
    assert_eq!(t.encryption.as_ref().unwrap().sse_type, SseType::AwsOwned);
    assert_eq!(
        t.point_in_time_recovery.as_ref().unwrap().status,
        "DISABLED"
    );
    assert_eq!(t.deletion_protection, Some(false));
    assert_eq!(t.contributor_insights.as_deref(), Some("DISABLED"));
    assert!(!t.stream.as_ref().unwrap().enabled);
    assert_eq!(t.resource_policy.as_ref().unwrap().document, None);
    assert!(inventory.errors.is_empty(), "{:#?}", inventory.errors);
    // enabled = true without a key: the AWS managed key.
    let plan = plan_with(
        &[table(
            json!({"server_side_encryption": [{"enabled": true}], "point_in_time_recovery": [{"enabled": true}]}),
            json!({"server_side_encryption": [{"kms_key_arn": true}], "point_in_time_recovery": [{"recovery_period_in_days": true}]}),
            json!({"server_side_encryption": [{"enabled": constant(json!(true))}], "point_in_time_recovery": [{"enabled": constant(json!(true))}]}),
        )],
        json!(null),
    );
    let inventory = read(&plan);
    let region = &inventory.regions["us-east-1"];
    let t = &region.tables.as_ref().unwrap()[&table_arn("us-east-1", "t")];
    let managed = format!("arn:aws:kms:us-east-1:{ACCOUNT}:alias/aws/dynamodb");
    assert_eq!(
        t.encryption.as_ref().unwrap().kms_key_arn.as_deref(),
        Some(managed.as_str())
    );
    assert_eq!(
        region.kms_keys[&managed].key_manager.as_deref(),
        Some("AWS")
    );
    let pitr = t.point_in_time_recovery.as_ref().unwrap();
    assert_eq!(
        (pitr.status.as_str(), pitr.recovery_period_days),
        ("ENABLED", None)
    );
}

#[test]
fn a_value_the_code_sets_that_is_known_only_after_apply_is_not_determinable() {
    // The key comes from a data source read at apply: no planned key.
    let plan = plan_with(
        &[table(
            json!({"server_side_encryption": [{"enabled": true}]}),
            json!({"server_side_encryption": [{"kms_key_arn": true}]}),
            json!({"server_side_encryption": [{"enabled": constant(json!(true)), "kms_key_arn": reference("data.aws_kms_key.shared.arn")}]}),
        )],
        json!(null),
    );
    let inventory = read(&plan);
    let arn = table_arn("us-east-1", "t");
    let t = &inventory.regions["us-east-1"].tables.as_ref().unwrap()[&arn];
    assert_eq!(t.encryption, None);
    assert_eq!(
        error(&inventory, "DescribeTable", &arn),
        format!(
            "not determinable from the plan (`aws_dynamodb_table.t.server_side_encryption[0].kms_key_arn`): known only after apply (plan.json:{})",
            address_line(&plan, "aws_dynamodb_table.t")
        )
    );
    // A `dynamic` block: the values have it, the configuration does not
    // show it, so an unknown value in it is no default.
    let plan = plan_with(
        &[table(
            json!({"server_side_encryption": [{"enabled": true}]}),
            json!({"server_side_encryption": [{"kms_key_arn": true}]}),
            json!({}),
        )],
        json!(null),
    );
    let inventory = read(&plan);
    assert_eq!(
        inventory.regions["us-east-1"].tables.as_ref().unwrap()[&arn].encryption,
        None
    );
    // Unknown tags.
    let plan = plan_with(
        &[table(json!({}), json!({"tags_all": true}), json!({}))],
        json!(null),
    );
    let inventory = read(&plan);
    assert_eq!(
        inventory.regions["us-east-1"].tables.as_ref().unwrap()[&arn].tags,
        None
    );
    assert!(
        error(&inventory, "ListTagsOfResource", &arn).contains("aws_dynamodb_table.t.tags_all")
    );
}

#[test]
fn keys_of_the_plan_are_linked_through_references_and_module_outputs() {
    let module_key = key("module.keys.aws_kms_key.this", "aws");
    let modules = json!({"module_calls": {"keys": {
        "source": "./keys",
        "module": {
            "outputs": {"arn": {"expression": reference("aws_kms_key.this.arn")}},
            "resources": [{"address": "aws_kms_key.this", "mode": "managed", "type": "aws_kms_key", "name": "this",
                           "provider_config_key": "aws", "expressions": {}}],
        },
    }}});
    let plan = plan_with(
        &[
            module_key,
            table(
                json!({"server_side_encryption": [{"enabled": true}]}),
                json!({"server_side_encryption": [{"kms_key_arn": true}]}),
                json!({"server_side_encryption": [{"enabled": constant(json!(true)), "kms_key_arn": {"references": ["module.keys.arn", "module.keys"]}}]}),
            ),
        ],
        modules,
    );
    let inventory = read(&plan);
    let key_arn =
        format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/planned-module.keys.aws_kms_key.this");
    let region = &inventory.regions["us-east-1"];
    let t = &region.tables.as_ref().unwrap()[&table_arn("us-east-1", "t")];
    assert_eq!(
        t.encryption.as_ref().unwrap().kms_key_arn.as_deref(),
        Some(key_arn.as_str())
    );
    assert_eq!(region.kms_keys[&key_arn].rotation_enabled, Some(true));
    assert!(inventory.errors.is_empty(), "{:#?}", inventory.errors);
    let planned = &inventory.planned.as_ref().unwrap().resources[&key_arn];
    assert_eq!(planned.planned_id, "plan.json#module.keys.aws_kms_key.this");
}

#[test]
fn a_key_declared_elsewhere_is_not_determinable() {
    let elsewhere =
        format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    let plan = plan_with(
        &[table(
            json!({"server_side_encryption": [{"enabled": true, "kms_key_arn": elsewhere}]}),
            json!({}),
            json!({"server_side_encryption": [{"enabled": constant(json!(true)), "kms_key_arn": constant(json!(elsewhere))}]}),
        )],
        json!(null),
    );
    let inventory = read(&plan);
    for operation in ["DescribeKey", "ListAliases", "GetKeyRotationStatus"] {
        assert!(
            error(&inventory, operation, &elsewhere)
                .contains("the key is not declared in this plan")
        );
    }
}

#[test]
fn each_replica_is_a_table_record_with_its_own_key_and_pitr() {
    // The configuration lists the replicas in another order than the
    // planned set.
    let plan = plan_with(
        &[
            key("aws_kms_key.use1", "aws"),
            key("aws_kms_key.euw1", "aws.eu"),
            Res {
                provider: "aws",
                ..key("aws_kms_key.usw2", "aws")
            },
            table(
                json!({
                    "server_side_encryption": [{"enabled": true}],
                    "stream_enabled": true, "stream_view_type": "NEW_AND_OLD_IMAGES",
                    "replica": [
                        {"region_name": "eu-west-1", "point_in_time_recovery": true, "propagate_tags": true},
                        {"region_name": "us-west-2", "point_in_time_recovery": false},
                    ],
                    "tags": {"Application": "t"}, "tags_all": {"Application": "t"},
                }),
                json!({"server_side_encryption": [{"kms_key_arn": true}], "replica": [{"kms_key_arn": true}, {"kms_key_arn": true}]}),
                json!({
                    "server_side_encryption": [{"enabled": constant(json!(true)), "kms_key_arn": reference("aws_kms_key.use1.arn")}],
                    "replica": [
                        {"region_name": constant(json!("us-west-2")), "kms_key_arn": reference("aws_kms_key.usw2.arn")},
                        {"region_name": constant(json!("eu-west-1")), "kms_key_arn": reference("aws_kms_key.euw1.arn"),
                         "point_in_time_recovery": constant(json!(true)), "propagate_tags": constant(json!(true))},
                    ],
                }),
            ),
        ],
        json!(null),
    );
    let inventory = read(&plan);
    let key_of = |region: &str, address: &str| {
        format!("arn:aws:kms:{region}:{ACCOUNT}:key/planned-{address}")
    };
    let record = |region: &str| {
        inventory.regions[region].tables.as_ref().unwrap()[&table_arn(region, "t")].clone()
    };
    let eu = record("eu-west-1");
    assert_eq!(
        eu.encryption.unwrap().kms_key_arn,
        Some(key_of("eu-west-1", "aws_kms_key.euw1"))
    );
    assert_eq!(eu.point_in_time_recovery.unwrap().status, "ENABLED");
    assert_eq!(eu.tags.unwrap().len(), 1, "propagated tags");
    assert_eq!(
        eu.deletion_protection,
        Some(false),
        "a replica's own deletion protection"
    );
    let west = record("us-west-2");
    assert_eq!(
        west.encryption.unwrap().kms_key_arn,
        Some(key_of("us-east-1", "aws_kms_key.usw2"))
    );
    assert_eq!(west.point_in_time_recovery.unwrap().status, "DISABLED");
    assert!(west.tags.unwrap().is_empty(), "no propagate_tags: no tags");
    let main = record("us-east-1");
    let regions: Vec<String> = main
        .replicas
        .unwrap()
        .iter()
        .map(|r| r.region.clone())
        .collect();
    assert_eq!(regions, ["eu-west-1", "us-west-2"]);
    assert!(eu.stream.unwrap().enabled);
    let others: Vec<String> = record("eu-west-1")
        .replicas
        .unwrap()
        .iter()
        .map(|r| r.region.clone())
        .collect();
    assert_eq!(others, ["us-east-1", "us-west-2"]);
}

#[test]
fn table_policies_and_contributor_insights_are_found_by_reference() {
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"dynamodb:GetItem","Resource":"*"}]}"#;
    let plan = plan_with(
        &[
            table(
                json!({}),
                json!({"arn": true, "stream_arn": true}),
                json!({}),
            ),
            res(
                "aws_dynamodb_resource_policy.t",
                json!({"policy": policy}),
                json!({"resource_arn": true}),
                json!({"resource_arn": reference("aws_dynamodb_table.t.arn"), "policy": constant(json!(policy))}),
            ),
            res(
                "aws_dynamodb_contributor_insights.t",
                json!({"table_name": "t", "index_name": null}),
                json!({}),
                json!({"table_name": reference("aws_dynamodb_table.t.name")}),
            ),
        ],
        json!(null),
    );
    let inventory = read(&plan);
    let arn = table_arn("us-east-1", "t");
    let t = &inventory.regions["us-east-1"].tables.as_ref().unwrap()[&arn];
    assert_eq!(
        t.resource_policy
            .as_ref()
            .unwrap()
            .document
            .as_ref()
            .unwrap()["Statement"][0]["Action"],
        "dynamodb:GetItem"
    );
    assert_eq!(t.contributor_insights.as_deref(), Some("ENABLED"));
    let lines = &inventory.planned.as_ref().unwrap().resources[&arn].property_lines;
    assert!(
        lines.contains_key("resource_policy") && lines.contains_key("contributor_insights"),
        "{lines:?}"
    );
}

#[test]
fn a_replica_declared_as_a_resource_of_its_own_makes_the_replicas_not_determinable() {
    // `aws_dynamodb_table_replica` is not read: taking the table for a
    // single-region one would fail DYN205 falsely.
    let plan = plan_with(
        &[
            table(json!({}), json!({"arn": true}), json!({})),
            res(
                "aws_dynamodb_table_replica.eu",
                json!({}),
                json!({"global_table_arn": true}),
                json!({"global_table_arn": reference("aws_dynamodb_table.t.arn")}),
            ),
        ],
        json!(null),
    );
    let inventory = read(&plan);
    let arn = table_arn("us-east-1", "t");
    let t = &inventory.regions["us-east-1"].tables.as_ref().unwrap()[&arn];
    assert_eq!(t.replicas, None);
    assert!(
        error(&inventory, "DescribeTable", &arn).contains("aws_dynamodb_table_replica"),
        "{:#?}",
        inventory.errors
    );
    // Without one, the table's replicas are known: none.
    let plan = plan_with(
        &[table(json!({}), json!({"arn": true}), json!({}))],
        json!(null),
    );
    let inventory = read(&plan);
    let t = &inventory.regions["us-east-1"].tables.as_ref().unwrap()[&arn];
    assert_eq!(t.replicas, Some(Vec::new()));
}
