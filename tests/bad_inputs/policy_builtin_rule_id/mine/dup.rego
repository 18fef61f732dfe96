# METADATA
# title: T
# description: D
# custom:
#   id: DYN204
#   name: own-dyn204
#   severity: low
#   frameworks:
#     soc2: [CC6.1]
#   remediation:
#     summary: S
package dynaudit.rules.dup

outcomes := set()
