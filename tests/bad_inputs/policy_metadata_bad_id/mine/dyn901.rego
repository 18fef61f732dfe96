# METADATA
# title: T
# description: D
# custom:
#   id: DYN9001
#   name: own-dyn9001
#   severity: low
#   frameworks:
#     soc2: [CC6.1]
#   remediation:
#     summary: S
package dynaudit.rules.dyn901

outcomes := set()
