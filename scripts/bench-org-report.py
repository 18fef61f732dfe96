#!/usr/bin/env python3
"""Figures of one scripts/bench-org run: wall time, peak memory, calls,
what the proxy saw, the floor with the max_accounts_in_flight cap, and
per-account timings from dynaudit's progress lines.

    bench-org-report.py NAME N REGIONS TABLES_PER_REGION LATENCY_MS IN_FLIGHT WORKDIR

Floor (docs/benchmarks.md, "Organization-wide collection"):

- per account, the single-account floor of docs/design.md ("The floor of
  a scan", computed as scripts/bench-scan-report.py does): the max of the
  dependent chain (ceil(tables/100) + 3 hops) * L, calls * L / concurrency
  per region, and over the rate buckets (calls - burst) / rate, a
  per-account bucket (ListTagsOfResource, IAM) summing its calls over the
  regions. The buckets are per account (per credential in the proxy), so
  accounts do not share them;
- an account's calls: every account of the benchmark holds the same estate,
  so each makes 1/N of the run's calls of every operation but sts:* (the
  caller's GetCallerIdentity and its AssumeRole calls, not rate bound);
- the accounts are started in order of id, at most IN_FLIGHT at once
  (tokio's semaphore is FIFO): waves of IN_FLIGHT consecutive accounts,
  each wave costing its slowest account's floor; the run's floor is the sum
  over the ceil(N / IN_FLIGHT) waves.

Per-account timings come from the progress lines `dynaudit: [k/N] account
...`, stamped by the script with the seconds since dynaudit started: the
k-th account done at t_k started when the (k - IN_FLIGHT)-th was done (a
permit is handed on at once), so its duration is t_k - t_(k - IN_FLIGHT)
(t_k - the first line's start for the first IN_FLIGHT).
"""

import glob
import json
import math
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
bench_scan = __import__("bench-scan-report")  # the LIMITS table and parsing

HOPS = bench_scan.HOPS
CONCURRENCY = bench_scan.CONCURRENCY


def account_floor(calls, n_tables, regions, latency):
    """The single-account floor (docs/design.md), its binding term."""
    r = len(regions)
    latency_term = (math.ceil(n_tables / 100) + HOPS) * latency
    concurrency_term = sum(calls.values()) / r * latency / CONCURRENCY
    rate_term, rate_op = 0.0, "-"
    for op, c in calls.items():
        rate, burst, per_account = bench_scan.LIMITS.get(op, bench_scan.DEFAULT_RATE)
        k = c if per_account else c / r
        t = max(k - burst, 0) / rate
        if t > rate_term:
            rate_term, rate_op = t, op
    terms = {
        "dependent chain": latency_term,
        "calls*L/concurrency": concurrency_term,
        f"rate [{rate_op}]": rate_term,
    }
    name = max(terms, key=terms.get)
    return terms[name], name, terms


def main():
    name, n, region_list, tables, latency_ms, in_flight, work = sys.argv[1:8]
    n, tables, in_flight = int(n), int(tables), int(in_flight)
    regions = [r for r in region_list.split(",") if r]
    latency = float(latency_ms) / 1000
    wall, rss = bench_scan.wall_and_rss(f"{work}/{name}.time")
    recorded = json.load(open(f"{work}/{name}.calls.json"))
    proxy = json.load(open(f"{work}/{name}.proxy.json"))["operations"]
    rc = open(f"{work}/{name}.rc").read().strip()
    stderr = open(f"{work}/{name}.stderr").read().splitlines()

    total_calls = sum(c["calls"] for c in recorded.values())
    total_attempts = sum(c["attempts"] for c in recorded.values())
    per_account = {
        op: c["calls"] / n for op, c in recorded.items() if not op.startswith("sts:")
    }
    uneven = sorted(
        op for op, c in recorded.items() if not op.startswith("sts:") and c["calls"] % n
    )
    floor1, term, terms = account_floor(per_account, tables, regions, latency)
    # Every account the same floor here; the waves as documented.
    floors = [floor1] * n
    waves = [floors[i : i + in_flight] for i in range(0, n, in_flight)]
    floor = sum(max(w) for w in waves)

    total = {"requests": 0, "forwarded": 0, "throttled": 0, "rate_limited": 0, "errors_500": 0, "dropped": 0}
    for s in proxy.values():
        for k in total:
            total[k] += s.get(k, 0)

    # The evidence directory: one inventory per account, each of its account.
    out = f"{work}/{name}.out"
    index = json.load(open(f"{out}/index.json"))
    status = {}
    for e in index["accounts"]:
        status[e["status"]] = status.get(e["status"], 0) + 1
    wrong, table_counts, size = [], [], 0
    for path in sorted(glob.glob(f"{out}/[0-9]*.json")):
        size += os.path.getsize(path)
        inv = json.load(open(path))
        account = os.path.basename(path)[:-5]
        if inv.get("account_id") != account:
            wrong.append(account)
        count = 0
        for region in (inv.get("regions") or {}).values():
            for arn in (region or {}).get("tables") or {}:
                count += 1
                if f":{account}:" not in arn and account not in wrong:
                    wrong.append(account)
        table_counts.append(count)

    # Per-account timings from the stamped progress lines.
    done = []
    for line in stderr:
        m = re.match(r"\[\s*([0-9.]+)\] dynaudit: \[(\d+)/(\d+)\] account (\d+)", line)
        if m:
            done.append(float(m.group(1)))
    first = next((float(m.group(1)) for m in (re.match(r"\[\s*([0-9.]+)\]", l) for l in stderr) if m), 0.0)
    durations = []
    for k, t in enumerate(done):
        start = done[k - in_flight] if k >= in_flight else 0.0
        durations.append(t - start)
    summary = next((l for l in stderr if "accounts:" in l and "collected" in l), stderr[-1] if stderr else "")

    print(f"== {name}: {n} accounts x {len(regions)} regions x {tables} tables, latency {latency_ms} ms, "
          f"AWS limits, cached answers, max_accounts_in_flight {in_flight}")
    print(f"   exit code {rc}; {summary.strip()}")
    print(f"   wall {wall:.2f} s, peak RSS {rss:.0f} MB; calls {total_calls}, attempts {total_attempts}, "
          f"retries {total_attempts - total_calls}")
    print(f"   proxy: {total['requests']} requests, {total['forwarded']} past the fault draws (answered by the emulator, or by the cache when --cache has the answer), "
          f"{total['throttled']} throttled ({total['rate_limited']} by the rate buckets), "
          f"{total['errors_500']} HTTP 500, {total['dropped']} dropped")
    print(f"   per-account floor {floor1:.2f} s ({term}; " +
          ", ".join(f"{k} {v:.2f}" for k, v in terms.items()) + ")")
    print(f"   floor {floor:.2f} s = {len(waves)} waves of <= {in_flight} accounts x {floor1:.2f} s; "
          f"wall/floor {wall / floor if floor else float('nan'):.2f}")
    if uneven:
        print(f"   note: calls not a multiple of {n} (accounts not alike?): {', '.join(uneven)}")
    print(f"   evidence: index {status}, {len(table_counts)} inventories, {size / 1e6:.1f} MB, "
          f"tables per account {min(table_counts, default=0)}-{max(table_counts, default=0)}; "
          f"inventories naming another account: {', '.join(wrong) or 'none'}")
    if durations:
        print(f"   per account (progress lines): done at {first:.2f} s first line .. {done[-1]:.2f} s last; "
              f"duration median {statistics.median(durations):.2f} s, min {min(durations):.2f}, "
              f"max {max(durations):.2f}; after the last account {wall - done[-1]:.2f} s")
    print(f"   {'operation':42} {'calls':>6} {'attempts':>8} {'proxy':>6} {'thrott':>6} {'500':>5}")
    for op in sorted(set(recorded) | set(proxy)):
        c = recorded.get(op, {"calls": 0, "attempts": 0})
        p = proxy.get(op, {})
        print(f"   {op:42} {c['calls']:>6} {c['attempts']:>8} {p.get('requests', 0):>6} "
              f"{p.get('throttled', 0):>6} {p.get('errors_500', 0):>5}")
    # One line for the summary table.
    with open(f"{work}/rows.txt", "a") as rows:
        rows.write(json.dumps({"n": n, "wall": wall, "floor": floor, "calls": total_calls,
                               "attempts": total_attempts, "throttled": total["throttled"],
                               "rss": rss, "rc": rc}) + "\n")


if __name__ == "__main__":
    main()
