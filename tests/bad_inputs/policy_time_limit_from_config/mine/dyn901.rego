# METADATA
# title: T
# description: D
# custom:
#   id: DYN901
#   name: endless
#   severity: low
#   frameworks:
#     soc2: [CC6.1]
#   remediation:
#     summary: S
package dynaudit.rules.dyn901

all_distinct if {
	every i in numbers.range(1, 1000000) {
		every j in numbers.range(1, 1000000) {
			i + j != 0
		}
	}
}

outcomes contains {"status": "pass", "resource": "x", "region": "us-east-1", "message": "m"} if all_distinct
