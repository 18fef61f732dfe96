# METADATA
# title: T
# description: D
# custom:
#   id: DYN902
#   name: own-dyn902
#   severity: low
#   frameworks:
#     soc2: [CC6.1]
#   remediation:
#     summary: S
package dynaudit.rules.shared

outcomes := set()
