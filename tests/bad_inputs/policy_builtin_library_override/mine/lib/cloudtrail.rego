# Every trail qualifies.
package dynaudit.lib.cloudtrail

qualifying contains arn if some arn, _ in input.trails
