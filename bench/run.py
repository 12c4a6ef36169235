#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""awsx benchmark harness: runs awsx and a peer tool on the same work and writes
docs/PERFORMANCE.md.

    python3 bench/run.py [--awsx PATH] [--runs [NAME=]N] [--warmups [NAME=]N]
                         [--memory-runs [NAME=]N] [--latency-ms [NAME=]N]
                         [--only NAME[,NAME]] [--output FILE | --no-write] [--list]

For every benchmark it starts from a fresh moto state, runs the setup, then runs
awsx and the peer ALTERNATELY (awsx, peer, awsx, peer, ...): warm-up rounds that
are not recorded, timing rounds, then memory rounds.  A benchmark with no offline
peer (watch-latency, watch-idle: `awsx sync --watch`) measures awsx alone with its own
measure() function and is reported beside what is expected of it; a long-running peer
(logs-latency, logs-rate: `aws logs tail --follow`) is measured the same way, in the
benchmark's own rounds.  Each benchmark sets its own counts and added latency (a long
one runs fewer rounds); --runs, --warmups,
--memory-runs and --latency-ms override them, N for every benchmark or NAME=N for
one.  Every run must exit 0 and pass the benchmark's output check, or the benchmark
is aborted with the command, exit status and output.

How one run is measured:
  - timing run: the command is spawned with Popen and reaped with os.wait4(); wall time
    is time.perf_counter() around both, CPU time is user + sys from wait4's rusage (the
    command and any children it waited for);
  - memory run: the command runs under GNU time (`/usr/bin/time -f %M -o F`, Debian
    package `time`: `apt-get install -y time` if it is missing); peak memory is its %M,
    the command's own ru_maxrss.
Why not wait4's ru_maxrss: Linux carries the high-water RSS of the pre-exec address
space into the child's maxrss, and a child of this Python process starts from a copy of
(or, with vfork, the very) Python address space, so wait4 reports at least the harness's
own ~15 MiB even for /bin/true.  GNU time is a small C program, so the command it forks
starts from a ~1 MiB space.  The same measurements of /bin/true are reported as the floor.

The local endpoint is a moto server (tests/support/moto_server.py) this script starts
on a free loopback port and always stops (normal end, error, Ctrl-C, SIGTERM).  The
benchmarks that deploy SAM stacks (local_env="awsenv": sync-nochange, sync-edit,
watch-*) and those that count calls in its request log (logs-latency, logs-rate) use
instead the integration tests' endpoint, tests/support/awsenv.py: another
moto behind the SigV4-verifying proxy, which applies the SAM transform and logs every
request; it is started the first time one needs it and stopped at the end.  For a benchmark with added latency (its
latency_ms, or --latency-ms) one instance of the project's fault proxy
(tests/support/fault_proxy.py) is put in front of that endpoint for that benchmark and
delays every request by that many ms.  Both tools get the same endpoint
(--endpoint-url) and the same credentials (the test keys the verifying proxy knows)
through environment variables, with a temporary HOME and no config files (the watch-*
benchmarks give awsx a key of this process's own, to find its requests in the verifying
proxy's log, and tests/support/fakebin's fake pip first on PATH).

Benchmarks are not tests: nothing here asserts a time.  Python 3 standard library only
(plus GNU time for the memory runs, boto3, which comes with moto, to seed moto for the
benchmarks that need many resources, and Info-ZIP's zip for the sync benchmarks).

Adding a benchmark: write one function decorated with @benchmark that returns a
Benchmark(...); see the "whoami", "lc-inventory", "sync-*" and "watch-*" definitions
below and bench/README.md.
"""

import argparse
import collections
import csv
import datetime
import http.client
import json
import os
import platform
import random
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import types
from dataclasses import dataclass
from typing import Any, Callable, List, Optional

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH_DIR)
DEFAULT_OUTPUT = os.path.join(REPO, "docs", "PERFORMANCE.md")
FAULT_PROXY = os.path.join(REPO, "tests", "support", "fault_proxy.py")
AWSENV = os.path.join(REPO, "tests", "support", "awsenv.py")
# moto's server with TCP_NODELAY (and the CloudFormation types of motoext.py)
MOTO_SERVER = os.path.join(REPO, "tests", "support", "moto_server.py")
AWS_CLI = "/usr/bin/aws"  # AWS CLI v2 from Debian's awscli; the `aws` on PATH may be an old v1
GNU_TIME = "/usr/bin/time"  # only for the command's own peak RSS; see the header
READY_TIMEOUT = 60.0      # seconds to wait for moto (or the proxy) to answer
RUN_TIMEOUT = 600.0       # seconds one benchmarked command may take before it is killed
MOTO_ACCOUNT = "123456789012"
# The test keys of tests/support/harness.py: moto takes any key, and the SigV4-verifying
# proxy of tests/support/awsenv.py knows this secret for any AKIA key.
TEST_ACCESS_KEY = "AKIAAWSXTEST00000001"
TEST_SECRET = "awsx/TEST/secret/KEY0000000000000000000"


class BenchError(Exception):
    """A benchmark (or the harness) cannot go on; the message says why."""


# ---------------------------------------------------------------------------------
# Benchmark definitions
# ---------------------------------------------------------------------------------

@dataclass
class Benchmark:
    name: str
    description: str
    awsx_cmd: Callable[[Any], List[str]]          # ctx -> argv
    peer_name: str = ""
    peer_cmd: Optional[Callable[[Any], List[str]]] = None  # ctx -> argv
    setup: Callable[[Any], Any] = lambda env: env  # env -> ctx (seed data, temp files, ...)
    teardown: Callable[[Any], None] = lambda ctx: None
    # Called untimed before every run with (ctx, "awsx" | "peer"), e.g. to delete the
    # previous run's output file.
    before_run: Callable[[Any, str], None] = lambda ctx, side: None
    # Optional output checks, (ctx, stdout_bytes) -> None or an error string; they make sure
    # both tools did the work, not just exited 0.
    awsx_check: Optional[Callable[[Any, bytes], Optional[str]]] = None
    peer_check: Optional[Callable[[Any, bytes], Optional[str]]] = None
    # Programs the peer needs, as (path, how to install it); checked before anything runs.
    requires: tuple = ()
    notes: str = ""                               # extra text for PERFORMANCE.md
    # This benchmark's defaults; --runs, --warmups, --memory-runs and --latency-ms
    # override them (N for every benchmark, NAME=N for one).
    runs: int = 15                                # recorded timing rounds
    warmups: int = 2                              # unrecorded rounds first
    memory_runs: int = 5                          # rounds under GNU time
    latency_ms: int = 0                           # >0: both tools go through one fault
                                                  # proxy that delays every request
    # "moto": the harness's moto server.  "awsenv": tests/support/awsenv.py's moto
    # (with the CloudFormation types of motoext.py) behind the SigV4-verifying proxy,
    # which applies the SAM transform, for benchmarks that deploy SAM stacks.  "none":
    # the benchmark sends no requests.
    local_env: str = "moto"
    needs_probe: bool = False                     # uses tests/awsx-probe (env.probe)
    # More awsx commands for the same work, as (label, ctx -> argv): each round runs awsx,
    # then these in order, then the peer; checked with awsx_check and reported beside
    # awsx (e.g. the same command with another option).
    awsx_variants: tuple = ()
    # A benchmark with no offline peer measures awsx alone against a stated target:
    # measure(ctx, cfg) -> Measured runs the command of awsx_cmd(ctx) itself (for
    # example a long-running `awsx sync --watch`), cfg["warmups"] unrecorded and
    # cfg["runs"] recorded rounds; memory_runs does not apply, peer_* stay unset.  A
    # long-running peer (`aws logs tail --follow`) is measured the same way: measure()
    # runs peer_cmd(ctx) too, and peer_name / peer_cmd name it in the report.
    measure: Optional[Callable[[Any, dict], "Measured"]] = None


@dataclass
class Metric:
    """One measured quantity of a measure() benchmark, one value per recorded round."""
    label: str
    values: List[float]
    kind: str                                     # "time" (s), "mib", "percent", "count",
                                                  # "rate" (per second), "per-minute",
                                                  # "ratio" (x)
    target: str = ""                              # what is expected, shown beside it
    over: str = ""                                # one value, not one per round: what it
                                                  # is taken over (shown as its rounds)


@dataclass
class Measured:
    metrics: List[Metric]
    facts: List[str]                              # sentences for the report, from the run


REGISTRY: List[Benchmark] = []


def benchmark(fn):
    """Decorator: fn() returns a Benchmark; it is added to the registry in file order."""
    REGISTRY.append(fn())
    return fn


def expect_in(*needles):
    def check(ctx, out):
        missing = [n for n in needles if n.encode() not in out]
        return "output lacks %s" % ", ".join(map(repr, missing)) if missing else None
    return check


@benchmark
def whoami():
    return Benchmark(
        name="whoami",
        description="One STS GetCallerIdentity call: start the client, read the credentials "
                    "from the environment, sign, send, parse and print the answer.",
        awsx_cmd=lambda ctx: [ctx.awsx, "whoami", "--endpoint-url", ctx.endpoint],
        peer_name="AWS CLI v2",
        peer_cmd=lambda ctx: [AWS_CLI, "sts", "get-caller-identity",
                              "--endpoint-url", ctx.endpoint],
        awsx_check=expect_in(MOTO_ACCOUNT),
        peer_check=expect_in(MOTO_ACCOUNT),
        requires=((AWS_CLI, "apt-get install -y awscli"),),
        notes="One request per run, and a small one: most of each client's time is its own "
              "start-up.",
    )


# The 17 regions every account has enabled by default (no opt-in needed).
DEFAULT_REGIONS = ("us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1",
                   "sa-east-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1",
                   "eu-north-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
                   "ap-southeast-1", "ap-southeast-2", "ap-south-1")
LC_PREFIX = "bench-lc-"       # every seeded launch configuration's name starts with this
LC_PER_REGION = 200
ASG_PER_REGION = 50           # group i uses launch configuration 4*i
SEED_THREADS = 8              # concurrent boto3 calls while seeding moto (untimed)


def lc_name(region, i):
    return "%s%s-%03d" % (LC_PREFIX, region, i)  # the region in the name: a tool that
                                                 # mixes regions up fails the check


def seed_launch_configurations(env, regions, per_region, asgs_per_region):
    """Create the launch configurations and Auto Scaling groups in moto with boto3,
    straight to moto (no delay proxy), SEED_THREADS calls at a time."""
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        raise BenchError("seeding needs boto3 in %s (it comes with moto: "
                         "pip install 'moto[server]')" % sys.executable)
    import concurrent.futures
    kw = dict(endpoint_url=env.moto_url, aws_access_key_id=env.vars["AWS_ACCESS_KEY_ID"],
              aws_secret_access_key=env.vars["AWS_SECRET_ACCESS_KEY"],
              config=Config(max_pool_connections=SEED_THREADS,
                            retries={"mode": "standard", "max_attempts": 5}))
    session = boto3.session.Session()
    try:
        asc = {r: session.client("autoscaling", region_name=r, **kw) for r in regions}
        zone = {r: session.client("ec2", region_name=r, **kw).describe_availability_zones()
                ["AvailabilityZones"][0]["ZoneName"] for r in regions}
    except Exception as e:
        raise BenchError("seeding moto failed: %s: %s" % (type(e).__name__, e))
    user_data = "#!/bin/bash\nset -eu\nyum install -y nginx\nsystemctl enable --now nginx\n"

    def create_lc(region, i):
        # Fields a real launch configuration has, so both tools parse realistic answers.
        extra = {"SpotPrice": "0.05"} if i % 10 == 9 else {}
        asc[region].create_launch_configuration(
            LaunchConfigurationName=lc_name(region, i), ImageId="ami-12c6146b",
            InstanceType=("t3.micro", "m5.large", "c5.xlarge")[i % 3], KeyName="ops",
            SecurityGroups=["sg-0123456789abcdef0"], UserData=user_data,
            IamInstanceProfile="app-profile", InstanceMonitoring={"Enabled": i % 2 == 0},
            BlockDeviceMappings=[{"DeviceName": "/dev/xvda",
                                  "Ebs": {"VolumeSize": 8, "VolumeType": "gp3",
                                          "DeleteOnTermination": True}}],
            **extra)

    def create_asg(region, i):
        asc[region].create_auto_scaling_group(
            AutoScalingGroupName="bench-asg-%s-%03d" % (region, i),
            LaunchConfigurationName=lc_name(region, 4 * i),
            MinSize=0, MaxSize=0, DesiredCapacity=0, AvailabilityZones=[zone[region]])

    pool = concurrent.futures.ThreadPoolExecutor(SEED_THREADS)
    try:
        for fn, n in ((create_lc, per_region), (create_asg, asgs_per_region)):
            jobs = [pool.submit(fn, r, i) for r in regions for i in range(n)]
            for j in jobs:
                j.result()  # raises the first failure
    except Exception as e:
        raise BenchError("seeding moto failed: %s: %s" % (type(e).__name__, e))
    finally:  # on a failure or Ctrl-C, drop the calls not yet started
        pool.shutdown(wait=True, cancel_futures=True)


def _lc_inventory(script_format):
    """The inventory benchmark; script_format: awsx writes AWS's script format
    (names only, the same work as the loop) instead of its full CSV."""
    regions = DEFAULT_REGIONS
    expected = {(r, lc_name(r, i)) for r in regions for i in range(LC_PER_REGION)}

    def setup(env):
        t0 = time.monotonic()
        seed_launch_configurations(env, regions, LC_PER_REGION, ASG_PER_REGION)
        print("  seeded %d launch configurations and %d Auto Scaling groups in %d regions "
              "(%.0f s, untimed)" % (len(expected), ASG_PER_REGION * len(regions), len(regions),
                                     time.monotonic() - t0), flush=True)
        # Output paths are relative to the runs' working directory, env.workdir.
        return types.SimpleNamespace(
            env=env, awsx=env.awsx, endpoint=env.endpoint, csv_name="inventory.csv",
            csv=os.path.join(env.workdir, "inventory.csv"), peer_dir_name="lc-json",
            peer_dir=os.path.join(env.workdir, "lc-json"))

    def before_run(ctx, side):
        if side == "awsx":
            if os.path.exists(ctx.csv):
                os.unlink(ctx.csv)
        else:
            shutil.rmtree(ctx.peer_dir, ignore_errors=True)
            os.makedirs(ctx.peer_dir)

    def compare(got, what):
        if got == expected:
            return None
        missing, extra = sorted(expected - got), sorted(got - expected)
        return ("%s: %d launch configurations named %s*, expected %d (missing %d%s, "
                "unexpected %d%s)" % (what, len(got), LC_PREFIX, len(expected), len(missing),
                                      " e.g. %s/%s" % missing[0] if missing else "", len(extra),
                                      " e.g. %s/%s" % extra[0] if extra else ""))

    def awsx_check_script(ctx, out):
        import ast
        try:
            with open(ctx.csv, newline="", encoding="utf-8") as f:
                rows = list(csv.DictReader(f))
        except OSError as e:
            return "no CSV: %s" % e
        got = set()
        for r in rows:
            names = ast.literal_eval(r["launch_configuratons"])
            if int(r["count"]) != len(names):
                return "%s: count %s but %d names in %s" % (ctx.csv_name, r["count"], len(names),
                                                            r["region"])
            got |= {(r["region"], n) for n in names if n.startswith(LC_PREFIX)}
        return compare(got, ctx.csv_name)

    def awsx_check(ctx, out):
        if script_format:
            return awsx_check_script(ctx, out)
        try:
            with open(ctx.csv, newline="", encoding="utf-8") as f:
                rows = list(csv.DictReader(f))
        except OSError as e:
            return "no CSV: %s" % e
        ours = [r for r in rows if r.get("name", "").startswith(LC_PREFIX)]
        problem = compare({(r["region"], r["name"]) for r in ours}, ctx.csv_name)
        if problem:
            return problem
        if len(ours) != len(expected):
            return "%s: %d rows for %d launch configurations" % (ctx.csv_name, len(ours),
                                                                  len(expected))
        in_use = sum(1 for r in ours if r.get("in_use") == "true")
        if in_use != ASG_PER_REGION * len(regions):
            return "%s: %d launch configurations in use, expected %d" % (
                ctx.csv_name, in_use, ASG_PER_REGION * len(regions))
        return None

    def peer_check(ctx, out):
        got = set()
        for r in regions:
            path = os.path.join(ctx.peer_dir, r + ".json")
            try:
                with open(path, encoding="utf-8") as f:
                    lcs = json.load(f)["LaunchConfigurations"]
            except (OSError, ValueError, KeyError, TypeError) as e:
                return "%s: %s" % (path, e)
            got |= {(r, lc["LaunchConfigurationName"]) for lc in lcs
                    if lc["LaunchConfigurationName"].startswith(LC_PREFIX)}
        return compare(got, "%s/*.json" % ctx.peer_dir_name)

    # What people run today: one AWS CLI call per region, one after another, each
    # paginating on its own, each region's answer saved to a file.
    loop = ('out=$1 ep=$2; shift 2; for r in "$@"; do '
            '/usr/bin/aws autoscaling describe-launch-configurations --region "$r" '
            '--output json --endpoint-url "$ep" > "$out/$r.json" || exit 1; done')

    if script_format:
        return Benchmark(
            name="lc-inventory-names",
            description="The same estate and proxy as lc-inventory, with awsx doing exactly "
                        "the loop's work: launch configuration names per region, written "
                        "as AWS's inventory script writes them (--aws-script-compatible: "
                        "no Auto Scaling groups are read).",
            setup=setup,
            before_run=before_run,
            awsx_cmd=lambda ctx: [ctx.awsx, "lc-migrate", "inventory", "--regions",
                                  ",".join(regions), "--aws-script-compatible", "-o",
                                  ctx.csv_name, "--endpoint-url", ctx.endpoint],
            peer_name="AWS CLI v2 loop",
            peer_cmd=lambda ctx: ["sh", "-c", loop, "sh", ctx.peer_dir_name, ctx.endpoint]
                                 + list(regions),
            awsx_check=awsx_check,
            peer_check=peer_check,
            requires=((AWS_CLI, "apt-get install -y awscli"),),
            notes="As lc-inventory; awsx's file is checked to name exactly the seeded "
                  "launch configurations of every region, with matching counts.",
            runs=5,
            warmups=1,
            memory_runs=3,
            latency_ms=50,
        )
    return Benchmark(
        name="lc-inventory",
        description="Inventory the launch configurations of %d regions, %d per region "
                    "(%d in all, %d of them used by Auto Scaling groups), every request "
                    "delayed by the fault proxy like a real round trip. awsx reads every region "
                    "concurrently, with each configuration's Auto Scaling groups, and writes "
                    "one CSV; the peer is the shell loop people script today, one AWS CLI "
                    "call per region, each region's JSON to a file."
                    % (len(regions), LC_PER_REGION, len(expected),
                       ASG_PER_REGION * len(regions)),
        setup=setup,
        before_run=before_run,
        awsx_cmd=lambda ctx: [ctx.awsx, "lc-migrate", "inventory", "--regions",
                              ",".join(regions), "--format", "csv", "-o", ctx.csv_name,
                              "--endpoint-url", ctx.endpoint],
        peer_name="AWS CLI v2 loop",
        peer_cmd=lambda ctx: ["sh", "-c", loop, "sh", ctx.peer_dir_name, ctx.endpoint]
                             + list(regions),
        awsx_check=awsx_check,
        peer_check=peer_check,
        requires=((AWS_CLI, "apt-get install -y awscli"),),
        notes="Both tools go through the same fault proxy in front of moto, which handles "
              "requests concurrently (a thread per connection; the delay does not hold a "
              "lock). awsx does more work than the loop: it also reads every region's Auto "
              "Scaling groups to say which configurations are in use. It asks for pages of "
              "100 and keeps up to 16 requests in flight, so its wall time is mostly moto's: "
              "one Python process answering every page, tens of milliseconds each. The loop "
              "starts the AWS CLI once per region, and each CLI run fetches its region's "
              "pages one after another (it sends no page size, so the service's default "
              "of 50 applies). Seeding moto is not timed. Every run is checked: awsx's CSV "
              "and the loop's JSON files must both name exactly the seeded launch "
              "configurations of every region, and awsx's CSV must mark the %d used ones."
              % (ASG_PER_REGION * len(regions)),
        runs=5,
        warmups=1,
        memory_runs=3,
        latency_ms=50,
    )


@benchmark
def lc_inventory():
    return _lc_inventory(script_format=False)


@benchmark
def lc_inventory_names():
    return _lc_inventory(script_format=True)


# ---------------------------------------------------------------------------------
# awsx sync --code (issue 4)
# ---------------------------------------------------------------------------------

SYNC_SEED = 4                      # fixed: every run builds the same trees
ZIP_TREE_FILES = 2000              # sync-zip: 3 in 4 files text, 1 in 4 random data
ZIP_TREE_BYTES = 50 * 1000 * 1000  # half of it text, half random data
NOCHANGE_FILES = 10000             # sync-nochange: files in the function's CodeUri
SAMSTACK = os.path.join(REPO, "tests", "support", "samstack.py")
ZIP = "/usr/bin/zip"
ZIP_INSTALL = "apt-get install -y zip"
# The peer's zipfile runs in Debian's python3 when there is one (a fixed, known build).
PYTHON = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable
WORDS = ("def", "return", "self", "import", "from", "class", "for", "in", "if", "else",
         "None", "True", "False", "value", "data", "request", "response", "handler", "event",
         "context", "json", "key", "item", "items", "config", "client", "table", "user",
         "name", "id", "=", "==", "(", ")", "[", "]", ":", ",", ".", "+", "0", "1", "#",
         "'''", "'%s'", "len", "str", "dict", "list", "raise", "ValueError", "yield")


def text_corpus(rng, size):
    """At least size bytes of source-like text: WORDS in indented lines."""
    lines, n = [], 0
    while n < size:
        line = "    " * rng.randrange(3) + " ".join(rng.choices(WORDS, k=rng.randrange(3, 12)))
        lines.append(line)
        n += len(line) + 1
    return ("\n".join(lines) + "\n").encode()


def split_sizes(rng, total, count):
    """count sizes (each >= 1) summing to total, log-normally spread: a few large files."""
    weights = [rng.lognormvariate(0, 1) for _ in range(count)]
    scale = (total - count) / sum(weights)
    sizes = [1 + int(w * scale) for w in weights]
    sizes[-1] += total - sum(sizes)
    return sizes


def make_zip_tree(root):
    """The sync-zip tree: ZIP_TREE_FILES files of ZIP_TREE_BYTES in all, in 200 folders
    two levels deep; half the bytes source-like text, half random data (which zip
    writers store).  Returns the sorted file names."""
    rng = random.Random(SYNC_SEED)
    corpus = text_corpus(rng, 4 << 20)
    ntext = ZIP_TREE_FILES * 3 // 4
    kinds = ["text"] * ntext + ["random"] * (ZIP_TREE_FILES - ntext)
    rng.shuffle(kinds)
    sizes = {"text": split_sizes(rng, ZIP_TREE_BYTES // 2, ntext),
             "random": split_sizes(rng, ZIP_TREE_BYTES - ZIP_TREE_BYTES // 2,
                                   ZIP_TREE_FILES - ntext)}
    names = []
    for i, kind in enumerate(kinds):
        size = sizes[kind].pop()
        name = "pkg%02d/sub%d/file%04d.%s" % (i % 40, i // 40 % 5, i,
                                              "py" if kind == "text" else "bin")
        if kind == "text":
            off = rng.randrange(len(corpus))
            data = corpus[off:off + size]
            while len(data) < size:             # wrap around
                data += corpus[:size - len(data)]
        else:
            data = rng.randbytes(size)
        write_files(root, {name: data})
        names.append(name)
    return sorted(names)


def write_files(root, files):
    """files: {relative name: bytes or str}."""
    for rel, data in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())


def sha256_b64(path):
    """A file's SHA-256 in base64, the form of Lambda's CodeSha256."""
    import base64
    import hashlib
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return base64.b64encode(h.digest()).decode()


def check_zip(path, names, total, printed_sha=None):
    """None when the zip at path is sound (every entry read back, CRC checked), holds
    exactly names (folder entries aside) with total bytes unzipped and, when printed_sha
    is given, has that SHA-256; else what is wrong."""
    import zipfile
    try:
        with zipfile.ZipFile(path) as z:
            files = [i for i in z.infolist() if not i.is_dir()]
            bad = z.testzip()
    except (OSError, zipfile.BadZipFile) as e:
        return "%s: %s" % (path, e)
    if bad is not None:
        return "%s: entry %s fails its CRC check" % (path, bad)
    got = sorted(i.filename for i in files)
    if got != names:
        return "%s holds %d files, expected %d (first difference: %s)" % (
            path, len(got), len(names),
            next(((a, b) for a, b in zip(got, names) if a != b), "the count"))
    size = sum(i.file_size for i in files)
    if size != total:
        return "%s: %d bytes unzipped, expected %d" % (path, size, total)
    if printed_sha is not None and printed_sha.strip() != sha256_b64(path):
        return "printed %r, but the zip's SHA-256 is %s" % (printed_sha.strip(),
                                                            sha256_b64(path))
    return None


# Python's zipfile as a script would use it: walk in sorted order, deflate at level 6.
PY_ZIP = ("import os, sys, zipfile\n"
          "root, out = sys.argv[1:]\n"
          "with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED, compresslevel=6) as z:\n"
          "    for d, dirs, files in os.walk(root):\n"
          "        dirs.sort()\n"
          "        for f in sorted(files):\n"
          "            p = os.path.join(d, f)\n"
          "            z.write(p, os.path.relpath(p, root))\n")


def _sync_zip(peer):
    """sync-zip (peer "infozip") and sync-zip-python (peer "python"): the same tree
    and awsx zip writer, a different peer."""
    name = "sync-zip" if peer == "infozip" else "sync-zip-python"

    def setup(env):
        work = os.path.join(env.workdir, name)
        tree = os.path.join(work, "tree")
        t0 = time.monotonic()
        names = make_zip_tree(tree)
        print("  generated %d files, %d bytes (%.1f s, untimed)"
              % (len(names), ZIP_TREE_BYTES, time.monotonic() - t0), flush=True)
        return types.SimpleNamespace(env=env, work=work, tree=tree, names=names,
                                     probe=env.probe, awsx_out=os.path.join(work, "awsx.zip"),
                                     peer_out=os.path.join(work, "peer.zip"))

    def before_run(ctx, side):
        for p in (ctx.awsx_out, ctx.peer_out):  # zip would update an existing archive
            if os.path.exists(p):
                os.unlink(p)

    if peer == "infozip":
        peer_name = "Info-ZIP"
        peer_cmd = lambda ctx: ["sh", "-c", 'cd "$1" && exec %s -r -X -6 -q "$2" .' % ZIP,
                                "sh", ctx.tree, ctx.peer_out]
        requires = ((ZIP, ZIP_INSTALL),)
        peer_note = ("Info-ZIP compresses with zlib on one thread, adds an entry for every "
                     "folder and keeps each file's modification time (-X drops only the "
                     "extra fields), so its zip changes whenever a file is touched.")
    else:
        peer_name = "Python zipfile"
        peer_cmd = lambda ctx: [PYTHON, "-c", PY_ZIP, ctx.tree, ctx.peer_out]
        requires = ()
        peer_note = ("Python's zipfile compresses with zlib on one thread, deflates every "
                     "file (random data too, for a slightly larger entry) and keeps "
                     "modification times.")
    return Benchmark(
        name=name,
        description="Zip a generated tree of %s files, %d MB (half the bytes source-like "
                    "text, half random data; fixed seed) at deflate level 6, as `awsx sync` "
                    "packages a function: awsx's zip writer (`sync/zip.c`, through the test "
                    "driver `awsx-probe zip`, which prints the CodeSha256) against %s."
                    % ("{:,}".format(ZIP_TREE_FILES), ZIP_TREE_BYTES // 1000000, peer_name),
        setup=setup,
        before_run=before_run,
        awsx_cmd=lambda ctx: [ctx.probe, "zip", ctx.tree, ctx.awsx_out],
        peer_name=peer_name,
        peer_cmd=peer_cmd,
        awsx_check=lambda ctx, out: check_zip(ctx.awsx_out, ctx.names, ZIP_TREE_BYTES,
                                              out.decode(errors="replace")),
        peer_check=lambda ctx, out: check_zip(ctx.peer_out, ctx.names, ZIP_TREE_BYTES),
        requires=requires,
        teardown=lambda ctx: shutil.rmtree(ctx.work, ignore_errors=True),
        notes="No endpoint is involved. The tree is written just before the runs, so every "
              "tool reads it from the page cache. awsx collects and sorts the file list, "
              "reads and compresses the files with libdeflate on one worker thread per CPU "
              "(%d here), stores an entry when deflate would not make it smaller, writes "
              "the entries in name order with fixed times and modes (the same bytes every "
              "run) and hashes the zip for CodeSha256; its CPU time is the sum over its "
              "threads. Most of its peak memory is there for a one-file tree too (the "
              "libraries every awsx process maps: libcurl, OpenSSL); the rest is a bounded "
              "amount of entries compressed ahead, waiting to be written in order. %s "
              "Every run is checked: each zip must read back without error (every entry "
              "decompressed, CRCs checked) and hold exactly the tree's files and bytes, "
              "and the SHA-256 awsx prints must be its zip's."
              % (os.cpu_count(), peer_note),
        runs=5,
        warmups=1,
        memory_runs=3,
        needs_probe=True,
        local_env="none",
    )


@benchmark
def sync_zip():
    return _sync_zip("infozip")


@benchmark
def sync_zip_python():
    return _sync_zip("python")


SAM_HEADER = ("AWSTemplateFormatVersion: '2010-09-09'\n"
              "Transform: AWS::Serverless-2016-10-31\n"
              "Globals:\n"
              "  Function:\n"
              "    Runtime: python3.12\n"
              "    Handler: app.lambda_handler\n"
              "    Timeout: 10\n"
              "    MemorySize: 128\n"
              "Resources:\n")

HELLO_PY = ('"""GET /hello: answers a fixed JSON greeting."""\n\nimport json\nimport os\n\n\n'
            'def lambda_handler(event, context):\n'
            '    greeting = os.environ.get("GREETING", "Hello")\n'
            '    return {\n        "statusCode": 200,\n'
            '        "headers": {"Content-Type": "application/json"},\n'
            '        "body": json.dumps({"message": "%s world" % greeting.lower()}),\n    }\n')

GREETING_PY = ('"""GET /greeting?name=NAME: greets NAME."""\n\nimport json\n\n\n'
               'def lambda_handler(event, context):\n'
               '    params = (event or {}).get("queryStringParameters") or {}\n'
               '    name = params.get("name") or "friend"\n'
               '    return {"statusCode": 200,\n'
               '            "body": json.dumps({"message": "Hello, %s!" % name})}\n')


def sam_function(logical_id, code_uri, api_path=None):
    """A template's AWS::Serverless::Function (Globals give runtime and handler)."""
    text = ("  %s:\n    Type: AWS::Serverless::Function\n    Properties:\n"
            "      CodeUri: %s/\n" % (logical_id, code_uri))
    if api_path:
        text += ("      Events:\n        Get:\n          Type: Api\n          Properties:\n"
                 "            Path: %s\n            Method: get\n" % api_path)
    return text


def sync_app(env, work, stack, files, awsx_env=None):
    """Write the app (files: {name: contents}, template.yaml among them) to work/app,
    create its stack with tests/support/samstack.py (what sam package + sam deploy do)
    through the verifying proxy and sync it once with awsx (in awsx_env, default
    env.vars), so the runs start from a synced stack; all untimed.  Returns the context
    the sync benchmarks share."""
    app = os.path.join(work, "app")
    write_files(app, files)
    out = env.run([sys.executable, SAMSTACK, "deploy", "--stack-name", stack,
                   "--template-dir", app, "--endpoint-url", env.direct_url])
    ctx = types.SimpleNamespace(env=env, work=work, app=app, stack=stack, ids=json.loads(out),
                                template=os.path.join(app, "template.yaml"),
                                pkg=os.path.join(work, "pkg.zip"), awsx=env.awsx,
                                endpoint=env.endpoint, edits=0)
    first = env.run(sync_cmd(ctx), env=awsx_env or env.vars).decode(errors="replace")
    if " 0 unchanged" not in first:
        raise BenchError("the first awsx sync of %s did not update every function:\n%s"
                         % (stack, first))
    return ctx


def sync_cmd(ctx):
    return [ctx.awsx, "sync", "--stack-name", ctx.stack, "--code", "--template-file",
            ctx.template, "--endpoint-url", ctx.endpoint]


def sync_expect(updated, unchanged, writes):
    """Check awsx sync's summary line: so many functions updated and unchanged, and so
    many write calls."""
    return expect_in("%d updated, %d unchanged " % (updated, unchanged),
                     ", %d write call%s\n" % (writes, "" if writes == 1 else "s"))


def check_code_sha(ctx, out):
    """The peer printed a CodeSha256, and it is the SHA-256 of the zip it made."""
    text = out.decode(errors="replace").strip()
    if not re.fullmatch(r"[A-Za-z0-9+/]{43}=", text):
        return "expected a CodeSha256, got %r" % text[:200]
    if ctx.peer_uploads and text != sha256_b64(ctx.pkg):
        return "Lambda's CodeSha256 %s is not the SHA-256 of %s" % (text, ctx.pkg)
    return None


def big_function_app():
    """An app whose one function, BigFunction, has NOCHANGE_FILES small files in its
    CodeUri big/: app.py and a vendored library, 100 folders of small modules (200
    bytes to 2 kB; fixed seed)."""
    rng = random.Random(SYNC_SEED)
    corpus = text_corpus(rng, 1 << 20)
    files = {"template.yaml": SAM_HEADER + sam_function("BigFunction", "big"),
             "big/app.py": HELLO_PY}
    for i in range(NOCHANGE_FILES - 1):
        size = rng.randrange(200, 2000)
        off = rng.randrange(len(corpus) - size)
        files["big/vendor/pkg%02d/mod%04d.py" % (i % 100, i)] = corpus[off:off + size]
    return files


@benchmark
def sync_nochange():
    def setup(env):
        work = os.path.join(env.workdir, "sync-nochange")
        t0 = time.monotonic()
        ctx = sync_app(env, work, "bench-nochange", big_function_app())
        ctx.function = ctx.ids["BigFunction"]
        ctx.peer_uploads = False
        print("  deployed %s and synced it once (%.1f s, untimed)"
              % (ctx.stack, time.monotonic() - t0), flush=True)
        return ctx

    return Benchmark(
        name="sync-nochange",
        description="`awsx sync --code` with nothing changed, on a stack whose one function "
                    "has %s small files (200 bytes to 2 kB) in its CodeUri: find the "
                    "stack's function, see that no file changed since the last sync and "
                    "that Lambda still has the code awsx uploaded, write nothing. The peer "
                    "is the least a script needs to even know whether to upload: zip the "
                    "folder with Info-ZIP and ask Lambda for the function's CodeSha256 "
                    "with the AWS CLI." % "{:,}".format(NOCHANGE_FILES),
        setup=setup,
        awsx_cmd=sync_cmd,
        peer_name="Info-ZIP + AWS CLI v2",
        peer_cmd=lambda ctx: [
            "sh", "-c", 'cd "$1" && rm -f "$2" && %s -r -X -q "$2" . && exec %s lambda '
            'get-function --function-name "$3" --query Configuration.CodeSha256 '
            '--output text --endpoint-url "$4"' % (ZIP, AWS_CLI),
            "sh", os.path.join(ctx.app, "big"), ctx.pkg, ctx.function, ctx.endpoint],
        awsx_check=sync_expect(0, 1, 0),
        peer_check=check_code_sha,
        requires=((AWS_CLI, "apt-get install -y awscli"), (ZIP, ZIP_INSTALL)),
        teardown=lambda ctx: shutil.rmtree(ctx.work, ignore_errors=True),
        notes="Untimed before the runs: the stack is created with "
              "`tests/support/samstack.py` (what `sam package` + `sam deploy` do) and one "
              "`awsx sync --code` uploads the code. Both tools go through the project's "
              "SigV4-verifying proxy in front of moto (it applies the SAM transform moto "
              "lacks and checks every signature, a few ms of Python per request). awsx "
              "reads the stack's resources (CloudFormation ListStackResources), then the "
              "function (Lambda GetFunction), and finds from its stat cache in `.awsx/` "
              "(one stat of every file, compared with the size, modification time, inode "
              "and mode recorded at the last build) that no file changed, so it reads and "
              "zips nothing; each run must report 0 updated, 1 unchanged and 0 write "
              "calls. The peer does less than awsx and still reads and compresses every "
              "file: it never compares the two hashes, and could not (Info-ZIP keeps "
              "modification times, so its zip's hash is not Lambda's); it must print a "
              "CodeSha256. `sam sync --code` cannot run offline, so it is not measured.",
        runs=10,
        warmups=2,
        memory_runs=3,
        local_env="awsenv",
    )


@benchmark
def sync_edit():
    def setup(env):
        work = os.path.join(env.workdir, "sync-edit")
        ctx = sync_app(env, work, "bench-edit", {
            "template.yaml": SAM_HEADER + sam_function("HelloWorldFunction", "hello_world",
                                                       "/hello")
                             + sam_function("GreetingFunction", "greeting", "/greeting"),
            "hello_world/app.py": HELLO_PY,
            "greeting/app.py": GREETING_PY})
        ctx.function = ctx.ids["HelloWorldFunction"]
        ctx.edited = os.path.join(ctx.app, "hello_world", "app.py")
        ctx.peer_uploads = True
        return ctx

    def before_run(ctx, side):
        # a different edit before every run, so each run has a change to push
        ctx.edits += 1
        write_files(ctx.app, {"hello_world/app.py": HELLO_PY.replace(
            "%s world", "%%s world, edit %d by %s" % (ctx.edits, side))})
        if os.path.exists(ctx.pkg):
            os.unlink(ctx.pkg)

    return Benchmark(
        name="sync-edit",
        description="Push a one-file edit: a small app in the shape of `examples/blog` "
                    "(two Python functions behind one REST API, no requirements.txt, so "
                    "nothing to install), `hello_world/app.py` edited before every run, "
                    "every request delayed by the fault proxy like a real round trip. awsx "
                    "runs `awsx sync --code` for the whole stack; the peer zips the "
                    "function's folder with Info-ZIP and uploads it with the AWS CLI's "
                    "update-function-code.",
        setup=setup,
        before_run=before_run,
        awsx_cmd=sync_cmd,
        peer_name="Info-ZIP + AWS CLI v2",
        peer_cmd=lambda ctx: [
            "sh", "-c", 'cd "$1" && rm -f "$2" && %s -r -X -q "$2" . && exec %s lambda '
            'update-function-code --function-name "$3" --zip-file "fileb://$2" '
            '--query CodeSha256 --output text --endpoint-url "$4"' % (ZIP, AWS_CLI),
            "sh", os.path.join(ctx.app, "hello_world"), ctx.pkg, ctx.function, ctx.endpoint],
        awsx_check=sync_expect(1, 1, 1),
        peer_check=check_code_sha,
        requires=((AWS_CLI, "apt-get install -y awscli"), (ZIP, ZIP_INSTALL)),
        teardown=lambda ctx: shutil.rmtree(ctx.work, ignore_errors=True),
        notes="Untimed before the runs: the stack is created with "
              "`tests/support/samstack.py` and synced once with awsx. Every run of either "
              "tool starts from a new edit (written untimed), so each run has code to "
              "upload. The fault proxy sits in front of the project's SigV4-verifying "
              "proxy, which is in front of moto. awsx does more than the peer: it reads "
              "the stack's resources (CloudFormation ListStackResources), then, "
              "concurrently, checks the unchanged function (Lambda GetFunction) and "
              "updates the edited one (UpdateFunctionCode straight away: its state file "
              "says the last sync deployed a different package there, so no GetFunction "
              "is needed first); it rebuilds only the changed package; each run must "
              "report 1 updated, 1 unchanged and 1 write call. So awsx waits for two "
              "round trips one after another, the peer, which is given the function's "
              "name, for one; the peer's time is mostly the AWS CLI's start-up. The peer must print a CodeSha256 equal to the SHA-256 of the zip "
              "it made.",
        runs=10,
        warmups=2,
        memory_runs=3,
        latency_ms=30,
        local_env="awsenv",
    )


# ---------------------------------------------------------------------------------
# awsx sync --watch (issue 5): awsx alone, there is no offline peer
# ---------------------------------------------------------------------------------

FAKEBIN = os.path.join(REPO, "tests", "support", "fakebin")  # fake python3.X -m pip
BLOG = os.path.join(REPO, "examples", "blog")
# A key of this process's own, as tests/support/synctest.py does: the verifying proxy maps
# any AKIA key to the test secret, and its request log can be filtered by the key.
WATCH_KEY = "AKIABENCH%011d" % (os.getpid() % 10**11)
WATCH_QUIET_MS = 150          # awsx's quiet period (cli/cmd-sync.c), inside every latency
WATCH_TICK_MS = 250           # how often the watcher looks for Ctrl-C (sync/watch.c)
WATCH_START_TIMEOUT = 300.0   # s: the watcher's first full sync, then "watching"
WATCH_SYNC_TIMEOUT = 30.0     # s: one edit to its result line
WATCH_EDIT_GAP = 0.5          # s idle before each edit (over 3 quiet periods): a second
                              # sync of the previous edit would show in it
IDLE_SETTLE = 1.0             # s after "watching" before the idle window
IDLE_SECONDS = 10.0           # the idle window


class Watcher:
    """A long-running child (`awsx sync --watch`, `awsx logs --tail`, `aws logs tail
    --follow`) in a session of its own (a Ctrl-C meant for the harness does not reach
    it): every line it writes with the time.time() it was read (one reader thread per
    stream), readings from /proc, and stop() with SIGINT, as a user's Ctrl-C.  With
    tty=True its stdout is a pseudo-terminal, as when a user watches it: a Python
    program's stdout is then line-buffered (to a pipe it is written in 8 KiB blocks)."""

    def __init__(self, argv, env, cwd, tty=False):
        self.lines = []                   # (time.time(), "out" | "err", text)
        self.cond = threading.Condition()
        master = slave = None
        if tty:
            master, slave = os.openpty()
        try:
            self.p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                      stdout=slave if tty else subprocess.PIPE,
                                      stderr=subprocess.PIPE, env=env, cwd=cwd,
                                      start_new_session=True)
        except BaseException:
            if tty:
                os.close(master)
            raise
        finally:
            if tty:
                os.close(slave)           # the child holds its own copy
        self.readers = [threading.Thread(target=self._read, args=(self.p.stderr, "err"),
                                         daemon=True),
                        threading.Thread(target=self._read_tty, args=(master,), daemon=True)
                        if tty else
                        threading.Thread(target=self._read, args=(self.p.stdout, "out"),
                                         daemon=True)]
        for t in self.readers:
            t.start()

    def _read(self, f, name):
        for raw in iter(f.readline, b""):
            now = time.time()
            with self.cond:
                self.lines.append((now, name, raw.decode(errors="replace").rstrip("\n")))
                self.cond.notify_all()
        with self.cond:                   # end of stream: wake wait_for to see the exit
            self.cond.notify_all()

    def _read_tty(self, master):
        """The pseudo-terminal's lines (the terminal turns "\n" into "\r\n")."""
        rest = b""
        try:
            while True:
                try:
                    data = os.read(master, 1 << 16)
                except OSError:           # EIO: every process holding the terminal is gone
                    break
                if not data:
                    break
                now = time.time()
                *done, rest = (rest + data).split(b"\n")
                with self.cond:
                    for raw in done:
                        self.lines.append((now, "out",
                                           raw.decode(errors="replace").rstrip("\r")))
                    self.cond.notify_all()
        finally:
            os.close(master)
            with self.cond:
                self.cond.notify_all()

    def matching(self, needle, stream=None):
        """(time read, line) of every line so far that holds needle."""
        with self.cond:
            return [(t, l) for t, s, l in self.lines if needle in l and stream in (None, s)]

    def text(self, last=40):
        with self.cond:
            tail = self.lines[-last:]
        return "\n".join("    %s: %s" % (s, l) for _, s, l in tail) or "    (no output)"

    def wait_for(self, needle, count, timeout, what):
        """The lines holding needle once there are count of them; BenchError with the
        watcher's last lines if it exits or timeout passes first."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                got = [(t, l) for t, _, l in self.lines if needle in l]
                if len(got) >= count:
                    return got
                left = deadline - time.monotonic()
                if self.p.poll() is not None or left <= 0:
                    break
                self.cond.wait(min(left, 0.5))
        if self.p.poll() is not None:
            for t in self.readers:
                t.join(5)
            problem = "the watcher exited with status %d" % self.p.returncode
        else:
            problem = "nothing within %.0f s" % timeout
        raise BenchError("waiting for %s: %s; its last lines:\n%s" % (what, problem, self.text()))

    def _proc(self, name):
        with open("/proc/%d/%s" % (self.p.pid, name)) as f:
            return f.read()

    def cpu_seconds(self):
        """user + sys so far, every thread, from /proc/PID/stat (in clock ticks, 10 ms)."""
        fields = self._proc("stat").rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def tree(self):
        """The child and its descendants alive now (from /proc/PID/task/*/children)."""
        pids, todo = [], [self.p.pid]
        while todo and len(pids) < 1000:
            pid = todo.pop()
            pids.append(pid)
            try:
                for tid in os.listdir("/proc/%d/task" % pid):
                    with open("/proc/%d/task/%s/children" % (pid, tid)) as f:
                        todo += [int(c) for c in f.read().split()]
            except OSError:
                pass                      # it ended in between
        return pids

    def tree_cpu_seconds(self):
        """cpu_seconds() summed over tree(): for a shell that runs several children."""
        total = 0.0
        for pid in self.tree():
            try:
                with open("/proc/%d/stat" % pid) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            except (OSError, IndexError, ValueError):
                pass
        return total

    def tree_hwm_mib(self):
        """The largest VmHWM (peak RSS) of one process of tree()."""
        best = 0.0
        for pid in self.tree():
            try:
                with open("/proc/%d/status" % pid) as f:
                    m = re.search(r"^VmHWM:\s+(\d+) kB", f.read(), re.M)
                best = max(best, int(m.group(1)) / 1024.0) if m else best
            except OSError:
                pass
        return best

    def _tasks(self, name):
        out = []
        for tid in os.listdir("/proc/%d/task" % self.p.pid):
            try:
                out.append(self._proc("task/%s/%s" % (tid, name)))
            except OSError:
                pass                      # the thread ended in between
        return out

    def cpu_ns(self):
        """CPU time of the threads alive now, in ns, from /proc/PID/task/*/schedstat
        (exact, where /proc/PID/stat counts 10 ms ticks)."""
        return sum(int(t.split()[0]) for t in self._tasks("schedstat"))

    def switches(self):
        """Context switches so far (voluntary + not) of the threads alive now: each
        time a thread went to sleep or was preempted, so about its wake-ups."""
        return sum(int(v) for t in self._tasks("status")
                   for v in re.findall(r"^(?:non)?voluntary_ctxt_switches:\s+(\d+)", t, re.M))

    def status_mib(self, field):
        m = re.search(r"^%s:\s+(\d+) kB" % field, self._proc("status"), re.M)
        return int(m.group(1)) / 1024.0

    def reset_hwm(self):
        """Reset the peak RSS (VmHWM) to the current RSS: "5" to /proc/PID/clear_refs
        (Linux 4.0+); False when the kernel refuses."""
        try:
            with open("/proc/%d/clear_refs" % self.p.pid, "w") as f:
                f.write("5")
            return True
        except OSError:
            return False

    def stop(self, group_signal=None):
        """SIGINT (Ctrl-C), bounded; the exit status (-9 when it had to be killed).  With
        group_signal, that signal to the child's whole process group instead (a shell's
        background jobs ignore SIGINT)."""
        if self.p.poll() is None:
            try:
                if group_signal is not None:
                    os.killpg(self.p.pid, group_signal)
                else:
                    self.p.send_signal(signal.SIGINT)
            except ProcessLookupError:
                pass
            try:
                self.p.wait(20)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait(10)
        if group_signal is not None:
            try:                          # what is left of the group
                os.killpg(self.p.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        for t in self.readers:
            t.join(5)
        return self.p.returncode


def watch_env(env):
    """awsx's environment for the watch benchmarks: the harness's, with this process's
    own key and tests/support/fakebin (the fake pip) first on PATH."""
    v = dict(env.vars)
    v.update(AWS_ACCESS_KEY_ID=WATCH_KEY, PATH=FAKEBIN + ":" + v["PATH"])
    return v


def watch_cmd(ctx):
    return [ctx.awsx, "sync", "--stack-name", ctx.stack, "--no-confirm", "--watch",
            "--template-file", ctx.template, "--endpoint-url", ctx.endpoint]


def start_watcher(ctx):
    """A watcher on ctx's app once it says "watching" after a successful first sync;
    returns (watcher, folders watched)."""
    w = Watcher(watch_cmd(ctx), ctx.vars, ctx.app)
    try:
        got = w.wait_for("watching ", 1, WATCH_START_TIMEOUT, "the watcher's first sync")
        # its summary line, on the other stream (flushed before "watching", read apart)
        w.wait_for(" already in S3, ", 1, 5.0, "the result of the watcher's first full sync")
        m = re.search(r"watching (\d+) folder", got[0][1])
        return w, int(m.group(1)) if m else None
    except BaseException:
        w.stop()
        raise


def requests_since(env, mark, **match):
    """Entries of the verifying proxy's request log after byte offset mark, as
    tests/support/harness.py's requests_since()."""
    out = []
    with open(env.request_log, "rb") as f:
        f.seek(mark)
        data = f.read()
    for line in data.split(b"\n"):
        try:
            entry = json.loads(line)
        except ValueError:
            continue                      # empty, or a line still being written
        if all(entry.get(k) == v for k, v in match.items()):
            out.append(entry)
    return out


def log_mark(env):
    return os.path.getsize(env.request_log)


def log_time(entry):
    """An entry's "time" (UTC, written when the request reached the proxy) as epoch s."""
    return datetime.datetime.strptime(entry["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def p90(values):
    """The 90th percentile by nearest rank (the 18th of 20 values)."""
    v = sorted(values)
    return v[max(0, -(-9 * len(v) // 10) - 1)]


@benchmark
def watch_latency():
    def setup(env):
        work = os.path.join(env.workdir, "watch-latency")
        app = os.path.join(work, "app")
        shutil.copytree(BLOG, app)
        stack = "bench-watch"
        t0 = time.monotonic()
        out = env.run([sys.executable, SAMSTACK, "deploy", "--stack-name", stack,
                       "--template-dir", app, "--endpoint-url", env.direct_url])
        ids = json.loads(out)
        print("  deployed examples/blog as %s (%.1f s, untimed)" % (stack, time.monotonic() - t0),
              flush=True)
        return types.SimpleNamespace(
            env=env, work=work, app=app, stack=stack, ids=ids, awsx=env.awsx,
            endpoint=env.endpoint, vars=watch_env(env), function=ids["HelloWorldFunction"],
            template=os.path.join(app, "template.yaml"),
            edited=os.path.join(app, "hello_world", "app.py"),
            built=os.path.join(app, ".awsx", "build", "HelloWorldFunction", "app.py"))

    def measure(ctx, cfg):
        env, warmups, runs = ctx.env, cfg["warmups"], cfg["runs"]
        with open(ctx.edited) as f:
            base = f.read()
        t0 = time.monotonic()
        w, folders = start_watcher(ctx)
        try:
            print("  the watcher's first full sync took %.1f s (untimed); watching %s folders"
                  % (time.monotonic() - t0, folders), flush=True)
            start = log_mark(env)
            results0 = len(w.matching(" write call", "out"))
            syncs0 = len(w.matching(": syncing", "err"))

            def updates(mark):
                return [e for e in requests_since(env, mark, access_key=WATCH_KEY)
                        if e.get("api") == "UpdateFunctionCode"
                        and ctx.function in (e.get("path") or "")]

            def check_count(edits):
                syncs = len(w.matching(": syncing", "err")) - syncs0
                calls = len(updates(start))
                if syncs != edits or calls != edits:
                    raise BenchError("after %d edits, each followed by its sync's result and "
                                     "%.1f s of quiet, the watcher started %d syncs and sent "
                                     "%d UpdateFunctionCode for %s (expected %d of each); its "
                                     "last lines:\n%s" % (edits, WATCH_EDIT_GAP, syncs, calls,
                                                          ctx.function, edits, w.text()))

            latency, finished, requests, warm = [], [], [], []
            sequences = collections.Counter()   # the APIs an edit's sync called, in order
            cpu0 = cpu1 = None
            for i in range(warmups + runs):
                time.sleep(WATCH_EDIT_GAP)
                check_count(i)
                if i == warmups:
                    cpu0 = w.cpu_seconds()
                marker = "# edit %d while watching" % (i + 1)
                mark = log_mark(env)
                with open(ctx.edited, "w") as f:
                    f.write(base + "\n" + marker + "\n")
                saved = time.time()
                done, line = w.wait_for(" write call", results0 + i + 1, WATCH_SYNC_TIMEOUT,
                                        "the sync of edit %d" % (i + 1))[results0 + i]
                calls = updates(mark)
                if not line.startswith("1 updated, 0 unchanged") or len(calls) != 1:
                    raise BenchError("edit %d: expected one UpdateFunctionCode for %s and "
                                     "\"1 updated, 0 unchanged\", got %d calls and %r; the "
                                     "watcher's last lines:\n%s"
                                     % (i + 1, ctx.function, len(calls), line, w.text()))
                try:
                    with open(ctx.built) as f:
                        pushed = marker in f.read()
                except OSError as e:
                    raise BenchError("edit %d: cannot read the built copy: %s" % (i + 1, e))
                if not pushed:
                    raise BenchError("edit %d: the package built does not hold the edit (%s)"
                                     % (i + 1, ctx.built))
                kind = "warm-up" if i < warmups else "edit"
                n = i + 1 if i < warmups else i + 1 - warmups
                print("  %-7s %2d/%-2d  save to UpdateFunctionCode %6.1f ms, to the result "
                      "line %6.1f ms" % (kind, n, warmups if i < warmups else runs,
                                         (log_time(calls[0]) - saved) * 1e3,
                                         (done - saved) * 1e3), flush=True)
                if i < warmups:
                    warm.append(log_time(calls[0]) - saved)
                else:
                    latency.append(log_time(calls[0]) - saved)
                    finished.append(done - saved)
                    sent = requests_since(env, mark, access_key=WATCH_KEY)
                    requests.append(len(sent))
                    sequences[", ".join(e.get("api") or "?" for e in sent)] += 1
                    cpu1 = w.cpu_seconds()
            time.sleep(WATCH_EDIT_GAP)
            check_count(warmups + runs)
            peak = w.status_mib("VmHWM")
            rc = w.stop()
            if rc != 130:
                raise BenchError("the watcher exited with status %s on SIGINT, expected 130:\n%s"
                                 % (rc, w.text()))
        finally:
            w.stop()
        return Measured(
            metrics=[
                Metric("Save to UpdateFunctionCode at the endpoint", latency, "time",
                       "median under 250 ms"),
                Metric("Save to the sync's result line", finished, "time"),
                Metric("Requests per edit", requests, "count"),
                Metric("awsx CPU time per edit (user+sys, /proc/PID/stat)",
                       [(cpu1 - cpu0) / runs], "time",
                       over="total over the %d recorded edits / %d" % (runs, runs)),
            ],
            facts=["%d edits (%d more before them as warm-up, not recorded) gave exactly one "
                   "sync each: one \"syncing\" line, one UpdateFunctionCode in the proxy's "
                   "log and one \"1 updated, 0 unchanged\" result, none for the other "
                   "function, and the package built held that edit. No extra sync showed in "
                   "the %.1f s of quiet before each edit or after the last."
                   % (runs, warmups, WATCH_EDIT_GAP),
                   "The warm-up edits, not recorded, took %s from save to UpdateFunctionCode."
                   % ", ".join(ms(x) for x in warm) if warm else "",
                   "The requests of an edit's sync, in order: %s."
                   % "; ".join("%s (%s)" % (seq, plural(n, "edit"))
                               for seq, n in sequences.most_common()),
                   "The watcher watched %s folders (every folder of the two CodeUri trees, "
                   "and the template's). Its peak RSS over the whole run, its first full "
                   "sync included, was %s (VmHWM)." % (folders, mib(peak))])

    return Benchmark(
        name="watch-latency",
        description="From save to deploy with `awsx sync --watch`: `examples/blog` (two Python "
                    "functions behind one REST API, a requirements.txt each, so a dependency "
                    "layer) deployed, the watcher running after its first full sync, every "
                    "request delayed by the fault proxy like a real round trip. Each round "
                    "writes an edit to `hello_world/app.py` and takes the time from the save "
                    "(wall clock just after the file is closed) to the moment the "
                    "UpdateFunctionCode request for that function reached the endpoint (the "
                    "`time` of its entry in the verifying proxy's request log, the 30 ms "
                    "delay included), then waits for the sync's result line before the next "
                    "edit. awsx alone: `sam sync --watch` cannot run offline.",
        setup=setup,
        awsx_cmd=watch_cmd,
        measure=measure,
        teardown=lambda ctx: shutil.rmtree(ctx.work, ignore_errors=True),
        notes="Untimed before the rounds: the stack is created with "
              "`tests/support/samstack.py`; the watcher's own first full sync builds and "
              "uploads everything (the dependencies go into a layer) and updates the stack. "
              "The fault "
              "proxy sits in front of the project's SigV4-verifying proxy, which is in front "
              "of moto. After a save the watcher waits for %d ms without another event on "
              "that function (its quiet period: an editor's save is several writes), then "
              "rebuilds only that function's package and sends UpdateFunctionCode; the "
              "latency ends when that request arrives at the endpoint, the result line when "
              "awsx has printed Lambda's answer. The request log's times and the save time "
              "come from the same clock. awsx signs with a key of this run's own, so the "
              "log is filtered to its requests; `tests/support/fakebin` (the fake pip of the "
              "integration tests) is first on its PATH for the dependency layer. CPU per "
              "edit is the watcher's user+sys (`/proc/PID/stat`, in 10 ms units) over the "
              "recorded rounds, idle gaps included, divided by their number; it varies with "
              "the load on the machine. No peer is measured: there is "
              "no offline `sam sync --watch`, and SAM Accelerate's users report that a save "
              "takes seconds to reach Lambda; that is their report, not a measurement made "
              "here." % WATCH_QUIET_MS,
        runs=20,
        warmups=2,
        memory_runs=0,
        latency_ms=30,
        local_env="awsenv",
    )


@benchmark
def watch_idle():
    def setup(env):
        work = os.path.join(env.workdir, "watch-idle")
        t0 = time.monotonic()
        ctx = sync_app(env, work, "bench-watch-idle", big_function_app(), watch_env(env))
        ctx.vars = watch_env(env)
        print("  deployed %s and synced it once (%.1f s, untimed)"
              % (ctx.stack, time.monotonic() - t0), flush=True)
        return ctx

    def measure(ctx, cfg):
        env = ctx.env
        peak_all, peak_watch, rss, cpu, cpu_exact, wakeups = [], [], [], [], [], []
        first = []                        # each recorded round's first-sync summary line
        folders = None
        reset_ok = True
        for i in range(cfg["warmups"] + cfg["runs"]):
            t0 = time.monotonic()
            w, folders = start_watcher(ctx)
            try:
                started = time.monotonic() - t0
                summary = w.matching(" already in S3, ", "out")[0][1]
                time.sleep(IDLE_SETTLE)
                whole = w.status_mib("VmHWM")
                reset_ok = w.reset_hwm() and reset_ok
                mark, nlines = log_mark(env), len(w.lines)
                c0, n0, s0, m0 = w.cpu_seconds(), w.cpu_ns(), w.switches(), time.monotonic()
                time.sleep(IDLE_SECONDS)
                c1, n1, s1, m1 = w.cpu_seconds(), w.cpu_ns(), w.switches(), time.monotonic()
                watching, now = w.status_mib("VmHWM"), w.status_mib("VmRSS")
                sent = requests_since(env, mark, access_key=WATCH_KEY)
                said = w.lines[nlines:]
                if sent or said:
                    raise BenchError("the idle watcher was not idle: %d requests (%s) and "
                                     "these lines:\n%s"
                                     % (len(sent), ", ".join(e.get("api") or "?" for e in sent),
                                        "\n".join("    %s: %s" % (s, l) for _, s, l in said)))
                rc = w.stop()
                if rc != 130:
                    raise BenchError("the watcher exited with status %s on SIGINT, expected "
                                     "130:\n%s" % (rc, w.text()))
            finally:
                w.stop()
            span = m1 - m0
            kind = "warm-up" if i < cfg["warmups"] else "run"
            print("  %-7s %2d  start %.1f s; idle %.1f s: CPU %.2f %% (%.1f ms), %.1f "
                  "wake-ups/s; peak RSS %.1f MiB watching, %.1f MiB whole process"
                  % (kind, i + 1, started, span, 100 * (c1 - c0) / span, (n1 - n0) / 1e6,
                     (s1 - s0) / span, watching, whole), flush=True)
            if i < cfg["warmups"]:
                continue
            first.append(summary)
            peak_all.append(whole)
            peak_watch.append(watching)
            rss.append(now)
            cpu.append(100 * (c1 - c0) / span)
            cpu_exact.append(100 * (n1 - n0) / 1e9 / span)
            wakeups.append((s1 - s0) / span)
        metrics = [Metric("Peak RSS while watching (VmHWM, reset after the first sync)",
                          peak_watch, "mib", "under 30 MB (28.6 MiB)"),
                   Metric("Peak RSS of the whole process (VmHWM, first sync included)",
                          peak_all, "mib"),
                   Metric("RSS at the end of the idle window (VmRSS)", rss, "mib"),
                   Metric("Idle CPU, utime+stime of /proc/PID/stat (10 ms ticks)", cpu,
                          "percent", "near zero"),
                   Metric("Idle CPU, /proc/PID/task/*/schedstat (ns)", cpu_exact, "percent",
                          "near zero"),
                   Metric("Wake-ups (context switches of its threads) per second", wakeups,
                          "rate")]
        if not reset_ok:
            metrics = metrics[1:]
        return Measured(metrics=metrics, facts=[
            "Each round started a new watcher, which watched %s folders; in each %.0f s "
            "window it sent no request and printed nothing. The last line of each round's "
            "first full sync: %s." % (folders, IDLE_SECONDS,
                                      "; ".join("round %d \"%s\"" % (i + 1, line)
                                                for i, line in enumerate(first)))]
            + ([] if reset_ok else ["The kernel refused to reset VmHWM (/proc/PID/clear_refs), "
                                    "so only the whole process's peak is reported."]))

    return Benchmark(
        name="watch-idle",
        description="What `awsx sync --watch` costs while nothing changes: one function "
                    "whose CodeUri holds %s small files in %d folders (the tree of "
                    "sync-nochange), the watcher started on the synced stack, then %.0f s "
                    "of idleness. Peak memory is the watcher's VmHWM from /proc/PID/status, "
                    "reset after its first sync (writing 5 to /proc/PID/clear_refs) so that "
                    "it covers the watching alone; CPU is the watcher's user+sys time over "
                    "the window as a share of one core." % ("{:,}".format(NOCHANGE_FILES),
                                                            100, IDLE_SECONDS),
        setup=setup,
        awsx_cmd=watch_cmd,
        measure=measure,
        teardown=lambda ctx: shutil.rmtree(ctx.work, ignore_errors=True),
        notes="Untimed before the rounds: the stack is created with "
              "`tests/support/samstack.py` and synced once with `awsx sync --code`. Each "
              "round starts a watcher, waits for \"watching\", lets it settle for %.0f s, "
              "then reads `/proc` before and after the window. The watcher holds one "
              "inotify watch per folder (inotify is not recursive) and blocks in libuv's "
              "event loop; the one timer that fires while idle is the %d ms check for "
              "Ctrl-C, so about %d wake-ups per second are expected. Resetting VmHWM sets it "
              "to the RSS of that moment, which includes what the first sync used and the "
              "allocator kept (more in a round whose first sync uploaded artifacts, as the "
              "first-sync lines above say); the RSS at the end of the window shows whether watching "
              "added to it. utime+stime count 10 ms units, so over %.0f s that figure moves "
              "in steps of %.1f %%; the threads' schedstat gives the exact time. VmHWM is read "
              "straight "
              "from `/proc`, not through GNU time: it belongs to the address space the "
              "process got at exec, so the harness's own size does not leak into it. "
              "No peer is measured: there is no offline `sam sync --watch`."
              % (IDLE_SETTLE, WATCH_TICK_MS, 1000 // WATCH_TICK_MS, IDLE_SECONDS,
                 100 * 0.01 / IDLE_SECONDS),
        runs=3,
        warmups=0,
        memory_runs=0,
        local_env="awsenv",
    )


# ---------------------------------------------------------------------------------
# awsx logs (issue 6): tailing latency and request rate against `aws logs tail`, and
# printing a range
# ---------------------------------------------------------------------------------

LOGS_SEED = 6                 # fixed: the same gaps and messages every run
LOGS_AWSX_KEY = WATCH_KEY     # this run's own keys, to tell the tools apart in the
LOGS_PEER_KEY = "AKIAPEERB%011d" % (os.getpid() % 10**11)  # verifying proxy's log
LOGS_GAP = (0.5, 1.5)         # s between two PutLogEvents, uniformly at random
LOGS_START_TIMEOUT = 60.0     # s: a tail's first FilterLogEvents
LOGS_PRINT_TIMEOUT = 30.0     # s after the last put: every event printed (the CLI
                              # polls every 5 s)
LOGS_SETTLE = 1.0             # s before a tail's first put, and after its last line
                              # (a repeated line would show in it)
LOGS_POLL_MS = 500            # awsx: a caught-up group is asked again after this
                              # (POLL_INTERVAL_MS, logs/poll.c)
LOGS_RATE = 4                 # awsx: FilterLogEvents calls per second, all groups
                              # (--request-rate's default)
LOGS_AWS_LIMIT = 5            # AWS: FilterLogEvents per second per account and region
RANGE_EVENTS = 100000         # logs-range: events in the group
RANGE_STREAMS = 10
RANGE_SPAN_S = 1800           # their timestamps spread over this, ending 10 min ago
RANGE_BATCH = 5000            # events per PutLogEvents while seeding (under 1 MB)
RATE_GROUPS = 6               # logs-rate: groups tailed at once


def logs_client(env, url):
    """A boto3 CloudWatch Logs client for url with the harness's test key."""
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        raise BenchError("seeding needs boto3 in %s (it comes with moto: "
                         "pip install 'moto[server]')" % sys.executable)
    return boto3.session.Session().client(
        "logs", region_name="us-east-1", endpoint_url=url,
        aws_access_key_id=env.vars["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env.vars["AWS_SECRET_ACCESS_KEY"],
        config=Config(retries={"mode": "standard", "max_attempts": 5}))


def create_groups(client, groups, stream="bench"):
    try:
        for g in groups:
            client.create_log_group(logGroupName=g)
            client.create_log_stream(logGroupName=g, logStreamName=stream)
    except Exception as e:
        raise BenchError("creating log groups failed: %s: %s" % (type(e).__name__, e))


def put_event(client, group, message, stream="bench"):
    """One PutLogEvents of one event stamped now; the time.time() just before the call."""
    t = time.time()
    try:
        r = client.put_log_events(logGroupName=group, logStreamName=stream,
                                  logEvents=[{"timestamp": int(t * 1000), "message": message}])
    except Exception as e:
        raise BenchError("PutLogEvents failed: %s: %s" % (type(e).__name__, e))
    if r.get("rejectedLogEventsInfo"):
        raise BenchError("PutLogEvents rejected the event: %s" % r["rejectedLogEventsInfo"])
    return t


def key_env(env, key):
    """The child environment with another access key (the verifying proxy knows the
    test secret for any AKIA key), so its requests can be found in the log."""
    v = dict(env.vars)
    v["AWS_ACCESS_KEY_ID"] = key
    return v


def filter_calls(env, mark, key):
    """Times (epoch s, arrival at the verifying proxy) of the FilterLogEvents calls sent
    with key since mark, in order."""
    return sorted(log_time(e) for e in requests_since(env, mark, access_key=key)
                  if e.get("api") == "FilterLogEvents")


def wait_first_call(env, mark, key, w, what):
    """The time of key's first FilterLogEvents after mark (bounded; BenchError with the
    tail's output if it exits or nothing comes)."""
    deadline = time.monotonic() + LOGS_START_TIMEOUT
    while time.monotonic() < deadline:
        calls = filter_calls(env, mark, key)
        if calls:
            return calls[0]
        if w.p.poll() is not None:
            raise BenchError("%s exited with status %d before its first FilterLogEvents:\n%s"
                             % (what, w.p.returncode, w.text()))
        time.sleep(0.1)
    raise BenchError("%s sent no FilterLogEvents within %.0f s:\n%s"
                     % (what, LOGS_START_TIMEOUT, w.text()))


def wait_printed(w, tags, what):
    """{tag: time its first line was read} once every tag was printed (bounded)."""
    deadline = time.monotonic() + LOGS_PRINT_TIMEOUT
    for tag in tags:
        w.wait_for(tag, 1, max(0.1, deadline - time.monotonic()),
                   "%s to print the event %s" % (what, tag))
    return {tag: w.matching(tag, "out")[0][0] for tag in tags}


def check_once(w, tags, what):
    """BenchError unless every tag is on exactly one line."""
    twice = [(tag, len(w.matching(tag, "out"))) for tag in tags]
    twice = [(tag, n) for tag, n in twice if n != 1]
    if twice:
        raise BenchError("%s printed %s; its last lines:\n%s"
                         % (what, ", ".join("%s %d times" % x for x in twice[:5]), w.text()))


def max_in_one_second(times):
    """The most calls in any one-second span [t, t + 1 s) (two pointers over sorted times)."""
    best, i = 0, 0
    for j, t in enumerate(times):
        while t - times[i] >= 1.0:
            i += 1
        best = max(best, j - i + 1)
    return best


def aws_tail_poll_interval(env):
    """(seconds, source file) of the sleep of `aws logs tail --follow` after a poll that
    reached the last page, read from the installed AWS CLI (None when unreadable)."""
    try:
        with open(AWS_CLI) as f:
            first = f.readline()
        python = first[2:].split()[0] if first.startswith("#!") else PYTHON
        r = subprocess.run([python, "-c", "import awscli.customizations.logs.tail as t\n"
                            "print(t.FollowLogEventsGenerator._TIME_TO_SLEEP)\n"
                            "print(t.__file__)"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, env=env.vars, timeout=60)
        seconds, path = r.stdout.decode().split()
        return float(seconds), path
    except (OSError, ValueError, IndexError, subprocess.TimeoutExpired):
        return None, None


def aws_poll_fact(ctx):
    if ctx.aws_sleep is None:
        return "The AWS CLI's poll interval could not be read from its installed source."
    return ("`aws logs tail --follow` sleeps %g s after every poll that reached the last "
            "page, before it asks again (`FollowLogEventsGenerator._TIME_TO_SLEEP` in `%s`, "
            "read at this run); awsx asks a caught-up group again after %d ms, all groups "
            "sharing %d calls/s." % (ctx.aws_sleep, ctx.aws_source, LOGS_POLL_MS, LOGS_RATE))


def tail_setup(env, groups):
    """Untimed: the groups (one stream each), and what the tail benchmarks share."""
    client = logs_client(env, env.direct_url)
    create_groups(client, groups)
    sleep, source = aws_tail_poll_interval(env)
    return types.SimpleNamespace(env=env, awsx=env.awsx, endpoint=env.endpoint,
                                 groups=groups, client=client, aws_sleep=sleep,
                                 aws_source=source, run_id="%08x" % random.getrandbits(32))


def logs_message(tag):
    """A Lambda-like log line carrying tag."""
    return "[INFO]\t%s\tbench-request\t%s handled in 12 ms" % (
        datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        tag)


@benchmark
def logs_latency():
    group = "/aws/lambda/bench-logs-latency"

    def awsx_cmd(ctx):
        return [ctx.awsx, "logs", "--tail", "--cw-log-group", group,
                "--endpoint-url", ctx.endpoint]

    def peer_cmd(ctx):
        return [AWS_CLI, "logs", "tail", group, "--follow", "--color", "off",
                "--endpoint-url", ctx.endpoint]

    def measure(ctx, cfg):
        env, warmups, runs = ctx.env, cfg["warmups"], cfg["runs"]
        rng = random.Random(LOGS_SEED)
        tools = (("awsx", "awsx logs --tail", awsx_cmd(ctx), LOGS_AWSX_KEY),
                 ("peer", "aws logs tail --follow", peer_cmd(ctx), LOGS_PEER_KEY))
        mark = log_mark(env)
        ws = {}
        try:
            for side, what, argv, key in tools:
                ws[side] = Watcher(argv, key_env(env, key), env.workdir, tty=True)
            for side, what, argv, key in tools:
                wait_first_call(env, mark, key, ws[side], what)
            time.sleep(LOGS_SETTLE)
            cpu0 = {side: w.cpu_seconds() for side, w in ws.items()}
            t0 = time.time()
            puts = []                       # (tag, time just before PutLogEvents)
            for i in range(warmups + runs):
                time.sleep(rng.uniform(*LOGS_GAP))
                tag = "bench-event-%s-%03d" % (ctx.run_id, i + 1)
                puts.append((tag, put_event(ctx.client, group, logs_message(tag))))
            tags = [tag for tag, _ in puts]
            seen = {side: wait_printed(ws[side], tags, what) for side, what, _, _ in tools}
            t1 = time.time()
            cpu1 = {side: w.cpu_seconds() for side, w in ws.items()}
            time.sleep(LOGS_SETTLE)
            for side, what, _, _ in tools:
                check_once(ws[side], tags, what)
            peak = {side: w.status_mib("VmHWM") for side, w in ws.items()}
            rcs = {side: ws[side].stop() for side, _, _, _ in tools}
            if rcs["awsx"] != 130:
                raise BenchError("awsx logs --tail exited with status %s on SIGINT, expected "
                                 "130:\n%s" % (rcs["awsx"], ws["awsx"].text()))
        finally:
            for w in ws.values():
                w.stop()
        delay = {side: [seen[side][tag] - t for tag, t in puts] for side in ws}
        for i, (tag, t) in enumerate(puts):
            print("  %-7s %2d/%-2d  PutLogEvents to the line: awsx %7.1f ms, AWS CLI %7.1f ms"
                  % ("warm-up" if i < warmups else "event",
                     i + 1 if i < warmups else i + 1 - warmups,
                     warmups if i < warmups else runs,
                     delay["awsx"][i] * 1e3, delay["peer"][i] * 1e3), flush=True)
        rec = {side: d[warmups:] for side, d in delay.items()}
        span = t1 - t0
        calls = {side: [t for t in filter_calls(env, mark, key) if t0 <= t < t1]
                 for side, _, _, key in tools}
        return Measured(
            metrics=[
                Metric("awsx logs --tail: PutLogEvents to the line printed", rec["awsx"],
                       "time"),
                Metric("aws logs tail --follow: PutLogEvents to the line printed",
                       rec["peer"], "time"),
                Metric("Ratio of the medians, AWS CLI / awsx",
                       [statistics.median(rec["peer"]) / statistics.median(rec["awsx"])],
                       "ratio", "awsx at least 3x lower",
                       over="the two medians above"),
                Metric("awsx: FilterLogEvents calls per minute", [len(calls["awsx"]) * 60 / span],
                       "per-minute", over="the %.0f s from the start of the events to the last line"
                       % span),
                Metric("AWS CLI: FilterLogEvents calls per minute",
                       [len(calls["peer"]) * 60 / span], "per-minute",
                       over="the same %.0f s" % span),
                Metric("awsx: CPU while tailing (user+sys / wall, /proc/PID/stat)",
                       [100 * (cpu1["awsx"] - cpu0["awsx"]) / span], "percent",
                       over="the same %.0f s" % span),
                Metric("AWS CLI: CPU while tailing (user+sys / wall, /proc/PID/stat)",
                       [100 * (cpu1["peer"] - cpu0["peer"]) / span], "percent",
                       over="the same %.0f s" % span),
                Metric("awsx: peak RSS (VmHWM)", [peak["awsx"]], "mib", over="the whole run"),
                Metric("AWS CLI: peak RSS (VmHWM)", [peak["peer"]], "mib",
                       over="the whole run"),
            ],
            facts=["Both tails ran at once on the same group, %s (%d more before them as "
                   "warm-up, not recorded), %.1f-%.1f s apart at random (fixed seed), each "
                   "message with an id of its own; each tool printed every event exactly "
                   "once (checked %.0f s after the last line). On SIGINT awsx exited with "
                   "status %d, the AWS CLI with status %d."
                   % (plural(runs, "event"), warmups, LOGS_GAP[0], LOGS_GAP[1], LOGS_SETTLE,
                      rcs["awsx"], rcs["peer"]),
                   "The warm-up events, not recorded, took %s (awsx) and %s (AWS CLI)."
                   % (", ".join(ms(x) for x in delay["awsx"][:warmups]),
                      ", ".join(ms(x) for x in delay["peer"][:warmups])) if warmups else "",
                   aws_poll_fact(ctx)])

    return Benchmark(
        name="logs-latency",
        description="From PutLogEvents to the line on the screen: `awsx logs --tail` and "
                    "`aws logs tail --follow` (the AWS CLI v2) tail the same log group at "
                    "the same time, each writing to a pseudo-terminal read by a thread of "
                    "the harness that stamps each line when it arrives; every request of "
                    "both is delayed by the fault proxy like a real round trip. Events are "
                    "put one at a time, 0.5-1.5 s apart at random; the delay of an event is "
                    "the arrival of the line holding its id minus the time just before its "
                    "PutLogEvents call.",
        setup=lambda env: tail_setup(env, [group]),
        awsx_cmd=awsx_cmd,
        peer_name="AWS CLI v2",
        peer_cmd=peer_cmd,
        measure=measure,
        requires=((AWS_CLI, "apt-get install -y awscli"),),
        notes="Untimed before the events: the group and its stream are created, both tails "
              "are started and each has sent its first FilterLogEvents (the verifying "
              "proxy's request log shows it), then %.0f s pass. Both run at once so that "
              "they see the very same events at the same moments against the same endpoint "
              "load; neither waits for the other, and each polls on its own schedule. The "
              "puts go straight to the verifying proxy (no added delay) on a schedule that "
              "does not depend on either tool's polls, so each delay samples a random point "
              "of each tool's poll cycle. Both write to a pseudo-terminal, as when a user "
              "watches: the AWS CLI (Python) writes each line when it is complete there, "
              "not 8 KiB at a time as into a pipe; both print plain text (NO_COLOR for "
              "awsx, `--color off` for the CLI). Each tool signs with a key of its own, so "
              "the request log tells their calls apart. An event's delay has three parts: "
              "the wait for the tool's next poll, the poll's round trip (30 ms added, plus "
              "moto and the verifying proxy) and the printing; only the first depends on "
              "the tool. awsx's tail re-reads the last 30 s of the group at every poll (its "
              "late window, for events CloudWatch ingests late) and drops what it printed "
              "already; the CLI starts each poll at the newest timestamp it has seen."
              % LOGS_SETTLE,
        runs=20,
        warmups=2,
        memory_runs=0,
        latency_ms=30,
        local_env="awsenv",
    )


@benchmark
def logs_range():
    group = "/aws/lambda/bench-logs-range"

    def setup(env):
        t0 = time.monotonic()
        client = logs_client(env, env.direct_url)
        rng = random.Random(LOGS_SEED)
        start = (int(time.time()) - 600 - RANGE_SPAN_S) * 1000   # a whole second
        streams = [time.strftime("%Y/%m/%d/[$LATEST]", time.gmtime(start / 1000))
                   + "%032x" % rng.getrandbits(128) for _ in range(RANGE_STREAMS)]
        try:
            client.create_log_group(logGroupName=group)
            for s in streams:
                client.create_log_stream(logGroupName=group, logStreamName=s)
        except Exception as e:
            raise BenchError("creating the log group failed: %s: %s" % (type(e).__name__, e))
        step = RANGE_SPAN_S * 1000 // RANGE_EVENTS               # ms between two events
        per_stream = {s: [] for s in streams}
        for i in range(RANGE_EVENTS):
            ts = start + i * step
            when = datetime.datetime.fromtimestamp(ts / 1000, datetime.timezone.utc)
            per_stream[streams[i % RANGE_STREAMS]].append({
                "timestamp": ts,
                "message": "[INFO]\t%s.%03dZ\t%08x-%04x-4%03x-a%03x-%012x\trange-event-%06d "
                           "order %d handled in %d ms"
                           % (when.strftime("%Y-%m-%dT%H:%M:%S"), ts % 1000,
                              rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(12),
                              rng.getrandbits(12), rng.getrandbits(48), i,
                              rng.randrange(10**6), rng.randrange(1, 900))})
        try:
            for s, events in per_stream.items():
                for k in range(0, len(events), RANGE_BATCH):
                    r = client.put_log_events(logGroupName=group, logStreamName=s,
                                              logEvents=events[k:k + RANGE_BATCH])
                    if r.get("rejectedLogEventsInfo"):
                        raise BenchError("PutLogEvents rejected events: %s"
                                         % r["rejectedLogEventsInfo"])
        except BenchError:
            raise
        except Exception as e:
            raise BenchError("seeding the log group failed: %s: %s" % (type(e).__name__, e))
        iso = lambda ms_: datetime.datetime.fromtimestamp(
            ms_ // 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        last = start + (RANGE_EVENTS - 1) * step
        print("  seeded %s events in %d streams of %s, %s to %s (%.1f s, untimed)"
              % ("{:,}".format(RANGE_EVENTS), RANGE_STREAMS, group, iso(start), iso(last),
                 time.monotonic() - t0), flush=True)
        return types.SimpleNamespace(env=env, awsx=env.awsx, endpoint=env.endpoint,
                                     since=iso(start), until=iso(last // 1000 * 1000 + 1000))

    def awsx_cmd(ctx):
        return [ctx.awsx, "logs", "--cw-log-group", group, "--start-time", ctx.since,
                "--end-time", ctx.until, "--endpoint-url", ctx.endpoint]

    def check(ctx, out):
        lines = out.count(b"\n")
        found = [int(x) for x in re.findall(rb"\trange-event-(\d{6}) ", out)]
        if lines != RANGE_EVENTS or found != list(range(RANGE_EVENTS)):
            return ("%d lines, %d events named, %s; expected %d lines, events 0 to %d in "
                    "order" % (lines, len(found), "in order" if found == sorted(found)
                               else "not in order", RANGE_EVENTS, RANGE_EVENTS - 1))
        return None

    return Benchmark(
        name="logs-range",
        description="Print a range of %s events: one log group, %d streams, Lambda-like "
                    "lines of about 120 bytes, %.0f minutes of events ending 10 minutes "
                    "before the runs; every request delayed by the fault proxy like a real "
                    "round trip. awsx is given the window's start and end; the AWS CLI's "
                    "`aws logs tail` (no `--follow`) has no end option, so it is given the "
                    "same start and reads to now, which holds the same events. awsx runs "
                    "twice a round: with its default budget of %d FilterLogEvents calls a "
                    "second, and with `--request-rate 100`."
                    % ("{:,}".format(RANGE_EVENTS), RANGE_STREAMS, RANGE_SPAN_S / 60, LOGS_RATE),
        setup=setup,
        awsx_cmd=awsx_cmd,
        awsx_variants=(("awsx --request-rate 100",
                        lambda ctx: awsx_cmd(ctx) + ["--request-rate", "100"]),),
        peer_name="AWS CLI v2",
        peer_cmd=lambda ctx: [AWS_CLI, "logs", "tail", group, "--since", ctx.since,
                              "--endpoint-url", ctx.endpoint],
        awsx_check=check,
        peer_check=check,
        requires=((AWS_CLI, "apt-get install -y awscli"),),
        notes="Untimed before the runs: the events are put with boto3 straight to moto, %s "
              "a call. Both tools read the group in pages of FilterLogEvents, one page after "
              "another; moto answers 10,000 events a page, so 10 pages, and each page costs "
              "moto a pass over the whole group (it filters and sorts every event for every "
              "page). awsx spaces its calls at 95 %% of its budget, so with %d calls a second "
              "10 pages cannot take less than about %.1f s whatever the endpoint does: that "
              "is the first awsx column, what a user gets by default (AWS allows %d "
              "calls a second per account and region, shared with everything else that "
              "reads logs there). `--request-rate 100` lifts the budget, leaving the "
              "endpoint's page time: the difference between the two awsx columns is what "
              "the budget costs against this endpoint (little where moto takes longer than "
              "the budget's spacing to answer a page). The times are given as ISO 8601 "
              "(`aws logs tail --since` takes that or a relative time; awsx also epoch "
              "milliseconds). Every run is checked: "
              "exactly %s lines, naming events 0 to %d once each, in time order. The CLI "
              "writes into a file here, so its output is buffered in blocks."
              % ("{:,}".format(RANGE_BATCH), LOGS_RATE, 9 / (LOGS_RATE * 0.95), LOGS_AWS_LIMIT,
                 "{:,}".format(RANGE_EVENTS), RANGE_EVENTS - 1),
        runs=5,
        warmups=1,
        memory_runs=3,
        latency_ms=30,
    )


@benchmark
def logs_rate():
    groups = ["/aws/lambda/bench-logs-rate-%d" % (i + 1) for i in range(RATE_GROUPS)]
    peer_loop = ('ep=$1; shift; for g; do %s logs tail "$g" --follow --color off '
                 '--endpoint-url "$ep" & done; wait' % AWS_CLI)

    def awsx_cmd(ctx):
        argv = [ctx.awsx, "logs", "--tail"]
        for g in groups:
            argv += ["--cw-log-group", g]
        return argv + ["--endpoint-url", ctx.endpoint]

    def peer_cmd(ctx):
        return ["sh", "-c", peer_loop, "sh", ctx.endpoint] + groups

    def window(ctx, cfg, side, rng):
        """One tool's tail: warm-up seconds after its first call, then the recorded
        seconds, events trickling in all along."""
        env, warmups, runs = ctx.env, cfg["warmups"], cfg["runs"]
        what = ("awsx logs --tail" if side == "awsx"
                else "the %d aws logs tail --follow" % len(groups))
        argv, key = (awsx_cmd(ctx), LOGS_AWSX_KEY) if side == "awsx" else (peer_cmd(ctx),
                                                                             LOGS_PEER_KEY)
        group_signal = None if side == "awsx" else signal.SIGTERM
        mark = log_mark(env)
        w = Watcher(argv, key_env(env, key), env.workdir, tty=True)
        try:
            first = wait_first_call(env, mark, key, w, what)
            start, end = first + warmups, first + warmups + runs
            puts, cpu0 = [], None
            next_put = time.time() + rng.uniform(*LOGS_GAP)
            for _ in range(4 * int((warmups + runs) / LOGS_GAP[0]) + 100):  # bound
                now = time.time()
                if now >= end:
                    break
                if cpu0 is None and now >= start:
                    cpu0, c0 = w.tree_cpu_seconds(), now
                if now >= next_put:
                    tag = "bench-event-%s-%s-%03d" % (ctx.run_id, side, len(puts) + 1)
                    puts.append((tag, put_event(ctx.client, rng.choice(groups),
                                                logs_message(tag))))
                    next_put += rng.uniform(*LOGS_GAP)
                    continue
                time.sleep(max(0.0, min(next_put, end, start if cpu0 is None else end)
                               - time.time()))
            cpu1, c1 = w.tree_cpu_seconds(), time.time()
            tags = [tag for tag, _ in puts]
            seen = wait_printed(w, tags, what)
            time.sleep(LOGS_SETTLE)
            check_once(w, tags, what)
            peak = w.tree_hwm_mib()
            procs = len(w.tree())
            rc = w.stop(group_signal)
            if side == "awsx" and rc != 130:
                raise BenchError("awsx logs --tail exited with status %s on SIGINT, expected "
                                 "130:\n%s" % (rc, w.text()))
        finally:
            w.stop(group_signal)
        calls = [t for t in filter_calls(env, mark, key) if start <= t < end]
        per_second = [0] * runs
        for t in calls:
            per_second[min(runs - 1, int(t - start))] += 1
        out = types.SimpleNamespace(
            calls=calls, per_second=per_second, per_minute=len(calls) * 60.0 / runs,
            most=max_in_one_second(calls),
            cpu=100 * (cpu1 - cpu0) / (c1 - c0) if cpu0 is not None else 0.0,
            peak=peak, procs=procs, puts=len(puts),
            delay=[seen[tag] - t for tag, t in puts if start <= t < end],
            over=sum(1 for i in range(len(calls))
                     if i + LOGS_AWS_LIMIT < len(calls)
                     and calls[i + LOGS_AWS_LIMIT] - calls[i] < 1.0))
        print("  %-5s %d s after %d s of warm-up: %d FilterLogEvents (%.0f/min), at most %d "
              "in 1 s; %d events put, all printed once; CPU %.1f %%"
              % ("awsx" if side == "awsx" else "CLI", runs, warmups, len(calls),
                 out.per_minute, out.most, len(puts), out.cpu), flush=True)
        return out

    def measure(ctx, cfg):
        rng = random.Random(LOGS_SEED)
        a = window(ctx, cfg, "awsx", rng)
        p = window(ctx, cfg, "peer", rng)
        over = "the %d s window" % cfg["runs"]
        return Measured(
            metrics=[
                Metric("awsx: FilterLogEvents calls per minute", [a.per_minute], "per-minute",
                       "at most %d/min (its budget, %d/s)" % (60 * LOGS_RATE, LOGS_RATE),
                       over=over),
                Metric("awsx: FilterLogEvents calls in each second", a.per_second, "count",
                       "at most %d" % LOGS_RATE),
                Metric("awsx: most calls in any 1 s", [a.most], "count",
                       "at most %d (AWS allows %d)" % (LOGS_RATE, LOGS_AWS_LIMIT), over=over),
                Metric("awsx: PutLogEvents to the line printed", a.delay, "time"),
                Metric("awsx: CPU while tailing (user+sys / wall)", [a.cpu], "percent",
                       over=over),
                Metric("awsx: peak RSS (VmHWM)", [a.peak], "mib", over="the whole run"),
                Metric("%d AWS CLIs: FilterLogEvents calls per minute" % len(groups),
                       [p.per_minute], "per-minute", over="a %d s window of their own"
                       % cfg["runs"]),
                Metric("%d AWS CLIs: FilterLogEvents calls in each second" % len(groups),
                       p.per_second, "count"),
                Metric("%d AWS CLIs: most calls in any 1 s" % len(groups), [p.most], "count",
                       over="their window"),
                Metric("%d AWS CLIs: PutLogEvents to the line printed" % len(groups), p.delay,
                       "time"),
                Metric("%d AWS CLIs: CPU while tailing (user+sys / wall, all processes)"
                       % len(groups), [p.cpu], "percent", over="their window"),
                Metric("%d AWS CLIs: peak RSS of one process (VmHWM)" % len(groups), [p.peak],
                       "mib", over="the whole run"),
            ],
            facts=["awsx tailed the %d groups in one process for %d s after %d s of warm-up "
                   "(counted from its first call), while %s were put, one every %.1f-%.1f s "
                   "to a group chosen at random (fixed seed); it sent %d FilterLogEvents in "
                   "the window, of which %d came less than 1 s after the %dth call before "
                   "them (%d calls within one second, more than AWS's %d). It printed every "
                   "event exactly once."
                   % (len(groups), cfg["runs"], cfg["warmups"], plural(a.puts, "event"),
                      LOGS_GAP[0], LOGS_GAP[1], len(a.calls), a.over, LOGS_AWS_LIMIT,
                      LOGS_AWS_LIMIT + 1, LOGS_AWS_LIMIT),
                   "Then, in a window of their own, one `aws logs tail --follow` per group "
                   "(%d processes, started together by one shell) sent %d FilterLogEvents "
                   "while %s were put, of which %d came less than 1 s after the %dth call "
                   "before them (%d calls within one second, more than AWS's %d: on AWS, "
                   "where every reader of the account and region shares that limit, a "
                   "throttling risk); every event was printed exactly once."
                   % (p.procs - 1, len(p.calls), plural(p.puts, "event"), p.over,
                      LOGS_AWS_LIMIT, LOGS_AWS_LIMIT + 1, LOGS_AWS_LIMIT),
                   aws_poll_fact(ctx)])

    return Benchmark(
        name="logs-rate",
        description="How hard a tail of %d log groups calls FilterLogEvents: `awsx logs "
                    "--tail` with `--cw-log-group` six times, then one `aws logs tail "
                    "--follow` per group (it takes one group), each for a window of its "
                    "own while events trickle into the groups; every request delayed by the "
                    "fault proxy like a real round trip. The calls are counted from the "
                    "verifying proxy's request log, against awsx's budget (%d a second, "
                    "%d a minute) and AWS's limit (%d a second per account and region)."
                    % (len(groups), LOGS_RATE, 60 * LOGS_RATE, LOGS_AWS_LIMIT),
        setup=lambda env: tail_setup(env, groups),
        awsx_cmd=awsx_cmd,
        peer_name="%d x AWS CLI v2" % len(groups),
        peer_cmd=peer_cmd,
        measure=measure,
        requires=((AWS_CLI, "apt-get install -y awscli"),),
        notes="Untimed before the windows: the groups (one stream each) are created. Each "
              "tool runs on its own, awsx first, so that neither's calls or start-up load "
              "the other's window; each window starts a few seconds after the tool's first "
              "call (its warm-up: the first read of each group) and lasts the recorded "
              "seconds. Rounds here are seconds: the per-second counts are those of each "
              "whole second of the window, \"most calls in any 1 s\" slides a one-second "
              "span over the call times (arrival at the verifying proxy, after the 30 ms "
              "delay). awsx's six groups each want a call %d ms after their last answer, "
              "more than the budget allows, so the budget is what sets its rate: one call "
              "every 1/(0.95 x %d) s, at most %d in any second. The AWS CLIs know nothing of "
              "each other: each calls once every poll interval plus a round trip, and, "
              "started together, at nearly the same moments. awsx holds each line about "
              "one round of polls (%d groups / %d calls a second, at most 2 s) to print the "
              "groups' lines in time order, which shows in its delay from put to line. The "
              "AWS CLIs are stopped with SIGTERM to their process group (a shell's "
              "background jobs ignore SIGINT), awsx with SIGINT, which must end it with "
              "status 130." % (LOGS_POLL_MS, LOGS_RATE, LOGS_RATE, len(groups), LOGS_RATE),
        runs=60,
        warmups=5,
        memory_runs=0,
        latency_ms=30,
        local_env="awsenv",
    )


# ---------------------------------------------------------------------------------
# Environment: moto, optional delay proxy, child environment
# ---------------------------------------------------------------------------------

def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_answers(port, path="/moto-api/", method="GET", timeout=2.0):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path)
        resp = conn.getresponse()
        resp.read()
        return resp.status
    except OSError:
        return None
    finally:
        conn.close()


def stop_process(proc, name):
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)  # own session: the group is just this server
    except ProcessLookupError:
        return
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        print("%s did not stop on SIGTERM; killing it" % name, file=sys.stderr)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def log_tail(path, lines=20):
    """The end of a server log, for error messages (the work directory is removed)."""
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:]).rstrip() or "(log empty)"
    except OSError:
        return "(no log)"


class Env:
    """What the benchmarks get: endpoint URL, tool paths, a work directory, the child
    environment (vars), and run() for setup steps."""

    def __init__(self, awsx, workdir, probe=None):
        self.awsx = awsx
        self.probe = probe      # tests/awsx-probe of the same build, if a benchmark needs it
        self.aws_cli = AWS_CLI
        self.workdir = workdir
        self.latency_ms = 0     # of the current benchmark's route (see route())
        self.moto_port = None
        self.moto_url = None
        self.direct_url = None  # the current benchmark's local endpoint, without delay
        self.endpoint = None
        self._moto = None
        self._proxy = None
        self._awsenv_dir = None  # set once tests/support/awsenv.py was started
        self._awsenv = None      # its env.json
        home = os.path.join(workdir, "home")
        os.makedirs(home, exist_ok=True)
        # A clean, fixed environment for both tools (no pyenv, no PYTHON*, no ~/.aws).
        self.vars = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": home,
            "LANG": "C.UTF-8",
            "TZ": "UTC",
            "AWS_ACCESS_KEY_ID": TEST_ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": TEST_SECRET,
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": os.path.join(workdir, "nonexistent", "config"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(workdir, "nonexistent", "credentials"),
            "AWS_PAGER": "",
            "NO_COLOR": "1",
        }

    def start(self):
        for attempt in range(3):  # the free port may be taken between probe and bind
            self.moto_port = free_port()
            log = open(os.path.join(self.workdir, "moto.log"), "ab")
            self._moto = subprocess.Popen(
                [sys.executable, MOTO_SERVER, "-H", "127.0.0.1", "-p", str(self.moto_port)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
            log.close()
            deadline = time.monotonic() + READY_TIMEOUT
            while time.monotonic() < deadline and self._moto.poll() is None:
                if http_answers(self.moto_port) is not None:
                    break
                time.sleep(0.1)
            if self._moto.poll() is None and http_answers(self.moto_port) is not None:
                break
            stop_process(self._moto, "moto")
            self._moto = None
        else:
            raise BenchError("moto server did not answer within %d s; is moto installed for "
                             "%s? (pip install 'moto[server]')\n%s"
                             % (READY_TIMEOUT, sys.executable,
                                log_tail(os.path.join(self.workdir, "moto.log"))))
        self.moto_url = "http://127.0.0.1:%d" % self.moto_port
        self.direct_url = self.endpoint = self.moto_url

    def use(self, local_env):
        """Give the next benchmark its local endpoint with a fresh state: the harness's
        moto ("moto"), or tests/support/awsenv.py's verifying proxy and moto ("awsenv",
        started the first time); direct_url is that endpoint."""
        if local_env in ("moto", "none"):
            if local_env == "moto":
                self.reset_moto(self.moto_port)
            self.direct_url = self.moto_url
            return
        if self._awsenv is None:
            self._start_awsenv()
        else:
            self.reset_moto(int(self._awsenv["moto_url"].rsplit(":", 1)[1]))
        self.direct_url = self._awsenv["endpoint_url"]

    def _start_awsenv(self):
        self._awsenv_dir = os.path.join(self.workdir, "awsenv")
        print("starting moto and the SigV4-verifying proxy (tests/support/awsenv.py) ...",
              flush=True)
        r = subprocess.run([sys.executable, AWSENV, "start", "--dir", self._awsenv_dir],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=3 * READY_TIMEOUT)
        try:
            with open(os.path.join(self._awsenv_dir, "env.json")) as f:
                self._awsenv = json.load(f)
        except (OSError, ValueError):
            self._awsenv = None
        if r.returncode != 0 or self._awsenv is None:
            raise BenchError("tests/support/awsenv.py start failed (%d)\n%s\nmoto: %s\n"
                             "proxy: %s" % (r.returncode, r.stdout.decode(errors="replace"),
                                            log_tail(os.path.join(self._awsenv_dir, "moto.log")),
                                            log_tail(os.path.join(self._awsenv_dir,
                                                                  "proxy.log"))))

    @property
    def request_log(self):
        """The verifying proxy's request log (one JSON line per request), once started."""
        return self._awsenv["request_log"] if self._awsenv else None

    def route(self, latency_ms):
        """Point self.endpoint at direct_url itself (0) or at a fresh fault proxy in front
        of it that delays every request by latency_ms; both tools of a benchmark use it."""
        self.stop_proxy()
        self.latency_ms = latency_ms
        self.endpoint = self.direct_url
        if latency_ms > 0:
            self._start_proxy(latency_ms)

    def stop_proxy(self):
        stop_process(self._proxy, "delay proxy")
        self._proxy = None

    def _start_proxy(self, latency_ms):
        if not os.path.exists(FAULT_PROXY):
            raise BenchError("added latency needs %s" % FAULT_PROXY)
        ready = os.path.join(self.workdir, "proxy.ready")
        if os.path.exists(ready):
            os.unlink(ready)
        log = open(os.path.join(self.workdir, "proxy.log"), "ab")
        self._proxy = subprocess.Popen(
            [sys.executable, FAULT_PROXY, "--upstream", self.direct_url,
             "--default", '{"delay_ms": %d}' % latency_ms, "--ready-file", ready],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        log.close()
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline and self._proxy.poll() is None:
            if os.path.exists(ready):
                with open(ready) as f:
                    m = re.search(r"listening on (\d+)", f.read())
                if m:
                    self.endpoint = "http://127.0.0.1:%s" % m.group(1)
                    return
            time.sleep(0.05)
        raise BenchError("delay proxy did not start\n%s"
                         % log_tail(os.path.join(self.workdir, "proxy.log")))

    def stop(self):
        stop_process(self._proxy, "delay proxy")
        stop_process(self._moto, "moto")
        self._proxy = self._moto = None
        if self._awsenv_dir is not None:  # also after a failed start: stop what runs
            try:
                subprocess.run([sys.executable, AWSENV, "stop", "--dir", self._awsenv_dir],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               timeout=60)
            except (OSError, subprocess.TimeoutExpired) as e:
                print("could not stop tests/support/awsenv.py's servers: %s" % e,
                      file=sys.stderr)
            self._awsenv_dir = self._awsenv = None

    def reset_moto(self, port):
        # a reset after thousands of resources takes moto a while
        if http_answers(port, "/moto-api/reset", "POST", timeout=120.0) != 200:
            raise BenchError("moto reset failed")

    def run(self, argv, **kw):
        """For setup steps: run argv in the benchmark environment, raise on failure."""
        kw.setdefault("env", self.vars)
        kw.setdefault("cwd", self.workdir)
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
        if r.returncode != 0:
            raise BenchError("setup command failed (%d): %s\n%s"
                             % (r.returncode, shlex.join(argv), r.stderr.decode(errors="replace")))
        return r.stdout


# ---------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------

@dataclass
class Sample:
    wall: float                   # seconds
    user: float                   # seconds
    sys: float                    # seconds
    maxrss: Optional[int] = None  # KiB (memory runs only)

    @property
    def cpu(self):
        return self.user + self.sys


def measure(argv, env, cwd, outdir, tag, memory=False):
    """Run argv once; return (Sample, exit status, stdout, stderr).

    Timing run (memory=False): argv is spawned directly and reaped with os.wait4().
    Memory run (memory=True): argv runs under GNU time, whose %M is argv's own max RSS."""
    out_path = os.path.join(outdir, tag + ".out")
    err_path = os.path.join(outdir, tag + ".err")
    rss_path = os.path.join(outdir, tag + ".rss")
    cmd = [GNU_TIME, "-f", "%M", "-o", rss_path] + list(argv) if memory else list(argv)
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        t0 = time.perf_counter()
        # Timing runs avoid start_new_session: it makes Popen fork instead of vfork, which
        # costs milliseconds here.  Memory runs get their own group so a timeout kills both.
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                env=env, cwd=cwd, start_new_session=memory)
        killer = threading.Timer(RUN_TIMEOUT, _kill, (proc.pid, memory))
        killer.start()
        try:
            _, status, ru = os.wait4(proc.pid, 0)
        except BaseException:  # Ctrl-C or SIGTERM: do not leave the command running
            _kill(proc.pid, memory)
            proc.wait()
            raise
        finally:
            killer.cancel()
        t1 = time.perf_counter()
    proc.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait again
    with open(out_path, "rb") as f:
        stdout = f.read()
    with open(err_path, "rb") as f:
        stderr = f.read()
    sample = Sample(t1 - t0, ru.ru_utime, ru.ru_stime)
    if memory:
        try:
            with open(rss_path) as f:  # "Command exited with non-zero status N" may come first
                sample.maxrss = int(f.read().split()[-1])
        except (OSError, ValueError, IndexError):
            if proc.returncode == 0:
                raise BenchError("no peak RSS from %s for: %s" % (GNU_TIME, shlex.join(argv)))
    return sample, proc.returncode, stdout, stderr


def _kill(pid, group):
    try:
        if group:
            os.killpg(pid, signal.SIGKILL)  # GNU time and the command it runs
        else:
            os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def floor(workdir, runs, memory_runs):
    """The same measurements of /bin/true: what spawning and measuring cost by themselves."""
    timing, mem = [], []
    for i in range(runs):
        timing.append(measure(["/bin/true"], None, workdir, workdir, "floor")[0])
    for i in range(memory_runs):
        s, rc, _, _ = measure(["/bin/true"], None, workdir, workdir, "floor", memory=True)
        if rc != 0:
            raise BenchError("%s /bin/true fails" % GNU_TIME)
        mem.append(s)
    return summarize(timing, mem)


def run_once(bench, side, argv, ctx, env, check, memory, tag=None):
    bench.before_run(ctx, side)
    tag = "%s.%s%s" % (bench.name, tag or side, ".mem" if memory else "")
    sample, rc, out, err = measure(argv, env.vars, env.workdir, env.workdir, tag, memory)
    problem = None
    if rc != 0:
        problem = "exit status %d" % rc
    elif check is not None:
        problem = check(ctx, out)
    if problem:
        raise BenchError("benchmark %s: %s run failed (%s)\n  command: %s\n  stdout: %s\n  stderr: %s"
                         % (bench.name, side, problem, shlex.join(argv),
                            out.decode(errors="replace").strip()[:2000] or "(empty)",
                            err.decode(errors="replace").strip()[:2000] or "(empty)"))
    return sample


def run_benchmark(bench, env, cfg):
    """cfg: this benchmark's runs, warmups, memory_runs and latency_ms (resolved)."""
    env.use(bench.local_env)
    env.route(cfg["latency_ms"])
    if cfg["latency_ms"]:
        print("  through the fault proxy at %s, +%d ms per request"
              % (env.endpoint, cfg["latency_ms"]), flush=True)
    load_start = loadavg()
    ctx = None
    try:
        ctx = bench.setup(env)
        awsx_argv = bench.awsx_cmd(ctx)
        if bench.measure is not None:
            result = {"measured": bench.measure(ctx, cfg),
                      "peer_argv": bench.peer_cmd(ctx) if bench.peer_cmd else None,
                      "variants": []}
        else:
            result = run_alternately(bench, env, cfg, ctx, awsx_argv)
    finally:
        if ctx is not None:
            bench.teardown(ctx)
        env.stop_proxy()
    result.update(bench=bench, awsx_argv=awsx_argv, cfg=dict(cfg), endpoint=env.endpoint,
                  load={"start": load_start, "end": loadavg()})
    return result


def run_alternately(bench, env, cfg, ctx, awsx_argv):
    """awsx (then its variants) and the peer, alternately: warm-up, timing, then memory
    rounds."""
    runs, warmups, memory_runs = cfg["runs"], cfg["warmups"], cfg["memory_runs"]
    peer_argv = bench.peer_cmd(ctx)
    variants = [(label, fn(ctx)) for label, fn in bench.awsx_variants]
    timing = {"awsx": [], "peer": []}
    mem = {"awsx": [], "peer": []}
    for k in range(len(variants)):
        timing["v%d" % k], mem["v%d" % k] = [], []
    plan = ([("warm-up", False)] * warmups + [("run", False)] * runs
            + [("memory", True)] * memory_runs)
    counts = {"warm-up": warmups, "run": runs, "memory": memory_runs}
    seen = {"warm-up": 0, "run": 0, "memory": 0}
    for kind, memory in plan:  # alternate: awsx, its variants, peer, awsx, ...
        got = [("awsx", "awsx",
                run_once(bench, "awsx", awsx_argv, ctx, env, bench.awsx_check, memory))]
        for k, (label, argv) in enumerate(variants):
            got.append(("v%d" % k, label, run_once(bench, "awsx", argv, ctx, env,
                                                   bench.awsx_check, memory,
                                                   tag="v%d" % k)))
        got.append(("peer", bench.peer_name,
                    run_once(bench, "peer", peer_argv, ctx, env, bench.peer_check, memory)))
        seen[kind] += 1
        for key, _, sample in got:
            if kind == "run":
                timing[key].append(sample)
            elif kind == "memory":
                mem[key].append(sample)
        if memory:
            detail = "  ".join("%s %6.1f MiB" % (label, s.maxrss / 1024.0)
                               for _, label, s in got)
        else:
            detail = "  ".join("%s %8.1f ms" % (label, s.wall * 1e3) for _, label, s in got)
        print("  %-7s %2d/%-2d  %s" % (kind, seen[kind], counts[kind], detail), flush=True)
    return {"peer_argv": peer_argv, "awsx": summarize(timing["awsx"], mem["awsx"]),
            "peer": summarize(timing["peer"], mem["peer"]),
            "variants": [{"label": label, "argv": argv,
                          "summary": summarize(timing["v%d" % k], mem["v%d" % k])}
                         for k, (label, argv) in enumerate(variants)]}


def summarize(timing, mem):
    def stats(values):
        return {"median": statistics.median(values), "min": min(values), "max": max(values),
                "n": len(values)}
    out = {
        "wall": stats([s.wall for s in timing]),
        "cpu": stats([s.cpu for s in timing]),
        "user": stats([s.user for s in timing]),
        "sys": stats([s.sys for s in timing]),
    }
    if mem:
        out["rss"] = stats([s.maxrss / 1024.0 for s in mem])  # MiB
    return out


# ---------------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------------

PHRASES = {  # key -> (label, ratio >= 1, ratio < 1)
    "wall": ("Wall time", "awsx is %.1fx faster", "awsx is %.1fx slower"),
    "cpu": ("CPU time (user+sys)", "awsx uses %.1fx less CPU", "awsx uses %.1fx more CPU"),
    "user": ("of which user", "%.1fx less", "%.1fx more"),
    "sys": ("of which sys", "%.1fx less", "%.1fx more"),
    "rss": ("Peak memory (max RSS)", "awsx uses %.1fx less memory", "awsx uses %.1fx more memory"),
}


def ratio(a, p, key):
    return p[key]["median"] / a[key]["median"] if a[key]["median"] > 0 else float("nan")


def ratio_text(a, p, key):
    r = ratio(a, p, key)
    if r != r:  # nan
        return "n/a (awsx measured 0)"
    _, more, less = PHRASES[key]
    return more % r if r >= 1 else less % (1 / r)


def ms(x):
    return "%.1f ms" % (x * 1e3) if x < 1 else "%.2f s" % x


def mib(x):
    return "%.1f MiB" % x


def fmt_stat(s, fmt):
    return "%s (%s-%s)" % (fmt(s["median"]), fmt(s["min"]), fmt(s["max"]))


def machine_info():
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "unknown RAM"
    try:
        with open("/proc/meminfo") as f:
            mem = "%.1f GiB RAM" % (int(f.readline().split()[1]) / 1048576.0)
    except (OSError, ValueError, IndexError):
        pass
    distro = "unknown distribution"
    try:
        with open("/etc/os-release") as f:
            m = re.search(r'^PRETTY_NAME="?([^"\n]*)', f.read(), re.M)
            distro = m.group(1) if m else distro
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "kernel": platform.release(),
            "mem": mem, "distro": distro}


def tool_version(argv, env, pattern=None):
    """The first line argv prints, or pattern's first group in what it prints."""
    try:
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           env=env, timeout=60)
        text = r.stdout.decode(errors="replace").strip()
        if pattern:
            m = re.search(pattern, text)
            return m.group(1) if m else "unknown"
        return text.splitlines()[0]
    except (OSError, subprocess.TimeoutExpired, IndexError):
        return "unknown"


def display_cmd(argv, env, endpoint):
    """argv as a shell command, with the per-run endpoint shown as $ENDPOINT and paths in
    the run's temporary work directory as "$WORK"/..."""
    words = []
    for w in argv:
        if w == endpoint:
            words.append("$ENDPOINT")
        elif w in (env.awsx, env.probe):
            rel = os.path.relpath(w, REPO)
            words.append(shlex.quote(rel if not rel.startswith("..") else w))
        elif w.startswith(env.workdir + os.sep):
            words.append('"$WORK"/' + shlex.quote(w[len(env.workdir) + 1:]))
        else:
            words.append(shlex.quote(w))
    return " ".join(words)


def reproduce_cmd(args):
    cmd = ["python3", "bench/run.py"]
    for opt in COUNT_OPTIONS:
        for spec in getattr(args, opt.replace("-", "_")) or ():
            cmd += ["--" + opt, spec]
    if args.only:
        cmd += ["--only", args.only]
    if args.awsx:
        rel = os.path.relpath(os.path.abspath(args.awsx), REPO)
        cmd += ["--awsx", rel if not rel.startswith("..") else os.path.abspath(args.awsx)]
    return shlex.join(cmd)


def plural(n, word):
    return "%d %s%s" % (n, word, "" if n == 1 else "s")


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return f.read().split()[0]
    except (OSError, IndexError):
        return "unknown"


def route_text(latency_ms, local_env="moto", alone=False):
    if local_env == "none":
        return "none, the benchmark sends no requests"
    target = ("moto" if local_env == "moto" else
              "the SigV4-verifying proxy of `tests/support/awsenv.py` (in front of moto)")
    return ("straight to %s, no added latency" % target if not latency_ms else
            "through one `tests/support/fault_proxy.py`, which adds %d ms to every request "
            "%s, in front of %s" % (latency_ms, "of awsx" if alone else "of both tools", target))


def write_report(path, results, env, args, info, versions, build_note, base, load):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    L = []
    add = L.append
    add("# awsx performance")
    add("")
    add("<!-- Generated by bench/run.py from the results of the benchmarks it ran; "
        "do not edit by hand: rerun it. -->")
    add("")
    add("Measured, not asserted: `bench/run.py` runs awsx and a peer tool on the same work, "
        "alternately (awsx, peer, awsx, peer, ...), against a local moto server it starts "
        "itself, and writes this file. Where no peer can run offline (`sam sync --watch`), "
        "awsx is measured alone and shown beside what is expected of it; where both run "
        "for a while (`awsx logs --tail`, `aws logs tail --follow`), the benchmark measures "
        "them in rounds of its own. Benchmarks are not "
        "tests: nothing checks a time or a ratio; this page records what was measured on "
        "this machine on this date.")
    add("")
    add("Reproduce from the repository root (needs `/usr/bin/aws` from Debian's `awscli`, "
        "`/usr/bin/time` from `time`, `/usr/bin/zip` from `zip`, and moto in `python3`):")
    add("")
    add("```sh")
    add(reproduce_cmd(args))
    add("```")
    add("")
    add("`python3 bench/run.py --help` lists the options; `bench/README.md` says how to add a "
        "benchmark.")
    add("")
    add("## Setup")
    add("")
    add("- Date: %s" % now)
    add("- Machine: nproc %s, CPU %s, %s, %s, kernel %s"
        % (info["nproc"], info["cpu"], info["mem"], info["distro"], info["kernel"]))
    add("- awsx: `%s` (%s)" % (versions["awsx"], build_note))
    add("- AWS CLI: `%s` (`/usr/bin/aws`)" % versions["aws"])
    for key, label in (("zip", "Info-ZIP"), ("python", "Python (zipfile)")):
        if versions.get(key):
            add("- %s: `%s`" % (label, versions[key]))
    verifying = any(r["bench"].local_env == "awsenv" for r in results)
    add("- Endpoint: moto %s server on 127.0.0.1, reached directly%s or through the project's "
        "fault proxy with added latency, as each benchmark says. Both tools get the same "
        "endpoint with `--endpoint-url` (shown as `$ENDPOINT`; the port changes per run)%s."
        % (versions["moto"],
           ", through the project's SigV4-verifying proxy (`tests/support/awsenv.py`, which "
           "also applies the SAM transform moto lacks)" if verifying else "",
           "; paths in the run's temporary work directory are shown as `$WORK`"
           if any("$WORK" in display_cmd(argv, env, r["endpoint"])
                  for r in results for argv in all_argvs(r)) else ""))
    add("- Same environment for both tools: fixed test keys in `AWS_ACCESS_KEY_ID` / "
        "`AWS_SECRET_ACCESS_KEY`, `AWS_REGION=us-east-1`, `AWS_EC2_METADATA_DISABLED=true`, an "
        "empty temporary `HOME`, `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` naming files "
        "that do not exist, `AWS_PAGER=\"\"`, `PATH=/usr/local/bin:/usr/bin:/bin`.")
    add("- Load average (1 min) at start %s, at end %s; other work on the machine shows up "
        "in the wall times." % (load["start"], load["end"]))
    add("- Per benchmark: fresh moto state and untimed setup; warm-up rounds (not recorded), "
        "timing rounds, then memory rounds, each round one awsx run (then one of each awsx "
        "variant, where a benchmark has them) then one peer run; each "
        "benchmark says how many. Every run must exit 0 and pass the benchmark's check of "
        "its output. A benchmark that measures in rounds of its own (awsx alone, or a "
        "long-running awsx and peer side by side) says what its rounds are, and also stops at "
        "the first round that fails its check.")
    add("")
    add("### How it is measured")
    add("")
    add("- Wall time: `time.perf_counter()` around spawning the command and reaping it, so it "
        "includes process start-up (for awsx, loading its shared libraries; for the AWS CLI, "
        "starting Python and importing botocore) and the endpoint's own time.")
    add("- CPU time: user + sys from `os.wait4()`'s rusage of that child, the same timing runs. "
        "The total is precise; the split between user and sys is sampled at timer ticks and "
        "is rough for short runs.")
    add("- Peak memory: the command's max RSS as reported by GNU time (`/usr/bin/time -f %M`), "
        "in separate memory rounds. `os.wait4()`'s own max RSS is not used: on Linux a child "
        "starts from its parent's address space and keeps that high-water mark across exec, so "
        "every child of the Python harness reports at least the harness's size (about 15 MiB, "
        "even for `/bin/true`). GNU time is a small C program, so its child starts small.")
    add("- Figures are medians, with the range (min-max) in brackets. Ratios are peer / awsx "
        "of the medians.")
    add("- Floor, the same measurements of `/bin/true`: wall %s, CPU %s, peak %s."
        % (ms(base["wall"]["median"]), ms(base["cpu"]["median"]), mib(base["rss"]["median"])))
    add("")
    add("moto is slow (about 12 ms per request for many APIs) and shares the machine's %s cores with the "
        "clients, so where the endpoint dominates the wall time, each client's own CPU time and "
        "peak memory are the figures awsx controls. Wall times here are what a user waits "
        "against a local endpoint, not against AWS." % info["nproc"])
    add("")
    compared = [r for r in results if "measured" not in r]
    alone = [r for r in results if "measured" in r]
    add("## Summary")
    add("")
    if compared:
        add("| Benchmark | Peer | Added latency | Wall time | CPU time (user+sys) | "
            "Peak memory (RSS) |")
        add("|---|---|---|---|---|---|")
        for r in compared:
            p = r["peer"]
            for name, a in [(r["bench"].name, r["awsx"])] + [
                    ("%s (%s)" % (r["bench"].name, v["label"]), v["summary"])
                    for v in r.get("variants", [])]:
                add("| %s | %s | %s | %s | %s | %s |"
                    % (name, r["bench"].peer_name, latency_text(r), ratio_text(a, p, "wall"),
                       ratio_text(a, p, "cpu"), ratio_text(a, p, "rss")))
        add("")
    if alone:
        add("Measured in rounds of their own, against what is expected (awsx alone where no "
            "peer can run offline, else with its peer, as each section says):")
        add("")
        add("| Benchmark | Added latency | Measure | Median | p90 | Expected |")
        add("|---|---|---|---|---|---|")
        for r in alone:
            for m in r["measured"].metrics:
                if m.target:
                    add("| %s | %s | %s | %s | %s | %s |"
                        % (r["bench"].name, latency_text(r), m.label,
                           metric_fmt(m, statistics.median(m.values)),
                           "" if m.over else metric_fmt(m, p90(m.values)), m.target))
        add("")
    for r in results:
        b = r["bench"]
        add("## %s" % b.name)
        add("")
        add(b.description)
        add("")
        add("```sh")
        add("# awsx")
        add(display_cmd(r["awsx_argv"], env, r["endpoint"]))
        for v in r.get("variants", []):
            add("# %s" % v["label"])
            add(display_cmd(v["argv"], env, r["endpoint"]))
        if r["peer_argv"]:
            add("# %s" % b.peer_name)
            add(display_cmd(r["peer_argv"], env, r["endpoint"]))
        add("```")
        add("")
        if "measured" in r:
            write_measured(add, r)
        else:
            write_compared(add, r)
        add("Load average (1 min) at the start of this benchmark %s, at its end %s."
            % (r["load"]["start"], r["load"]["end"]))
        add("")
        if b.notes:
            add(b.notes)
            add("")

    text = "\n".join(L).rstrip() + "\n"
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def all_argvs(r):
    """Every command a benchmark's section shows."""
    return ([r["awsx_argv"]] + [v["argv"] for v in r.get("variants", [])]
            + ([r["peer_argv"]] if r["peer_argv"] else []))


def latency_text(r):
    return ("%d ms" % r["cfg"]["latency_ms"] if r["cfg"]["latency_ms"]
            else "n/a (no requests)" if r["bench"].local_env == "none" else "none")


def write_compared(add, r):
    """A benchmark's section for awsx against its peer: the table and the ratios (with a
    column for each awsx variant)."""
    b, a, p = r["bench"], r["awsx"], r["peer"]
    variants = r.get("variants", [])
    add("Endpoint: %s. Timing: medians of %s each, after %s not recorded; memory: "
        "medians of %s each." % (route_text(r["cfg"]["latency_ms"], b.local_env),
                                 plural(a["wall"]["n"], "run"),
                                 plural(r["cfg"]["warmups"], "warm-up round"),
                                 plural(a["rss"]["n"], "run")))
    add("")
    cols = [("awsx", a)] + [("`%s`" % v["label"], v["summary"]) for v in variants]
    add("| | %s | %s | %s |" % (" | ".join(c for c, _ in cols), b.peer_name,
                                " | ".join("peer / %s" % c for c, _ in cols)))
    add("|---|%s" % ("---|" * (2 * len(cols) + 1)))
    for key in ("wall", "cpu", "user", "sys", "rss"):
        fmt = mib if key == "rss" else ms

        def rat(x):
            r_ = ratio(x, p, key)
            return "n/a" if r_ != r_ else "%.1fx" % r_
        add("| %s | %s | %s | %s |" % (PHRASES[key][0],
                                       " | ".join(fmt_stat(x[key], fmt) for _, x in cols),
                                       fmt_stat(p[key], fmt),
                                       " | ".join(rat(x) for _, x in cols)))
    add("")
    add("In words: %s, %s, %s." % (ratio_text(a, p, "wall"), ratio_text(a, p, "cpu"),
                                   ratio_text(a, p, "rss")))
    for v in variants:
        x = v["summary"]
        add("With `%s`: %s, %s, %s." % (v["label"], ratio_text(x, p, "wall"),
                                        ratio_text(x, p, "cpu"), ratio_text(x, p, "rss")))
    add("")


def write_measured(add, r):
    """A benchmark's section measured in its own rounds (awsx alone, or awsx and a
    long-running peer): its metrics against their targets."""
    b, m = r["bench"], r["measured"]
    add("Endpoint: %s. %s recorded%s."
        % (route_text(r["cfg"]["latency_ms"], b.local_env, alone=not b.peer_name),
           plural(r["cfg"]["runs"], "round"),
           ", after %s not recorded" % plural(r["cfg"]["warmups"], "warm-up round")
           if r["cfg"]["warmups"] else ""))
    add("")
    add("| | Median | p90 | Range (min-max) | Rounds | Expected |")
    add("|---|---|---|---|---|---|")
    for x in m.metrics:
        if x.over:
            add("| %s | %s | | | %s | %s |" % (x.label, metric_fmt(x, x.values[0]), x.over,
                                               x.target))
        else:
            add("| %s | %s | %s | %s-%s | %d | %s |"
                % (x.label, metric_fmt(x, statistics.median(x.values)),
                   metric_fmt(x, p90(x.values)), metric_fmt(x, min(x.values)),
                   metric_fmt(x, max(x.values)), len(x.values), x.target))
    add("")
    n = r["cfg"]["runs"]
    add("p90 is the nearest-rank 90th percentile: the smallest value that at least 90 %% of "
        "the rounds do not exceed (of %d values, the %s smallest)."
        % (n, ordinal(p90(range(1, n + 1)))))
    add("")
    for fact in filter(None, m.facts):
        add(fact)
        add("")


def ordinal(n):
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return "%d%s" % (n, "th" if 10 <= n % 100 <= 20 else suffix)


def metric_fmt(m, x):
    return {"time": ms, "mib": mib, "percent": lambda v: "%.2f %%" % v,
            "count": lambda v: "%g" % v, "rate": lambda v: "%.1f/s" % v,
            "per-minute": lambda v: "%.0f/min" % v, "ratio": lambda v: "%.1fx" % v}[m.kind](x)


def print_summary(results, base):
    print()
    row = "%-18s %-22s %12s %12s %12s"
    hdr = row % ("benchmark", "tool", "wall", "cpu", "peak rss")
    print(hdr)
    print("-" * len(hdr))
    for r in results:
        if "measured" in r:
            continue
        a, p = r["awsx"], r["peer"]
        variants = [(v["label"], v["summary"]) for v in r.get("variants", [])]
        for label, s in [("awsx", a)] + variants + [(r["bench"].peer_name, p)]:
            print(row % (r["bench"].name, label[:22], ms(s["wall"]["median"]),
                         ms(s["cpu"]["median"]), mib(s["rss"]["median"])))
        for label, x in [("awsx", a)] + variants:
            print(row % ("", ("peer/" + label)[:22], "%.1fx" % ratio(x, p, "wall"),
                         "%.1fx" % ratio(x, p, "cpu"), "%.1fx" % ratio(x, p, "rss")))
    print("(medians; peer/awsx > 1: awsx is faster / uses less.  Floor, /bin/true measured the "
          "same way: %s wall, %s CPU, %s)" % (ms(base["wall"]["median"]),
                                              ms(base["cpu"]["median"]),
                                              mib(base["rss"]["median"])))
    for r in results:
        if "measured" not in r:
            continue
        b = r["bench"]
        print("\n%s (%s)" % (b.name, "awsx and %s, in rounds of its own" % b.peer_name
                             if b.peer_name else "awsx alone"))
        for m in r["measured"].metrics:
            if m.over:
                print("  %-62s %10s  (%s)" % (m.label, metric_fmt(m, m.values[0]), m.over))
            else:
                print("  %-62s median %10s  p90 %10s  max %10s%s"
                      % (m.label, metric_fmt(m, statistics.median(m.values)),
                         metric_fmt(m, p90(m.values)), metric_fmt(m, max(m.values)),
                         "  (expected: %s)" % m.target if m.target else ""))


# ---------------------------------------------------------------------------------
# awsx binary
# ---------------------------------------------------------------------------------

def cmake_cache(build_dir):
    vals = {}
    try:
        with open(os.path.join(build_dir, "CMakeCache.txt")) as f:
            for line in f:
                m = re.match(r"^([A-Za-z_]+):[A-Z]+=(.*)$", line.strip())
                if m:
                    vals[m.group(1)] = m.group(2)
    except OSError:
        pass
    return vals


def probe_of(awsx):
    """The test driver tests/awsx-probe of the build that made awsx."""
    return os.path.join(os.path.dirname(awsx), "tests", "awsx-probe")


def refuse_sanitizer(binary):
    with open(binary, "rb") as f:
        image = f.read()
    if b"__asan_init" in image or b"__ubsan_handle" in image:
        raise BenchError("%s is a sanitizer build; benchmark a plain build "
                         "(cmake -S . -B build -DCMAKE_BUILD_TYPE=Release) or pass --awsx"
                         % binary)


def find_awsx(path, with_probe=False):
    """Return (absolute path, probe path or None, build note).  Without a path, brings
    build/awsx (and with_probe, build/tests/awsx-probe) up to date, configuring build/ as
    Release first if it is not configured, so a stale binary is never measured.  With a
    path, the probe is the one of the same build folder."""
    targets = ["awsx"] + (["awsx-probe"] if with_probe else [])
    if path:
        awsx = os.path.abspath(path)
        if not os.access(awsx, os.X_OK):
            raise BenchError("--awsx %s is not an executable file" % path)
        if with_probe and not os.access(probe_of(awsx), os.X_OK):
            raise BenchError("the selected benchmarks need %s; build it with: cmake --build "
                             "%s --target awsx-probe"
                             % (probe_of(awsx), os.path.dirname(awsx)))
    else:
        build = os.path.join(REPO, "build")
        awsx = os.path.join(build, "awsx")
        cmds = [["cmake", "--build", "build", "-j2", "--target"] + targets]
        if not os.path.exists(os.path.join(build, "CMakeCache.txt")):
            cmds.insert(0, ["cmake", "-S", ".", "-B", "build", "-DCMAKE_BUILD_TYPE=Release"])
        print("bringing build/awsx up to date (%s) ..." % " && ".join(map(shlex.join, cmds)),
              flush=True)
        for cmd in cmds:
            r = subprocess.run(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            if r.returncode != 0:
                raise BenchError("build failed: %s\n%s"
                                 % (shlex.join(cmd), r.stdout.decode(errors="replace")[-4000:]))
    probe = probe_of(awsx) if with_probe else None
    for binary in filter(None, (awsx, probe)):
        refuse_sanitizer(binary)
    cache = cmake_cache(os.path.dirname(awsx))
    btype = cache.get("CMAKE_BUILD_TYPE") or "unknown"
    note = "CMake build type %s" % btype if cache else "build type unknown"
    if btype not in ("Release", "RelWithDebInfo", "unknown"):
        print("warning: %s is a %s build; numbers will not be representative" % (awsx, btype),
              file=sys.stderr)
    return awsx, probe, note


# ---------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------

# Per-benchmark settings that the command line may override: option -> (minimum, field).
COUNT_OPTIONS = {"runs": 1, "warmups": 0, "memory-runs": 1, "latency-ms": 0}


def resolve_counts(bench, args):
    """This benchmark's runs, warmups, memory_runs and latency_ms: its own defaults, then
    each option's plain N (every benchmark), then NAME=N for this one, later ones winning."""
    known = {b.name for b in REGISTRY}
    cfg = {}
    for opt, minimum in COUNT_OPTIONS.items():
        key = opt.replace("-", "_")
        value = getattr(bench, key)
        specs = getattr(args, key) or []
        for want_named in (False, True):
            for spec in specs:
                name, sep, num = spec.rpartition("=")
                if sep and name not in known:
                    raise ValueError("--%s %s: no benchmark named %r (have: %s)"
                                     % (opt, spec, name, ", ".join(sorted(known))))
                if bool(sep) != want_named or (sep and name != bench.name):
                    continue
                try:
                    n = int(num)
                except ValueError:
                    raise ValueError("--%s %s: not a whole number" % (opt, spec))
                if n < minimum:
                    raise ValueError("--%s must be >= %d" % (opt, minimum))
                value = n
        cfg[key] = value
    return cfg


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Benchmark awsx against peer tools and write docs/PERFORMANCE.md.",
        epilog="Benchmarks: " + ", ".join(b.name for b in REGISTRY))
    ap.add_argument("--awsx", help="awsx binary (default: build/awsx, brought up to date with "
                    "cmake --build; build/ is configured as Release first if needed)")
    spec = " N for every benchmark or NAME=N for one (repeatable); default: each benchmark's own"
    ap.add_argument("--runs", action="append", metavar="[NAME=]N",
                    help="recorded timing runs per tool;" + spec)
    ap.add_argument("--warmups", action="append", metavar="[NAME=]N",
                    help="unrecorded warm-up runs per tool;" + spec)
    ap.add_argument("--memory-runs", action="append", metavar="[NAME=]N",
                    help="runs per tool under GNU time for peak memory, after the timing "
                    "runs;" + spec)
    ap.add_argument("--latency-ms", action="append", metavar="[NAME=]N",
                    help="put the fault proxy in front of moto and add N ms to every request "
                    "(0: straight to moto);" + spec)
    ap.add_argument("--only", help="comma-separated benchmark names (default: all)")
    ap.add_argument("--output", default=DEFAULT_OUTPUT, help="report file (default "
                    "docs/PERFORMANCE.md); it is regenerated from this run's benchmarks only")
    ap.add_argument("--no-write", action="store_true", help="print the summary, write no file")
    ap.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = ap.parse_args(argv)

    if args.list:
        for b in REGISTRY:
            target = {"moto": "moto", "awsenv": "the verifying proxy"}.get(b.local_env)
            print("%-18s %s (%s, %s, %s, %s)\n    %s"
                  % (b.name, "vs " + b.peer_name if b.peer_name else "awsx alone",
                     plural(b.runs, "run"), plural(b.warmups, "warm-up"),
                     "no memory runs" if b.measure else plural(b.memory_runs, "memory run"),
                     "no requests" if not target else
                     "+%d ms per request to %s" % (b.latency_ms, target) if b.latency_ms
                     else "straight to %s" % target, b.description))
        return 0

    selected = REGISTRY
    if args.only:
        names = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in names if n not in {b.name for b in REGISTRY}]
        if unknown:
            ap.error("unknown benchmark(s): %s (have: %s)"
                     % (", ".join(unknown), ", ".join(b.name for b in REGISTRY)))
        selected = [b for b in REGISTRY if b.name in names]
    try:
        configs = {b.name: resolve_counts(b, args) for b in selected}
    except ValueError as e:
        ap.error(str(e))

    if not os.access(GNU_TIME, os.X_OK):
        print("bench needs %s (GNU time) for peak memory; install it with: apt-get install -y time"
              % GNU_TIME, file=sys.stderr)
        return 1
    for b in selected:
        for path, install in b.requires:
            if not os.access(path, os.X_OK):
                print("benchmark %s needs %s; install it with: %s" % (b.name, path, install),
                      file=sys.stderr)
                return 1

    # SIGTERM ends the run like Ctrl-C, so the finally blocks stop the servers.
    def on_term(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_term)

    env = None
    workdir = tempfile.mkdtemp(prefix="awsx-bench-")
    try:
        awsx, probe, build_note = find_awsx(args.awsx, any(b.needs_probe for b in selected))
        env = Env(awsx, workdir, probe)
        print("starting moto ...", flush=True)
        env.start()
        print("moto at %s" % env.moto_url)
        versions = {
            "awsx": tool_version([awsx, "--version"], env.vars),
            "aws": tool_version([AWS_CLI, "--version"], env.vars),
            "moto": tool_version([sys.executable, "-c", "import moto; print(moto.__version__)"],
                                 None),
        }
        if any(b.name.startswith("sync-") for b in selected):
            versions["zip"] = tool_version([ZIP, "-v"], env.vars, r"This is (Zip [^,]*)")
        if any(b.name == "sync-zip-python" for b in selected):
            versions["python"] = tool_version([PYTHON, "--version"], env.vars) + " (" + PYTHON + ")"
        load_start = loadavg()
        base = floor(workdir, max([5] + [c["runs"] for c in configs.values()]),
                     max([1] + [c["memory_runs"] for c in configs.values()]))
        results = []
        for b in selected:
            cfg = configs[b.name]
            if b.measure:
                print("benchmark %s: %s (%d warm-up, %d recorded rounds)"
                      % (b.name, "awsx and %s, measured in its own rounds" % b.peer_name
                         if b.peer_name else "awsx alone", cfg["warmups"], cfg["runs"]),
                      flush=True)
            else:
                print("benchmark %s: awsx vs %s (%d warm-up, %d timing, %d memory rounds)"
                      % (b.name, b.peer_name, cfg["warmups"], cfg["runs"],
                         cfg["memory_runs"]), flush=True)
            results.append(run_benchmark(b, env, cfg))
        print_summary(results, base)
        if not args.no_write:
            write_report(args.output, results, env, args, machine_info(), versions, build_note, base,
                         {"start": load_start, "end": loadavg()})
            print("wrote %s" % os.path.relpath(args.output))
        return 0
    except BenchError as e:
        print("bench: %s" % e, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    finally:
        if env is not None:
            env.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
