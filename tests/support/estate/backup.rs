//! AWS Backup plans.

use super::{EAST, EU, Estate};
use crate::support::moto::TestAccount;

async fn create_backup_plan(account: &TestAccount, region: &str, name: &str) -> String {
    use aws_sdk_backup::types::{BackupPlanInput, BackupRuleInput};
    let backup = aws_sdk_backup::Client::new(&account.config(region));
    let out = backup
        .create_backup_plan()
        .backup_plan(
            BackupPlanInput::builder()
                .backup_plan_name(name)
                .rules(
                    BackupRuleInput::builder()
                        .rule_name("daily")
                        .target_backup_vault_name("Default")
                        .schedule_expression("cron(0 5 ? * * *)")
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateBackupPlan {name}: {e:?}"));
    out.backup_plan_arn().unwrap().to_string()
}

pub(super) async fn seed_backup_plans(account: &TestAccount, e: &mut Estate) {
    // Plans in us-east-1 and eu-west-1, none in us-west-2. moto 5.2.5 has
    // no CreateBackupSelection and answers ListBackupSelections with a 500,
    // so which tables a plan selects is never known: DYN203 is unknown
    // where a plan exists and fails where none does; it cannot pass here.
    e.put(
        "plan:east",
        create_backup_plan(account, EAST, "daily-east").await,
    );
    e.put("plan:eu", create_backup_plan(account, EU, "daily-eu").await);
}
