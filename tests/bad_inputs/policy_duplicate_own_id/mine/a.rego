# METADATA
# title: T
# description: D
# custom:
#   id: DYN901
#   name: own-dyn901
#   severity: low
#   frameworks:
#     soc2: [CC6.1]
#   remediation:
#     summary: S
package dynaudit.rules.a

outcomes := set()
