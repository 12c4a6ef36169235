#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Fault-injecting reverse proxy for the integration tests (and the benchmarks).

In a test:

    with FaultProxy(harness.env()["endpoint_url"]) as fp:
        fp.set_schedule([{"throttle": "auto"}, {"status": 503, "protocol": "auto"}])
        env["AWS_ENDPOINT_URL"] = fp.url
        ...                                  # the first two requests fail, then pass-through
        assert fp.count == 3

Actions, applied to successive requests, then pass-through (or the `default` action):
  {"delay_ms": N}                 wait N ms, then forward
  {"throttle": PROTOCOL}          answer that protocol's throttling error
  {"status": 500|503, "protocol": P[, "code": C, "message": M, "date_offset_s": S]}
                      (date_offset_s: answer with a Date header S seconds off)
                                  answer a server error (x-amzn-RequestId: fault-<n>)
  {"reset": true}                 close the connection with a TCP RST, answer nothing
  {"truncate": N}                 forward, send the full Content-Length but only N body
                                  bytes, then close
  {"stall_ms": N}                 read the request, say nothing for N ms, then close
PROTOCOL is query | ec2 | json | rest-json | s3 | auto (guessed from the request).

The Host header is forwarded unchanged, so a request signed for the fault proxy's
address still verifies in the SigV4 proxy behind it. `count` is the number of requests
received; `requests` records (method, path, headers) of each, `bodies` their bodies.

As a command (for benchmarks):
  fault_proxy.py --upstream URL [--schedule JSON] [--default JSON] [--ready-file F]
                 [--max-seconds 21600]
"""

import argparse
import collections
import email.utils
import json
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import proxycommon as pc  # noqa: E402

Recorded = collections.namedtuple("Recorded", "method path headers")

THROTTLE = {  # protocol -> (status, code, message)
    "query": (400, "Throttling", "Rate exceeded"),
    "ec2": (503, "RequestLimitExceeded", "Request limit exceeded."),
    "json": (400, "ThrottlingException", "Rate exceeded"),
    "rest-json": (429, "TooManyRequestsException", "Rate exceeded"),
    "s3": (503, "SlowDown", "Please reduce your request rate."),
}
SERVER_ERRORS = {  # (protocol, status) -> (code, message)
    ("query", 500): ("InternalFailure", "The request processing has failed because of an "
                     "unknown error, exception or failure."),
    ("query", 503): ("ServiceUnavailable", "The request has failed due to a temporary failure "
                     "of the server."),
    ("ec2", 500): ("InternalError", "An internal error has occurred."),
    ("ec2", 503): ("Unavailable", "The server is overloaded and can't handle the request."),
    ("json", 500): ("InternalFailure", "The request processing has failed because of an "
                    "unknown error, exception or failure."),
    ("json", 503): ("ServiceUnavailableException", "The service is unavailable. Please try "
                    "again later."),
    ("rest-json", 500): ("ServiceException", "The AWS service encountered an internal error."),
    ("rest-json", 503): ("ServiceUnavailableException", "The service is unavailable. Please "
                         "try again later."),
    ("s3", 500): ("InternalError", "We encountered an internal error. Please try again."),
    ("s3", 503): ("ServiceUnavailable", "Service is unable to handle request."),
}
MAX_WAIT_MS = 600_000   # no action waits longer than 10 minutes


class _Handler(pc.ProxyHandler):
    owner = None  # the FaultProxy

    def handle_proxy(self):
        self.owner._enter()
        try:
            self._handle()
        finally:
            self.owner._leave()

    def _handle(self):
        method = self.command
        target = self.request_target()
        body = self.read_body()
        n, action = self.owner._next(method, target, self.headers, body)
        if "delay_ms" in action:
            self.owner._wait(action["delay_ms"])
        if "stall_ms" in action:
            self.owner._wait(action["stall_ms"])
            self.close_connection = True
            return
        if action.get("reset"):
            self.reset_connection()
            return
        if "throttle" in action:
            proto = self._protocol(action["throttle"], body, target)
            status, code, msg = THROTTLE[proto]
            self._answer_error(method, proto, status, code, msg, n)
            return
        if "status" in action:
            proto = self._protocol(action.get("protocol", "auto"), body, target)
            status = int(action["status"])
            code, msg = SERVER_ERRORS.get((proto, status), ("InternalFailure", "Injected fault"))
            self._answer_error(method, proto, status, action.get("code", code),
                               action.get("message", msg), n, action.get("date_offset_s"))
            return
        try:
            status, reason, pairs, data = self.forward(method, target, self.header_pairs(), body)
        except pc.UpstreamError as e:
            pc.upstream_failure(self, method, e)
            return
        truncate = action.get("truncate")
        self.send_upstream_response(method, status, reason, pairs, data,
                                    truncate=None if truncate is None else int(truncate))

    def _protocol(self, proto, body, target):
        if proto in (None, "auto"):
            return pc.detect_protocol(self.headers, body, target)
        if proto not in THROTTLE:
            raise ValueError("unknown protocol %r" % proto)
        return proto

    def _answer_error(self, method, proto, status, code, msg, n, date_offset_s=None):
        rid = "fault-%d" % n
        st, headers, data = pc.error_response(proto, status, code, msg, request_id=rid,
                                              sender=status < 500)
        if date_offset_s is not None:
            # a server whose clock differs from ours: what clock-skew correction reads
            headers = list(headers) + [
                ("Date", email.utils.formatdate(time.time() + float(date_offset_s), usegmt=True))]
        self.send_upstream_response(method, st, None, headers, data)


class FaultProxy(pc.LoopbackProxy):
    """A fault-injecting proxy on 127.0.0.1:<free port> in front of upstream_url."""
    handler_base = _Handler
    thread_name = "fault-proxy"

    def __init__(self, upstream_url, schedule=None, default=None):
        for a in list(schedule or []) + ([default] if default else []):
            _check_action(a)
        super().__init__(upstream_url)
        self._lock = threading.Lock()
        self._schedule = collections.deque(schedule or [])
        self.default = dict(default or {})
        self.count = 0
        self.active = 0       # requests being handled right now
        self.max_active = 0   # the most handled at once: how concurrent the client was
        self.requests = []
        self.bodies = []

    # -- control ---------------------------------------------------------------

    def set_schedule(self, actions, default=None):
        """Replace the schedule: one action per upcoming request, then `default`
        (pass-through when None)."""
        for a in actions:
            _check_action(a)
        with self._lock:
            self._schedule = collections.deque(dict(a) for a in actions)
            if default is not None:
                _check_action(default)
                self.default = dict(default)

    schedule = set_schedule

    # -- used by the handler -----------------------------------------------------

    def _enter(self):
        with self._lock:
            self.active += 1
            self.max_active = max(self.max_active, self.active)

    def _leave(self):
        with self._lock:
            self.active -= 1

    def _next(self, method, target, headers, body):
        with self._lock:
            self.count += 1
            n = self.count
            self.requests.append(Recorded(method, target, {k.lower(): v for k, v in headers.items()}))
            self.bodies.append(body)
            action = self._schedule.popleft() if self._schedule else dict(self.default)
        return n, action

    def _wait(self, ms):
        self.stopping.wait(min(max(float(ms), 0.0), MAX_WAIT_MS) / 1000.0)


KNOWN_KEYS = {"delay_ms", "throttle", "status", "protocol", "code", "message", "reset",
              "truncate", "stall_ms", "date_offset_s"}


def _check_action(a):
    if not isinstance(a, dict) or not set(a) <= KNOWN_KEYS:
        raise ValueError("bad fault action %r (keys: %s)" % (a, ", ".join(sorted(KNOWN_KEYS))))


def main(argv=None):
    ap = argparse.ArgumentParser(description="fault-injecting proxy")
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--schedule", default="[]", help="JSON list of actions")
    ap.add_argument("--default", default="{}", help="JSON action once the schedule is used up")
    ap.add_argument("--ready-file")
    ap.add_argument("--max-seconds", type=float, default=6 * 3600,
                    help="exit after this long even if nobody stops it (leak guard)")
    args = ap.parse_args(argv)
    fp = FaultProxy(args.upstream, json.loads(args.schedule), json.loads(args.default)).start()
    line = "listening on %d\n" % fp.port
    if args.ready_file:
        with open(args.ready_file + ".tmp", "w") as f:
            f.write(line)
        os.replace(args.ready_file + ".tmp", args.ready_file)
    else:
        sys.stdout.write(line)
        sys.stdout.flush()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait(args.max_seconds)          # signals wake the wait
    fp.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
