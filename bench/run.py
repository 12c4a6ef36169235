#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""awsx benchmark harness: runs awsx and a peer tool on the same work and writes
docs/PERFORMANCE.md.

    python3 bench/run.py [--awsx PATH] [--runs N] [--warmups N] [--only NAME[,NAME]]
                         [--latency-ms N] [--output FILE | --no-write] [--list]

For every benchmark it starts from a fresh moto state, runs the setup, then runs
awsx and the peer ALTERNATELY (awsx, peer, awsx, peer, ...): --warmups rounds that
are not recorded, then --runs recorded rounds.  Each run is one Popen followed by
os.wait4() on that child, which gives its own peak RSS and user/sys CPU time (of the
process and any children it waited for); wall time is time.perf_counter() around
spawn + wait.  Every run must exit 0 and pass the benchmark's output check, or the
benchmark is aborted with the command, exit status and output.

The local endpoint is a moto server this script starts on a free loopback port and
always stops (normal end, error, Ctrl-C, SIGTERM).  With --latency-ms N the project's
fault proxy (tests/support/fault_proxy.py) is put in front of moto and delays every
request by N ms.  Both tools get the same endpoint (--endpoint-url) and the same
credentials through environment variables, with a temporary HOME and no config files.

Benchmarks are not tests: nothing here asserts a time.  Python 3 standard library only.

Adding a benchmark: write one function decorated with @benchmark that returns a
Benchmark(...); see the "whoami" definition below and bench/README.md.
"""

import argparse
import datetime
import http.client
import os
import platform
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
from dataclasses import dataclass
from typing import Any, Callable, List, Optional

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH_DIR)
DEFAULT_OUTPUT = os.path.join(REPO, "docs", "PERFORMANCE.md")
FAULT_PROXY = os.path.join(REPO, "tests", "support", "fault_proxy.py")
AWS_CLI = "/usr/bin/aws"  # AWS CLI v2 from Debian's awscli; the `aws` on PATH may be an old v1
READY_TIMEOUT = 60.0      # seconds to wait for moto (or the proxy) to answer
RUN_TIMEOUT = 600.0       # seconds one benchmarked command may take before it is killed
MOTO_ACCOUNT = "123456789012"


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
    peer_name: str
    peer_cmd: Callable[[Any], List[str]]          # ctx -> argv
    setup: Callable[[Any], Any] = lambda env: env  # env -> ctx (seed data, temp files, ...)
    teardown: Callable[[Any], None] = lambda ctx: None
    # Optional output checks, (ctx, stdout_bytes) -> None or an error string; they make sure
    # both tools did the work, not just exited 0.
    awsx_check: Optional[Callable[[Any, bytes], Optional[str]]] = None
    peer_check: Optional[Callable[[Any, bytes], Optional[str]]] = None
    # Programs the peer needs, as (path, how to install it); checked before anything runs.
    requires: tuple = ()
    notes: str = ""                               # extra text for PERFORMANCE.md


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
        notes="moto answers GetCallerIdentity in a few ms, so the wall time is mostly "
              "the client's own start-up and work.",
    )


# Later benchmarks (zip vs Info-ZIP, logs tail vs `aws logs tail`, inventory vs AWS's
# script) go here, one @benchmark function each.


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


class Env:
    """What the benchmarks get: endpoint URL, tool paths, a work directory, the child
    environment (vars), and run() for setup steps."""

    def __init__(self, awsx, workdir, latency_ms):
        self.awsx = awsx
        self.aws_cli = AWS_CLI
        self.workdir = workdir
        self.latency_ms = latency_ms
        self.moto_port = None
        self.moto_url = None
        self.endpoint = None
        self._moto = None
        self._proxy = None
        home = os.path.join(workdir, "home")
        os.makedirs(home, exist_ok=True)
        # A clean, fixed environment for both tools (no pyenv, no PYTHON*, no ~/.aws).
        self.vars = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": home,
            "LANG": "C.UTF-8",
            "TZ": "UTC",
            "AWS_ACCESS_KEY_ID": "AKIABENCH00000000000",
            "AWS_SECRET_ACCESS_KEY": "benchSecretKey0000000000000000000000000",
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
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.moto_port)],
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
            raise BenchError("moto server did not answer within %d s (log: %s); is moto "
                             "installed for %s? (pip install 'moto[server]')"
                             % (READY_TIMEOUT, os.path.join(self.workdir, "moto.log"),
                                sys.executable))
        self.moto_url = "http://127.0.0.1:%d" % self.moto_port
        self.endpoint = self.moto_url
        if self.latency_ms > 0:
            self._start_proxy()

    def _start_proxy(self):
        if not os.path.exists(FAULT_PROXY):
            raise BenchError("--latency-ms needs %s" % FAULT_PROXY)
        ready = os.path.join(self.workdir, "proxy.ready")
        log = open(os.path.join(self.workdir, "proxy.log"), "ab")
        self._proxy = subprocess.Popen(
            [sys.executable, FAULT_PROXY, "--upstream", self.moto_url,
             "--default", '{"delay_ms": %d}' % self.latency_ms, "--ready-file", ready],
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
        raise BenchError("delay proxy did not start (log: %s)"
                         % os.path.join(self.workdir, "proxy.log"))

    def stop(self):
        stop_process(self._proxy, "delay proxy")
        stop_process(self._moto, "moto")
        self._proxy = self._moto = None

    def reset_moto(self):
        if http_answers(self.moto_port, "/moto-api/reset", "POST") != 200:
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
    wall: float   # seconds
    user: float   # seconds
    sys: float    # seconds
    maxrss: int   # KiB

    @property
    def cpu(self):
        return self.user + self.sys


def measure(argv, env, cwd, outdir, tag):
    """Run argv once; return (Sample, exit status, stdout bytes, stderr bytes)."""
    out_path = os.path.join(outdir, tag + ".out")
    err_path = os.path.join(outdir, tag + ".err")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                env=env, cwd=cwd)
        killer = threading.Timer(RUN_TIMEOUT, lambda: _kill_quietly(proc.pid))
        killer.start()
        try:
            _, status, ru = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        t1 = time.perf_counter()
    proc.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait again
    with open(out_path, "rb") as f:
        stdout = f.read()
    with open(err_path, "rb") as f:
        stderr = f.read()
    return Sample(t1 - t0, ru.ru_utime, ru.ru_stime, ru.ru_maxrss), proc.returncode, stdout, stderr


def _kill_quietly(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def run_once(bench, side, argv, ctx, env, check):
    sample, rc, out, err = measure(argv, env.vars, env.workdir, env.workdir, bench.name + "." + side)
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


def run_benchmark(bench, env, runs, warmups):
    env.reset_moto()
    ctx = bench.setup(env)
    try:
        awsx_argv = bench.awsx_cmd(ctx)
        peer_argv = bench.peer_cmd(ctx)
        results = {"awsx": [], "peer": []}
        total = warmups + runs
        for i in range(total):
            a = run_once(bench, "awsx", awsx_argv, ctx, env, bench.awsx_check)
            p = run_once(bench, "peer", peer_argv, ctx, env, bench.peer_check)
            if i >= warmups:
                results["awsx"].append(a)
                results["peer"].append(p)
            label = "warm-up" if i < warmups else "run"
            print("  %-7s %2d/%d  awsx %7.1f ms  %s %7.1f ms"
                  % (label, i + 1 if i < warmups else i + 1 - warmups,
                     warmups if i < warmups else runs,
                     a.wall * 1e3, bench.peer_name, p.wall * 1e3), flush=True)
    finally:
        bench.teardown(ctx)
    return {"bench": bench, "awsx_argv": awsx_argv, "peer_argv": peer_argv,
            "awsx": summarize(results["awsx"]), "peer": summarize(results["peer"]),
            "runs": runs, "warmups": warmups}


def summarize(samples):
    def stats(values):
        return {"median": statistics.median(values), "min": min(values), "max": max(values)}
    return {
        "wall": stats([s.wall for s in samples]),
        "cpu": stats([s.cpu for s in samples]),
        "user": stats([s.user for s in samples]),
        "sys": stats([s.sys for s in samples]),
        "rss": stats([s.maxrss / 1024.0 for s in samples]),  # MiB
    }


# ---------------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------------

def ratio_text(peer, awsx, more="faster", less="slower"):
    if awsx <= 0:
        return "n/a (awsx measured 0)"
    r = peer / awsx
    if r >= 1:
        return "awsx is %.1fx %s" % (r, more)
    return "awsx is %.1fx %s" % (1 / r, less)


def ms(x):
    return "%.1f ms" % (x * 1e3) if x < 10 else "%.2f s" % x


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
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = "%.1f GiB RAM" % (kb / 1048576.0)
    except (OSError, ValueError, IndexError):
        pass
    distro = ""
    try:
        with open("/etc/os-release") as f:
            m = re.search(r'^PRETTY_NAME="?([^"\n]*)', f.read(), re.M)
            distro = m.group(1) if m else ""
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "kernel": platform.release(),
            "mem": mem, "distro": distro}


def tool_version(argv, env):
    try:
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           env=env, timeout=60)
        return r.stdout.decode(errors="replace").strip().splitlines()[0]
    except (OSError, subprocess.TimeoutExpired, IndexError):
        return "unknown"


def display_cmd(argv, env, awsx):
    """argv as a shell command, with the per-run endpoint shown as $ENDPOINT."""
    words = []
    for w in argv:
        if w == env.endpoint:
            words.append("$ENDPOINT")
        elif w == awsx:
            rel = os.path.relpath(awsx, REPO)
            words.append(rel if not rel.startswith("..") else shlex.quote(awsx))
        else:
            words.append(shlex.quote(w))
    return " ".join(words)


def reproduce_cmd(args):
    cmd = ["python3", "bench/run.py", "--runs", str(args.runs)]
    if args.warmups != 2:
        cmd += ["--warmups", str(args.warmups)]
    if args.only:
        cmd += ["--only", args.only]
    if args.latency_ms:
        cmd += ["--latency-ms", str(args.latency_ms)]
    if args.awsx:
        rel = os.path.relpath(os.path.abspath(args.awsx), REPO)
        cmd += ["--awsx", rel if not rel.startswith("..") else os.path.abspath(args.awsx)]
    return shlex.join(cmd)


def write_report(path, results, env, args, info, versions, build_note):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    route = ("straight to moto (no added latency)" if not args.latency_ms else
             "through tests/support/fault_proxy.py adding %d ms to every request"
             % args.latency_ms)
    L = []
    L.append("# awsx performance")
    L.append("")
    L.append("<!-- Generated by bench/run.py; do not edit by hand: rerun it. -->")
    L.append("")
    L.append("Measured numbers from `bench/run.py`, which runs awsx and a peer tool on the same "
             "work, alternately (awsx, peer, awsx, peer, ...), against a local moto server it "
             "starts itself, and writes this file. Benchmarks are not tests: nothing asserts a "
             "time; this page records what was measured, on this machine, on this date.")
    L.append("")
    L.append("Reproduce (from the repository root; needs `/usr/bin/aws` from Debian's `awscli` "
             "package and moto in `python3`):")
    L.append("")
    L.append("```sh")
    L.append(reproduce_cmd(args))
    L.append("```")
    L.append("")
    L.append("Run `python3 bench/run.py --help` for the options and see `bench/README.md`.")
    L.append("")
    L.append("## Setup")
    L.append("")
    L.append("- Date: %s" % now)
    L.append("- Machine: nproc %s, CPU %s, %s, %s, kernel %s"
             % (info["nproc"], info["cpu"], info["mem"], info["distro"], info["kernel"]))
    L.append("- awsx: `%s` (%s)" % (versions["awsx"], build_note))
    L.append("- Peer: `%s` (`/usr/bin/aws`)" % versions["aws"])
    L.append("- Endpoint: moto %s server on 127.0.0.1, %s; both tools get it with "
             "`--endpoint-url` (shown as `$ENDPOINT`: the port changes per run)"
             % (versions["moto"], route))
    L.append("- Credentials from environment variables only: fixed test keys, `AWS_REGION=us-east-1`, "
             "`AWS_EC2_METADATA_DISABLED=true`, an empty temporary `HOME`, `AWS_CONFIG_FILE` and "
             "`AWS_SHARED_CREDENTIALS_FILE` pointing to files that do not exist, `AWS_PAGER=\"\"`, "
             "`PATH=/usr/local/bin:/usr/bin:/bin`")
    L.append("- Per benchmark: fresh moto state, %d warm-up rounds (not recorded), then %d recorded "
             "rounds; every run must exit 0 and print the expected answer"
             % (args.warmups, args.runs))
    L.append("")
    L.append("How it is measured: wall time is `time.perf_counter()` around spawning the command "
             "and waiting for it (so it includes process start-up and, for the peer, the Python "
             "interpreter's start-up and imports). CPU time (user + sys) and peak resident memory "
             "(max RSS) come from `os.wait4()` on that one child process. Each figure is the "
             "median of the recorded runs, with the range (min-max) beside it. Ratios are "
             "peer / awsx of the medians.")
    L.append("")
    L.append("moto is slow (about 12 ms per request) and runs on the same two cores, so where "
             "the endpoint dominates the wall time, the client's own CPU time and peak memory are "
             "the figures awsx controls; the wall time is what a user waits here, not on AWS.")
    L.append("")

    L.append("## Summary")
    L.append("")
    L.append("| Benchmark | Peer | Wall time | CPU time (user+sys) | Peak memory (RSS) |")
    L.append("|---|---|---|---|---|")
    for r in results:
        a, p = r["awsx"], r["peer"]
        L.append("| %s | %s | %s | %s | %s |" % (
            r["bench"].name, r["bench"].peer_name,
            ratio_text(p["wall"]["median"], a["wall"]["median"]),
            ratio_text(p["cpu"]["median"], a["cpu"]["median"], "less", "more"),
            ratio_text(p["rss"]["median"], a["rss"]["median"], "smaller", "larger")))
    L.append("")

    for r in results:
        b, a, p = r["bench"], r["awsx"], r["peer"]
        L.append("## %s" % b.name)
        L.append("")
        L.append(b.description)
        L.append("")
        L.append("```sh")
        L.append("# awsx")
        L.append(display_cmd(r["awsx_argv"], env, env.awsx))
        L.append("# %s" % b.peer_name)
        L.append(display_cmd(r["peer_argv"], env, env.awsx))
        L.append("```")
        L.append("")
        L.append("Medians of %d runs (range min-max):" % r["runs"])
        L.append("")
        L.append("| | awsx | %s | Ratio (peer / awsx) |" % b.peer_name)
        L.append("|---|---|---|---|")

        def row(label, key, fmt, more, less):
            L.append("| %s | %s (%s-%s) | %s (%s-%s) | %.1f: %s |" % (
                label,
                fmt(a[key]["median"]), fmt(a[key]["min"]), fmt(a[key]["max"]),
                fmt(p[key]["median"]), fmt(p[key]["min"]), fmt(p[key]["max"]),
                p[key]["median"] / a[key]["median"] if a[key]["median"] else float("nan"),
                ratio_text(p[key]["median"], a[key]["median"], more, less)))

        def mib(x):
            return "%.1f MiB" % x

        row("Wall time", "wall", ms, "faster", "slower")
        row("CPU time (user+sys)", "cpu", ms, "less", "more")
        row("  of which user", "user", ms, "less", "more")
        row("  of which sys", "sys", ms, "less", "more")
        row("Peak memory (max RSS)", "rss", mib, "smaller", "larger")
        L.append("")
        if b.notes:
            L.append(b.notes)
            L.append("")

    text = "\n".join(L).rstrip() + "\n"
    tmp = path + ".tmp"
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def print_summary(results):
    hdr = "%-10s %-6s %-11s %12s %12s %10s" % ("benchmark", "tool", "", "wall", "cpu", "max rss")
    print()
    print(hdr)
    print("-" * len(hdr))
    for r in results:
        for side, label in (("awsx", "awsx"), ("peer", r["bench"].peer_name)):
            s = r[side]
            print("%-10s %-18s %12s %12s %8.1f MiB" % (
                r["bench"].name, label, ms(s["wall"]["median"]), ms(s["cpu"]["median"]),
                s["rss"]["median"]))
        a, p = r["awsx"], r["peer"]
        print("%-10s %-18s %12s %12s %10s" % (
            "", "peer/awsx",
            "%.1fx" % (p["wall"]["median"] / a["wall"]["median"]),
            "%.1fx" % (p["cpu"]["median"] / a["cpu"]["median"]) if a["cpu"]["median"] else "n/a",
            "%.1fx" % (p["rss"]["median"] / a["rss"]["median"])))
    print("(medians; peer/awsx > 1 means awsx is faster / uses less)")


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


def find_awsx(path):
    """Return (absolute path, build note).  Builds build/awsx (Release) when needed."""
    if path:
        awsx = os.path.abspath(path)
        if not os.access(awsx, os.X_OK):
            raise BenchError("--awsx %s is not an executable file" % path)
    else:
        build = os.path.join(REPO, "build")
        awsx = os.path.join(build, "awsx")
        if not os.access(awsx, os.X_OK):
            print("building awsx (Release) in %s ..." % build, flush=True)
            for cmd in (["cmake", "-S", ".", "-B", "build", "-DCMAKE_BUILD_TYPE=Release"],
                        ["cmake", "--build", "build", "-j2", "--target", "awsx"]):
                if subprocess.run(cmd, cwd=REPO).returncode != 0:
                    raise BenchError("build failed: %s" % shlex.join(cmd))
    with open(awsx, "rb") as f:
        image = f.read()
    if b"__asan_init" in image or b"__ubsan_handle" in image:
        raise BenchError("%s is a sanitizer build; benchmark a plain build "
                         "(cmake -S . -B build -DCMAKE_BUILD_TYPE=Release) or pass --awsx" % awsx)
    cache = cmake_cache(os.path.dirname(awsx))
    btype = cache.get("CMAKE_BUILD_TYPE") or "unknown"
    note = "CMake build type %s" % btype if cache else "build type unknown"
    if btype not in ("Release", "RelWithDebInfo", "unknown"):
        print("warning: %s is a %s build; numbers will not be representative" % (awsx, btype),
              file=sys.stderr)
    return awsx, note


# ---------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Benchmark awsx against peer tools and write docs/PERFORMANCE.md.",
        epilog="Benchmarks: " + ", ".join(b.name for b in REGISTRY))
    ap.add_argument("--awsx", help="awsx binary (default: build/awsx, built as Release if missing)")
    ap.add_argument("--runs", type=int, default=15, help="recorded runs per tool (default 15)")
    ap.add_argument("--warmups", type=int, default=2, help="unrecorded warm-up runs per tool "
                    "(default 2)")
    ap.add_argument("--only", help="comma-separated benchmark names (default: all)")
    ap.add_argument("--latency-ms", type=int, default=0, help="add N ms to every request with "
                    "the fault proxy (default 0: straight to moto)")
    ap.add_argument("--output", default=DEFAULT_OUTPUT, help="report file (default "
                    "docs/PERFORMANCE.md); it is regenerated from this run's benchmarks only")
    ap.add_argument("--no-write", action="store_true", help="print the summary, write no file")
    ap.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = ap.parse_args(argv)

    if args.list:
        for b in REGISTRY:
            print("%-10s vs %-12s %s" % (b.name, b.peer_name, b.description))
        return 0
    if args.runs < 1 or args.warmups < 0 or args.latency_ms < 0:
        ap.error("--runs must be >= 1, --warmups and --latency-ms >= 0")

    selected = REGISTRY
    if args.only:
        names = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in names if n not in {b.name for b in REGISTRY}]
        if unknown:
            ap.error("unknown benchmark(s): %s (have: %s)"
                     % (", ".join(unknown), ", ".join(b.name for b in REGISTRY)))
        selected = [b for b in REGISTRY if b.name in names]

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
        awsx, build_note = find_awsx(args.awsx)
        env = Env(awsx, workdir, args.latency_ms)
        print("starting moto ...", flush=True)
        env.start()
        print("endpoint %s%s" % (env.endpoint, " (moto at %s, +%d ms per request)"
                                 % (env.moto_url, args.latency_ms) if args.latency_ms else ""))
        versions = {
            "awsx": tool_version([awsx, "--version"], env.vars),
            "aws": tool_version([AWS_CLI, "--version"], env.vars),
            "moto": tool_version([sys.executable, "-c", "import moto; print(moto.__version__)"],
                                 None),
        }
        results = []
        for b in selected:
            print("benchmark %s: awsx vs %s" % (b.name, b.peer_name), flush=True)
            results.append(run_benchmark(b, env, args.runs, args.warmups))
        print_summary(results)
        if not args.no_write:
            write_report(args.output, results, env, args, machine_info(), versions, build_note)
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
