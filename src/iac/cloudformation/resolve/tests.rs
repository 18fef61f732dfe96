//! The intrinsic functions on templates written for them: what is resolved,
//! what is not determinable and why, and what is refused with its line.

use std::collections::BTreeMap;

use super::Resolver;
use crate::iac::IacError;
use crate::iac::node::Node;
use crate::iac::resolved::Resolved;

fn template(text: &str) -> Node {
    crate::iac::yaml::parse(text).unwrap()
}

/// Resolves `Outputs.V.Value` of `text` with `given` parameters.
fn value_with(text: &str, given: &[(&str, &str)]) -> Result<Resolved, IacError> {
    let root = template(text);
    let given: BTreeMap<String, String> = given
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let resolver = Resolver::new(
        "t.yaml",
        &root,
        &given,
        "123456789012",
        "eu-west-1",
        "aws",
        Some("app"),
    )?;
    let node = root
        .get("Outputs")
        .unwrap()
        .get("V")
        .unwrap()
        .get("Value")
        .unwrap();
    resolver.resolve(node)
}

fn value(text: &str) -> Result<Resolved, IacError> {
    value_with(text, &[])
}

fn string(text: &str) -> String {
    value(text).unwrap().as_string().unwrap()
}

const RESOURCES: &str = "Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      TableName: orders\n  K:\n    Type: AWS::KMS::Key\n  G:\n    Type: AWS::DynamoDB::Table\n";

#[test]
fn references_and_pseudo_parameters() {
    let t = format!(
        "{RESOURCES}Outputs:\n  V:\n    Value: !Sub '${{AWS::Partition}}:${{AWS::Region}}:${{AWS::AccountId}}:${{AWS::StackName}}:${{T}}:${{T.Arn}}:${{K}}:${{G}}:${{!Literal}}'\n"
    );
    assert_eq!(
        string(&t),
        "aws:eu-west-1:123456789012:app:orders:arn:aws:dynamodb:eu-west-1:123456789012:table/orders:planned-K:G:${Literal}"
    );
}

#[test]
fn functions_compute_literal_values() {
    let t = format!(
        "Parameters:\n  Env:\n    Type: String\n    Default: prod\nMappings:\n  Days:\n    prod:\n      pitr: 35\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\n  NotProd: !Not [!Condition IsProd]\n  Both: !And [!Condition IsProd, !Or [!Condition NotProd, true]]\n{RESOURCES}Outputs:\n  V:\n    Value:\n      - !Join ['-', [a, !Ref Env]]\n      - !Select [1, !Split [',', 'x,y,z']]\n      - !FindInMap [Days, !Ref Env, pitr]\n      - !If [Both, yes, no]\n      - !Sub ['${{A}}-${{B}}', {{A: !Ref Env, B: !GetAtt T.Arn}}]\n      - !If [NotProd, x, !Ref AWS::NoValue]\n"
    );
    let v = value(&t).unwrap();
    let items: Vec<String> = v.items().iter().map(|i| i.as_string().unwrap()).collect();
    assert_eq!(
        items,
        [
            "a-prod",
            "y",
            "35",
            "yes",
            "prod-arn:aws:dynamodb:eu-west-1:123456789012:table/orders"
        ]
    );
}

#[test]
fn a_given_parameter_wins_over_its_default_and_defaults_are_noted() {
    let t = "Parameters:\n  Env:\n    Type: String\n    Default: prod\nResources: {}\nOutputs:\n  V:\n    Value: !Ref Env\n";
    assert_eq!(
        value_with(t, &[("Env", "dev")])
            .unwrap()
            .as_string()
            .unwrap(),
        "dev"
    );
    let root = template(t);
    let resolver = Resolver::new("t.yaml", &root, &BTreeMap::new(), "1", "r", "aws", None).unwrap();
    let node = root
        .get("Outputs")
        .unwrap()
        .get("V")
        .unwrap()
        .get("Value")
        .unwrap();
    assert_eq!(resolver.resolve(node).unwrap().as_string().unwrap(), "prod");
    assert_eq!(resolver.take_defaults_used(), ["Env=prod"]);
    assert!(resolver.take_defaults_used().is_empty());
}

#[test]
fn what_the_template_does_not_determine_says_why() {
    for (expression, expected, reason) in [
        (
            "!ImportValue SharedKey",
            "!ImportValue SharedKey",
            "imported value",
        ),
        (
            "!Ref NoDefault",
            "!Ref NoDefault",
            "no default and no value in --parameters",
        ),
        (
            "!GetAtt T.StreamArn",
            "!GetAtt T.StreamArn",
            "assigned by AWS",
        ),
        ("!Sub 'x-${NoDefault}'", "!Ref NoDefault", "no default"),
        (
            "!If [Unknowable, a, b]",
            "!If [Unknowable, ...]",
            "condition Unknowable",
        ),
        (
            "!Select [0, !GetAZs '']",
            "!GetAZs",
            "computed by CloudFormation",
        ),
        (
            "!Ref AWS::StackId",
            "!Ref AWS::StackId",
            "assigned at deployment",
        ),
    ] {
        let t = format!(
            "Parameters:\n  NoDefault:\n    Type: String\nConditions:\n  Unknowable: !Equals [!Ref NoDefault, x]\n{RESOURCES}Outputs:\n  V:\n    Value: {expression}\n"
        );
        let v = value(&t).unwrap();
        let why = v
            .undetermined()
            .unwrap_or_else(|| panic!("{expression}: {v:?}"));
        assert_eq!(why.expression, expected, "{expression}");
        assert!(why.reason.contains(reason), "{expression}: {why:?}");
        assert!(
            why.message("template")
                .starts_with("not determinable from the template (`")
        );
    }
}

#[test]
fn refusals_name_the_line() {
    for (body, line, words) in [
        (
            "Value: !Ref Nothing",
            12,
            "no parameter, pseudo parameter or resource",
        ),
        (
            "Value: {\"Fn::Bogus\": 1}",
            12,
            "unknown intrinsic function",
        ),
        ("Value: !GetAtt Nothing.Arn", 12, "no resource of that name"),
        ("Value: !Select [5, [a]]", 12, "out of range"),
        ("Value: !FindInMap [M, a, b]", 12, "no value"),
        ("Value: !If [Missing, a, b]", 12, "no condition"),
    ] {
        let t = format!("{RESOURCES}Outputs:\n  V:\n    {body}\n");
        let err = value(&t).unwrap_err();
        assert_eq!(err.line, line, "{body}: {err}");
        assert!(err.message.contains(words), "{body}: {err}");
    }
}

#[test]
fn cycles_are_refused() {
    let t = "Resources:\n  A:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      TableName: !Ref B\n  B:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      TableName: !Sub '${A}-x'\nOutputs:\n  V:\n    Value: !Ref A\n";
    let err = value(t).unwrap_err();
    assert!(
        err.message.contains("cyclic reference: A -> B -> A"),
        "{err}"
    );
    let t = "Conditions:\n  A: !Condition B\n  B: !Not [!Condition A]\nResources: {}\nOutputs:\n  V:\n    Value: !If [A, x, y]\n";
    assert!(value(t).unwrap_err().message.contains("cyclic condition"));
}

#[test]
fn names_built_from_names_take_linear_time_and_bounded_space() {
    // Each table's name is its predecessor's twice: without memoising,
    // resolving the last one takes 2^n steps; with it, the name's length
    // hits the bound instead.
    let mut t = String::from(
        "Resources:\n  T0:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      TableName: ab\n",
    );
    for i in 1..60 {
        t.push_str(&format!(
            "  T{i}:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      TableName: !Join ['', [!Ref T{p}, !Ref T{p}]]\n",
            p = i - 1
        ));
    }
    t.push_str("Outputs:\n  V:\n    Value: !Ref T59\n");
    let err = value(&t).unwrap_err();
    assert!(err.message.contains("longer than"), "{err}");
}

#[test]
fn get_att_takes_the_dotted_string_in_every_form() {
    for expression in [
        "!GetAtt T.Arn",
        "{\"Fn::GetAtt\": \"T.Arn\"}",
        "{\"Fn::GetAtt\": [T, Arn]}",
    ] {
        let t = format!("{RESOURCES}Outputs:\n  V:\n    Value: {expression}\n");
        assert_eq!(
            string(&t),
            "arn:aws:dynamodb:eu-west-1:123456789012:table/orders",
            "{expression}"
        );
    }
}

#[test]
fn list_parameters_are_lists_and_ssm_parameters_are_read_at_deployment() {
    let t = "Parameters:\n  Subnets:\n    Type: List<AWS::EC2::Subnet::Id>\n  Tables:\n    Type: CommaDelimitedList\n    Default: 'rtb-a, rtb-b'\n  Env:\n    Type: AWS::SSM::Parameter::Value<String>\n    Default: /account/environment\nResources: {}\nOutputs:\n  V:\n    Value:\n      - !Select [1, !Ref Subnets]\n      - !Ref Tables\n      - !Join ['+', !Ref Tables]\n      - !Ref Env\n";
    let v = value_with(t, &[("Subnets", "subnet-1,subnet-2"), ("Env", "/other")]).unwrap();
    let items = v.items();
    assert_eq!(items[0].as_string().unwrap(), "subnet-2");
    assert_eq!(items[1].items().len(), 2);
    assert_eq!(items[2].as_string().unwrap(), "rtb-a+rtb-b");
    let why = items[3].undetermined().unwrap();
    assert!(why.reason.contains("SSM Parameter Store"), "{why:?}");
    assert!(why.reason.contains("/other"), "{why:?}");
}
