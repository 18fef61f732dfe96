# VPC endpoints: which serve DynamoDB and which are active, shared by the
# network rules (DYN401-DYN404). Plain Rego v1, no custom builtins; rules
# import the individual helpers they use.
package dynaudit.lib.endpoints

# The states of an endpoint that no longer carries traffic.
inactive_states := {"deleting", "deleted", "failed", "rejected", "expired"}

# A DynamoDB endpoint service name, in every partition, FIPS included.
dynamodb_service(name) if regex.match(`^(cn\.)?com\.amazonaws\.[a-z0-9-]+\.dynamodb(-fips)?$`, name)

# An endpoint known to be active: its state was collected and is not one
# of the inactive states. A null state was not collected
# (DescribeVpcEndpoints always reports one): such an endpoint is neither
# active nor inactive, and the rules say unknown for it, never a verdict.
active(ep) if {
	is_string(ep.state)
	not lower(ep.state) in inactive_states
}

# An endpoint known to be inactive.
inactive(ep) if {
	is_string(ep.state)
	lower(ep.state) in inactive_states
}
