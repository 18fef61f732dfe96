//! What other resources of the plan declare about a table:
//! `aws_dynamodb_resource_policy` (on a table, a replica or a stream, by
//! `resource_arn`) and `aws_dynamodb_contributor_insights` (on a table, by
//! name and region; one on an index says nothing about the table), and
//! `aws_dynamodb_table_replica` (a replica declared as a resource of its
//! own, which this version does not read: the table's replicas are then
//! not determinable, never taken for none).

use std::collections::BTreeMap;

use crate::iac::resolved::Undetermined;
use crate::iac::terraform::plan::Slot;
use crate::iac::terraform::plan::{Plan, roots};
use crate::iac::terraform::values::{Configured, document, split_reference};

/// A resource policy of the plan: its document (`None`: none) or why it is
/// not determinable, and the line of its resource.
pub type Policy = (Result<Option<serde_json::Value>, Undetermined>, u32);

/// What the plan declares about tables besides the tables themselves.
#[derive(Debug, Default)]
pub struct TableExtras {
    /// Resource policies of tables, by table ARN.
    pub table_policies: BTreeMap<String, Policy>,
    /// Resource policies of streams, by the ARN of the stream's table.
    pub stream_policies: BTreeMap<String, Policy>,
    /// Per region, a resource policy whose table is not determinable.
    pub unplaced_policies: BTreeMap<String, Undetermined>,
    /// Contributor Insights on tables, by (region, table name): the line
    /// of its resource.
    pub insights: BTreeMap<(String, String), u32>,
    /// Per region, Contributor Insights whose table is not determinable.
    pub unplaced_insights: BTreeMap<String, Undetermined>,
    /// Tables with a replica declared as `aws_dynamodb_table_replica`, by
    /// table ARN: why their replicas are not determinable here.
    pub separate_replicas: BTreeMap<String, Undetermined>,
    /// A separate replica whose table is not determinable: every table's
    /// replicas are then not determinable.
    pub unplaced_replica: Option<Undetermined>,
}

const TABLE_ARN: [(&str, &str); 1] = [("aws_dynamodb_table", "arn")];
const TABLE_NAME: [(&str, &str); 2] =
    [("aws_dynamodb_table", "name"), ("aws_dynamodb_table", "id")];

/// Where a resource policy applies.
enum Target {
    Table(String),
    Stream(String),
}

impl TableExtras {
    /// Reads the plan's table policies and Contributor Insights.
    pub fn read(plan: &Plan<'_>) -> Self {
        let mut extras = TableExtras::default();
        for policy in plan.of_type("aws_dynamodb_resource_policy") {
            let document = policy
                .string(&["policy"])
                .map(|text| text.map(|t| document(&t)));
            let target = match policy.slot(&["resource_arn"]) {
                Slot::Known(node) => node.as_str().map(|arn| match arn.split_once("/stream/") {
                    Some((table, _)) => Target::Stream(table.to_string()),
                    None => Target::Table(arn.to_string()),
                }),
                _ => match policy.configured(&["resource_arn"], Some(&["resource_arn"])) {
                    Configured::Set(expression) => match roots(expression).as_slice() {
                        [reference] => match split_reference(reference) {
                            Some((table, "stream_arn")) => plan
                                .follow(policy, &format!("{table}.arn"), &TABLE_ARN)
                                .map(Target::Stream),
                            _ => plan
                                .follow(policy, reference, &TABLE_ARN)
                                .map(Target::Table),
                        },
                        _ => None,
                    },
                    _ => None,
                },
            };
            let entry = (document, policy.line);
            match target {
                Some(Target::Table(arn)) => {
                    extras.table_policies.insert(arn, entry);
                }
                Some(Target::Stream(arn)) => {
                    extras.stream_policies.insert(arn, entry);
                }
                None => {
                    extras.unplaced_policies.insert(
                        policy.region.clone(),
                        Undetermined {
                            expression: policy.expression(&["resource_arn"]),
                            reason: "known only after apply, so which table the policy is for is not determinable"
                                .to_string(),
                            line: policy.line,
                        },
                    );
                }
            }
        }
        for replica in plan.of_type("aws_dynamodb_table_replica") {
            let why = Undetermined {
                expression: replica.address.clone(),
                reason: "replicas declared as aws_dynamodb_table_replica resources are not read by this version of dynaudit, so the table's replicas are not determinable".to_string(),
                line: replica.line,
            };
            match replica.linked(
                plan,
                &["global_table_arn"],
                Some(&["global_table_arn"]),
                &TABLE_ARN,
            ) {
                Ok(Some(arn)) => {
                    extras.separate_replicas.entry(arn).or_insert(why);
                }
                _ => {
                    extras.unplaced_replica.get_or_insert(why);
                }
            }
        }
        for insights in plan.of_type("aws_dynamodb_contributor_insights") {
            if insights.string(&["index_name"]).ok().flatten().is_some() {
                continue;
            }
            match insights.linked(plan, &["table_name"], Some(&["table_name"]), &TABLE_NAME) {
                Ok(Some(name)) => {
                    extras
                        .insights
                        .insert((insights.region.clone(), name), insights.line);
                }
                Ok(None) => {}
                Err(why) => {
                    extras
                        .unplaced_insights
                        .insert(insights.region.clone(), why);
                }
            }
        }
        extras
    }

    /// The resource policy of the table `arn` in `region`: a document, none,
    /// or why it is not determinable; and the line that declares it.
    pub fn table_policy(
        &self,
        region: &str,
        arn: &str,
    ) -> (Result<Option<serde_json::Value>, Undetermined>, Option<u32>) {
        Self::policy(&self.table_policies, &self.unplaced_policies, region, arn)
    }

    /// The resource policy of the stream of the table `arn`.
    pub fn stream_policy(
        &self,
        region: &str,
        arn: &str,
    ) -> (Result<Option<serde_json::Value>, Undetermined>, Option<u32>) {
        Self::policy(&self.stream_policies, &self.unplaced_policies, region, arn)
    }

    fn policy(
        policies: &BTreeMap<String, Policy>,
        unplaced: &BTreeMap<String, Undetermined>,
        region: &str,
        arn: &str,
    ) -> (Result<Option<serde_json::Value>, Undetermined>, Option<u32>) {
        if let Some((document, line)) = policies.get(arn) {
            return (document.clone(), Some(*line));
        }
        match unplaced.get(region) {
            Some(why) => (Err(why.clone()), Some(why.line)),
            None => (Ok(None), None),
        }
    }

    /// Why the replicas of the table `arn` are not determinable, if a
    /// replica resource of its own may belong to it.
    pub fn separate_replica(&self, arn: &str) -> Option<&Undetermined> {
        self.separate_replicas
            .get(arn)
            .or(self.unplaced_replica.as_ref())
    }

    /// Contributor Insights of table `name` in `region` (`ENABLED`,
    /// `DISABLED`), or why it is not determinable; and the line that
    /// enables it.
    pub fn insights(
        &self,
        region: &str,
        name: &str,
    ) -> (Result<String, Undetermined>, Option<u32>) {
        if let Some(line) = self.insights.get(&(region.to_string(), name.to_string())) {
            return (Ok("ENABLED".to_string()), Some(*line));
        }
        match self.unplaced_insights.get(region) {
            Some(why) => (Err(why.clone()), Some(why.line)),
            None => (Ok("DISABLED".to_string()), None),
        }
    }
}
