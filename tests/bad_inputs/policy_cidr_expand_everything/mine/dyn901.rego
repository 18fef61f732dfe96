# METADATA
# title: T
# description: D
# custom:
#   id: DYN901
#   name: all-addresses
#   severity: low
#   frameworks:
#     soc2: [CC6.1]
#   remediation:
#     summary: S
package dynaudit.rules.dyn901

n := count(net.cidr_expand("::/0"))

outcomes contains {"status": "pass", "resource": "x", "region": "us-east-1", "message": sprintf("%d", [n])}
