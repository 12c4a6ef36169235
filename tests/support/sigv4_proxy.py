#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""SigV4-verifying reverse proxy for the integration tests.

Sits between awsx and moto (which checks almost no signatures) and does what AWS
does on the way in: it recomputes every request's SigV4 signature with botocore's
own signer (botocore.auth.SigV4Auth / S3SigV4Auth / SigV4QueryAuth /
S3SigV4QueryAuth) from the request exactly as it arrived, with the secret that
belongs to the access key in the credential scope, and answers the error AWS
answers, in that protocol's shape, on any difference. Requests that verify are
forwarded unchanged (Host kept) to moto.

CloudFormation requests with a template using the AWS::Serverless-2016-10-31
transform are the exception: the proxy translates the template (as AWS does and
moto does not) and forwards the result, signed again; see samtransform.py.

Secrets: keys learned from responses that carry credentials (STS AssumeRole*,
GetSessionToken, GetFederationToken, IAM CreateAccessKey, ...), then the --keys
file (key=secret lines, re-read when it changes), then TEST_SECRET for any
AKIA*/ASIA* key. Learned temporary keys must come with their session token.

Usage:
  sigv4_proxy.py --upstream http://127.0.0.1:MOTO_PORT [--port 0] [--log FILE]
                 [--keys FILE] [--ready-file FILE] [--max-seconds 21600]
Prints nothing; "listening on PORT" goes to --ready-file (or stdout without one).
Every request is one JSON line in --log:
  {"method","service","operation","access_key","status","verified","reason",
   "region","path","api","time"} (+ "canonical_request"/"string_to_sign" when a
   signature did not match).
"""

import argparse
import datetime
import email.utils
import gzip
import hashlib
import hmac
import json
import os
import re
import signal
import sys
import threading
import xml.etree.ElementTree as ET
from urllib.parse import unquote, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import proxycommon as pc  # noqa: E402
import samtransform  # noqa: E402

import botocore.auth  # noqa: E402
import botocore.config  # noqa: E402
import botocore.exceptions  # noqa: E402
import botocore.loaders  # noqa: E402
import botocore.session  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.compat import HTTPHeaders  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

TEST_SECRET = "awsx/TEST/secret/KEY0000000000000000000"
MAX_SKEW = datetime.timedelta(minutes=15)
AMZ_DATE_RE = re.compile(r"^\d{8}T\d{6}Z$")
REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")
# Global services sign with their partition's home region, anything else is refused.
GLOBAL_SERVICES = {"iam", "organizations", "route53", "cloudfront", "globalaccelerator"}
HOME_REGIONS = {"us-east-1", "cn-north-1", "us-gov-west-1"}
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
SIG_MISMATCH_QUERY = ("The request signature we calculated does not match the signature you "
                      "provided. Check your AWS Secret Access Key and signing method. Consult "
                      "the service documentation for details.")
SIG_MISMATCH_S3 = ("The request signature we calculated does not match the signature you "
                   "provided. Check your key and signing method.")
BAD_TOKEN = "The security token included in the request is invalid."


# --------------------------------------------------------------------------------------
# What botocore's models say about services: used to check the scope's service, to know
# which operations AWS accepts unsigned, and to name REST operations in the log.
# --------------------------------------------------------------------------------------

class ServiceIndex:
    def __init__(self):
        self.ready = threading.Event()
        self.targets = {}          # X-Amz-Target prefix -> {signing names}
        self.actions = {}          # query Action -> {signing names}
        self.rest_first = {}       # (METHOD, first path segment) -> {signing names}
        self.rest_ops = {}         # signing name -> [(method, regex, qkeys, score, op, unsigned)]
        self.unsigned_actions = set()
        self.unsigned_targets = set()
        self.protocols = {}        # signing name -> protocol
        self.xmlns = {}            # signing name -> xmlNamespace
        threading.Thread(target=self._build, name="service-index", daemon=True).start()

    def wait(self):
        return self.ready.wait(120)

    def _build(self):
        try:
            loader = botocore.loaders.create_loader()
            for name in loader.list_available_services("service-2"):
                try:
                    model = loader.load_service_model(name, "service-2")
                except Exception:  # noqa: BLE001 - a broken model must not stop the proxy
                    continue
                self._add(model)
        finally:
            self.ready.set()

    def _add(self, model):
        md = model.get("metadata", {})
        signing = md.get("signingName") or md.get("endpointPrefix")
        if not signing:
            return
        protos = md.get("protocols") or [md.get("protocol")]
        self.protocols.setdefault(signing, md.get("protocol"))
        if md.get("xmlNamespace"):
            self.xmlns.setdefault(signing, md["xmlNamespace"])
        prefix = md.get("targetPrefix")
        if prefix and "json" in protos:
            self.targets.setdefault(prefix, set()).add(signing)
        for opname, op in model.get("operations", {}).items():
            unsigned = op.get("authtype") == "none" or "smithy.api#noAuth" in (op.get("auth") or [])
            if "query" in protos or "ec2" in protos:
                self.actions.setdefault(opname, set()).add(signing)
                if unsigned:
                    self.unsigned_actions.add(opname)
            if prefix and "json" in protos and unsigned:
                self.unsigned_targets.add(prefix + "." + opname)
            if md.get("protocol") in ("rest-json", "rest-xml"):
                http = op.get("http", {})
                uri, method = http.get("requestUri", "/"), http.get("method", "GET")
                path_t, _, q_t = uri.partition("?")
                regex, literal = "^", 0
                for tok in re.split(r"(\{[^}]+\})", path_t):
                    if tok.startswith("{"):
                        regex += ".+" if tok.endswith("+}") else "[^/]+"
                    else:
                        regex += re.escape(tok)
                        literal += len(tok)
                regex += "/?$"
                qkeys = [p.partition("=")[0] for p in q_t.split("&") if p]
                qkeys += self._required_in(model, op, "querystring")
                hkeys = self._required_in(model, op, "header")
                self.rest_ops.setdefault(signing, []).append(
                    (method, re.compile(regex), qkeys, hkeys,
                     literal + 100 * (len(qkeys) + len(hkeys)), opname, unsigned))
                first = path_t.lstrip("/").split("/")[0]
                if first and not first.startswith("{"):
                    self.rest_first.setdefault((method, first), set()).add(signing)

    @staticmethod
    def _required_in(model, op, location):
        """Names of the required input members sent in the query string or headers."""
        shape = model.get("shapes", {}).get(op.get("input", {}).get("shape"), {})
        members = shape.get("members", {})
        names = [members[m]["locationName"] for m in shape.get("required", [])
                 if members.get(m, {}).get("location") == location
                 and members[m].get("locationName")]
        return [n.lower() for n in names] if location == "header" else names

    def rest_match(self, services, method, path, qkeys, headers):
        """(score, service, operation, unsigned) of the best REST operation, or None."""
        best = None
        for svc in services:
            for m, rx, need, hneed, score, op, unsigned in self.rest_ops.get(svc, ()):
                if (m == method and rx.match(path) and all(k in qkeys for k in need)
                        and all(headers.get(h) is not None for h in hneed)):
                    if best is None or score > best[0]:
                        best = (score, svc, op, unsigned)
        return best

    def expected_services(self, req):
        """The signing names that could serve this request, or None when unknown."""
        if req.target_hdr:
            return self.targets.get(req.target_hdr.split(".", 1)[0])
        if req.action:
            return self.actions.get(req.action)
        first = req.path.lstrip("/").split("/")[0]
        if first:
            return self.rest_first.get((req.method, unquote(first)))
        return None

    def unsigned_allowed(self, req):
        if req.target_hdr:
            return req.target_hdr in self.unsigned_targets
        if req.action:
            return req.action in self.unsigned_actions
        best = self.rest_match(list(self.rest_ops), req.method, req.path, req.qkeys,
                               req.headers)
        return bool(best and best[3])


# --------------------------------------------------------------------------------------
# Secrets
# --------------------------------------------------------------------------------------

class KeyStore:
    def __init__(self, keys_file=None):
        self.lock = threading.Lock()
        self.learned = {}          # access key id -> (secret, session token or None)
        self.file_keys = {}
        self.keys_file = keys_file
        self._mtime = None

    def _reload(self):
        if not self.keys_file:
            return
        try:
            st = os.stat(self.keys_file)
        except OSError:
            return
        if st.st_mtime_ns == self._mtime:
            return
        keys = {}
        with open(self.keys_file, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith("#") and "=" in line:
                    k, _, v = line.partition("=")
                    keys[k.strip()] = v.strip()
        self.file_keys, self._mtime = keys, st.st_mtime_ns

    def learn(self, akid, secret, token):
        with self.lock:
            self.learned[akid] = (secret, token)

    def lookup(self, akid):
        """(secret, token or None, source) or None for an unknown key."""
        with self.lock:
            if akid in self.learned:
                s, t = self.learned[akid]
                return s, t, "learned"
            self._reload()
            if akid in self.file_keys:
                return self.file_keys[akid], None, "keys-file"
        if akid.startswith("AKIA") or akid.startswith("ASIA"):
            return TEST_SECRET, None, "test-secret"
        return None

    def learn_from_response(self, headers, body):
        if not body or len(body) > 4 * 1024 * 1024:
            return
        if any(k.lower() == "content-encoding" and "gzip" in v.lower() for k, v in headers):
            try:
                body = gzip.decompress(body)
            except OSError:
                return
        low = body.lower()
        if b"secretaccesskey" not in low and b"secretkey" not in low:
            return
        text = body.lstrip()
        if text.startswith(b"<"):
            self._learn_xml(text)
        elif text.startswith(b"{"):
            try:
                self._learn_json(json.loads(text))
            except ValueError:
                pass

    def _learn_xml(self, text):
        try:
            root = ET.fromstring(text)
        except ET.ParseError:
            return
        for el in root.iter():
            kids = {c.tag.rsplit("}", 1)[-1]: (c.text or "").strip() for c in el}
            if kids.get("AccessKeyId") and kids.get("SecretAccessKey"):
                self.learn(kids["AccessKeyId"], kids["SecretAccessKey"],
                           kids.get("SessionToken") or None)

    def _learn_json(self, obj, depth=0):
        if depth > 20:
            return
        if isinstance(obj, dict):
            low = {k.lower(): v for k, v in obj.items() if isinstance(k, str)}
            akid = low.get("accesskeyid")
            secret = low.get("secretaccesskey") or low.get("secretkey")
            if isinstance(akid, str) and isinstance(secret, str):
                tok = low.get("sessiontoken")
                self.learn(akid, secret, tok if isinstance(tok, str) and tok else None)
            for v in obj.values():
                self._learn_json(v, depth + 1)
        elif isinstance(obj, list):
            for v in obj:
                self._learn_json(v, depth + 1)


# --------------------------------------------------------------------------------------
# Verification
# --------------------------------------------------------------------------------------

class Req:
    """The parts of an incoming request the verifier looks at."""

    def __init__(self, method, target, headers, body):
        self.method = method
        self.path, _, self.query = target.partition("?")
        self.path = self.path or "/"
        self.headers = headers
        self.body = body
        # Query parameters decoded once; the signer encodes them again (AWS's rule).
        self.qpairs = []
        for pair in self.query.split("&") if self.query else []:
            k, _, v = pair.partition("=")
            self.qpairs.append((unquote(k), unquote(v)))
        self.qkeys = {k for k, _ in self.qpairs}
        self.target_hdr = headers.get("X-Amz-Target")
        params = pc.form_params(headers, body, self.query)
        self.action = params.get("Action")

    def qget(self, name):
        for k, v in self.qpairs:
            if k == name:
                return v
        return None

    def operation(self):
        if self.target_hdr:
            return self.target_hdr.rsplit(".", 1)[-1]
        if self.action:
            return self.action
        return "%s %s" % (self.method, self.path)


class Result:
    def __init__(self, ok, kind=None, message="", **kw):
        self.ok = ok
        self.kind = kind            # failure kind, see ERRORS
        self.message = message
        self.verified = kw.get("verified", ok)
        self.access_key = kw.get("access_key")
        self.service = kw.get("service")
        self.region = kw.get("region")
        self.canonical = kw.get("canonical")
        self.sts = kw.get("sts")
        self.extra_s3 = kw.get("extra_s3")
        self.presigned = kw.get("presigned", False)


def _fail(kind, message, **kw):
    return Result(False, kind, message, **kw)


class _ExactHeaders:
    """Sign exactly the headers named in SignedHeaders (AWS's rule; botocore's own
    headers_to_sign would drop e.g. user-agent from the list)."""
    signed_names = ()

    def headers_to_sign(self, request):
        hm = HTTPHeaders()
        for name in self.signed_names:
            for v in request.headers.get_all(name) or []:
                hm[name] = v
        return hm


class HeaderSigner(_ExactHeaders, botocore.auth.SigV4Auth):
    pass


class S3HeaderSigner(_ExactHeaders, botocore.auth.S3SigV4Auth):
    pass


class QuerySigner(_ExactHeaders, botocore.auth.SigV4QueryAuth):
    pass


class S3QuerySigner(_ExactHeaders, botocore.auth.S3SigV4QueryAuth):
    pass


def _header_text(v):
    """http.server decodes header bytes as latin-1; the client signed UTF-8 bytes."""
    try:
        return v.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return v


def _parse_amz_date(s):
    return datetime.datetime.strptime(s, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)


def _fmt(dt):
    return dt.strftime("%Y%m%dT%H%M%SZ")


class Verifier:
    def __init__(self, keys, index, max_skew=MAX_SKEW):
        self.keys = keys
        self.index = index
        self.max_skew = max_skew

    def verify(self, req, now=None):
        now = now or datetime.datetime.now(datetime.timezone.utc)
        auth = req.headers.get("Authorization")
        presigned = "X-Amz-Signature" in req.qkeys or "X-Amz-Algorithm" in req.qkeys
        if not auth and not presigned:
            if "AWSAccessKeyId" in req.qkeys and "Signature" in req.qkeys:
                return _fail("incomplete", "Signature Version 2 is not accepted here: sign "
                             "with AWS4-HMAC-SHA256", access_key=req.qget("AWSAccessKeyId"),
                             service="s3")
            self.index.wait()
            if self.index.unsigned_allowed(req):
                svc = "sts" if req.action in ("AssumeRoleWithWebIdentity", "AssumeRoleWithSAML") else None
                return Result(True, message="unsigned operation", verified=False, service=svc)
            return _fail("missing_auth", "Request is missing Authentication Token")

        if presigned:
            alg = req.qget("X-Amz-Algorithm")
            cred = req.qget("X-Amz-Credential")
            signed = req.qget("X-Amz-SignedHeaders")
            given = req.qget("X-Amz-Signature")
            amz_date = req.qget("X-Amz-Date")
            missing = [n for n, v in (("X-Amz-Algorithm", alg), ("X-Amz-Credential", cred),
                                      ("X-Amz-SignedHeaders", signed), ("X-Amz-Signature", given),
                                      ("X-Amz-Date", amz_date)) if not v]
            if missing:
                return _fail("incomplete", "AWS query-string parameters missing: %s" % ", ".join(missing))
            date_from_header = False
        else:
            m = re.match(r"\s*(\S+)\s+(.*)$", auth, re.S)
            if not m:
                return _fail("incomplete", "Authorization header is malformed: %r" % auth[:60])
            alg, fields = m.group(1), {}
            for part in m.group(2).split(","):
                k, _, v = part.strip().partition("=")
                fields[k.strip()] = v.strip()
            need = [k for k in ("Credential", "SignedHeaders", "Signature") if not fields.get(k)]
            if need:
                return _fail("incomplete", "Authorization header requires '%s' parameter. "
                             "Authorization=%s" % (need[0], auth[:60]))
            cred, signed, given = fields["Credential"], fields["SignedHeaders"], fields["Signature"]
            amz_date = req.headers.get("X-Amz-Date")
            date_from_header = amz_date is not None
            if amz_date is None and req.headers.get("Date"):
                try:
                    amz_date = _fmt(email.utils.parsedate_to_datetime(req.headers["Date"])
                                    .astimezone(datetime.timezone.utc))
                except (TypeError, ValueError):
                    amz_date = None
            if amz_date is None:
                return _fail("incomplete", "Authorization header requires existence of either "
                             "a 'X-Amz-Date' or a 'Date' header. Authorization=%s" % auth[:60])
        if alg != "AWS4-HMAC-SHA256":
            return _fail("incomplete", "Unsupported signing algorithm %r (only AWS4-HMAC-SHA256)"
                         % alg, service="s3" if alg == "AWS" else None)

        parts = cred.split("/")
        if len(parts) != 5:
            return _fail("incomplete", "Credential must have exactly 5 slash-separated "
                         "components: %r" % cred)
        akid, sdate, region, service, term = parts
        ctx = dict(access_key=akid, service=service, region=region, presigned=presigned)
        if not AMZ_DATE_RE.match(amz_date):
            return _fail("incomplete", "Invalid X-Amz-Date %r (want YYYYMMDDTHHMMSSZ)" % amz_date, **ctx)
        if sdate != amz_date[:8]:
            return _fail("signature", "Date in Credential scope does not match YYYYMMDD from "
                         "ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'."
                         % (sdate, amz_date[:8], amz_date), **ctx)
        if term != "aws4_request":
            return _fail("signature", "Credential should be scoped with a valid terminator: "
                         "'aws4_request', not '%s'." % term, **ctx)
        if not REGION_RE.match(region) or (service in GLOBAL_SERVICES and region not in HOME_REGIONS):
            return _fail("signature", "Credential should be scoped to a valid region, not '%s'. "
                         % region, **ctx)
        self.index.wait()
        expected = None if service in ("s3", "execute-api") else self.index.expected_services(req)
        if expected and service not in expected:
            return _fail("signature", "Credential should be scoped to correct service: '%s'. "
                         % sorted(expected)[0], **ctx)

        # The key and its secret.
        found = self.keys.lookup(akid)
        if found is None:
            return _fail("bad_key", "The security token included in the request is invalid.", **ctx)
        secret, want_token, _source = found
        token = req.qget("X-Amz-Security-Token") if presigned else req.headers.get("X-Amz-Security-Token")
        if want_token is not None and token != want_token:
            return _fail("bad_token", BAD_TOKEN + " (session token %s)"
                         % ("missing" if token is None else "does not match the one issued"), **ctx)
        if akid.startswith("ASIA") and not token:
            return _fail("bad_token", BAD_TOKEN + " (temporary key without a session token)", **ctx)

        # Time.
        when = _parse_amz_date(amz_date)
        if presigned:
            try:
                expires = int(req.qget("X-Amz-Expires") or "")
            except ValueError:
                return _fail("incomplete", "X-Amz-Expires must be an integer", **ctx)
            if expires < 1 or expires > 604800:
                return _fail("incomplete", "X-Amz-Expires must be between 1 and 604800 seconds", **ctx)
            if now > when + datetime.timedelta(seconds=expires):
                return _fail("presign_expired", "Request has expired", **ctx)
        elif when < now - self.max_skew:
            return _fail("expired", "Signature expired: %s is now earlier than %s (%s - 15 min.)"
                         % (amz_date, _fmt(now - self.max_skew), _fmt(now)), **ctx)
        if when > now + self.max_skew:
            return _fail("future", "Signature not yet current: %s is still later than %s (%s + 15 min.)"
                         % (amz_date, _fmt(now + self.max_skew), _fmt(now)), **ctx)

        # Header rules AWS enforces before it looks at the signature.
        names = sorted({n.strip().lower() for n in signed.split(";") if n.strip()})
        if "host" not in names:
            return _fail("signature", "'Host' or ':authority' must be a 'SignedHeader' in the "
                         "AWS Authorization.", **ctx)
        if date_from_header and "x-amz-date" not in names:
            return _fail("signature", "'X-Amz-Date' must be a 'SignedHeader' in the AWS "
                         "Authorization.", **ctx)
        content_sha = req.headers.get("X-Amz-Content-SHA256")
        if service == "s3" and not presigned:
            if content_sha is None:
                return _fail("s3_missing_sha", "Missing required header for this request: "
                             "x-amz-content-sha256", **ctx)
            unsigned_x = sorted({k.lower() for k in req.headers.keys()
                                 if k.lower().startswith("x-amz-") and k.lower() not in names})
            if unsigned_x:
                return _fail("s3_not_signed", "There were headers present in the request which "
                             "were not signed", extra_s3={"HeadersNotSigned": ", ".join(unsigned_x)},
                             **ctx)
        absent = [n for n in names if req.headers.get(n) is None]
        if absent:
            return _fail("signature", "Signed header(s) not present in the request: %s"
                         % ", ".join(absent), **ctx)
        if content_sha and re.fullmatch(r"[0-9a-fA-F]{64}", content_sha) and not presigned:
            actual = hashlib.sha256(req.body).hexdigest()
            if content_sha.lower() != actual:
                return _fail("content_sha", "The provided 'x-amz-content-sha256' header does not "
                             "match what was computed.",
                             extra_s3={"ClientComputedContentSHA256": content_sha,
                                       "S3ComputedContentSHA256": actual}, **ctx)

        # The signature, as botocore computes it.
        host = req.headers.get("Host") or ""
        areq = AWSRequest(method=req.method, url="http://%s%s" % (host, req.path), data=req.body)
        for n in names:
            for v in req.headers.get_all(n) or []:
                areq.headers[n] = _header_text(v)
        if not presigned and content_sha is not None and "x-amz-content-sha256" not in names:
            areq.headers["X-Amz-Content-SHA256"] = content_sha
        areq.params = [(k, v) for k, v in req.qpairs if not (presigned and k == "X-Amz-Signature")]
        areq.context["timestamp"] = amz_date
        creds = Credentials(akid, secret, token)
        if presigned:
            cls = S3QuerySigner if service == "s3" else QuerySigner
        else:
            cls = S3HeaderSigner if service == "s3" else HeaderSigner
        signer = cls(creds, service, region)
        signer.signed_names = names
        canonical = signer.canonical_request(areq)
        sts = signer.string_to_sign(areq, canonical)
        want = signer.signature(sts, areq)
        ctx.update(canonical=canonical, sts=sts)
        if not hmac.compare_digest(want, given.strip().lower()):
            return _fail("signature", "signature mismatch", **ctx)
        return Result(True, **ctx)


# failure kind -> protocol -> (HTTP status, error code)
ERRORS = {
    "signature": {"query": (403, "SignatureDoesNotMatch"), "ec2": (401, "AuthFailure"),
                  "json": (400, "InvalidSignatureException"),
                  "rest-json": (403, "InvalidSignatureException"),
                  "s3": (403, "SignatureDoesNotMatch")},
    "expired": {"query": (403, "SignatureDoesNotMatch"), "ec2": (400, "RequestExpired"),
                "json": (400, "InvalidSignatureException"),
                "rest-json": (403, "InvalidSignatureException"),
                "s3": (403, "RequestTimeTooSkewed")},
    "incomplete": {"query": (400, "IncompleteSignature"), "ec2": (400, "IncompleteSignature"),
                   "json": (400, "IncompleteSignatureException"),
                   "rest-json": (403, "IncompleteSignatureException"),
                   "s3": (400, "AuthorizationHeaderMalformed")},
    "missing_auth": {"query": (403, "MissingAuthenticationToken"),
                     "ec2": (401, "AuthFailure"),
                     "json": (400, "MissingAuthenticationTokenException"),
                     "rest-json": (403, "MissingAuthenticationTokenException"),
                     "s3": (403, "AccessDenied")},
    "bad_key": {"query": (403, "InvalidClientTokenId"), "ec2": (401, "AuthFailure"),
                "json": (400, "UnrecognizedClientException"),
                "rest-json": (403, "UnrecognizedClientException"),
                "s3": (403, "InvalidAccessKeyId")},
    "presign_expired": {"query": (403, "SignatureDoesNotMatch"), "ec2": (400, "RequestExpired"),
                        "json": (400, "InvalidSignatureException"),
                        "rest-json": (403, "InvalidSignatureException"),
                        "s3": (403, "AccessDenied")},
}
ERRORS["future"] = ERRORS["expired"]
ERRORS["bad_token"] = dict(ERRORS["bad_key"], s3=(400, "InvalidToken"))
ERRORS["s3_missing_sha"] = {p: (400, "InvalidRequest") for p in ERRORS["signature"]}
ERRORS["s3_not_signed"] = {p: (403, "AccessDenied") for p in ERRORS["signature"]}
ERRORS["content_sha"] = dict(ERRORS["signature"], s3=(400, "XAmzContentSHA256Mismatch"))


def error_for(res, protocol, xmlns_of):
    status, code = ERRORS[res.kind][protocol]
    msg = res.message
    extra = dict(res.extra_s3 or {})
    if res.kind == "signature" and msg == "signature mismatch":
        if protocol == "s3":
            msg = SIG_MISMATCH_S3
            extra.update(AWSAccessKeyId=res.access_key, StringToSign=res.sts,
                         CanonicalRequest=res.canonical)
        elif protocol == "ec2":
            msg = "AWS was not able to validate the provided access credentials"
        else:
            # AWS appends what it expected, which is what makes a mismatch debuggable.
            msg = (SIG_MISMATCH_QUERY + "\n\nThe Canonical String for this request should have "
                   "been\n'%s'\n\nThe String-to-Sign should have been\n'%s'\n"
                   % (res.canonical, res.sts))
    elif res.kind in ("expired", "future") and protocol == "s3":
        msg = "The difference between the request time and the current time is too large."
    elif res.kind in ("expired", "future", "presign_expired") and protocol == "ec2":
        msg = "Request has expired."
    elif res.kind == "missing_auth":
        msg = {"s3": "Access Denied", "json": "Missing Authentication Token",
               "rest-json": "Missing Authentication Token"}.get(protocol, msg)
    elif res.kind == "bad_key" and protocol == "s3":
        msg = "The AWS Access Key Id you provided does not exist in our records."
        extra["AWSAccessKeyId"] = res.access_key
    elif res.kind == "bad_token" and protocol == "s3":
        msg = "The provided token is malformed or otherwise invalid."
    return pc.error_response(protocol, status, code, msg, service=res.service,
                             xmlns=xmlns_of(res.service), extra_s3=extra or None)


# --------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------

class RequestLog:
    def __init__(self, path):
        self.lock = threading.Lock()
        self.f = open(path, "a", encoding="utf-8") if path else None

    def write(self, entry):
        if self.f is None:
            return
        line = json.dumps(entry, sort_keys=True) + "\n"
        with self.lock:
            self.f.write(line)
            self.f.flush()


class VerifyingHandler(pc.ProxyHandler):
    verifier = None
    reqlog = None
    samt = None              # samtransform.SamTransform

    def handle_proxy(self):
        method = self.command
        target = self.request_target()
        body = self.read_body()
        req = Req(method, target, self.headers, body)
        res = self.verifier.verify(req)
        protocol = pc.detect_protocol(self.headers, body, target, res.service)
        entry = {
            "time": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "method": method, "path": req.path, "service": res.service,
            "region": res.region, "operation": req.operation(), "api": self._api_name(req, res),
            "access_key": res.access_key, "verified": bool(res.ok and res.verified),
            "reason": res.message or None,
        }
        if not res.ok:
            err = error_for(res, protocol, self.verifier.index.xmlns.get)
            entry["status"] = err[0]
            entry["error"] = ERRORS[res.kind][protocol][1]
            if res.kind == "signature" and res.canonical:
                entry["canonical_request"] = res.canonical
                entry["string_to_sign"] = res.sts
            self.reqlog.write(entry)
            self.send_error_tuple(method, err)
            return
        extra = []
        if res.presigned and res.service != "s3" and not self.headers.get("Authorization"):
            # moto routes a request by the service in its Authorization header and does
            # not look at X-Amz-Credential: give it one (the signature is checked already).
            extra.append(("Authorization", "AWS4-HMAC-SHA256 Credential=%s, SignedHeaders=%s, "
                          "Signature=%s" % (req.qget("X-Amz-Credential"),
                                            req.qget("X-Amz-SignedHeaders"),
                                            req.qget("X-Amz-Signature"))))
        headers = self.header_pairs()
        cfn = None
        if res.service == "cloudformation" and protocol == "query" and req.action:
            # AWS applies the SAM transform server-side, moto does not (samtransform.py).
            cfn = self.samt.begin(req.action, body, res.region)
            if cfn.answer is not None:
                entry.update(status=cfn.answer[0], sam_transform=True)
                self.reqlog.write(entry)
                self.send_error_tuple(method, cfn.answer)
                return
            if cfn.body is not None:
                body = cfn.body
                headers = self._resign(headers, body, res)
                entry["sam_transform"] = True
        try:
            status, reason, pairs, data = self.forward(method, target, headers, body,
                                                       extra_headers=extra)
        except pc.UpstreamError as e:
            entry.update(status=502, reason="upstream: %s" % e)
            self.reqlog.write(entry)
            pc.upstream_failure(self, method, e)
            return
        if 200 <= status < 300:
            self.verifier.keys.learn_from_response(pairs, data)
        if cfn is not None:
            cfn.finish(status, data)
            data = cfn.rewrite(status, data)
        entry["status"] = status
        self.reqlog.write(entry)
        self.send_upstream_response(method, status, reason, pairs, data)

    def _resign(self, pairs, body, res):
        """Headers for a body the proxy rewrote, signed again with the caller's key, so
        what reaches moto is still a request AWS would accept."""
        found = self.verifier.keys.lookup(res.access_key) if res.access_key else None
        if found is None:
            return pairs                  # nothing to sign with (never for CloudFormation)
        secret = found[0]
        token = self.headers.get("X-Amz-Security-Token")
        drop = ("authorization", "x-amz-date", "x-amz-content-sha256", "content-length",
                "x-amz-security-token")
        areq = AWSRequest(method=self.command, url="http://%s%s" % (
            self.headers.get("Host") or "localhost", self.request_target()), data=body)
        for k, v in pairs:
            if k.lower() not in drop:
                areq.headers[k] = v
        botocore.auth.SigV4Auth(Credentials(res.access_key, secret, token), res.service,
                                res.region).add_auth(areq)
        return list(areq.headers.items())

    def _api_name(self, req, res):
        if req.target_hdr or req.action:
            return req.operation()
        idx = self.verifier.index
        if not idx.ready.is_set():
            return None
        services = [res.service] if res.service else list(idx.rest_ops)
        best = idx.rest_match(services, req.method, req.path, req.qkeys, req.headers)
        return best[2] if best else None


def moto_s3_fetcher(upstream):
    """fetch(bucket, key, version) -> bytes, straight from moto's S3: the proxy reads
    a TemplateURL itself, as CloudFormation does before it applies the transform."""
    state = {"client": None}
    lock = threading.Lock()
    u = urlsplit(upstream)
    # "localhost", not 127.0.0.1: moto reads some 127.0.0.1 requests as bucket "127".
    endpoint = "http://localhost:%d" % (u.port or 80)

    def fetch(bucket, key, version=None):
        with lock:
            if state["client"] is None:
                state["client"] = botocore.session.get_session().create_client(
                    "s3", endpoint_url=endpoint, region_name="us-east-1",
                    aws_access_key_id="AKIAAWSXPROXY0000001", aws_secret_access_key=TEST_SECRET,
                    config=botocore.config.Config(s3={"addressing_style": "path"},
                                                  retries={"total_max_attempts": 2}))
            client = state["client"]
        kw = {"Bucket": bucket, "Key": key}
        if version:
            kw["VersionId"] = version
        try:
            return client.get_object(**kw)["Body"].read()
        except botocore.exceptions.ClientError as e:
            raise ValueError("S3 error: %s (s3://%s/%s)"
                             % (e.response.get("Error", {}).get("Message") or e, bucket, key))
    return fetch


def cfn_error(status, code, message):
    return pc.error_response("query", status, code, message, service="cloudformation")


def make_server(upstream, port=0, log_path=None, keys_file=None, index=None):
    keys = KeyStore(keys_file)
    handler = type("Handler", (VerifyingHandler,), {
        "upstream": upstream,
        "verifier": Verifier(keys, index or ServiceIndex()),
        "reqlog": RequestLog(log_path),
        "samt": samtransform.SamTransform(moto_s3_fetcher(upstream), cfn_error),
    })
    return pc.Server(port, handler)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--upstream", required=True, help="moto's URL, http://127.0.0.1:PORT")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--log", help="request log, one JSON object per line")
    ap.add_argument("--keys", help="file of access-key-id=secret lines")
    ap.add_argument("--ready-file", help="where to write 'listening on PORT'")
    ap.add_argument("--max-seconds", type=float, default=6 * 3600,
                    help="exit after this long even if nobody stops it (leak guard)")
    args = ap.parse_args(argv)
    index = ServiceIndex()
    server = make_server(args.upstream, args.port, args.log, args.keys, index)
    port = server.server_address[1]
    index.wait()          # ready only once the first request will not wait for the index
    if args.ready_file:
        tmp = args.ready_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("listening on %d\n" % port)
        os.replace(tmp, args.ready_file)
    else:
        print("listening on %d" % port, flush=True)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    guard = threading.Timer(args.max_seconds, server.shutdown)
    guard.daemon = True
    guard.start()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
