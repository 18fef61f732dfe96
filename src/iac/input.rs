//! What `dynaudit iac` is given, as the sources read it: the options, the
//! templates and plans found, and reading one file with its size limit
//! (shared by [`crate::iac::sources`] and [`crate::iac::cdk`]).

use std::collections::BTreeMap;
use std::path::Path;

use crate::iac::IacError;
use crate::iac::node::Node;
use crate::iac::yaml;
use crate::text_file::SizeLimit;

/// The region planned when nothing names one.
pub const DEFAULT_REGION: &str = "us-east-1";

/// How the code is read.
#[derive(Debug, Clone, Default)]
pub struct IacOptions {
    /// `--account`.
    pub account: Option<String>,
    /// `--regions`: the regions a template is deployed in.
    pub regions: Vec<String>,
    /// `--parameters`: CloudFormation parameter values.
    pub parameters: BTreeMap<String, String>,
    /// `--stack-name`.
    pub stack_name: Option<String>,
    /// The largest file read (`--max-input-bytes`).
    pub max_bytes: u64,
}

/// One template to read.
#[derive(Debug)]
pub struct Template {
    /// The file, as shown and as SARIF locations name it.
    pub file: String,
    /// Its tree.
    pub root: Node,
    /// The stack's account and region from a CDK environment.
    pub account: Option<String>,
    /// See `account`.
    pub region: Option<String>,
    /// The stack's name (CDK).
    pub stack_name: Option<String>,
}

/// One Terraform plan to read.
#[derive(Debug)]
pub struct Plan {
    /// The file.
    pub file: String,
    /// Its tree (JSON with lines).
    pub root: Node,
}

/// The sources found under the paths given.
#[derive(Debug, Default)]
pub struct Sources {
    /// CloudFormation templates (and CDK stacks).
    pub templates: Vec<Template>,
    /// Terraform plans.
    pub plans: Vec<Plan>,
    /// `cloudformation`, `cdk`, `terraform`, joined with `+`.
    pub kinds: Vec<&'static str>,
}

/// The path as shown in messages and SARIF: with `/` separators.
pub fn shown(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// Reads a file of infrastructure code as text, within `--max-input-bytes`.
pub fn read_text(path: &Path, options: &IacOptions) -> Result<String, IacError> {
    crate::text_file::read_text(
        path,
        SizeLimit {
            bytes: options.max_bytes,
            name: "--max-input-bytes",
        },
    )
    .map_err(|e| IacError::at(&shown(path), 1, format!("cannot read: {e}")))
}

/// Notes a kind of source once.
pub fn push_kind(sources: &mut Sources, kind: &'static str) {
    if !sources.kinds.contains(&kind) {
        sources.kinds.push(kind);
    }
}

/// Reads a template file for a CDK stack.
pub fn template_file(path: &Path, options: &IacOptions) -> Result<(String, Node), IacError> {
    let file = shown(path);
    let text = read_text(path, options)?;
    if let Err(e) = crate::strict_json::check(&text, None) {
        return Err(IacError::at(
            &file,
            u32::try_from(e.line()).unwrap_or(1),
            format!("not valid JSON: {e}"),
        ));
    }
    let root = yaml::parse(&text).map_err(|e| IacError::at(&file, e.line, e.message))?;
    Ok((file, root))
}
