# SPDX-License-Identifier: Apache-2.0
"""The AWS::Serverless-2016-10-31 transform for the verifying proxy (sigv4_proxy.py).

AWS runs the SAM translator server-side when a CloudFormation template declares
`Transform: AWS::Serverless-2016-10-31`; moto 5.2.1 does not (it skips the
AWS::Serverless::* resources). The proxy calls into this module for CloudFormation
query requests so that, seen from a client, moto behaves like AWS here:

- CreateStack / UpdateStack / CreateChangeSet with a SAM template (TemplateBody, or
  TemplateURL naming an object in moto's S3) reach moto as the translated JSON
  template (samtranslator, the library AWS and the SAM CLI use). What moto's
  CloudFormation then cannot create as AWS does is added to moto itself (motoext.py).
- The template as sent is kept per stack, so GetTemplate with TemplateStage=Original
  answers it byte for byte; Processed (the default) is moto's answer, the translation.
  The original answered is the one whose translation moto holds: after an update that
  rolled back (motoext.py), the previous one, as on AWS.
- CreateStack / UpdateStack without CAPABILITY_AUTO_EXPAND are refused as AWS does,
  and a template the translator rejects is a ValidationError naming the transform.

Everything runs in the proxy process, in memory: originals are lost when it stops,
as moto's stacks are.
"""

import copy
import json
import re
import threading
import uuid
import xml.etree.ElementTree as ET
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit
from xml.sax.saxutils import escape

import yaml

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
CFN_XMLNS = "http://cloudformation.amazonaws.com/doc/2010-05-15/"

# Managed policies SAM templates name most; samtranslator also has its own bundled
# map. The proxy must not ask IAM (AWS's transform does not call the user's IAM).
MANAGED_POLICIES = {
    name: "arn:aws:iam::aws:policy/" + path
    for name, path in (
        ("AWSLambdaBasicExecutionRole", "service-role/AWSLambdaBasicExecutionRole"),
        ("AWSLambdaVPCAccessExecutionRole", "service-role/AWSLambdaVPCAccessExecutionRole"),
        ("AWSLambdaRole", "service-role/AWSLambdaRole"),
        ("AWSXrayWriteOnlyAccess", "AWSXrayWriteOnlyAccess"),
        ("AWSXRayDaemonWriteAccess", "AWSXRayDaemonWriteAccess"),
        ("AmazonS3ReadOnlyAccess", "AmazonS3ReadOnlyAccess"),
        ("AmazonDynamoDBReadOnlyAccess", "AmazonDynamoDBReadOnlyAccess"),
        ("CloudWatchLogsFullAccess", "CloudWatchLogsFullAccess"),
    )
}


# --------------------------------------------------------------------------------------
# Loading templates: JSON, or YAML with CloudFormation's short-form tags
# --------------------------------------------------------------------------------------

class CfnYamlLoader(yaml.SafeLoader):
    """YAML as CloudFormation reads it: `!Ref x` is {"Ref": "x"}, `!GetAtt a.b` is
    {"Fn::GetAtt": ["a", "b"]}, and a date such as 2010-09-09 stays a string."""


CfnYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _short_form(loader, suffix, node):
    name = suffix
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if name == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    key = name if name in ("Ref", "Condition") else "Fn::" + name
    return {key: value}


CfnYamlLoader.add_multi_constructor("!", _short_form)


def load_template(text):
    """A template's text as a dict; ValueError when it is neither JSON nor YAML."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    if text.lstrip().startswith("{"):
        try:
            doc = json.loads(text)
        except ValueError as e:
            raise ValueError("Template format error: JSON not well-formed. (%s)" % e)
    else:
        try:
            doc = yaml.load(text, Loader=CfnYamlLoader)  # noqa: S506 - a SafeLoader
        except yaml.YAMLError as e:
            raise ValueError("Template format error: YAML not well-formed. (%s)" % e)
    if not isinstance(doc, dict):
        raise ValueError("Template format error: not a JSON or YAML mapping")
    return doc


def uses_sam(template):
    t = template.get("Transform")
    return t == SAM_TRANSFORM or (isinstance(t, list) and SAM_TRANSFORM in t)


# --------------------------------------------------------------------------------------
# Translation
# --------------------------------------------------------------------------------------

# samtranslator keeps the region in a class attribute (ArnGenerator): one at a time.
_translate_lock = threading.Lock()


class TransformError(Exception):
    """The template cannot be transformed; the message is what AWS would say."""


def translate(template, parameter_values, region):
    """The SAM template translated to plain CloudFormation (a new dict)."""
    import boto3.session  # the proxy only pays for boto3 once a SAM template arrives
    from samtranslator.model.exceptions import ExceptionWithMessage
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator
    from samtranslator.utils.py27hash_fix import (to_py27_compatible_template,
                                                  undo_mark_unicode_str_in_template)

    template = copy.deepcopy(template)
    params = dict(parameter_values)
    with _translate_lock:
        try:
            # The same steps as samtranslator.translator.transform.transform(), but with
            # the request's region instead of whatever the environment has.
            to_py27_compatible_template(template, params)
            session = boto3.session.Session(region_name=region)
            translator = Translator(None, Parser(), boto_session=session)
            out = translator.translate(template, parameter_values=params,
                                       get_managed_policy_map=lambda: MANAGED_POLICIES)
            return undo_mark_unicode_str_in_template(out)
        except ExceptionWithMessage as e:
            raise TransformError("Transform %s failed with: %s" % (SAM_TRANSFORM, e.message))
        except (ValueError, TypeError, KeyError, AttributeError) as e:
            raise TransformError("Transform %s failed with: %s" % (SAM_TRANSFORM, e))


# --------------------------------------------------------------------------------------
# The proxy's side: one CloudFormation request at a time
# --------------------------------------------------------------------------------------

def form_params(body):
    try:
        return parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    except (UnicodeDecodeError, ValueError):
        return []


def _members(pairs, prefix):
    """Values of a query-protocol list: Prefix.member.N, in N order."""
    rx = re.compile(r"^%s\.member\.(\d+)$" % re.escape(prefix))
    found = sorted((int(m.group(1)), v) for k, v in pairs if (m := rx.match(k)))
    return [v for _, v in found]


def _parameters(pairs):
    """{ParameterKey: ParameterValue} of a CreateStack/UpdateStack request."""
    rx = re.compile(r"^Parameters\.member\.(\d+)\.(ParameterKey|ParameterValue)$")
    by_n = {}
    for k, v in pairs:
        m = rx.match(k)
        if m:
            by_n.setdefault(int(m.group(1)), {})[m.group(2)] = v
    return {p["ParameterKey"]: p["ParameterValue"] for p in by_n.values()
            if "ParameterKey" in p and "ParameterValue" in p}


def s3_location(url):
    """(bucket, key) of an S3 object URL, virtual-hosted or path style."""
    u = urlsplit(url)
    host = (u.hostname or "").lower()
    path = unquote(u.path).lstrip("/")
    m = re.match(r"^(.+?)\.s3([.-][a-z0-9-]+)*\.amazonaws\.com(\.cn)?$", host)
    if m:
        return m.group(1), path
    bucket, _, key = path.partition("/")
    return bucket, key


def _xml_text(s):
    # Escape CR as well: an XML parser would turn a literal CR into LF, and the
    # original template must come back byte for byte.
    return escape(s).replace("\r", "&#13;")


# Originals kept per stack, keyed by their translation (the newest wins).
ORIGINALS_PER_STACK = 16


def get_template_response(body, rid=None):
    rid = rid or str(uuid.uuid4())
    xml = ('<GetTemplateResponse xmlns="%s">\n  <GetTemplateResult>\n'
           "    <TemplateBody>%s</TemplateBody>\n"
           "    <StagesAvailable>\n      <member>Original</member>\n"
           "      <member>Processed</member>\n    </StagesAvailable>\n"
           "  </GetTemplateResult>\n  <ResponseMetadata>\n"
           "    <RequestId>%s</RequestId>\n  </ResponseMetadata>\n"
           "</GetTemplateResponse>\n" % (CFN_XMLNS, _xml_text(body), rid))
    return 200, [("x-amzn-RequestId", rid), ("Content-Type", "text/xml")], xml.encode("utf-8")


def _template_body_in(data):
    """(TemplateBody, RequestId) of a GetTemplate answer; (None, None) if unreadable."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return None, None
    body = rid = None
    for el in root.iter():
        if el.tag.endswith("}TemplateBody") or el.tag == "TemplateBody":
            body = el.text or ""
        elif el.tag.endswith("}RequestId") or el.tag == "RequestId":
            rid = el.text
    return body, rid


def _stack_id_in(data):
    m = re.search(rb"<StackId>([^<]+)</StackId>", data or b"")
    return m.group(1).decode("utf-8") if m else None


def _is_arn(name):
    return name.startswith("arn:")


class Call:
    """What the proxy does with one CloudFormation request.

    answer: (status, headers, body) to send instead of forwarding, or None.
    body:   the form body to forward instead of the one received, or None.
    finish(status, data): called with moto's answer to record what it means.
    rewrite(status, data): the answer body to send instead of moto's."""

    def __init__(self, answer=None, body=None, finish=None, rewrite=None):
        self.answer = answer
        self.body = body
        self._finish = finish
        self._rewrite = rewrite

    def finish(self, status, data):
        if self._finish is not None and 200 <= status < 300:
            self._finish(data)

    def rewrite(self, status, data):
        if self._rewrite is not None and 200 <= status < 300:
            return self._rewrite(data)
        return data


class SamTransform:
    """Originals of transformed stacks, and the request rewriting. Thread-safe."""

    def __init__(self, fetch, error):
        """fetch(bucket, key, version) -> bytes from moto's S3 (raises on failure);
        error(status, code, message) -> (status, headers, body) in the query shape."""
        self.fetch = fetch
        self.error = error
        self.lock = threading.Lock()
        self.by_id = {}             # stack id -> {translation sent: original}, oldest first
        self.ids = {}               # stack name -> id of the live stack of that name
        self.pending = {}           # change set id or (stack, name) ->
                                    #   (stack, id, original, translation)

    def begin(self, action, body, region):
        pairs = form_params(body)
        handler = {
            "CreateStack": self._create_or_update,
            "UpdateStack": self._create_or_update,
            "CreateChangeSet": self._create_or_update,
            "ExecuteChangeSet": self._execute_change_set,
            "GetTemplate": self._get_template,
            "DeleteStack": self._delete_stack,
        }.get(action)
        return handler(action, pairs, region) if handler else Call()

    # --- requests -------------------------------------------------------------

    def _create_or_update(self, action, pairs, region):
        params = dict(pairs)
        try:
            text = self._template_text(params)
        except (OSError, ValueError) as e:
            return Call(answer=self.error(400, "ValidationError", str(e)))
        if text is None:
            return Call()             # UsePreviousTemplate: moto has the processed one
        try:
            template = load_template(text)
        except ValueError:
            template = {}             # not ours to judge: moto answers as it does
        if not uses_sam(template):
            # Without the transform moto's template is the original: forget ours.
            return Call(finish=self._forget_original(params.get("StackName", ""))
                        if action == "UpdateStack" else None)
        if action != "CreateChangeSet" and "CAPABILITY_AUTO_EXPAND" not in _members(
                pairs, "Capabilities"):
            return Call(answer=self.error(400, "InsufficientCapabilitiesException",
                                          "Requires capabilities : [CAPABILITY_AUTO_EXPAND]"))
        try:
            processed = translate(template, _parameters(pairs), region)
        except TransformError as e:
            return Call(answer=self.error(400, "ValidationError", str(e)))
        sent = json.dumps(processed, indent=1)
        out = [(k, v) for k, v in pairs if k not in ("TemplateBody", "TemplateURL")]
        out.append(("TemplateBody", sent))
        name = params.get("StackName", "")
        if action == "CreateChangeSet":
            finish = self._remember_change_set(name, params.get("ChangeSetName", ""), text,
                                               sent)
        else:
            finish = self._remember_stack(name, text, sent)
        return Call(body=urlencode(out).encode("utf-8"), finish=finish)

    def _template_text(self, params):
        if "TemplateBody" in params:
            return params["TemplateBody"]
        if params.get("TemplateURL"):
            bucket, key = s3_location(params["TemplateURL"])
            if not bucket or not key:
                raise ValueError("TemplateURL must be a supported URL.")
            return self.fetch(bucket, key, None).decode("utf-8")
        return None

    def _execute_change_set(self, action, pairs, region):
        params = dict(pairs)
        cs, stack = params.get("ChangeSetName", ""), params.get("StackName", "")
        with self.lock:
            found = self.pending.get(cs) or self.pending.get((stack, cs))
        if not found:
            return Call()
        stack_name, stack_id, text, sent = found
        return Call(finish=lambda data: self._record(stack_name, stack_id, text, sent))

    def _get_template(self, action, pairs, region):
        params = dict(pairs)
        if params.get("TemplateStage") != "Original":
            return Call()
        name, cs = params.get("StackName", ""), params.get("ChangeSetName")
        with self.lock:
            if cs:
                found = self.pending.get(cs) or self.pending.get((name, cs))
                if not found:
                    return Call()
                return Call(answer=get_template_response(found[2]))
            sid = name if _is_arn(name) else self.ids.get(name)
            originals = dict(self.by_id.get(sid) or {})
        if not originals:
            return Call()         # no transform: the original is what moto has

        def original_of(data):
            # moto holds the translation of the stack's template: after a rollback
            # that of the previous one, whose original is then the answer
            body, rid = _template_body_in(data)
            text = originals.get(body)
            if text is None:
                text = list(originals.values())[-1]
            return get_template_response(text, rid)[2]
        return Call(rewrite=original_of)

    def _delete_stack(self, action, pairs, region):
        name = dict(pairs).get("StackName", "")

        def forget(_data):
            with self.lock:
                for n, sid in list(self.ids.items()):
                    if n == name or sid == name:
                        del self.ids[n]     # by id, a deleted stack keeps its template
        return Call(finish=forget)

    # --- answers --------------------------------------------------------------

    def _forget_original(self, name):
        def forget(_data):
            with self.lock:
                sid = name if _is_arn(name) else self.ids.get(name)
                self.by_id.pop(sid, None)
        return forget

    def _remember_stack(self, name, text, sent):
        return lambda data: self._record(name, _stack_id_in(data), text, sent)

    def _remember_change_set(self, stack, cs_name, text, sent):
        def remember(data):
            # Kept until ExecuteChangeSet: only then is it the stack's template.
            cs_id = re.search(rb"<Id>([^<]+)</Id>", data or b"")
            entry = (stack, _stack_id_in(data), text, sent)
            with self.lock:
                self.pending[(stack, cs_name)] = entry
                if cs_id:
                    self.pending[cs_id.group(1).decode("utf-8")] = entry
        return remember

    def _record(self, name, stack_id, text, sent):
        with self.lock:
            if _is_arn(name):
                stack_id = stack_id or name
                name = next((n for n, s in self.ids.items() if s == stack_id), None)
            else:
                stack_id = stack_id or self.ids.get(name)
            if name and stack_id:
                self.ids[name] = stack_id
            if stack_id:
                originals = self.by_id.setdefault(stack_id, {})
                originals.pop(sent, None)             # the newest last
                originals[sent] = text
                while len(originals) > ORIGINALS_PER_STACK:
                    del originals[next(iter(originals))]
