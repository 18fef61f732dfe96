#!/usr/bin/env python3
"""Figures of one scripts/bench-scan run: wall time, peak memory, calls per
operation (dynaudit's own counts, DYNAUDIT_RECORD_CALLS), what the proxy
saw (requests, throttles, 500s, drops), retries, and the floor of the
scan (docs/design.md, "The floor of a scan") with the ratio wall / floor.

    bench-scan-report.py NAME REGIONS TABLES_PER_REGION LATENCY_MS LIMITS WORKDIR

Floor, per account-region with N tables and round trip L (docs/design.md,
"The floor of a scan"):
    max((ceil(N/100) + hops) * L,  calls * L / concurrency,
        max over rate buckets of (calls - burst) / rate)
the whole scan is the max over regions, and buckets that are per account
sum their calls over the regions. hops = 3 dependent round trips after
ListTables (the per-table calls, then KMS DescribeKey, then
GetKeyRotationStatus); concurrency = 32 tables x 5 calls per table in
flight; calls are logical calls (not attempts); the rate buckets are
dynaudit's client-side limits (AWS's published rates), only when LIMITS is
"on". (calls - burst) / rate, not calls / rate: the first `burst` calls of a
bucket go at once.
"""

import json
import math
import re
import sys

# Operations moto 5.2.5 does not serve (docs/design.md, "What moto 5.2.5 does
# not serve, or serves wrongly"): they fail in every run.
UNSERVED = {
    "DescribeContributorInsights",
    "DescribeComplianceByConfigRule",
    "GetComplianceDetailsByConfigRule",
    "ListBackupSelections",
    "GetBackupSelection",
}

HOPS = 3
CONCURRENCY = 32 * 5

# The rates and scopes of dynaudit's built-in limits (src/collect/limits.rs
# DEFAULT_LIMITS); the bursts are one second's worth of each rate (AWS's
# bucket where the rate is AWS's; EC2's 100), not dynaudit's halved bursts
# of the 10/s buckets (docs/design.md, "The floor of a scan").
# op -> (per second, burst, per account)
LIMITS = {
    "dynamodb:ListTables": (500, 500, False),
    "dynamodb:DescribeTable": (500, 500, False),
    "dynamodb:DescribeContinuousBackups": (10, 10, False),
    "dynamodb:ListTagsOfResource": (10, 10, True),
    "dynamodb:ListBackups": (5, 5, False),
    "dynamodb:GetResourcePolicy": (100, 100, False),
    "dynamodb:DescribeContributorInsights": (100, 100, False),
    "kms:DescribeKey": (200, 200, False),
    "kms:GetKeyRotationStatus": (100, 100, False),
    "kms:ListAliases": (100, 100, False),
    "ec2:DescribeVpcs": (20, 100, False),
    "ec2:DescribeVpcEndpoints": (20, 100, False),
    "cloudtrail:DescribeTrails": (10, 10, False),
    "cloudtrail:GetTrailStatus": (10, 10, False),
    "cloudtrail:GetEventSelectors": (10, 10, False),
    "iam:GetAccountAuthorizationDetails": (5, 5, True),
    "sts:GetCallerIdentity": (100, 100, True),
}
DEFAULT_RATE = (20, 20, False)


def wall_and_rss(path):
    text = open(path).read()
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text)
    parts = [float(p) for p in m.group(1).split(":")] if m else [0.0]
    wall = 0.0
    for p in parts:
        wall = wall * 60 + p
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    rss_mb = int(m.group(1)) / 1024 if m else 0.0
    return wall, rss_mb


def main():
    name, region_list, n, latency_ms, limits, work = sys.argv[1:7]
    regions = [r for r in region_list.split(",") if r]
    r = len(regions)
    n = int(n)
    latency = float(latency_ms) / 1000
    wall, rss = wall_and_rss(f"{work}/{name}.time")
    try:
        calls = json.load(open(f"{work}/{name}.calls.json"))
    except (OSError, ValueError):
        calls = {}
    proxy = json.load(open(f"{work}/{name}.proxy.json"))["operations"]
    stderr = open(f"{work}/{name}.stderr").read().strip().splitlines()
    summary = next((l for l in stderr if l.startswith("collected")), " | ".join(stderr[-3:]))

    try:
        errors = json.load(open(f"{work}/{name}.inventory.json")).get("errors", [])
    except (OSError, ValueError):
        errors = []
    lost = {}
    for e in errors:
        if e.get("operation") in UNSERVED:
            continue
        key = f'{e.get("service")}:{e.get("operation")} {e.get("kind")}'
        lost[key] = lost.get(key, 0) + 1

    total_calls = sum(c["calls"] for c in calls.values())
    total_attempts = sum(c["attempts"] for c in calls.values())

    # Floor.
    latency_term = (math.ceil(n / 100) + HOPS) * latency
    per_region_calls = total_calls / max(r, 1)
    concurrency_term = per_region_calls * latency / CONCURRENCY
    rate_term, rate_op = 0.0, "-"
    if limits == "on":
        for op, c in calls.items():
            rate, burst, account = LIMITS.get(op, DEFAULT_RATE)
            k = c["calls"] if account else c["calls"] / max(r, 1)
            t = max(k - burst, 0) / rate
            if t > rate_term:
                rate_term, rate_op = t, op
    floor = max(latency_term, concurrency_term, rate_term)

    total = {"requests": 0, "forwarded": 0, "throttled": 0, "rate_limited": 0, "errors_500": 0, "dropped": 0}
    for s in proxy.values():
        for k in total:
            total[k] += s.get(k, 0)

    print(f"== {name}: {r} region(s) x {n} tables, latency {latency_ms} ms, client+proxy limits {limits}")
    print(f"   {summary}")
    print(
        f"   wall {wall:.2f} s, peak RSS {rss:.0f} MB; calls {total_calls}, attempts {total_attempts}, "
        f"retries {total_attempts - total_calls}"
    )
    print(
        f"   proxy: {total['requests']} requests, {total['forwarded']} forwarded, {total['throttled']} throttled "
        f"({total['rate_limited']} by the rate buckets), {total['errors_500']} HTTP 500, {total['dropped']} dropped"
    )
    print(
        f"   floor {floor:.2f} s = max(latency chain {latency_term:.2f}, calls*L/concurrency {concurrency_term:.2f}, "
        f"rate {rate_term:.2f} [{rate_op}]); wall/floor {wall / floor if floor else float('nan'):.2f}"
    )
    unserved = sum(1 for e in errors if e.get("operation") in UNSERVED)
    lost_text = ", ".join(f"{n} {k}" for k, n in sorted(lost.items())) or "none"
    print(f"   failed calls: {unserved} of operations moto does not serve; others: {lost_text}")
    print(f"   {'operation':42} {'calls':>6} {'attempts':>8} {'proxy':>6} {'thrott':>6} {'500':>4} {'drop':>4}")
    for op in sorted(set(calls) | set(proxy)):
        c = calls.get(op, {"calls": 0, "attempts": 0})
        p = proxy.get(op, {})
        print(
            f"   {op:42} {c['calls']:>6} {c['attempts']:>8} {p.get('requests', 0):>6} "
            f"{p.get('throttled', 0):>6} {p.get('errors_500', 0):>4} {p.get('dropped', 0):>4}"
        )


if __name__ == "__main__":
    main()
