//! The planned inventory that every adapter (CloudFormation, CDK,
//! Terraform) fills: the same schema as a live inventory, with the
//! collections the code can declare present (empty when it declares none)
//! and every value the code cannot determine `null` with an `errors` entry
//! of kind `not_determinable`, found by the rules' `needs` like a failed
//! call.

use std::collections::BTreeMap;

use crate::iac::resolved::Undetermined;
use crate::inventory::{
    CollectionError, ErrorKind, Iam, Inventory, KmsKey, PlannedEvidence, PlannedResource,
    RegionInventory, SCHEMA_VERSION,
};

/// The account used when nothing names one (`--account`, a CDK
/// environment, a provider's `allowed_account_ids`).
pub const PLACEHOLDER_ACCOUNT: &str = "000000000000";

/// Where a planned account id came from, for the evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountSource {
    /// `--account`.
    Flag,
    /// The code itself (a CDK environment, a provider configuration).
    Code,
    /// Nothing said: [`PLACEHOLDER_ACCOUNT`].
    Placeholder,
}

impl AccountSource {
    fn as_str(self) -> &'static str {
        match self {
            AccountSource::Flag => "--account",
            AccountSource::Code => "infrastructure code",
            AccountSource::Placeholder => "placeholder",
        }
    }
}

/// Builds one planned inventory.
#[derive(Debug)]
pub struct EstateBuilder {
    /// The inventory being built.
    pub inventory: Inventory,
    /// `template` or `plan`, for messages.
    pub source_word: &'static str,
}

impl EstateBuilder {
    /// An inventory of `account` with `regions`, every collection present
    /// and empty.
    pub fn new(
        source: &str,
        source_word: &'static str,
        account: &str,
        account_source: AccountSource,
        partition: &str,
        regions: &[String],
    ) -> Self {
        let collected_at = time::OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string());
        let mut inventory = Inventory {
            schema_version: SCHEMA_VERSION.to_string(),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            collected_at,
            account_id: account.to_string(),
            partition: partition.to_string(),
            errors: Vec::new(),
            iam: Some(Iam::default()),
            trails: BTreeMap::new(),
            regions: BTreeMap::new(),
            organization: None,
            not_collected: None,
            planned: Some(PlannedEvidence {
                source: source.to_string(),
                files: Vec::new(),
                account_source: account_source.as_str().to_string(),
                resources: BTreeMap::new(),
            }),
        };
        for region in regions {
            inventory.regions.insert(region.clone(), empty_region());
        }
        EstateBuilder {
            inventory,
            source_word,
        }
    }

    /// The account id.
    pub fn account(&self) -> &str {
        &self.inventory.account_id
    }

    /// The partition.
    pub fn partition(&self) -> &str {
        &self.inventory.partition
    }

    /// The region's record, added (empty) if the code plans resources in a
    /// region that was not named (a replica's region).
    pub fn region(&mut self, region: &str) -> &mut RegionInventory {
        self.inventory
            .regions
            .entry(region.to_string())
            .or_insert_with(empty_region)
    }

    /// `arn:PARTITION:dynamodb:REGION:ACCOUNT:table/NAME`.
    pub fn table_arn(&self, region: &str, name: &str) -> String {
        format!(
            "arn:{}:dynamodb:{region}:{}:table/{name}",
            self.inventory.partition, self.inventory.account_id
        )
    }

    /// The record of an AWS managed key (`alias/aws/dynamodb`) in `region`,
    /// named by its alias ARN (the code names it by alias; its key id exists
    /// only in the account); returns that ARN.
    pub fn aws_managed_key(&mut self, region: &str, alias: &str) -> String {
        let arn = format!(
            "arn:{}:kms:{region}:{}:{alias}",
            self.inventory.partition, self.inventory.account_id
        );
        self.region(region)
            .kms_keys
            .insert(arn.clone(), aws_managed_key_record(&arn, alias));
        arn
    }

    /// Records that `operation`'s evidence about `resource` is not
    /// determinable from the code (the value is `null` in the inventory).
    pub fn undetermined(
        &mut self,
        service: &str,
        region: &str,
        operation: &str,
        resource: Option<&str>,
        why: &Undetermined,
        file: &str,
    ) {
        let error = CollectionError {
            service: service.to_string(),
            region: region.to_string(),
            operation: operation.to_string(),
            resource: resource.map(str::to_string),
            kind: ErrorKind::NotDeterminable,
            code: "NotDeterminable".to_string(),
            message: format!("{} ({file}:{})", why.message(self.source_word), why.line),
        };
        if !self.inventory.errors.contains(&error) {
            self.inventory.errors.push(error);
        }
    }

    /// Notes a file that was read.
    pub fn file(&mut self, file: &str) {
        if let Some(planned) = self.inventory.planned.as_mut()
            && !planned.files.iter().any(|f| f == file)
        {
            planned.files.push(file.to_string());
        }
    }

    /// Records where the resource with inventory id `id` is declared.
    pub fn planned(&mut self, id: &str, resource: PlannedResource) {
        if let Some(planned) = self.inventory.planned.as_mut() {
            planned.resources.entry(id.to_string()).or_insert(resource);
        }
    }

    /// The finished inventory; errors sorted, as a collection writes them.
    pub fn finish(mut self) -> Inventory {
        self.inventory.errors.sort();
        self.inventory
    }
}

/// The record of the AWS managed key `alias` (`alias/aws/dynamodb`) under
/// `arn`: managed by AWS, enabled, rotated by AWS (so no rotation status).
pub fn aws_managed_key_record(arn: &str, alias: &str) -> KmsKey {
    KmsKey {
        arn: arn.to_string(),
        key_manager: Some("AWS".to_string()),
        key_state: Some("Enabled".to_string()),
        rotation_enabled: None,
        aliases: Some(vec![alias.to_string()]),
        multi_region: Some(false),
    }
}

/// A region whose every collection is present and empty: what the code
/// declares is added to it.
fn empty_region() -> RegionInventory {
    RegionInventory {
        tables: Some(BTreeMap::new()),
        backups: Some(BTreeMap::new()),
        kms_keys: BTreeMap::new(),
        vpcs: Some(BTreeMap::new()),
        vpc_endpoints: Some(BTreeMap::new()),
        trail_arns: Some(Vec::new()),
        config_recorders: Some(Vec::new()),
        config_rules: Some(BTreeMap::new()),
        backup_plans: Some(BTreeMap::new()),
        dax_clusters: Some(BTreeMap::new()),
        scalable_targets: Some(Some(Vec::new())),
        scaling_policies: Some(Some(Vec::new())),
        backup_vaults: Some(Some(BTreeMap::new())),
        metric_alarms: Some(Some(BTreeMap::new())),
        exports: Some(Some(BTreeMap::new())),
        not_collected: None,
    }
}
