//! The compliance frameworks rules map to, and their control ids.
//!
//! A mapping is a claim an auditor reads, so a rule may only cite a control
//! that exists. The lists below are the PCI DSS v4.0 defined requirements
//! (numbered as in the standard, not a tool's synthetic sub-ids) of the
//! requirement families relevant to data stores, and the 2017 SOC 2 Trust
//! Services Criteria (points of focus revised 2022). Titles are short
//! paraphrases for report headings.

/// Framework id of PCI DSS v4.0 in metadata and reports.
pub const PCI_DSS_4: &str = "pci-dss-4.0";
/// Framework id of SOC 2 in metadata and reports.
pub const SOC2: &str = "soc2";

/// A compliance framework: how metadata, reports and SARIF tags name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Framework {
    /// The id in rule metadata and reports, e.g. `pci-dss-4.0`.
    pub id: &'static str,
    /// The display name, e.g. `PCI DSS v4.0`.
    pub name: &'static str,
    /// The prefix of its SARIF tags, e.g. `PCI-DSS-4.0` (`PCI-DSS-4.0/3.5.1`).
    pub tag_prefix: &'static str,
}

/// Every framework a rule may map to, in report order.
pub const FRAMEWORKS: &[Framework] = &[
    Framework {
        id: PCI_DSS_4,
        name: "PCI DSS v4.0",
        tag_prefix: "PCI-DSS-4.0",
    },
    Framework {
        id: SOC2,
        name: "SOC 2",
        tag_prefix: "SOC2",
    },
];

fn find(id: &str) -> Option<&'static Framework> {
    FRAMEWORKS.iter().find(|f| f.id == id)
}

/// The prefix of a framework's SARIF tags; an unknown framework's id.
pub fn tag_prefix(framework: &str) -> &str {
    find(framework).map_or(framework, |f| f.tag_prefix)
}

/// The display name of a framework id, or the id itself when unknown.
pub fn label(framework: &str) -> &str {
    find(framework).map_or(framework, |f| f.name)
}

/// PCI DSS v4.0 requirements (id, short title).
pub const PCI_DSS_4_REQUIREMENTS: &[(&str, &str)] = &[
    (
        "1.2.1",
        "Configuration standards for NSC rule sets are defined and maintained",
    ),
    (
        "1.2.5",
        "All services, protocols and ports allowed are identified and approved",
    ),
    ("1.3.1", "Inbound traffic to the CDE is restricted"),
    ("1.3.2", "Outbound traffic from the CDE is restricted"),
    (
        "1.4.1",
        "NSCs are implemented between trusted and untrusted networks",
    ),
    (
        "1.4.4",
        "System components storing cardholder data are not directly accessible from untrusted networks",
    ),
    (
        "2.2.1",
        "Configuration standards are developed, implemented and maintained",
    ),
    (
        "2.2.7",
        "All non-console administrative access is encrypted",
    ),
    (
        "3.1.1",
        "Policies and procedures for protecting stored account data are managed",
    ),
    ("3.2.1", "Account data storage is kept to a minimum"),
    ("3.5.1", "PAN is rendered unreadable anywhere it is stored"),
    (
        "3.6.1",
        "Procedures protect cryptographic keys used to protect stored account data",
    ),
    (
        "3.6.1.1",
        "Service providers document their cryptographic architecture",
    ),
    (
        "3.7.1",
        "Key-management policies cover generation of strong keys",
    ),
    (
        "3.7.2",
        "Key-management policies cover secure key distribution",
    ),
    ("3.7.3", "Key-management policies cover secure key storage"),
    ("3.7.4", "Keys are changed at the end of their cryptoperiod"),
    (
        "3.7.5",
        "Keys are retired, replaced or destroyed when no longer needed or compromised",
    ),
    (
        "4.2.1",
        "Strong cryptography protects PAN during transmission over open, public networks",
    ),
    (
        "6.3.3",
        "System components are protected from known vulnerabilities by patches",
    ),
    (
        "6.4.1",
        "Public-facing web applications are protected against attacks",
    ),
    (
        "7.2.1",
        "An access control model is defined and includes granting access appropriately",
    ),
    (
        "7.2.2",
        "Access is assigned based on job classification and least privilege",
    ),
    ("7.2.4", "User accounts and access privileges are reviewed"),
    (
        "7.2.5",
        "Application and system accounts have least privilege",
    ),
    (
        "7.2.6",
        "Access to query repositories of stored cardholder data is restricted",
    ),
    (
        "7.3.1",
        "An access control system restricts access based on need to know",
    ),
    (
        "7.3.2",
        "The access control system enforces privileges based on job function",
    ),
    (
        "7.3.3",
        "The access control system is set to deny all by default",
    ),
    ("8.2.1", "All users are assigned a unique ID"),
    (
        "8.2.2",
        "Shared or generic accounts are used only when necessary",
    ),
    ("8.3.1", "All user access is authenticated"),
    (
        "8.4.1",
        "MFA is implemented for non-console administrative access into the CDE",
    ),
    ("8.6.1", "Interactive use of system accounts is managed"),
    (
        "10.2.1",
        "Audit logs are enabled and active for all system components",
    ),
    (
        "10.2.1.1",
        "Audit logs capture all individual user access to cardholder data",
    ),
    (
        "10.2.1.2",
        "Audit logs capture all actions by administrative accounts",
    ),
    ("10.2.1.3", "Audit logs capture all access to audit logs"),
    (
        "10.2.1.4",
        "Audit logs capture invalid logical access attempts",
    ),
    (
        "10.2.1.5",
        "Audit logs capture changes to identification and authentication credentials",
    ),
    (
        "10.2.1.6",
        "Audit logs capture initialization, stopping or pausing of audit logs",
    ),
    (
        "10.2.1.7",
        "Audit logs capture creation and deletion of system-level objects",
    ),
    (
        "10.2.2",
        "Audit logs record the details of each auditable event",
    ),
    ("10.3.1", "Read access to audit log files is limited"),
    ("10.3.2", "Audit log files are protected from modification"),
    (
        "10.3.3",
        "Audit log files are promptly backed up to a secure central server",
    ),
    (
        "10.3.4",
        "File integrity monitoring or change detection protects audit logs",
    ),
    (
        "10.4.1",
        "Security events and critical system logs are reviewed at least daily",
    ),
    (
        "10.5.1",
        "Audit log history is retained for at least 12 months",
    ),
    (
        "10.7.2",
        "Failures of critical security control systems are detected and reported",
    ),
    (
        "11.5.1",
        "Intrusion-detection or prevention techniques are used",
    ),
    ("11.5.2", "A change-detection mechanism is deployed"),
    (
        "12.3.1",
        "Targeted risk analyses are performed for flexible requirements",
    ),
    (
        "12.5.1",
        "An inventory of system components in scope is maintained",
    ),
    ("12.5.2", "PCI DSS scope is documented and confirmed"),
    (
        "12.10.1",
        "An incident response plan exists and is ready to be activated",
    ),
];

/// SOC 2 Trust Services Criteria (id, short title).
pub const SOC2_CRITERIA: &[(&str, &str)] = &[
    ("CC1.1", "Commitment to integrity and ethical values"),
    ("CC1.2", "Board independence and oversight"),
    (
        "CC1.3",
        "Structures, reporting lines, authorities and responsibilities",
    ),
    ("CC1.4", "Commitment to competence"),
    ("CC1.5", "Accountability"),
    ("CC2.1", "Relevant, quality information"),
    ("CC2.2", "Internal communication"),
    ("CC2.3", "External communication"),
    ("CC3.1", "Objectives specified to identify risks"),
    ("CC3.2", "Risks identified and analysed"),
    ("CC3.3", "Fraud risk considered"),
    ("CC3.4", "Significant changes identified and assessed"),
    ("CC4.1", "Ongoing and separate evaluations of controls"),
    ("CC4.2", "Deficiencies evaluated and communicated"),
    ("CC5.1", "Control activities selected and developed"),
    ("CC5.2", "General controls over technology"),
    (
        "CC5.3",
        "Control activities deployed through policies and procedures",
    ),
    (
        "CC6.1",
        "Logical access security software, infrastructure and architectures",
    ),
    ("CC6.2", "User registration and authorisation"),
    (
        "CC6.3",
        "Role-based access, least privilege and segregation of duties",
    ),
    ("CC6.4", "Physical access restricted"),
    ("CC6.5", "Protection of assets on disposal"),
    (
        "CC6.6",
        "Protection against threats from outside system boundaries",
    ),
    (
        "CC6.7",
        "Restriction of information transmission and movement",
    ),
    (
        "CC6.8",
        "Prevention and detection of unauthorised or malicious software",
    ),
    (
        "CC7.1",
        "Detection of configuration changes and vulnerabilities",
    ),
    ("CC7.2", "Monitoring of system components for anomalies"),
    ("CC7.3", "Evaluation of security events"),
    ("CC7.4", "Response to security incidents"),
    ("CC7.5", "Recovery from security incidents"),
    ("CC8.1", "Change management"),
    ("CC9.1", "Risk mitigation for business disruption"),
    ("CC9.2", "Vendor and business partner risk management"),
    ("A1.1", "Capacity management"),
    (
        "A1.2",
        "Environmental protections, backup and recovery infrastructure",
    ),
    ("A1.3", "Recovery plan testing"),
    ("C1.1", "Confidential information identified and maintained"),
    ("C1.2", "Confidential information disposed of"),
    ("PI1.1", "Processing integrity: quality information"),
    ("PI1.2", "Processing integrity: system inputs"),
    ("PI1.3", "Processing integrity: system processing"),
    ("PI1.4", "Processing integrity: system outputs"),
    ("PI1.5", "Processing integrity: stored data"),
    ("P1.1", "Privacy notice"),
    ("P2.1", "Choice and consent"),
    ("P3.1", "Collection of personal information"),
    ("P4.1", "Use of personal information"),
    ("P4.2", "Retention of personal information"),
    ("P4.3", "Disposal of personal information"),
    ("P5.1", "Access by data subjects"),
    ("P6.1", "Disclosure to third parties"),
    ("P6.7", "Accounting of disclosures"),
    ("P7.1", "Quality of personal information"),
    ("P8.1", "Privacy inquiries and complaints"),
];

/// The display name of a framework id, if known.
pub fn framework_name(framework: &str) -> Option<&'static str> {
    find(framework).map(|f| f.name)
}

/// The controls of a framework, if the framework is known.
pub fn controls(framework: &str) -> Option<&'static [(&'static str, &'static str)]> {
    match framework {
        PCI_DSS_4 => Some(PCI_DSS_4_REQUIREMENTS),
        SOC2 => Some(SOC2_CRITERIA),
        _ => None,
    }
}

/// The title of a control, if it exists.
pub fn control_title(framework: &str, control: &str) -> Option<&'static str> {
    controls(framework)?
        .iter()
        .find(|(id, _)| *id == control)
        .map(|(_, title)| *title)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_ids_are_unique() {
        for framework in FRAMEWORKS.iter().map(|f| f.id) {
            let list = controls(framework).unwrap_or_default();
            let mut ids: Vec<_> = list.iter().map(|(id, _)| *id).collect();
            ids.sort_unstable();
            let before = ids.len();
            ids.dedup();
            assert_eq!(before, ids.len(), "{framework} has duplicate control ids");
        }
    }

    #[test]
    fn looks_up_titles() {
        assert!(control_title(PCI_DSS_4, "3.5.1").is_some());
        assert!(control_title(SOC2, "CC6.1").is_some());
        assert!(control_title(SOC2, "CC6.9").is_none());
        assert!(control_title("iso27001", "A.5.1").is_none());
    }
}
