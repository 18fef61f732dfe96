# METADATA
# title: A table is named orders
# description: Example user rule.
# custom:
#   id: DYN901
#   name: table-named-orders
#   severity: high
#   frameworks:
#     soc2: [CC6.1]
#   remediation:
#     summary: Rename it.
package dynaudit.rules.dyn901

outcomes contains {
	"status": "fail",
	"resource": arn,
	"region": region,
	"message": sprintf("Table %s in %s is named orders", [t.name, region]),
	"evidence": {"name": t.name},
} if {
	some region, r in input.regions
	some arn, t in r.tables
	t.name == "orders"
}
