# SPDX-License-Identifier: Apache-2.0
"""fakes.py: loopback stand-ins for the credential endpoints awsx talks to
besides AWS proper, for the integration tests.

Each fake is a small HTTP server on 127.0.0.1 (port 0, so the kernel picks a
free one), run in a background thread and used as a context manager:

    with fakes.Imds("ASIA...", secret, "token") as imds:
        env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.url
        ...
        assert imds.requests[0]["method"] == "PUT"

Every fake records what it received in .requests, a list of dicts
{"method", "path", "query" (dict of lists), "headers" (dict, lower-case
names), "body" (bytes), "status" (what the fake answered)}.

  Imds       the EC2 instance metadata service, IMDSv2 (token PUT first).
  Ecs        the container credentials endpoint (AWS_CONTAINER_CREDENTIALS_*).
  SsoPortal  the IAM Identity Center portal's GetRoleCredentials.
  Recorder   a forwarding proxy that records requests and bodies verbatim
             before passing them on (e.g. to the SigV4-verifying proxy), so a
             test can see exactly what awsx put on the wire.

write_sso_cache() writes the token cache file the way `aws sso login` does.

Only the standard library is used.  Servers bind 127.0.0.1 only and every
wait is bounded.
"""

import datetime
import hashlib
import http.client
import http.server
import json
import os
import threading
import urllib.parse

__all__ = ["Imds", "Ecs", "SsoPortal", "Recorder", "write_sso_cache", "iso8601"]

# Bounds: a fake never waits on a client or an upstream for longer than this.
_SOCKET_TIMEOUT = 30
_MAX_BODY = 10 * 1024 * 1024


def iso8601(when):
    """UTC time as "2026-01-02T03:04:05Z" from a datetime, epoch seconds or a
    string (returned unchanged)."""
    if isinstance(when, str):
        return when
    if isinstance(when, (int, float)):
        when = datetime.datetime.fromtimestamp(when, datetime.timezone.utc)
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return when.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _epoch(when):
    """Epoch seconds from a datetime, number or ISO 8601 "...Z" string."""
    if isinstance(when, (int, float)):
        return float(when)
    if isinstance(when, str):
        when = datetime.datetime.strptime(when, "%Y-%m-%dT%H:%M:%SZ")
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return when.timestamp()


def _in_hours(hours):
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    return now + datetime.timedelta(hours=hours)


class _Handler(http.server.BaseHTTPRequestHandler):
    """Reads the request, records it, and hands it to the fake's handle()."""

    protocol_version = "HTTP/1.1"
    timeout = _SOCKET_TIMEOUT

    def log_message(self, fmt, *args):  # keep test output quiet
        pass

    def _serve(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0 or length > _MAX_BODY:
            self.send_error(413)
            return
        body = self.rfile.read(length) if length else b""
        url = urllib.parse.urlsplit(self.path)
        record = {
            "method": self.command,
            "path": url.path,
            "query": urllib.parse.parse_qs(url.query, keep_blank_values=True),
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body,
            "status": None,
        }
        fake = self.server.fake
        with fake._lock:
            fake.requests.append(record)
        status, headers, payload = fake.handle(record, self)
        record["status"] = status
        if isinstance(payload, str):
            payload = payload.encode()
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _serve


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False


class _Fake:
    """Base: a threaded HTTP server on 127.0.0.1:0 that runs while in a with."""

    def __init__(self):
        self.requests = []
        self._lock = threading.Lock()
        self._server = None
        self._thread = None
        self.port = None
        self.url = None

    def start(self):
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self.port = self._server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
            name=type(self).__name__, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=10)
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    def handle(self, record, handler):
        """Return (status, [(header, value)], body bytes or str)."""
        raise NotImplementedError

    @staticmethod
    def _json(status, obj, extra_headers=()):
        return (status, [("Content-Type", "application/json")] + list(extra_headers),
                json.dumps(obj))

    @staticmethod
    def _text(status, text):
        return (status, [("Content-Type", "text/plain")], text)


class Imds(_Fake):
    """EC2 instance metadata service, IMDSv2.

    PUT /latest/api/token needs X-aws-ec2-metadata-token-ttl-seconds (an
    integer 1..21600, else 400) and answers a session token; GETs need that
    token in X-aws-ec2-metadata-token, else 401.

    token_status: make the token PUT answer this status instead (403, 404,
    405: what an SDK treats as "IMDSv2 not available, use IMDSv1").  When set,
    GETs without a token are served (IMDSv1), unless allow_v1=False.
    """

    TOKEN_PATH = "/latest/api/token"
    CREDS_PATH = "/latest/meta-data/iam/security-credentials/"

    def __init__(self, access_key, secret, token, role="awsx-test-role",
                 expiration=None, token_status=None, allow_v1=None,
                 region="us-east-1"):
        super().__init__()
        self.access_key = access_key
        self.secret = secret
        self.token = token
        self.role = role
        self.expiration = iso8601(expiration if expiration is not None else _in_hours(6))
        self.token_status = token_status
        self.allow_v1 = (token_status is not None) if allow_v1 is None else allow_v1
        self.region = region
        self.session_tokens = []  # tokens handed out, newest last

    def handle(self, record, handler):
        path = record["path"]
        headers = record["headers"]
        if record["method"] == "PUT":
            if path != self.TOKEN_PATH:
                return self._text(405, "Method Not Allowed")
            if self.token_status is not None:
                return self._text(self.token_status, "")
            ttl = headers.get("x-aws-ec2-metadata-token-ttl-seconds", "")
            if not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
                return self._text(400, "Bad Request")
            # Forwarded requests are refused by the real service.
            if "x-forwarded-for" in headers:
                return self._text(403, "Forbidden")
            tok = "imds-session-%d-%s" % (
                len(self.session_tokens) + 1, os.urandom(8).hex())
            with self._lock:
                self.session_tokens.append(tok)
            return (200, [("Content-Type", "text/plain"),
                          ("X-aws-ec2-metadata-token-ttl-seconds", ttl)], tok)
        if record["method"] != "GET":
            return self._text(405, "Method Not Allowed")
        given = headers.get("x-aws-ec2-metadata-token")
        if given is None:
            if not self.allow_v1:
                return self._text(401, "Unauthorized")
        elif given not in self.session_tokens:
            return self._text(401, "Unauthorized")
        if path == self.CREDS_PATH or path == self.CREDS_PATH.rstrip("/"):
            return self._text(200, self.role)
        if path == self.CREDS_PATH + self.role:
            now = iso8601(datetime.datetime.now(datetime.timezone.utc))
            return self._json(200, {
                "Code": "Success",
                "LastUpdated": now,
                "Type": "AWS-HMAC",
                "AccessKeyId": self.access_key,
                "SecretAccessKey": self.secret,
                "Token": self.token,
                "Expiration": self.expiration,
            })
        if path == "/latest/meta-data/placement/region":
            return self._text(200, self.region)
        return self._text(404, "Not Found")

    def credential_requests(self):
        """The GETs of the role's credentials."""
        return [r for r in self.requests
                if r["method"] == "GET" and r["path"] == self.CREDS_PATH + self.role]


class Ecs(_Fake):
    """Container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI or
    _RELATIVE_URI).  GET on any path answers the credentials; with
    auth_token set, the Authorization header must equal it (else 401)."""

    def __init__(self, access_key, secret, token, auth_token=None,
                 expiration=None,
                 role_arn="arn:aws:iam::123456789012:role/awsx-test-task-role"):
        super().__init__()
        self.access_key = access_key
        self.secret = secret
        self.token = token
        self.auth_token = auth_token
        self.expiration = iso8601(expiration if expiration is not None else _in_hours(6))
        self.role_arn = role_arn

    def handle(self, record, handler):
        if record["method"] != "GET":
            return self._json(405, {"code": "MethodNotAllowed",
                                    "message": "only GET"})
        if self.auth_token is not None and \
                record["headers"].get("authorization") != self.auth_token:
            return self._json(401, {"code": "AccessDenied",
                                    "message": "invalid authorization token"})
        return self._json(200, {
            "AccessKeyId": self.access_key,
            "SecretAccessKey": self.secret,
            "Token": self.token,
            "Expiration": self.expiration,
            "RoleArn": self.role_arn,
        })


class SsoPortal(_Fake):
    """The IAM Identity Center portal (service "SSO", rest-json), operation
    GetRoleCredentials: GET /federation/credentials?role_name=R&account_id=A
    with header x-amz-sso_bearer_token.  Any role and account are accepted;
    the test checks what was asked for through .requests."""

    def __init__(self, access_key, secret, token, access_token="ssotoken",
                 expiration=None):
        super().__init__()
        self.access_key = access_key
        self.secret = secret
        self.token = token
        self.access_token = access_token
        self.expiration = expiration if expiration is not None else _in_hours(1)

    def _error(self, status, etype, message):
        return self._json(status, {"message": message},
                          [("x-amzn-ErrorType", etype),
                           ("x-amzn-RequestId", "sso-" + os.urandom(6).hex())])

    def handle(self, record, handler):
        if record["method"] != "GET" or record["path"] != "/federation/credentials":
            return self._error(404, "ResourceNotFoundException",
                               "unknown operation")
        if record["headers"].get("x-amz-sso_bearer_token") != self.access_token:
            return self._error(401, "UnauthorizedException",
                               "Session token not found or invalid")
        q = record["query"]
        if not q.get("role_name", [""])[0] or not q.get("account_id", [""])[0]:
            return self._error(400, "InvalidRequestException",
                               "role_name and account_id are required")
        return self._json(200, {"roleCredentials": {
            "accessKeyId": self.access_key,
            "secretAccessKey": self.secret,
            "sessionToken": self.token,
            "expiration": int(_epoch(self.expiration) * 1000),
        }}, [("x-amzn-RequestId", "sso-" + os.urandom(6).hex())])

    def credential_requests(self):
        return [r for r in self.requests if r["path"] == "/federation/credentials"]


class Recorder(_Fake):
    """A forwarding HTTP proxy for one upstream (http://host:port): each
    request is recorded (headers and body verbatim) and sent on unchanged,
    Host header included, so signatures computed for the Recorder's address
    still verify upstream.  The upstream's answer is passed back as is."""

    _HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding",
            "te", "trailer", "upgrade", "content-length"}

    def __init__(self, upstream_url):
        super().__init__()
        u = urllib.parse.urlsplit(upstream_url)
        if u.scheme != "http" or not u.hostname:
            raise ValueError("Recorder needs an http:// upstream: %r" % upstream_url)
        self.upstream_host = u.hostname
        self.upstream_port = u.port or 80

    def handle(self, record, handler):
        conn = http.client.HTTPConnection(self.upstream_host, self.upstream_port,
                                          timeout=_SOCKET_TIMEOUT)
        try:
            conn.putrequest(record["method"], handler.path, skip_host=True,
                            skip_accept_encoding=True)
            for name, value in handler.headers.items():
                if name.lower() not in self._HOP:
                    conn.putheader(name, value)
            conn.putheader("Content-Length", str(len(record["body"])))
            conn.endheaders(record["body"])
            resp = conn.getresponse()
            payload = resp.read()
            headers = [(k, v) for k, v in resp.getheaders()
                       if k.lower() not in self._HOP]
            record["response_body"] = payload
            return resp.status, headers, payload
        except OSError as e:
            return self._text(502, "recorder: upstream failed: %s" % e)
        finally:
            conn.close()

    def bodies(self):
        """Request bodies as text, in order."""
        return [r["body"].decode("utf-8", "replace") for r in self.requests]


def write_sso_cache(home, start_url, region, access_token, expires_at,
                    session_name=None, **extra):
    """Write the SSO token cache file as `aws sso login` leaves it:
    <home>/.aws/sso/cache/<sha1 hex>.json, the hash being of the sso-session
    name for sso_session profiles, or of the start URL for legacy profiles.
    expires_at: datetime, epoch seconds or an ISO 8601 "...Z" string.
    extra: more members (e.g. refreshToken, clientId).  Returns the path."""
    key = session_name if session_name is not None else start_url
    name = hashlib.sha1(key.encode("utf-8")).hexdigest() + ".json"
    cache_dir = os.path.join(str(home), ".aws", "sso", "cache")
    os.makedirs(cache_dir, exist_ok=True)
    doc = {"startUrl": start_url, "region": region,
           "accessToken": access_token, "expiresAt": iso8601(expires_at)}
    doc.update(extra)
    path = os.path.join(cache_dir, name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
    os.chmod(path, 0o600)
    return path
