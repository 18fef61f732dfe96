//! DAX clusters.

use super::{EAST, EU, Estate};
use crate::support::moto::TestAccount;

async fn create_dax(account: &TestAccount, region: &str, name: &str, secure: bool) -> String {
    use aws_sdk_dax::types::{ClusterEndpointEncryptionType, SseSpecification};
    let dax = aws_sdk_dax::Client::new(&account.config(region));
    let out = dax
        .create_cluster()
        .cluster_name(name)
        .node_type("dax.t3.small")
        .replication_factor(1)
        .iam_role_arn(format!(
            "arn:aws:iam::{}:role/dax-access",
            account.account_id
        ))
        .sse_specification(SseSpecification::builder().enabled(secure).build().unwrap())
        .cluster_endpoint_encryption_type(if secure {
            ClusterEndpointEncryptionType::Tls
        } else {
            ClusterEndpointEncryptionType::None
        })
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateCluster {name}: {e:?}"));
    out.cluster().unwrap().cluster_arn().unwrap().to_string()
}

pub(super) async fn seed_dax(account: &TestAccount, e: &mut Estate) {
    e.put(
        "dax:secure-east",
        create_dax(account, EAST, "secure", true).await,
    );
    e.put(
        "dax:plain-eu",
        create_dax(account, EU, "plain", false).await,
    );
}
