//! The account a planned inventory is judged as: rules compare account ids
//! (a grant to another account fails DYN305, a wildcard over the account's
//! tables fails DYN301), so code that names literal account ids cannot be
//! judged against the placeholder account: it would call the deploying
//! account foreign, or miss it. Such code needs `--account` (or an account
//! the code itself names: a CDK environment, `allowed_account_ids`).

use std::collections::BTreeSet;

use crate::iac::estate::PLACEHOLDER_ACCOUNT;
use crate::inventory::Inventory;

/// The 12-digit account ids the planned evidence names (in ARNs, and as
/// policy principals), other than the placeholder, sorted.
pub fn literal_accounts(inventory: &Inventory) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let Ok(value) = serde_json::to_value(inventory) else {
        return found;
    };
    if let serde_json::Value::Object(map) = &value {
        for (key, part) in map {
            // What the code says, not what dynaudit says about it.
            if key != "errors" && key != "planned" {
                walk(part, &mut found);
            }
        }
    }
    found.remove(PLACEHOLDER_ACCOUNT);
    found
}

fn walk(value: &serde_json::Value, found: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::String(text) => {
            if is_account(text) {
                found.insert(text.clone());
            } else if text.starts_with("arn:")
                && let Some(account) = text.split(':').nth(4).filter(|a| is_account(a))
            {
                found.insert(account.to_string());
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, found)),
        serde_json::Value::Object(map) => map.iter().for_each(|(k, v)| {
            if k.starts_with("arn:") {
                walk(&serde_json::Value::String(k.clone()), found);
            }
            walk(v, found);
        }),
        _ => {}
    }
}

fn is_account(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_in_arns_and_principals_but_not_the_placeholder() {
        let mut inventory: Inventory = serde_json::from_value(serde_json::json!({
            "schema_version": "1.4", "tool_version": "t", "collected_at": "2026-01-01T00:00:00Z",
            "account_id": "000000000000", "partition": "aws", "errors": [], "iam": null,
            "trails": {}, "regions": {}
        }))
        .unwrap();
        assert!(literal_accounts(&inventory).is_empty());
        inventory.iam = Some(crate::inventory::Iam::default());
        let mut policy = crate::inventory::ManagedPolicy {
            arn: "arn:aws:iam::000000000000:policy/p".to_string(),
            name: "p".to_string(),
            attachment_count: None,
            document: Some(serde_json::json!({"Statement": [
                {"Principal": {"AWS": "444455556666"}, "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/t"},
                {"Resource": "arn:aws:iam::aws:policy/x"}
            ]})),
        };
        inventory
            .iam
            .as_mut()
            .unwrap()
            .policies
            .insert(policy.arn.clone(), policy.clone());
        assert_eq!(
            literal_accounts(&inventory).into_iter().collect::<Vec<_>>(),
            ["123456789012", "444455556666"]
        );
        policy.document = None;
        inventory
            .iam
            .as_mut()
            .unwrap()
            .policies
            .insert(policy.arn.clone(), policy);
        assert!(literal_accounts(&inventory).is_empty());
    }
}
