# SPDX-License-Identifier: Apache-2.0
"""Shared pieces of the two test proxies (sigv4_proxy.py and fault_proxy.py).

- ProxyHandler: an HTTP/1.1 keep-alive request handler that reads a whole request
  (Content-Length or chunked, Expect: 100-continue handled by http.server),
  forwards it to an upstream over a per-connection keep-alive http.client
  connection, and writes a response back with a correct Content-Length.
- detect_protocol(): which AWS wire protocol a request uses (query, ec2, json,
  rest-json, s3), from X-Amz-Target, the form Action and the SigV4 scope.
- error_response(): an AWS error in the shape that protocol uses on the wire.

Standard library only. Everything binds to 127.0.0.1.
"""

import http.client
import http.server
import json
import re
import socket
import struct
import threading
import uuid
from urllib.parse import parse_qsl, urlsplit
from xml.sax.saxutils import escape

# Request headers that describe one hop, never forwarded as they are.
HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-connection", "proxy-authenticate",
    "proxy-authorization", "te", "trailer", "trailers", "transfer-encoding",
    "upgrade", "expect", "content-length",
}

MAX_BODY = 512 * 1024 * 1024          # refuse absurd requests rather than hang
UPSTREAM_TIMEOUT = 120                # seconds, per upstream socket operation
IDLE_TIMEOUT = 300                    # seconds a client connection may stay idle

SCOPE_RE = re.compile(r"Credential=([^,\s]+)")


class BodyError(Exception):
    """The request body could not be read (bad framing, too large)."""


def scope_of(headers, query=""):
    """(access_key, date, region, service, terminator) from the Authorization
    header or X-Amz-Credential query parameter, or None."""
    cred = None
    auth = headers.get("Authorization")
    if auth:
        m = SCOPE_RE.search(auth)
        if m:
            cred = m.group(1)
    elif "X-Amz-Credential" in query:
        for k, v in parse_qsl(query, keep_blank_values=True):
            if k == "X-Amz-Credential":
                cred = v
    if not cred:
        return None
    parts = cred.split("/")
    if len(parts) != 5:
        return None
    return tuple(parts)


def form_params(headers, body, query):
    """Query-protocol parameters: the form body when it is form-encoded, else the query."""
    ctype = (headers.get("Content-Type") or "").lower()
    params = {}
    if body and ctype.startswith("application/x-www-form-urlencoded"):
        try:
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except (UnicodeDecodeError, ValueError):
            pass
    if "Action" not in params and query:
        params.update((k, v) for k, v in parse_qsl(query, keep_blank_values=True)
                      if k in ("Action", "Version"))
    return params


def detect_protocol(headers, body, path, service=None):
    """Best guess of the wire protocol of a request: query|ec2|json|rest-json|s3."""
    query = urlsplit(path).query
    if service is None:
        sc = scope_of(headers, query)
        service = sc[3] if sc else None
    if headers.get("X-Amz-Target"):
        return "json"
    if service == "s3":
        return "s3"
    if service == "ec2":
        return "ec2"
    if "Action" in form_params(headers, body, query):
        return "query"
    return "rest-json"


# xmlns of the <ErrorResponse> of the query services we care about.
QUERY_XMLNS = {
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
    "autoscaling": "http://autoscaling.amazonaws.com/doc/2011-01-01/",
    "cloudformation": "http://cloudformation.amazonaws.com/doc/2010-05-15/",
    "sns": "http://sns.amazonaws.com/doc/2010-03-31/",
    "elasticloadbalancing": "http://elasticloadbalancing.amazonaws.com/doc/2012-06-01/",
    "monitoring": "http://monitoring.amazonaws.com/doc/2010-08-01/",
}


def new_request_id():
    return str(uuid.uuid4())


def error_response(protocol, status, code, message, request_id=None,
                   service=None, xmlns=None, extra_s3=None, sender=True):
    """(status, [(header, value)], body bytes) of an AWS error in the given protocol's shape."""
    rid = request_id or new_request_id()
    headers = [("x-amzn-RequestId", rid)]
    if protocol == "query":
        ns = xmlns or QUERY_XMLNS.get(service or "", QUERY_XMLNS["sts"])
        body = (
            '<ErrorResponse xmlns="%s">\n  <Error>\n    <Type>%s</Type>\n'
            "    <Code>%s</Code>\n    <Message>%s</Message>\n  </Error>\n"
            "  <RequestId>%s</RequestId>\n</ErrorResponse>\n"
            % (escape(ns), "Sender" if sender else "Receiver", escape(code),
               escape(message), escape(rid)))
        headers.append(("Content-Type", "text/xml"))
    elif protocol == "ec2":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
            "<Code>%s</Code><Message>%s</Message></Error></Errors>"
            "<RequestID>%s</RequestID></Response>"
            % (escape(code), escape(message), escape(rid)))
        headers.append(("Content-Type", "text/xml;charset=UTF-8"))
    elif protocol == "json":
        body = json.dumps({"__type": code, "message": message})
        headers.append(("x-amzn-ErrorType", code))
        headers.append(("Content-Type", "application/x-amz-json-1.1"))
    elif protocol == "s3":
        fields = [("Code", code), ("Message", message)]
        fields += list((extra_s3 or {}).items())
        fields += [("RequestId", rid), ("HostId", "awsx-test-host-id")]
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error>'
                + "".join("<%s>%s</%s>" % (k, escape(str(v)), k) for k, v in fields)
                + "</Error>")
        headers += [("x-amz-request-id", rid), ("x-amz-id-2", "awsx-test-host-id"),
                    ("Content-Type", "application/xml")]
    else:  # rest-json
        body = json.dumps({"message": message})
        headers.append(("x-amzn-ErrorType", code))
        headers.append(("Content-Type", "application/json"))
    return status, headers, body.encode("utf-8")


class Server(http.server.ThreadingHTTPServer):
    """A threading HTTP server bound to 127.0.0.1 that can close its live connections."""
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, port, handler):
        self.live = set()
        super().__init__(("127.0.0.1", port), handler)

    def process_request(self, request, client_address):
        self.live.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        self.live.discard(request)
        super().shutdown_request(request)

    def close_live_connections(self):
        for s in list(self.live):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class ProxyHandler(http.server.BaseHTTPRequestHandler):
    """Base for both proxies: subclasses implement handle_proxy(method)."""
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY: headers and body go out in two writes, and with Nagle on, the body of
    # every response after the first on a kept-alive connection waited for the client's
    # delayed ACK (40 ms on Linux), a cost real endpoints do not have.
    disable_nagle_algorithm = True
    timeout = IDLE_TIMEOUT
    upstream = None          # set on the subclass: urllib-style "http://host:port"
    server_version = "awsx-test-proxy"
    sys_version = ""

    def log_message(self, fmt, *args):  # quiet: the request log says what happened
        pass

    # Every method goes to the same place.
    def do_GET(self): self._dispatch()
    def do_POST(self): self._dispatch()
    def do_PUT(self): self._dispatch()
    def do_DELETE(self): self._dispatch()
    def do_HEAD(self): self._dispatch()
    def do_PATCH(self): self._dispatch()
    def do_OPTIONS(self): self._dispatch()

    def _dispatch(self):
        try:
            self.handle_proxy()
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            self.close_connection = True
        except BodyError as e:
            self.send_plain(400, "bad request body: %s" % e)
            self.close_connection = True

    def handle_proxy(self):
        raise NotImplementedError

    # --- request side -------------------------------------------------------

    def request_target(self):
        """The path+query of the request line (absolute-form URLs are reduced)."""
        p = self.path
        if p.startswith("http://") or p.startswith("https://"):
            u = urlsplit(p)
            p = (u.path or "/") + ("?" + u.query if u.query else "")
        return p

    def read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            return self._read_chunked()
        n = self.headers.get("Content-Length")
        if n is None:
            return b""
        try:
            n = int(n)
        except ValueError:
            raise BodyError("bad Content-Length")
        if n < 0 or n > MAX_BODY:
            raise BodyError("Content-Length out of range")
        data = self.rfile.read(n)
        if len(data) != n:
            raise BodyError("body shorter than Content-Length")
        return data

    def _read_chunked(self):
        out = bytearray()
        for _ in range(1 << 20):                  # bounded: at most 1M chunks
            line = self.rfile.readline(1024)
            if not line:
                raise BodyError("connection closed inside chunked body")
            try:
                size = int(line.split(b";")[0].strip(), 16)
            except ValueError:
                raise BodyError("bad chunk size")
            if size == 0:
                for _ in range(1000):             # trailers until the empty line
                    t = self.rfile.readline(8192)
                    if t in (b"\r\n", b"\n", b""):
                        break
                return bytes(out)
            if len(out) + size > MAX_BODY:
                raise BodyError("chunked body too large")
            out += self.rfile.read(size)
            self.rfile.readline(8)                # CRLF after the chunk
        raise BodyError("too many chunks")

    def header_pairs(self):
        return list(self.headers.items())

    # --- upstream side ------------------------------------------------------

    def _upstream_conn(self, fresh=False):
        conn = getattr(self, "_upconn", None)
        if conn is None or fresh:
            if conn is not None:
                conn.close()
            u = urlsplit(self.upstream)
            conn = http.client.HTTPConnection(u.hostname, u.port or 80,
                                              timeout=UPSTREAM_TIMEOUT)
            self._upconn = conn
        return conn

    def forward(self, method, target, headers, body, extra_headers=()):
        """Send the request upstream (Host kept); return (status, reason, header pairs, body)."""
        fwd = [(k, v) for k, v in headers if k.lower() not in HOP_BY_HOP]
        fwd += list(extra_headers)
        if body or method in ("POST", "PUT", "PATCH"):
            fwd.append(("Content-Length", str(len(body))))
        for attempt in (0, 1):
            conn = self._upstream_conn(fresh=attempt > 0)
            try:
                conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
                for k, v in fwd:
                    conn.putheader(k, v)
                conn.endheaders(body if body else None)
                resp = conn.getresponse()
                data = resp.read()
                pairs = resp.getheaders()
                if resp.will_close:
                    conn.close()
                return resp.status, resp.reason, pairs, data
            except (http.client.RemoteDisconnected, ConnectionResetError,
                    BrokenPipeError, http.client.CannotSendRequest,
                    http.client.ResponseNotReady) as e:
                conn.close()
                self._upconn = None
                if attempt == 1:
                    raise UpstreamError(str(e))
            except (OSError, http.client.HTTPException) as e:
                conn.close()
                self._upconn = None
                raise UpstreamError(str(e))
        raise UpstreamError("unreachable")

    def finish(self):
        conn = getattr(self, "_upconn", None)
        if conn is not None:
            conn.close()
        super().finish()

    # --- response side ------------------------------------------------------

    def send_upstream_response(self, method, status, reason, pairs, body,
                               truncate=None):
        """Relay an upstream response with a correct Content-Length.

        truncate=N sends the full Content-Length but only N body bytes, then closes."""
        self.send_response_only(status, reason)
        have_date = False
        upstream_len = None
        for k, v in pairs:
            lk = k.lower()
            if lk in ("connection", "keep-alive", "transfer-encoding", "proxy-connection",
                      "trailer", "upgrade"):
                continue
            if lk == "content-length":
                upstream_len = v
                continue
            if lk == "date":
                have_date = True
            self.send_header(k, v)
        if not have_date:
            self.send_header("Date", self.date_time_string())
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            if upstream_len is not None and method == "HEAD":
                self.send_header("Content-Length", upstream_len)
            body = b""
        else:
            self.send_header("Content-Length", str(len(body)))
        if truncate is not None:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if body:
            self.wfile.write(body if truncate is None else body[:truncate])
        self.wfile.flush()

    def send_error_tuple(self, method, err):
        status, headers, body = err
        self.send_upstream_response(method, status, None, headers, body)

    def send_plain(self, status, text):
        self.send_upstream_response(self.command, status, None,
                                    [("Content-Type", "text/plain")],
                                    (text + "\n").encode())

    def reset_connection(self):
        """Close the client connection with a TCP RST (SO_LINGER 0), answering nothing."""
        self.close_connection = True
        sock = self.connection
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        try:
            fd = sock.detach()      # the rfile/wfile wrappers keep the socket object alive
            socket.close(fd)
        except OSError:
            pass


class LoopbackProxy:
    """A proxy on 127.0.0.1:<free port> in front of upstream_url, run in a thread: a
    subclass names its handler (a ProxyHandler subclass) in `handler_base`, which sees
    the proxy as `self.owner`.  `stopping` is set when it stops (long waits watch it)."""
    handler_base = None
    thread_name = "proxy"

    def __init__(self, upstream_url):
        self.upstream_url = upstream_url.rstrip("/")
        self.stopping = threading.Event()
        self._server = None
        self._thread = None

    def start(self):
        handler = type(self.handler_base.__name__, (self.handler_base,),
                       {"upstream": self.upstream_url, "owner": self})
        self._server = Server(0, handler)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.1},
                                        name=self.thread_name, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server is None:
            return
        self.stopping.set()
        self._server.shutdown()
        self._server.close_live_connections()
        self._server.server_close()
        self._thread.join(10)
        self._server = None

    @property
    def port(self):
        return self._server.server_address[1]

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


class UpstreamError(Exception):
    """The upstream could not be reached or answered garbage."""


def upstream_failure(handler, method, err):
    handler.send_upstream_response(method, 502, "Bad Gateway",
                                   [("Content-Type", "text/plain")],
                                   ("upstream error: %s\n" % err).encode())

