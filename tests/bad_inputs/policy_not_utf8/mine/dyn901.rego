# METADATA
# title: T
# résumé x
# description: D
# custom:
#   id: DYN901
#   name: latin
#   severity: low
#   frameworks:
#     soc2: [CC6.1]
#   remediation:
#     summary: S
package dynaudit.rules.dyn901

outcomes := set()
