//! What `Ref` and `Fn::GetAtt` of a resource of the template give. Names
//! the template sets (`TableName`, `RoleName`, ...) are used as written;
//! a resource whose name or id AWS assigns at deployment gets a planned
//! stand-in made from its logical id (a table `Orders` without a
//! `TableName` is `Orders`, a key `OrdersKey` is `key/planned-OrdersKey`),
//! so that references inside the template still meet: the table's record
//! says the name is not determinable, and findings about it are identified
//! by `template#LogicalId`. Attributes that only AWS knows (a stream's
//! label, a role's unique id) are [`Resolved::Unknown`].

use crate::iac::IacError;
use crate::iac::node::Node;
use crate::iac::resolved::Resolved;

/// What the values of resources need of the template's resolver
/// (`resolve::Resolver` implements it).
pub trait Template {
    /// The `Resources` mapping.
    fn resources(&self) -> &Node;
    /// Resolves a node's intrinsic functions.
    fn resolve(&self, node: &Node) -> Result<Resolved, IacError>;
    /// The planned partition, region and account.
    fn place(&self) -> (&str, &str, &str);
}

/// The stand-in for an id AWS assigns: `planned-<LogicalId>`.
pub fn planned_id(logical: &str) -> String {
    format!("planned-{logical}")
}

/// A resource's name property (`TableName`, ...), resolved; the logical id
/// when the template sets none. The flag says whether it is the real name.
pub fn name(
    resolver: &dyn Template,
    logical: &str,
    property: &str,
) -> Result<(Resolved, bool), IacError> {
    let properties = resolver
        .resources()
        .get(logical)
        .and_then(|r| r.get("Properties"));
    match properties.and_then(|p| p.get(property)) {
        Some(node) => {
            let value = resolver.resolve(node)?;
            let determinable = value.undetermined().is_none();
            Ok((value, determinable))
        }
        None => Ok((Resolved::String(logical.to_string()), false)),
    }
}

/// `Ref` (attribute `None`) or `Fn::GetAtt` of the resource `logical`.
pub fn value(
    resolver: &dyn Template,
    logical: &str,
    attribute: Option<&str>,
    line: u32,
) -> Result<Resolved, IacError> {
    let resource_type = resolver
        .resources()
        .get(logical)
        .and_then(|r| r.get("Type"))
        .and_then(|t| t.as_str())
        .unwrap_or("");
    let (partition, region, account) = resolver.place();
    let with_name = |property: &str, make: &dyn Fn(&str) -> String| -> Result<Resolved, IacError> {
        let (name, _) = name(resolver, logical, property)?;
        Ok(match name.as_string() {
            Some(n) => Resolved::String(make(&n)),
            None => name,
        })
    };
    let expression = match attribute {
        Some(a) => format!("!GetAtt {logical}.{a}"),
        None => format!("!Ref {logical}"),
    };
    let assigned = |what: &str| {
        Resolved::unknown(
            expression.clone(),
            format!("{what} is assigned by AWS when the stack is deployed"),
            line,
        )
    };
    Ok(match (resource_type, attribute) {
        ("AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable", None) => {
            with_name("TableName", &|n| n.to_string())?
        }
        ("AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable", Some("Arn")) => {
            with_name("TableName", &|n| {
                format!("arn:{partition}:dynamodb:{region}:{account}:table/{n}")
            })?
        }
        ("AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable", Some("StreamArn")) => {
            assigned("the stream's ARN (its label is a timestamp)")
        }
        ("AWS::KMS::Key", None | Some("KeyId")) => Resolved::String(planned_id(logical)),
        ("AWS::KMS::Key", Some("Arn")) => Resolved::String(format!(
            "arn:{partition}:kms:{region}:{account}:key/{}",
            planned_id(logical)
        )),
        ("AWS::KMS::Alias", None) => with_name("AliasName", &|n| n.to_string())?,
        ("AWS::IAM::Role", None) => with_name("RoleName", &|n| n.to_string())?,
        ("AWS::IAM::Role", Some("Arn")) => with_name("RoleName", &|n| {
            format!(
                "arn:{partition}:iam::{account}:role{}{n}",
                path(resolver, logical)
            )
        })?,
        ("AWS::IAM::User", None) => with_name("UserName", &|n| n.to_string())?,
        ("AWS::IAM::User", Some("Arn")) => with_name("UserName", &|n| {
            format!(
                "arn:{partition}:iam::{account}:user{}{n}",
                path(resolver, logical)
            )
        })?,
        ("AWS::IAM::Group", None) => with_name("GroupName", &|n| n.to_string())?,
        ("AWS::IAM::Group", Some("Arn")) => with_name("GroupName", &|n| {
            format!(
                "arn:{partition}:iam::{account}:group{}{n}",
                path(resolver, logical)
            )
        })?,
        ("AWS::IAM::ManagedPolicy", None | Some("PolicyArn")) => {
            with_name("ManagedPolicyName", &|n| {
                format!(
                    "arn:{partition}:iam::{account}:policy{}{n}",
                    path(resolver, logical)
                )
            })?
        }
        ("AWS::IAM::Policy", None) => with_name("PolicyName", &|n| n.to_string())?,
        ("AWS::EC2::VPC", None | Some("VpcId")) => {
            Resolved::String(format!("vpc-{}", planned_id(logical)))
        }
        ("AWS::EC2::RouteTable", None | Some("RouteTableId")) => {
            Resolved::String(format!("rtb-{}", planned_id(logical)))
        }
        ("AWS::EC2::Subnet", None | Some("SubnetId")) => {
            Resolved::String(format!("subnet-{}", planned_id(logical)))
        }
        ("AWS::EC2::VPCEndpoint", None | Some("Id")) => {
            Resolved::String(format!("vpce-{}", planned_id(logical)))
        }
        ("AWS::EC2::SecurityGroup", None | Some("GroupId")) => {
            Resolved::String(format!("sg-{}", planned_id(logical)))
        }
        ("AWS::CloudTrail::Trail", None) => with_name("TrailName", &|n| n.to_string())?,
        ("AWS::CloudTrail::Trail", Some("Arn")) => with_name("TrailName", &|n| {
            format!("arn:{partition}:cloudtrail:{region}:{account}:trail/{n}")
        })?,
        ("AWS::SNS::Topic", None | Some("TopicArn")) => with_name("TopicName", &|n| {
            format!("arn:{partition}:sns:{region}:{account}:{n}")
        })?,
        ("AWS::S3::Bucket", None) => with_name("BucketName", &|n| n.to_string())?,
        ("AWS::S3::Bucket", Some("Arn")) => {
            with_name("BucketName", &|n| format!("arn:{partition}:s3:::{n}"))?
        }
        ("AWS::Backup::BackupVault", None | Some("BackupVaultName")) => {
            with_name("BackupVaultName", &|n| n.to_string())?
        }
        ("AWS::Backup::BackupVault", Some("BackupVaultArn")) => {
            with_name("BackupVaultName", &|n| {
                format!("arn:{partition}:backup:{region}:{account}:backup-vault:{n}")
            })?
        }
        ("AWS::Backup::BackupPlan", None | Some("BackupPlanId")) => {
            Resolved::String(planned_id(logical))
        }
        ("AWS::Backup::BackupPlan", Some("BackupPlanArn")) => Resolved::String(format!(
            "arn:{partition}:backup:{region}:{account}:backup-plan:{}",
            planned_id(logical)
        )),
        ("AWS::DAX::Cluster", None) => with_name("ClusterName", &|n| n.to_string())?,
        ("AWS::DAX::Cluster", Some("Arn")) => with_name("ClusterName", &|n| {
            format!("arn:{partition}:dax:{region}:{account}:cache/{n}")
        })?,
        ("AWS::Config::ConfigRule", None) => with_name("ConfigRuleName", &|n| n.to_string())?,
        (other, _) => assigned(&format!(
            "the {} of {logical} ({})",
            attribute.unwrap_or("id"),
            if other.is_empty() {
                "a resource without a Type"
            } else {
                other
            }
        )),
    })
}

/// An IAM resource's `Path` (`/` when unset).
fn path(resolver: &dyn Template, logical: &str) -> String {
    resolver
        .resources()
        .get(logical)
        .and_then(|r| r.get("Properties"))
        .and_then(|p| p.get("Path"))
        .and_then(|p| p.as_str())
        .unwrap_or("/")
        .to_string()
}
