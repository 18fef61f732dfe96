//! IAM policies, roles, users and a group, in the account.

use super::{EAST, Estate, statement_policy};
use crate::support::moto::TestAccount;

async fn managed_policy(iam: &aws_sdk_iam::Client, name: &str, statements: &str) -> String {
    let out = iam
        .create_policy()
        .policy_name(name)
        .policy_document(statement_policy(statements))
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreatePolicy {name}: {e:?}"));
    out.policy().unwrap().arn().unwrap().to_string()
}

pub(super) async fn seed_iam(account: &TestAccount, e: &mut Estate) {
    let iam = aws_sdk_iam::Client::new(&account.config(EAST));
    let tenants = e.id("table:tenants");
    let tenants_legacy = e.id("table:tenants-legacy");
    let orders = e.id("table:orders");
    let trust = statement_policy(
        r#"{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}"#,
    );

    // DYN301 fail: dynamodb:* on * with no condition, attached to the
    // ops-admin role, whose inline Deny keeps it off the tenants table
    // (DYN304 then passes for tenants and fails for tenants-legacy).
    let admin = managed_policy(
        &iam,
        "DynamoAdminAll",
        r#"{"Effect":"Allow","Action":"dynamodb:*","Resource":"*"}"#,
    )
    .await;
    e.put("policy:DynamoAdminAll", &admin);
    let role = iam
        .create_role()
        .role_name("ops-admin")
        .assume_role_policy_document(&trust)
        .send()
        .await
        .expect("CreateRole");
    e.put("role:ops-admin", role.role().unwrap().arn());
    iam.attach_role_policy()
        .role_name("ops-admin")
        .policy_arn(&admin)
        .send()
        .await
        .expect("AttachRolePolicy");
    iam.put_role_policy()
        .role_name("ops-admin")
        .policy_name("DenyTenants")
        .policy_document(statement_policy(&format!(
            r#"{{"Effect":"Deny","Action":"dynamodb:*","Resource":["{tenants}","{tenants}/index/*"]}}"#
        )))
        .send()
        .await
        .expect("PutRolePolicy");

    // A wildcard policy attached to nobody is out of scope (no outcome).
    let unused = managed_policy(
        &iam,
        "UnusedAdmin",
        r#"{"Effect":"Allow","Action":"dynamodb:*","Resource":"*"}"#,
    )
    .await;
    e.put("policy:UnusedAdmin", &unused);

    // DYN301 pass: scoped read access, attached to the analyst user.
    let read_only = managed_policy(
        &iam,
        "OrdersReadOnly",
        &format!(
            r#"{{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:Query"],"Resource":"{orders}"}}"#
        ),
    )
    .await;
    e.put("policy:OrdersReadOnly", &read_only);
    let user = iam
        .create_user()
        .user_name("analyst")
        .send()
        .await
        .expect("CreateUser");
    e.put("user:analyst", user.user().unwrap().arn());
    iam.attach_user_policy()
        .user_name("analyst")
        .policy_arn(&read_only)
        .send()
        .await
        .expect("AttachUserPolicy");

    // DYN302/DYN303 pass: a principal-bound ForAllValues:StringEquals on
    // keyed actions only.
    let tenant_access = managed_policy(
        &iam,
        "TenantAccess",
        &format!(
            r#"{{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:Query","dynamodb:PutItem"],"Resource":["{tenants}","{tenants_legacy}"],"Condition":{{"ForAllValues:StringEquals":{{"dynamodb:LeadingKeys":["${{aws:userid}}"]}}}}}}"#
        ),
    )
    .await;
    e.put("policy:TenantAccess", &tenant_access);
    // DYN302 fail: StringEquals without ForAllValues, and a literal value.
    let tenant_weak = managed_policy(
        &iam,
        "TenantWeak",
        &format!(
            r#"{{"Effect":"Allow","Action":"dynamodb:GetItem","Resource":"{tenants}","Condition":{{"StringEquals":{{"dynamodb:LeadingKeys":"*"}}}}}}"#
        ),
    )
    .await;
    e.put("policy:TenantWeak", &tenant_weak);
    let role = iam
        .create_role()
        .role_name("tenant-app")
        .assume_role_policy_document(&trust)
        .send()
        .await
        .expect("CreateRole");
    e.put("role:tenant-app", role.role().unwrap().arn());
    for policy in [&tenant_access, &tenant_weak] {
        iam.attach_role_policy()
            .role_name("tenant-app")
            .policy_arn(policy)
            .send()
            .await
            .expect("AttachRolePolicy");
    }

    // DYN303 fail (DYN302 pass): the sound LeadingKeys condition also
    // allows Scan, which carries no partition key.
    let user = iam
        .create_user()
        .user_name("reporting")
        .send()
        .await
        .expect("CreateUser");
    e.put("user:reporting", user.user().unwrap().arn());
    iam.put_user_policy()
        .user_name("reporting")
        .policy_name("TenantScan")
        .policy_document(statement_policy(&format!(
            r#"{{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:Query","dynamodb:Scan"],"Resource":"{tenants}","Condition":{{"ForAllValues:StringEquals":{{"dynamodb:LeadingKeys":["${{aws:username}}"]}}}}}}"#
        )))
        .send()
        .await
        .expect("PutUserPolicy");

    // A group with a scoped inline policy (DYN301 pass for the group).
    let group = iam
        .create_group()
        .group_name("readers")
        .send()
        .await
        .expect("CreateGroup");
    e.put("group:readers", group.group().unwrap().arn());
    iam.put_group_policy()
        .group_name("readers")
        .policy_name("ReadOrders")
        .policy_document(statement_policy(&format!(
            r#"{{"Effect":"Allow","Action":"dynamodb:GetItem","Resource":"{orders}"}}"#
        )))
        .send()
        .await
        .expect("PutGroupPolicy");
}
