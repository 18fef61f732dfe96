//! DAX clusters: encryption (DYN104, DYN105) and, since schema 1.3, their
//! nodes and availability zones (DYN208).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::inventory::fields::nullable;
use crate::inventory::since::{self, Since};

/// A DAX cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DaxCluster {
    /// Cluster ARN.
    pub arn: String,
    /// Cluster name.
    pub name: String,
    /// `available`, `creating`, ...
    #[serde(deserialize_with = "nullable")]
    pub status: Option<String>,
    /// `SSEDescription.Status`: `ENABLED`, `DISABLED`, ...; `null` if absent.
    #[serde(deserialize_with = "nullable")]
    pub sse_status: Option<String>,
    /// `ClusterEndpointEncryptionType`: `NONE` or `TLS`; `null` if absent.
    #[serde(deserialize_with = "nullable")]
    pub endpoint_encryption: Option<String>,
    /// `TotalNodes`: the nodes the cluster has or is creating (since 1.3).
    #[serde(
        default,
        deserialize_with = "since::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_nodes: Since<i64>,
    /// The cluster's nodes with their availability zones (since 1.3).
    #[serde(
        default,
        deserialize_with = "since::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub nodes: Since<Vec<DaxNode>>,
}

/// A node of a DAX cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DaxNode {
    /// `NodeId`.
    pub id: String,
    /// `AvailabilityZone`; `null` when the cluster did not report one.
    #[serde(deserialize_with = "nullable")]
    pub availability_zone: Option<String>,
    /// `NodeStatus`.
    #[serde(deserialize_with = "nullable")]
    pub status: Option<String>,
}
