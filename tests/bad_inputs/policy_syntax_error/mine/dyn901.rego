# METADATA
# title: T
# description: D
# custom:
#   id: DYN901
#   name: broken
#   severity: low
#   frameworks:
#     soc2: [CC6.1]
#   remediation:
#     summary: S
package dynaudit.rules.dyn901

outcomes contains x if {
	x := [
}
