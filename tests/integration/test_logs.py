# SPDX-License-Identifier: Apache-2.0
"""awsx logs against the local endpoint (moto behind the verifying proxy).

Each test signs with a key of its own, so the FilterLogEvents calls it counts in the
proxy's shared request log are its own, and uses log groups named after its process.
Tails run as child processes whose output is read from a file; every wait is bounded
in time."""

import json
import os
import pathlib
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
import harness  # noqa: E402
import logstest  # noqa: E402

KEY = "AKIALOGS%012d" % (os.getpid() % 10**12)
PID = os.getpid()


def environment(tmp):
    env = harness.home(tmp)
    env.update(AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=harness.TEST_SECRET)
    return env


def now_ms():
    return logstest.now_ms()


def group_name(tag):
    return "/awsx-test/%d/%s" % (PID, tag)


def put(group, events, stream="s1"):
    """events: [(timestamp ms, message)]; creates the group and stream when needed."""
    logstest.put_events(group, stream, events)


def logs_run(env, *args, expect=0, timeout=60):
    r = harness.run_awsx(["logs"] + list(args), env, timeout=timeout)
    assert r.returncode == expect, "exit %d (want %d)\n%s\n%s" % (
        r.returncode, expect, r.stdout, r.stderr)
    return r


class Tail:
    """`awsx logs --tail ...` in the background, its stdout in a file."""

    def __init__(self, tmp, env, *args):
        self.out = pathlib.Path(tmp) / ("tail-%d.out" % id(self))
        self.err = pathlib.Path(tmp) / ("tail-%d.err" % id(self))
        self.f_out = open(self.out, "wb")
        self.f_err = open(self.err, "wb")
        self.proc = subprocess.Popen([harness.awsx_bin(), "logs", "--tail"] + list(args),
                                     env=env, stdout=self.f_out, stderr=self.f_err)

    def text(self):
        return self.out.read_text(errors="replace")

    def lines(self):
        return [line for line in self.text().split("\n") if line]

    def wait_for(self, pred, timeout=30, what="output"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if pred(self.text()):
                return
            if self.proc.poll() is not None:
                raise AssertionError("tail exited %s early\n%s\n%s" % (
                    self.proc.returncode, self.text(), self.err.read_text(errors="replace")))
            time.sleep(0.1)
        raise AssertionError("no %s after %s s\n--- stdout\n%s\n--- stderr\n%s" % (
            what, timeout, self.text(), self.err.read_text(errors="replace")))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(2)  # SIGINT, as Ctrl-C
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.f_out.close()
        self.f_err.close()
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def messages(text):
    """The message column of text lines (after time, label and mark)."""
    out = []
    for line in text.split("\n"):
        if line and line[0].isdigit():
            out.append(line)
    return out


def count(text, needle):
    return sum(1 for line in text.split("\n") if line.endswith(needle))


# ---- reading a range ----

def test_merged_in_time_order_and_labelled(tmp):
    env = environment(tmp)
    t0 = now_ms() - 60000
    a, b, c = group_name("order-a"), group_name("order-b"), group_name("order-c")
    put(a, [(t0 + i * 30, "msg-a-%02d" % i) for i in range(10)])
    put(b, [(t0 + i * 30 + 10, "msg-b-%02d" % i) for i in range(10)])
    put(c, [(t0 + i * 30 + 20, "msg-c-%02d" % i) for i in range(10)])
    r = logs_run(env, "--cw-log-group", a, "--cw-log-group", b, "--cw-log-group", c,
                 "--start-time", "5m", "--utc")
    lines = messages(r.stdout)
    assert len(lines) == 30, r.stdout
    want = []
    for i in range(10):
        want += [(a, "msg-a-%02d" % i), (b, "msg-b-%02d" % i), (c, "msg-c-%02d" % i)]
    for line, (g, m) in zip(lines, want):
        assert line.endswith(m), (line, m)
        assert (" %s " % g) in line, (line, g)   # labelled with its group
    # --utc times: 2026-12-07T10:00:00.123Z
    assert lines[0][10] == "T" and lines[0][23] == "Z", lines[0]


def test_json_output(tmp):
    env = environment(tmp)
    g = group_name("json")
    t0 = now_ms() - 30000
    put(g, [(t0, 'plain "quoted" line\n'), (t0 + 1, '{"level": "INFO", "n": 1}'),
            (t0 + 2, "tab\tand\x1bescape")])
    r = logs_run(env, "--cw-log-group", g, "--start-time", "2m", "--output", "json")
    docs = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(docs) == 3, r.stdout
    for d in docs:
        assert set(d) == {"timestamp", "ingestionTime", "logGroup", "logStream", "resource",
                          "eventId", "message"}, d
        assert d["logGroup"] == g and d["logStream"] == "s1" and d["resource"] == g
    assert docs[0]["message"] == 'plain "quoted" line\n'
    assert docs[2]["message"] == "tab\tand\x1bescape"
    assert [d["timestamp"] for d in docs] == [t0, t0 + 1, t0 + 2]


def test_text_marks_json_and_escapes(tmp):
    env = environment(tmp)
    g = group_name("marks")
    t0 = now_ms() - 30000
    put(g, [(t0, "START RequestId: 1 Version: $LATEST\n"),
            (t0 + 1, '{\n  "level": "ERROR",\n  "msg": "boom"\n}\n'),
            (t0 + 2, "2026-12-07T10:00:00Z\treq\tINFO\t{\"a\": [1, 2]}\n"),
            (t0 + 3, "END RequestId: 1\n"),
            (t0 + 4, "REPORT RequestId: 1\tDuration: 1.00 ms\n"),
            (t0 + 5, "evil \x1b[31mred\x1b[0m")])
    r = logs_run(env, "--cw-log-group", g, "--start-time", "2m")
    lines = messages(r.stdout)
    assert len(lines) == 6, r.stdout
    marks = [line[24 + len(g) + 1] for line in lines]
    assert marks == [">", "!", " ", "<", "=", " "], (marks, r.stdout)
    assert lines[1].endswith('{"level":"ERROR","msg":"boom"}'), lines[1]
    assert lines[2].endswith('INFO\t{"a":[1,2]}'), lines[2]
    assert "\x1b" not in r.stdout and "\\x1b[31mred" in lines[5], lines[5]


def test_filter_pattern(tmp):
    env = environment(tmp)
    g = group_name("filter")
    t0 = now_ms() - 30000
    put(g, [(t0 + i, ("ERROR thing %d" if i % 3 == 0 else "fine %d") % i) for i in range(12)])
    r = logs_run(env, "--cw-log-group", g, "--start-time", "2m", "--filter", "ERROR")
    lines = messages(r.stdout)
    assert len(lines) == 4 and all("ERROR thing" in x for x in lines), r.stdout


def test_start_and_end_time(tmp):
    env = environment(tmp)
    g = group_name("range")
    base = now_ms() - 3600 * 1000
    put(g, [(base + i * 60000, "minute-%02d" % i) for i in range(30)])
    start, end = base + 10 * 60000, base + 14 * 60000
    r = logs_run(env, "--cw-log-group", g, "--start-time", str(start), "--end-time", str(end))
    got = [x.split()[-1] for x in messages(r.stdout)]
    assert got == ["minute-%02d" % i for i in range(10, 15)], r.stdout
    r = logs_run(env, "--cw-log-group", g, "--start-time", "2h", "--end-time", "50min ago")
    got = [x.split()[-1] for x in messages(r.stdout)]
    assert "minute-00" in got and "minute-29" not in got, r.stdout


def test_usage_errors(tmp):
    env = environment(tmp)
    r = logs_run(env, expect=2)
    assert "--stack-name" in r.stderr and "--cw-log-group" in r.stderr
    r = logs_run(env, "--cw-log-group", "g", "--start-time", "yesterday-ish", expect=2)
    assert "--start-time" in r.stderr and "yesterday-ish" in r.stderr, r.stderr
    r = logs_run(env, "--cw-log-group", "g", "--tail", "--end-time", "1m", expect=2)
    assert "--end-time" in r.stderr
    r = logs_run(env, "--cw-log-group", "g", "--request-rate", "0", expect=2)
    assert "--request-rate" in r.stderr
    r = logs_run(env, "--stack-name", "no-such-stack-%d" % PID, expect=5)
    assert "does not exist" in r.stderr, r.stderr
    assert len(r.stderr.strip().split("\n")) == 1, r.stderr


def test_missing_group_in_a_range_is_noted(tmp):
    env = environment(tmp)
    g = group_name("present")
    put(g, [(now_ms() - 1000, "here")])
    r = logs_run(env, "--cw-log-group", g, "--cw-log-group", group_name("absent"))
    assert messages(r.stdout)[0].endswith("here"), r.stdout
    assert "absent' does not exist" in r.stderr, r.stderr


def test_closed_pipe_ends_quietly(tmp):
    env = environment(tmp)
    g = group_name("pipe")
    put(g, [(now_ms() - 20000 + i, "line %d" % i) for i in range(3000)])
    p = subprocess.Popen("'%s' logs --cw-log-group '%s' --start-time 1m | head -n 2"
                         % (harness.awsx_bin(), g), shell=True, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         executable="/bin/bash")
    out, err = p.communicate(timeout=60)
    assert len(out.decode().splitlines()) == 2, out
    assert err.decode() == "", err


# ---- tailing ----

def test_tail_late_event_printed_once(tmp):
    env = environment(tmp)
    g = group_name("late")
    put(g, [(now_ms(), "first")])
    with Tail(tmp, env, "--cw-log-group", g, "--start-time", "1m") as t:
        t.wait_for(lambda s: "first" in s, what="the first event")
        put(g, [(now_ms(), "second")])
        t.wait_for(lambda s: "second" in s, what="the second event")
        # CloudWatch ingests an event late: its timestamp is 10 s behind the tail
        put(g, [(now_ms() - 10000, "late by ten seconds")])
        t.wait_for(lambda s: "late by ten seconds" in s, what="the late event")
        put(g, [(now_ms(), "marker")])
        t.wait_for(lambda s: "marker" in s, what="the marker")
        time.sleep(2)  # several more polls re-read the late window
        text = t.text()
    for m in ("first", "second", "late by ten seconds", "marker"):
        assert count(text, m) == 1, (m, text)


def test_tail_1000_events_in_bursts_no_loss_no_duplicate(tmp):
    env = environment(tmp)
    groups = [group_name("burst-%d" % i) for i in range(3)]
    for g in groups:
        put(g, [(now_ms(), "start " + g)])
    args = []
    for g in groups:
        args += ["--cw-log-group", g]
    want = []
    with Tail(tmp, env, *args, "--start-time", "1m", "--output", "json") as t:
        t.wait_for(lambda s: s.count("start /awsx") == 3, what="the start events")
        n = 0
        for burst in range(10):
            for gi, g in enumerate(groups):
                evs = []
                for k in range(34 if gi < 2 else 32):
                    msg = "burst %d group %d event %d" % (burst, gi, k)
                    # some a little in the past, as late arrivals are
                    evs.append((now_ms() - (k % 7) * 700, msg))
                    want.append(msg)
                    n += 1
                put(g, evs)
            time.sleep(0.3)
        assert n == 1000
        t.wait_for(lambda s: sum(1 for line in s.splitlines() if '"burst ' in line) >= 1000,
                   timeout=60, what="1000 events")
        time.sleep(2)
        docs = [json.loads(line) for line in t.lines()]
    got = [d["message"] for d in docs if d["message"].startswith("burst ")]
    assert len(got) == 1000 and sorted(got) == sorted(want), (len(got), len(set(got)))
    ids = [(d["logGroup"], d["eventId"]) for d in docs]
    assert len(ids) == len(set(ids))


def test_tail_group_created_later(tmp):
    env = environment(tmp)
    g = group_name("later")
    other = group_name("later-other")
    put(other, [(now_ms(), "other")])
    with Tail(tmp, env, "--cw-log-group", other, "--cw-log-group", g) as t:
        t.wait_for(lambda s: "other" in s)
        time.sleep(1)
        put(g, [(now_ms(), "born late")])
        t.wait_for(lambda s: "born late" in s, timeout=30, what="the new group's event")
        err = t.err.read_text(errors="replace")
    assert "does not exist yet" in err, err
    assert count(t.text(), "born late") == 1


def test_tail_ctrl_c_exits_130(tmp):
    env = environment(tmp)
    g = group_name("ctrlc")
    put(g, [(now_ms(), "x")])
    t = Tail(tmp, env, "--cw-log-group", g)
    t.wait_for(lambda s: "x" in s)
    assert t.stop() == 130


def rate_windows(entries, window=1.0):
    """The most requests in any window of `window` seconds (proxy receipt times)."""
    from datetime import datetime
    ts = sorted(datetime.strptime(e["time"], "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
                for e in entries)
    best = 0
    j = 0
    for i in range(len(ts)):
        while ts[i] - ts[j] >= window:
            j += 1
        best = max(best, i - j + 1)
    return best, ts


def test_tail_request_rate_stays_within_budget(tmp):
    env = environment(tmp)
    groups = [group_name("budget-%d" % i) for i in range(6)]
    args = []
    for g in groups:
        put(g, [(now_ms(), "hello " + g)])
        args += ["--cw-log-group", g]
    mark = harness.log_mark()
    with Tail(tmp, env, *args, "--request-rate", "4") as t:
        t.wait_for(lambda s: s.count("hello") == 6)
        for i in range(8):
            put(groups[i % 6], [(now_ms(), "tick %d" % i)])
            time.sleep(0.5)
        t.wait_for(lambda s: "tick 7" in s)
    calls = harness.requests_since(mark, access_key=KEY, operation="FilterLogEvents")
    best, ts = rate_windows(calls)
    assert best <= 4, ("more than 4 calls in one second", best)
    span = ts[-1] - ts[0]
    assert len(calls) >= 2.5 * span, ("the budget was not used", len(calls), span)
    text = t.text()
    for i in range(8):
        assert count(text, "tick %d" % i) == 1, text


def test_tail_survives_20s_of_throttling(tmp):
    env = environment(tmp)
    g = group_name("throttle")
    put(g, [(now_ms(), "before")])
    with harness.FaultProxy(harness.env()["endpoint_url"]) as fp:
        env["AWS_ENDPOINT_URL"] = fp.url
        with Tail(tmp, env, "--cw-log-group", g, "--start-time", "1m") as t:
            t.wait_for(lambda s: "before" in s)
            fp.set_schedule([], default={"throttle": "json"})
            throttled_from = fp.count
            t_end = time.monotonic() + 20
            i = 0
            while time.monotonic() < t_end:
                put(g, [(now_ms(), "during %d" % i)])
                i += 1
                time.sleep(1)
            throttled = fp.count - throttled_from
            fp.set_schedule([], default={})  # pass-through again
            mark = harness.log_mark()
            t.wait_for(lambda s: "during %d" % (i - 1) in s, timeout=40, what="the backlog")
            put(g, [(now_ms(), "after")])
            t.wait_for(lambda s: "after" in s, timeout=30)
            time.sleep(6)
            err = t.err.read_text(errors="replace")
            text = t.text()
        calls = harness.requests_since(mark, access_key=KEY, operation="FilterLogEvents")
    for k in range(i):
        assert count(text, "during %d" % k) == 1, (k, text)
    assert count(text, "after") == 1
    assert "throttled" in err, err
    # 20 s of throttling cost few calls: the rate came down instead of hammering
    assert throttled <= 30, throttled
    # and went back up: in the last seconds the group is polled about twice a second
    best, ts = rate_windows(calls, window=2.0)
    assert best >= 3, ("the request rate did not recover", best, len(calls))


# ---- a stack's groups ----

APP = {
    "src/app.py": "def handler(event, context):\n    return {'statusCode': 200}\n",
    "child/src/app.py": "def handler(event, context):\n    return 1\n",
    "child/template.yaml": """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  ChildFunction:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: src/, Handler: app.handler, Runtime: python3.12}
""",
    "template.yaml": """AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  AccessLogs:
    Type: AWS::Logs::LogGroup
    Properties: {LogGroupName: !Sub "/awsx-test/${AWS::StackName}/access"}
  HttpAccessLogs:
    Type: AWS::Logs::LogGroup
    Properties: {LogGroupName: !Sub "/awsx-test/${AWS::StackName}/http-access"}
  MachineLogs:
    Type: AWS::Logs::LogGroup
    Properties: {LogGroupName: !Sub "/awsx-test/${AWS::StackName}/machine"}
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Events:
        Hello:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: /hello, Method: get}
  CustomLogFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      LoggingConfig:
        LogGroup: !Sub "/awsx-test/${AWS::StackName}/custom"
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      MethodSettings:
        - {ResourcePath: "/*", HttpMethod: "*", LoggingLevel: INFO}
      AccessLogSetting:
        DestinationArn: !GetAtt AccessLogs.Arn
        Format: '$context.requestId'
  HttpApi:
    Type: AWS::Serverless::HttpApi
    Properties:
      AccessLogSettings:
        DestinationArn: !GetAtt HttpAccessLogs.Arn
        Format: '$context.requestId'
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        StartAt: Done
        States: {Done: {Type: Pass, End: true}}
      Logging:
        Level: ALL
        Destinations:
          - CloudWatchLogsLogGroup: {LogGroupArn: !GetAtt MachineLogs.Arn}
      Policies: []
  Child:
    Type: AWS::Serverless::Application
    Properties: {Location: child/template.yaml}
""",
}


def deploy_app(tmp, stack):
    d = pathlib.Path(tmp) / "app"
    for name, text in APP.items():
        p = d / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    ids = harness.deploy_sam_stack(stack, str(d))
    cfn = logstest.client("cloudformation")
    child = {r["LogicalResourceId"]: r["PhysicalResourceId"]
             for r in cfn.list_stack_resources(StackName=ids["Child"])["StackResourceSummaries"]}
    return ids, child


def test_stack_groups_labelled_rest_stage_not_prod(tmp):
    env = environment(tmp)
    stack = "logs-stack-%d" % PID
    ids, child = deploy_app(tmp, stack)
    t0 = now_ms() - 20000
    where = {
        "HelloFunction": "/aws/lambda/%s" % ids["HelloFunction"],
        "CustomLogFunction": "/awsx-test/%s/custom" % stack,       # LoggingConfig.LogGroup
        "Api": "API-Gateway-Execution-Logs_%s/dev" % ids["Api"],    # the only stage: dev
        "Api access": "/awsx-test/%s/access" % stack,
        "HttpApi": "/awsx-test/%s/http-access" % stack,
        "Machine": "/awsx-test/%s/machine" % stack,
        "Child/ChildFunction": "/aws/lambda/%s" % child["ChildFunction"],
    }
    for i, (label, group) in enumerate(sorted(where.items())):
        put(group, [(t0 + i, "from %s" % label)])
    r = logs_run(env, "--stack-name", stack, "--output", "json", "--debug")
    docs = [json.loads(line) for line in r.stdout.splitlines()]
    got = {d["message"]: (d["resource"], d["logGroup"]) for d in docs}
    assert len(docs) == len(where), r.stdout
    for label, group in where.items():
        assert got["from %s" % label] == (label.split()[0], group), (label, got)
    assert "Prod" not in r.stderr, r.stderr
    # --name narrows to a resource, or all of a nested stack
    r = logs_run(env, "--stack-name", stack, "--name", "Child", "--output", "json")
    assert [json.loads(x)["resource"] for x in r.stdout.splitlines()] == ["Child/ChildFunction"]
    r = logs_run(env, "--stack-name", stack, "--name", "Api", "--name", "Machine",
                 "--output", "json")
    assert sorted(json.loads(x)["resource"] for x in r.stdout.splitlines()) == \
        ["Api", "Api", "Machine"], r.stdout
    r = logs_run(env, "--stack-name", stack, "--name", "Nope", expect=2)
    assert "no resource 'Nope'" in r.stderr and "HelloFunction" in r.stderr, r.stderr
    # a resource that writes no logs of its own is no --name either
    r = logs_run(env, "--stack-name", stack, "--name", "AccessLogs", expect=2)
    assert "no resource 'AccessLogs'" in r.stderr, r.stderr
    # execution logs only for a stage that writes them: the SAM "Stage" stage does not
    r = logs_run(env, "--stack-name", stack, "--name", "Api", "--debug")
    found = [x for x in r.stderr.splitlines() if x.startswith("awsx: logs: Api -> ")]
    assert sorted(x.split(" -> ")[1] for x in found) == sorted(
        [where["Api"], where["Api access"]]), found


# ---- traces ----

TRACE_REGION = "ap-southeast-2"   # X-Ray's store is per region: this test's own


def test_trace_printed_once_per_revision(tmp):
    env = environment(tmp)
    env["AWS_REGION"] = TRACE_REGION
    g = group_name("traces")
    logstest.put_events(g, "s1", [(now_ms(), "log line")], region=TRACE_REGION)
    with Tail(tmp, env, "--cw-log-group", g, "--include-traces", "--start-time", "1m",
              "--output", "json") as t:
        t.wait_for(lambda s: "log line" in s)
        t0 = time.time() - 1
        tid = logstest.make_trace_id()
        # in progress: not printed yet
        root = logstest.segment(tid, "api", t0, None, method="GET", url="https://x/dev/hi")
        logstest.put_trace(tid, root, region=TRACE_REGION)
        time.sleep(5)
        assert tid not in t.text(), t.text()
        done = logstest.segment(tid, "api", t0, t0 + 0.2, status=200, method="GET",
                                url="https://x/dev/hi")
        done["id"] = root["id"]
        logstest.put_trace(tid, done, region=TRACE_REGION)
        head = '{"trace":{"id":"%s"' % tid
        t.wait_for(lambda s: s.count(head) >= 1, what="the trace")
        time.sleep(5)   # more polls: the same revision is not printed again
        assert t.text().count(head) == 1, t.text()
        # a new segment: the trace's revision grows, so it is printed again
        fn = logstest.segment(tid, "fn", t0 + 0.05, t0 + 0.15, parent_id=root["id"],
                              fault=True)
        logstest.put_trace(tid, fn, region=TRACE_REGION)
        t.wait_for(lambda s: s.count(head) >= 2, what="the trace's new revision")
        time.sleep(5)
        docs = [json.loads(x) for x in t.lines()]
    traces = [d["trace"] for d in docs if "trace" in d and d["trace"]["id"] == tid]
    assert len(traces) == 2, traces
    assert traces[1]["revision"] > traces[0]["revision"], traces
    assert traces[0]["httpStatus"] == 200 and len(traces[1]["segments"]) == 2, traces
    assert traces[1]["hasFault"] or any(s.get("fault") for s in traces[1]["segments"])


def test_traces_in_a_range_as_text(tmp):
    env = environment(tmp)
    env["AWS_REGION"] = "ap-northeast-3"
    g = group_name("trace-range")
    t0 = time.time() - 30
    logstest.put_events(g, "s1", [(int(t0 * 1000) - 1000, "before the trace"),
                                  (int(t0 * 1000) + 5000, "after the trace")],
                        region="ap-northeast-3")
    tid, docs = logstest.lambda_trace("my-fn", t0, 0.12)
    logstest.put_trace(tid, *docs, region="ap-northeast-3")
    r = logs_run(env, "--cw-log-group", g, "--include-traces", "--start-time", "2m")
    lines = r.stdout.splitlines()
    heads = [i for i, x in enumerate(lines) if "~ trace %s" % tid in x]
    assert len(heads) == 1, r.stdout
    before = [i for i, x in enumerate(lines) if x.endswith("before the trace")][0]
    after = [i for i, x in enumerate(lines) if x.endswith("after the trace")][0]
    assert before < heads[0] < after, r.stdout   # interleaved by time
    assert "my-fn" in r.stdout and " ms" in lines[heads[0] + 1], r.stdout


# ---- live tail (a loopback StartLiveTail endpoint: moto has none) ----

def filter_calls(mark):
    return harness.requests_since(mark, access_key=KEY, operation="FilterLogEvents")


def test_live_backfill_switch_and_reconnect_print_each_event_once(tmp):
    from livetail_server import LiveTailServer
    env = environment(tmp)
    g = group_name("live")
    put(g, [(now_ms() - 5000, "backfilled")])
    with LiveTailServer(harness.env()["endpoint_url"]) as lt:
        env["AWS_ENDPOINT_URL"] = lt.url
        with Tail(tmp, env, "--live", "--cw-log-group", g, "--start-time", "1m",
                  "--debug") as t:
            t.wait_for(lambda s: "backfilled" in s, what="the backfill")
            sess = lt.wait_sessions(1)
            assert sess[0].groups == [g], sess[0].request
            assert sess[0].identifiers[0].startswith("arn:aws:logs:us-east-1:"), sess[0].request
            # an event both paths see (the switch): printed once
            ts = now_ms()
            put(g, [(ts, "seen by both")])
            lt.push(g, [(ts, "seen by both", "s1")])
            t.wait_for(lambda s: "seen by both" in s)
            # after the settle time the session carries the group: polling stops
            time.sleep(7)
            mark = harness.log_mark()
            lt.push(g, [(now_ms(), "live only", "live-stream")])
            t.wait_for(lambda s: "live only" in s, what="the live event")
            time.sleep(2)
            assert filter_calls(mark) == [], "still polling while the session carries it"
            # AWS ends a session after three hours: polling covers the gap, a new session opens
            lt.end_sessions("SessionTimeoutException")
            put(g, [(now_ms(), "in the gap")])
            t.wait_for(lambda s: "in the gap" in s, what="the gap's event")
            deadline = time.monotonic() + 20
            while len(lt.sessions) < 2 and time.monotonic() < deadline:
                time.sleep(0.1)
            assert len(lt.sessions) >= 2, "no new session"
            lt.wait_sessions(1)
            time.sleep(1)
            ts = now_ms()
            lt.push(g, [(ts, "second session", "s1")])
            put(g, [(ts, "second session")])
            t.wait_for(lambda s: "second session" in s)
            time.sleep(3)
            text = t.text()
            err = t.err.read_text(errors="replace")
    for m in ("backfilled", "seen by both", "live only", "in the gap", "second session"):
        assert count(text, m) == 1, (m, text)
    assert "live tail session ended" not in err, err   # the 3-hour end is routine


def test_live_sessions_of_ten_groups_and_sampling_note(tmp):
    from livetail_server import LiveTailServer
    env = environment(tmp)
    groups = [group_name("live10-%02d" % i) for i in range(11)]
    args = []
    for g in groups:
        put(g, [(now_ms() - 1000, "hi " + g)])
        args += ["--cw-log-group", g]
    with LiveTailServer(harness.env()["endpoint_url"]) as lt:
        lt.sampled = True
        env["AWS_ENDPOINT_URL"] = lt.url
        with Tail(tmp, env, "--live", *args) as t:
            sessions = lt.wait_sessions(2)
            sizes = sorted(len(s.groups) for s in sessions)
            assert sizes == [1, 10], sizes
            assert sorted(sum((s.groups for s in sessions), [])) == sorted(groups)
            t.wait_for(lambda s: sum(1 for x in s.splitlines() if " hi /" in x) == 11)
            t.wait_for(lambda s: True)
            deadline = time.monotonic() + 10
            while "sampling" not in t.err.read_text(errors="replace") and time.monotonic() < deadline:
                time.sleep(0.1)
            err = t.err.read_text(errors="replace")
    assert "sampling" in err, err


def test_live_refused_session_falls_back_to_polling(tmp):
    from livetail_server import LiveTailServer
    env = environment(tmp)
    g = group_name("live-refused")
    put(g, [(now_ms() - 1000, "first")])
    with LiveTailServer(harness.env()["endpoint_url"]) as lt:
        lt.fail_next = [("LimitExceededException", "too many sessions")] * 2
        env["AWS_ENDPOINT_URL"] = lt.url
        with Tail(tmp, env, "--live", "--cw-log-group", g) as t:
            t.wait_for(lambda s: "first" in s)
            put(g, [(now_ms(), "polled meanwhile")])
            t.wait_for(lambda s: "polled meanwhile" in s)
            lt.wait_sessions(1, timeout=30)    # the third try gets one
            err = t.err.read_text(errors="replace")
    assert "LimitExceededException" in err, err


harness.main(globals())
