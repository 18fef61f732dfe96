package dynaudit

rules.dyn101.outcomes contains {"status": "pass", "resource": "y", "region": "us-east-1", "message": "m"}
