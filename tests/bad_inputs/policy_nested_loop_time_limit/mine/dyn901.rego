# METADATA
# title: T
# description: D
# custom:
#   id: DYN901
#   name: slow
#   severity: low
#   frameworks:
#     soc2: [CC6.1]
#   remediation:
#     summary: S
package dynaudit.rules.dyn901

outcomes contains {"status": "pass", "resource": "x", "region": "us-east-1", "message": sprintf("%d", [n])} if {
	n := count([1 | some i in numbers.range(1, 100000); some j in numbers.range(1, 100000)])
}
