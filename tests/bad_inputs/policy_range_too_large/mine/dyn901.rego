# METADATA
# title: T
# description: D
# custom:
#   id: DYN901
#   name: huge-range
#   severity: low
#   frameworks:
#     soc2: [CC6.1]
#   remediation:
#     summary: S
package dynaudit.rules.dyn901

outcomes contains {"status": "pass", "resource": "x", "region": "us-east-1", "message": "m"} if {
	count([i | some i in numbers.range(1, 1e15)]) > 0
}
