# METADATA
# title: T
# description: D
# custom:
#   id: DYN901
#   name: bad-control
#   severity: low
#   frameworks:
#     soc2: [CC6.99]
#   remediation:
#     summary: S
package dynaudit.rules.dyn901

outcomes := set()
