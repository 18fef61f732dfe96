# METADATA
# title: T
# description: D
# custom:
#   id: DYN901
#   name: quoted
#   severity: low
#   frameworks:
#     soc2: [CC6.1]
#   remediation:
#     summary: S
package dynaudit["rules"].dyn204

outcomes := set()
