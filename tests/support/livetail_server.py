# SPDX-License-Identifier: Apache-2.0
"""A loopback CloudWatch Logs StartLiveTail endpoint for the `awsx logs --live` tests.

moto does not serve StartLiveTail.  This server answers it as AWS does (an HTTP 200
whose chunked body is an event stream: initial-response, sessionStart, then a
sessionUpdate every UPDATE_S seconds, possibly empty) and forwards every other request
to the local endpoint, so FilterLogEvents backfills reach moto.  The StartLiveTail
request itself is sent upstream first, to the SigV4-verifying proxy: an answer about
the signature (403) is relayed, so awsx's signature is checked like any other; moto's
"unknown operation" answer is ignored and the stream served.

    with LiveTailServer(harness.env()["endpoint_url"]) as lt:
        env["AWS_ENDPOINT_URL"] = lt.url
        ...                                   # awsx logs --live ...
        lt.wait_sessions(1)
        lt.push("/my/group", [(ts, "message", "stream")])   # delivered to its sessions
        lt.end_sessions("SessionTimeoutException")          # as AWS after three hours
        lt.sampled = True                                   # updates say "sampled"

Everything binds to 127.0.0.1; a session lasts at most MAX_SESSION_S seconds.
"""

import json
import os
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import eventstream  # noqa: E402
import proxycommon as pc  # noqa: E402

UPDATE_S = 0.25
MAX_SESSION_S = 600
SIGNATURE_CODES = ("SignatureDoesNotMatch", "IncompleteSignature", "InvalidSignatureException",
                   "UnrecognizedClientException", "MissingAuthenticationToken")


def group_name(identifier):
    """'arn:aws:logs:R:A:log-group:NAME' -> NAME (a plain name stays)."""
    if ":log-group:" in identifier:
        return identifier.split(":log-group:", 1)[1]
    return identifier


class Session:
    def __init__(self, request):
        self.request = request
        self.groups = [group_name(g) for g in request.get("logGroupIdentifiers", [])]
        self.identifiers = list(request.get("logGroupIdentifiers", []))
        self.queue = []
        self.end_with = None
        self.closed = threading.Event()


class _Handler(pc.ProxyHandler):
    owner = None

    def handle_proxy(self):
        method = self.command
        target = self.request_target()
        body = self.read_body()
        try:
            status, reason, pairs, data = self.forward(method, target, self.header_pairs(), body)
        except pc.UpstreamError as e:
            pc.upstream_failure(self, method, e)
            return
        if not (self.headers.get("X-Amz-Target") or "").endswith(".StartLiveTail"):
            self.send_upstream_response(method, status, reason, pairs, data)
            return
        code = ""
        try:
            code = json.loads(data or b"{}").get("__type", "")
        except ValueError:
            pass
        if status == 403 or code.split("#")[-1] in SIGNATURE_CODES:
            self.send_upstream_response(method, status, reason, pairs, data)
            return
        self._stream(json.loads(body or b"{}"))

    def _chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _stream(self, request):
        owner = self.owner
        sess = Session(request)
        with owner.lock:
            if owner.fail_next:
                code, msg = owner.fail_next.pop(0)
                st, headers, data = pc.error_response("json", 400, code, msg)
                self.send_upstream_response("POST", st, None, headers, data)
                return
            owner.sessions.append(sess)
        self.send_response_only(200)
        self.send_header("Content-Type", "application/vnd.amazon.eventstream")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        self.end_headers()
        self.close_connection = True
        try:
            self._chunk(eventstream.event("initial-response", b"{}"))
            start = {"requestId": str(uuid.uuid4()), "sessionId": str(uuid.uuid4()),
                     "logGroupIdentifiers": sess.identifiers}
            self._chunk(eventstream.event("sessionStart", json.dumps(start).encode()))
            deadline = time.monotonic() + MAX_SESSION_S
            while time.monotonic() < deadline and not owner.stopping.is_set():
                with owner.lock:
                    batch, sess.queue = sess.queue, []
                    end_with = sess.end_with
                    sampled = owner.sampled
                if batch or not end_with:
                    update = {"sessionMetadata": {"sampled": sampled}, "sessionResults": batch}
                    self._chunk(eventstream.event("sessionUpdate", json.dumps(update).encode()))
                if end_with:
                    self._chunk(eventstream.exception(
                        end_with, json.dumps({"message": "session ended"}).encode()))
                    break
                owner.stopping.wait(UPDATE_S)
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        finally:
            sess.closed.set()


class LiveTailServer(pc.LoopbackProxy):
    handler_base = _Handler
    thread_name = "livetail"

    def __init__(self, upstream_url):
        super().__init__(upstream_url)
        self.lock = threading.Lock()
        self.sessions = []
        self.fail_next = []      # [(code, message)]: refuse the next StartLiveTail calls
        self.sampled = False

    def open_sessions(self):
        with self.lock:
            return [s for s in self.sessions if not s.closed.is_set()]

    def wait_sessions(self, n, timeout=30):
        """Wait until n sessions are open; the list of open sessions."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            open_ = self.open_sessions()
            if len(open_) >= n:
                return open_
            time.sleep(0.05)
        raise AssertionError("%d live sessions open after %s s, want %d"
                             % (len(self.open_sessions()), timeout, n))

    def push(self, group, events):
        """Deliver events [(timestamp ms, message, stream)] to the open sessions of group."""
        now = int(time.time() * 1000)
        with self.lock:
            n = 0
            for s in self.sessions:
                if s.closed.is_set() or group not in s.groups:
                    continue
                ident = s.identifiers[s.groups.index(group)]
                for ts, msg, stream in events:
                    s.queue.append({"logStreamName": stream, "logGroupIdentifier": ident,
                                    "message": msg, "timestamp": ts, "ingestionTime": now})
                n += 1
        return n

    def end_sessions(self, exception_type="SessionTimeoutException"):
        with self.lock:
            for s in self.sessions:
                if not s.closed.is_set():
                    s.end_with = exception_type
