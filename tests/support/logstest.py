# SPDX-License-Identifier: Apache-2.0
"""Log events and X-Ray traces for the `awsx logs` tests, put with boto3 into the local
endpoint (harness.env()["endpoint_url"], through the verifying proxy; keys
harness.TEST_ACCESS_KEY / TEST_SECRET).

    import logstest
    logstest.put_events("/aws/lambda/fn", "2026/12/07/[$LATEST]abc",
                        [(logstest.now_ms() - 1000, "START RequestId: ..."),
                         (logstest.now_ms(), "hello")])

    tid = logstest.make_trace_id()
    t0 = time.time() - 2
    logstest.put_trace(tid,
        logstest.segment(tid, "my-api", t0, t0 + 0.25, method="GET",
                         url="https://x.execute-api.us-east-1.amazonaws.com/Prod/hi",
                         status=200, origin="AWS::ApiGateway::Stage",
                         subsegments=[logstest.subsegment("Lambda", t0 + 0.01, t0 + 0.2)]),
        logstest.segment(tid, "fn", t0 + 0.02, None))   # None: still in progress
    logstest.put_trace(*logstest.lambda_trace("fn", t0, 0.12, fault=True))

Events: put_events(group, stream, [(timestamp_ms, message)], create=True) sorts the
events (PutLogEvents wants them in time order), sends them in batches and raises
ValueError if CloudWatch Logs rejected any (more than 14 days old or 2 hours ahead).

Traces: make_trace_id(epoch) is "1-<8 hex digits of epoch seconds>-<24 random hex>"
(the form AWS and the SDKs use; the time in it is what GetTraceSummaries' default
TimeRangeType, TraceId, compares with the window); segment() builds a segment
document, subsegment() a subsegment to embed in one (end None: in progress);
put_trace(trace_id, *documents) sends them with PutTraceSegments and returns their
ids (ValueError if any came back unprocessed). Sending a document again with the
same id replaces it, as on AWS (the trace's Revision goes up).

trace_summaries(start, end, **kw) / batch_get_traces(ids) / filter_events(group, **kw)
read everything back, all pages.
"""

import json
import os
import secrets
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

REGION = "us-east-1"
# PutLogEvents: at most 10,000 events and 1 MB a call, within 24 hours.
MAX_EVENTS_PER_PUT = 10000
MAX_BYTES_PER_PUT = 1048576 - 65536
EVENT_OVERHEAD = 26
# PutTraceSegments: documents per call (AWS caps the request's size; 50 stays well
# inside it for test documents).
MAX_SEGMENTS_PER_PUT = 50

_clients = {}


def client(service, region=REGION, access_key=None):
    """A boto3 client of the local endpoint (cached per service, region and key)."""
    key = (service, region, access_key)
    if key not in _clients:
        import boto3
        from botocore.config import Config
        _clients[key] = boto3.session.Session().client(
            service, endpoint_url=harness.env()["endpoint_url"], region_name=region,
            aws_access_key_id=access_key or harness.TEST_ACCESS_KEY,
            aws_secret_access_key=harness.TEST_SECRET,
            config=Config(retries={"total_max_attempts": 3}, connect_timeout=5,
                          read_timeout=60))
    return _clients[key]


def now_ms():
    return int(time.time() * 1000)


# --------------------------------------------------------------------------------------
# CloudWatch Logs
# --------------------------------------------------------------------------------------

def ensure_group(group, region=REGION):
    logs = client("logs", region)
    try:
        logs.create_log_group(logGroupName=group)
    except logs.exceptions.ResourceAlreadyExistsException:
        pass


def ensure_stream(group, stream, region=REGION):
    logs = client("logs", region)
    try:
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
    except logs.exceptions.ResourceAlreadyExistsException:
        pass


def put_events(group, stream, events, create=True, region=REGION):
    """Put [(timestamp_ms, message)] into group/stream (created first when create, the
    group too); returns how many were put. ValueError if any were rejected."""
    logs = client("logs", region)
    if create:
        ensure_group(group, region)
        ensure_stream(group, stream, region)
    items = sorted(({"timestamp": int(ts), "message": str(msg)} for ts, msg in events),
                   key=lambda e: e["timestamp"])
    batch, size, put = [], 0, 0

    def flush():
        nonlocal batch, size, put
        if not batch:
            return
        r = logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=batch)
        rejected = r.get("rejectedLogEventsInfo")
        if rejected:
            raise ValueError("CloudWatch Logs rejected events of %s/%s: %s"
                             % (group, stream, rejected))
        put += len(batch)
        batch, size = [], 0

    for e in items:
        n = len(e["message"].encode("utf-8")) + EVENT_OVERHEAD
        if batch and (len(batch) >= MAX_EVENTS_PER_PUT or size + n > MAX_BYTES_PER_PUT or
                      e["timestamp"] - batch[0]["timestamp"] >= 24 * 3600 * 1000):
            flush()
        batch.append(e)
        size += n
    flush()
    return put


def filter_events(group, region=REGION, **kw):
    """Every event FilterLogEvents answers for group (all pages); kw: startTime,
    endTime, filterPattern, logStreamNames, limit (a page's size)."""
    logs = client("logs", region)
    out, token = [], None
    for _ in range(10000):
        r = logs.filter_log_events(logGroupName=group, **dict(kw, **(
            {"nextToken": token} if token else {})))
        out += r["events"]
        token = r.get("nextToken")
        if not token:
            return out
    raise AssertionError("FilterLogEvents did not stop paging")


# --------------------------------------------------------------------------------------
# X-Ray
# --------------------------------------------------------------------------------------

def make_trace_id(epoch=None):
    """A new trace id for a request that started at epoch (default now)."""
    t = int(time.time() if epoch is None else epoch)
    return "1-%08x-%s" % (t, secrets.token_hex(12))


def make_segment_id():
    return secrets.token_hex(8)


def _http(method=None, url=None, status=None, user_agent=None, client_ip=None,
          content_length=None):
    request = {k: v for k, v in (("method", method), ("url", url), ("user_agent", user_agent),
                                 ("client_ip", client_ip)) if v is not None}
    response = {}
    if status is not None:
        response["status"] = int(status)
    if content_length is not None:
        response["content_length"] = int(content_length)
    out = {}
    if request:
        out["request"] = request
    if response:
        out["response"] = response
    return out or None


def _entity(name, start, end, segment_id=None, error=False, fault=False, throttle=False,
            cause=None, subsegments=None, annotations=None, metadata=None, http=None,
            method=None, url=None, status=None, user_agent=None, client_ip=None,
            **extra):
    doc = {"name": name, "id": segment_id or make_segment_id(), "start_time": float(start)}
    if end is None:
        doc["in_progress"] = True
    else:
        doc["end_time"] = float(end)
    http = http or _http(method, url, status, user_agent, client_ip)
    if http:
        doc["http"] = http
    for flag, value in (("error", error), ("fault", fault), ("throttle", throttle)):
        if value:
            doc[flag] = True
    if cause is not None:
        doc["cause"] = cause
    if annotations:
        doc["annotations"] = dict(annotations)
    if metadata:
        doc["metadata"] = dict(metadata)
    if subsegments:
        doc["subsegments"] = list(subsegments)
    doc.update({k: v for k, v in extra.items() if v is not None})
    return doc


def segment(trace_id, name, start, end=None, parent_id=None, origin=None, **kw):
    """A segment document (a dict) of trace_id: name, start/end in epoch seconds (end
    None: in progress). kw: segment_id, parent_id (a segment or subsegment of another
    service that called this one), origin ("AWS::Lambda::Function", ...), method / url
    / status / user_agent / client_ip (or http={"request": ..., "response": ...}),
    error / fault / throttle flags, cause, subsegments (from subsegment()),
    annotations, metadata, user, resource_arn, aws={...}, service={...}."""
    doc = _entity(name, start, end, parent_id=parent_id, origin=origin, **kw)
    doc["trace_id"] = trace_id
    return doc


def subsegment(name, start, end=None, namespace=None, **kw):
    """A subsegment to embed in segment(subsegments=[...]) (end None: in progress);
    namespace "aws" or "remote" for a call to another service. kw as segment()."""
    return _entity(name, start, end, namespace=namespace, **kw)


def independent_subsegment(trace_id, parent_id, name, start, end=None, **kw):
    """A subsegment sent as a document of its own (type "subsegment", parent_id the
    id of its segment or subsegment)."""
    doc = _entity(name, start, end, **kw)
    doc.update(type="subsegment", trace_id=trace_id, parent_id=parent_id)
    return doc


def put_trace(trace_id, *documents, region=REGION):
    """Send the documents (dicts or JSON text, or lists of them) with
    PutTraceSegments; their ids. A dict without trace_id gets this one. ValueError
    if X-Ray did not take all."""
    xray = client("xray", region)
    texts, ids = [], []
    flat = []
    for doc in documents:                   # put_trace(*lambda_trace(...)): a list
        flat.extend(doc if isinstance(doc, (list, tuple)) else [doc])
    for doc in flat:
        if isinstance(doc, dict):
            doc = dict(doc)
            doc.setdefault("trace_id", trace_id)
            ids.append(doc.get("id"))
            texts.append(json.dumps(doc))
        else:
            ids.append(json.loads(doc).get("id"))
            texts.append(doc)
    for i in range(0, len(texts), MAX_SEGMENTS_PER_PUT):
        r = xray.put_trace_segments(TraceSegmentDocuments=texts[i:i + MAX_SEGMENTS_PER_PUT])
        if r.get("UnprocessedTraceSegments"):
            raise ValueError("X-Ray did not take segments of %s: %s"
                             % (trace_id, r["UnprocessedTraceSegments"]))
    return ids


def lambda_trace(function_name, start, duration, trace_id=None, status=200, error=False,
                 fault=False, throttle=False, in_progress=False, account_id="123456789012",
                 region=REGION, cold_start=False, annotations=None):
    """(trace_id, [documents]) of one invocation of a Lambda function with active
    tracing, laid out as Lambda records it: the root segment (origin AWS::Lambda: the
    HTTP status, error / fault / throttle flags) and the function's segment (origin
    AWS::Lambda::Function, its parent the root; error / fault flags, annotations, and
    subsegments Initialization when cold_start, Invocation and Overhead).
    in_progress: neither has ended yet. Use as put_trace(*lambda_trace(...))."""
    trace_id = trace_id or make_trace_id(start)
    arn = "arn:aws:lambda:%s:%s:function:%s" % (region, account_id, function_name)
    end = None if in_progress else start + duration
    root = segment(trace_id, function_name, start, end, origin="AWS::Lambda",
                   status=None if in_progress else status, error=error, fault=fault,
                   throttle=throttle, resource_arn=arn,
                   aws={"request_id": secrets.token_hex(16), "account_id": account_id})
    t0 = start + 0.002
    subs = []
    if cold_start:
        subs.append(subsegment("Initialization", t0 - 0.2, t0))
    subs.append(subsegment("Invocation", t0, None if in_progress else start + duration * 0.9,
                           error=error, fault=fault))
    if not in_progress:
        subs.append(subsegment("Overhead", start + duration * 0.9, start + duration - 0.001))
    fn = segment(trace_id, function_name, t0, None if in_progress else start + duration - 0.001,
                 parent_id=root["id"], origin="AWS::Lambda::Function", error=error,
                 fault=fault, resource_arn=arn, annotations=annotations, subsegments=subs,
                 aws={"account_id": account_id, "function_arn": arn})
    return trace_id, [root, fn]


def trace_summaries(start, end, region=REGION, **kw):
    """Every summary GetTraceSummaries answers for [start, end] (epoch seconds or
    datetimes), all pages; kw: TimeRangeType, FilterExpression."""
    xray = client("xray", region)
    out, token = [], None
    for _ in range(1000):
        r = xray.get_trace_summaries(StartTime=start, EndTime=end, **dict(kw, **(
            {"NextToken": token} if token else {})))
        out += r["TraceSummaries"]
        token = r.get("NextToken")
        if not token:
            return out
    raise AssertionError("GetTraceSummaries did not stop paging")


def batch_get_traces(trace_ids, region=REGION):
    """{trace id: [segment document (parsed)]} of the traces BatchGetTraces has,
    asked 5 ids at a time."""
    xray = client("xray", region)
    out = {}
    ids = list(trace_ids)
    for i in range(0, len(ids), 5):
        r = xray.batch_get_traces(TraceIds=ids[i:i + 5])
        for t in r["Traces"]:
            out[t["Id"]] = [json.loads(s["Document"]) for s in t["Segments"]]
    return out


# --------------------------------------------------------------------------------------
# Invocations, as Lambda and API Gateway would log them (the demo, by hand)
# --------------------------------------------------------------------------------------

def log_invocations(stack_name, region=REGION, late_ms=0, tag="demo"):
    """Write one invocation of every function of stack_name (and of its REST APIs'
    stages) the way Lambda and API Gateway log it: START, a JSON line, END, REPORT, and
    the stage's execution log.  late_ms > 0 dates the events that far in the past, as
    events CloudWatch ingests late.  Returns how many events were put."""
    cfn = client("cloudformation", region)
    res = cfn.list_stack_resources(StackName=stack_name)["StackResourceSummaries"]
    t = now_ms() - late_ms
    n = 0
    for r in res:
        rid = secrets.token_hex(4) + "-" + secrets.token_hex(2)
        if r["ResourceType"] == "AWS::Lambda::Function":
            stream = time.strftime("%Y/%m/%d/[$LATEST]") + secrets.token_hex(16)
            body = json.dumps({"level": "INFO", "requestId": rid, "message": "%s: %s"
                               % (r["LogicalResourceId"], tag)})
            n += put_events("/aws/lambda/%s" % r["PhysicalResourceId"], stream, [
                (t, "START RequestId: %s Version: $LATEST\n" % rid),
                (t + 3, body + "\n"),
                (t + 5, "END RequestId: %s\n" % rid),
                (t + 5, "REPORT RequestId: %s\tDuration: 2.71 ms\tBilled Duration: 3 ms\t"
                        "Memory Size: 128 MB\tMax Memory Used: 41 MB\n" % rid)], region=region)
            t += 7
        elif r["ResourceType"] == "AWS::ApiGateway::RestApi":
            api = client("apigateway", region)
            for stage in api.get_stages(restApiId=r["PhysicalResourceId"])["item"]:
                levels = [m.get("loggingLevel") for m in stage.get("methodSettings", {}).values()]
                if not {"INFO", "ERROR"} & set(levels):
                    continue           # execution logging off: API Gateway writes nothing
                n += put_events("API-Gateway-Execution-Logs_%s/%s" % (
                    r["PhysicalResourceId"], stage["stageName"]), secrets.token_hex(16), [
                    (t - 2, "(%s) Method request path: {}" % rid),
                    (t + 6, "(%s) Method completed with status: 200" % rid)], region=region)
    return n


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    inv = sub.add_parser("invocations", help="log one invocation of every function of a stack")
    inv.add_argument("--stack-name", required=True)
    inv.add_argument("--region", default=REGION)
    inv.add_argument("--late-ms", type=int, default=0)
    inv.add_argument("--tag", default="demo")
    a = ap.parse_args()
    print(log_invocations(a.stack_name, a.region, a.late_ms, a.tag))
