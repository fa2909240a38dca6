"""Benchmark: `tagwarden scan inventory` on a generated 1,000,000-resource inventory, 10-rule policy.

Prints wall time, resources per second and peak memory (the largest process: the scan or one of its
workers), for the default (two worker processes, output streamed to a spool on disk) with and without
the SQLite store, and for a single process, and the ratio between them. The target (issue 3): at most
30 s on 2 cores, in bounded memory. Run: python bench/bench_scan_inventory.py [--resources N] [--keep]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

POLICY = """\
tagwarden: 1
name: bench-10-rules
value_sets:
  environments: [prod, staging, dev, sandbox]
  cost_centers: [cc-1000, cc-2000, cc-3000, cc-4000, cc-5000]
keys:
  CostCenter: {aliases: [cost_center, costcenter]}
  Environment: {aliases: [env]}
rules:
  - {id: cost-center, severity: high, require: CostCenter, allowed: $cost_centers, value_case: insensitive}
  - {id: environment, require: Environment, allowed: $environments}
  - {id: owner, severity: high, require: Owner, pattern: '^[a-z0-9._-]+@example\\.org$'}
  - {id: application, require: Application}
  - {id: team, require: Team, allowed: ["team-*"]}
  - {id: prod-class, when: {key: Environment, in: [prod]}, require: DataClassification}
  - {id: no-temp, severity: low, forbid: ["temp*", "*password*"]}
  - {id: s3-retention, scope: {resource_types: ["s3:bucket"]}, require: RetentionDays, pattern: '^[0-9]+$'}
  - {id: eu-residency, scope: {regions: ["eu-*"]}, require: DataResidency, allowed: [eu]}
  - {id: project, require: Project, pattern: '^[A-Z]{2,5}-[0-9]+$'}
"""

TYPES = [("aws", "ec2:instance"), ("aws", "s3:bucket"), ("aws", "ec2:volume"), ("aws", "lambda:function"),
         ("azure", "Microsoft.Compute/virtualMachines"), ("gcp", "storage.googleapis.com/Bucket")]
REGIONS = ["eu-west-1", "us-east-1", "eu-central-1", "ap-southeast-2"]


def generate(path: Path, count: int) -> None:
    rng = random.Random(7)
    with path.open("w") as handle:
        for index in range(count):
            provider, kind = TYPES[index % len(TYPES)]
            # about 4 resources in 10 break at least one rule, as in an estate under governance
            tags = {"CostCenter": "cc-1000" if rng.random() > 0.1 else "cc-9",
                    "Environment": rng.choice(["prod", "dev", "staging"]) if rng.random() > 0.05 else "Prod",
                    "Owner": "a@example.org", "Application": "app", "Team": "team-a", "Project": "FIN-12",
                    "DataResidency": "eu", "DataClassification": "internal", "RetentionDays": "30"}
            if rng.random() < 0.1:
                del tags["Owner"]
            if rng.random() < 0.1:
                tags = {}
            record = {"provider": provider, "id": f"arn:aws:svc:{REGIONS[index % 4]}:1:{kind}/r-{index:08d}",
                      "type": kind, "name": f"r-{index}", "account": str(100000000000 + index % 50),
                      "region": REGIONS[index % 4], "tags": tags}
            handle.write(json.dumps(record, separators=(",", ":")) + "\n")


def run_scan(
    inventory: Path, policy: Path, workdir: Path, workers: int | None, store: bool = True
) -> tuple[float, dict]:
    database = workdir / f"store-{workers or 'all'}.db"
    database.unlink(missing_ok=True)
    command = [sys.executable, "-m", "tagwarden.engine.cli", "scan", "inventory", str(inventory), "--policy",
               str(policy), "--db", f"sqlite:///{database}", "--format", "json", "-o", str(workdir / "out.json"),
               "--quiet", "--fail-on", "never"]
    if workers:
        command += ["--workers", str(workers)]
    if not store:
        command.append("--no-store")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"scan failed ({done.returncode}): {done.stderr[-2000:]}")
    peak_mb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return elapsed, {"summary": summary_of(workdir / "out.json"), "peak_mb": peak_mb}


def summary_of(output: Path) -> dict:
    """The summary from the document's head: loading all of it here would make this process large,
    and a child forked from a large process counts its pages in ru_maxrss until it execs."""
    with output.open() as handle:
        head = handle.read(8192)
    head = head[: head.index('"results"')].rstrip().rstrip(",") + "}"
    return json.loads(head)["summary"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--resources", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--skip-single", action="store_true", help="skip the one-worker comparison run")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="tagwarden-bench-scan-"))
    inventory, policy = workdir / "inventory.jsonl", workdir / "policy.yaml"
    policy.write_text(POLICY)
    started = time.perf_counter()
    generate(inventory, args.resources)
    size_mb = inventory.stat().st_size / 1e6
    print(f"generated {args.resources:,} resources ({size_mb:.0f} MB) in {time.perf_counter() - started:.1f} s")
    budget = 30 * args.resources / 1_000_000
    for label, store in (("evaluate only (--no-store)", False), ("evaluate + SQLite store", True)):
        elapsed, info = run_scan(inventory, policy, workdir, None, store)
        verdict = "PASS" if elapsed <= budget else "MISS"
        print(f"scan inventory, default workers, {label}: {elapsed:.1f} s ({args.resources / elapsed:,.0f} "
              f"resources/s), peak RSS {info['peak_mb']:.0f} MB  [{verdict}: target {budget:.0f} s]")
    print(f"  summary: {info['summary']}")
    if not args.skip_single:
        default, _ = run_scan(inventory, policy, workdir, None, False)
        single, single_info = run_scan(inventory, policy, workdir, 1, False)
        print(f"scan inventory, one process, --no-store: {single:.1f} s, peak {single_info['peak_mb']:.0f} MB")
        print(f"ratio one process / default (--no-store): {single / default:.2f}x")
    if args.keep:
        print(f"files kept in {workdir}")
    else:
        shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
