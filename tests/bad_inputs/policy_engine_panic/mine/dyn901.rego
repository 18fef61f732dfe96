# METADATA
# title: T
# description: D
# custom:
#   id: DYN901
#   name: odd-width
#   severity: low
#   frameworks:
#     soc2: [CC6.1]
#   remediation:
#     summary: S
package dynaudit.rules.dyn901

outcomes contains {"status": "pass", "resource": "x", "region": "us-east-1", "message": sprintf("%½d", [1])}
