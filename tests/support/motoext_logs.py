# SPDX-License-Identifier: Apache-2.0
"""What `awsx logs` reads, as AWS answers it, added to moto 5.2.1's own process.

Loaded by motoext.py (at its end), so that moto_server.py, and with it awsenv.py,
serve it. Each difference below was found with boto3 against moto 5.2.1 and is
listed in docs/testing.md ("moto is not AWS", `awsx logs`); tests/integration/
test_motoext_logs.py checks them through the verifying proxy.

Lambda
- LoggingConfig was dropped everywhere (CreateFunction, UpdateFunctionConfiguration,
  CloudFormation, the SAM transform's output): GetFunction / GetFunctionConfiguration /
  ListFunctions had none. Here every function has one, as on AWS: LogFormat "Text" and
  LogGroup "/aws/lambda/<name>" unless set; with LogFormat "JSON" the application and
  system log levels default to "INFO". An update merges the members it names.
- AWS::Lambda::Function ignored LoggingConfig and TracingConfig (SAM's Tracing:
  Active): both applied here, on create and update (a property left out is reset).

API Gateway (REST)
- AWS::ApiGateway::Stage (motoext.py) ignored AccessLogSetting and MethodSettings:
  GetStages now has accessLogSettings {destinationArn, format} and methodSettings
  {"*/*": {loggingLevel, dataTraceEnabled, metricsEnabled, ...}} as AWS has them.
  The same for AWS::ApiGateway::Deployment's StageDescription (moto ignored it).
- A stage without access logging answered "accessLogSettings": null (AWS: no member).

API Gateway (HTTP APIs)
- AWS::ApiGatewayV2::Stage (motoext.py) passed AccessLogSettings, DefaultRouteSettings
  and RouteSettings on with CloudFormation's member names (DestinationArn, ...), which
  GetStages then answered and clients dropped ("AccessLogSettings": {}): they are
  given the API's names (destinationArn, format, loggingLevel, ...) now.

Step Functions
- AWS::StepFunctions::StateMachine (motoext.py on top of moto's) ignored
  LoggingConfiguration, TracingConfiguration and StateMachineType (SAM's Logging,
  Tracing, Type): DescribeStateMachine said {"level": "OFF"}, tracing off, STANDARD.
  Applied now, in the API's names (level, includeExecutionData, destinations
  [{cloudWatchLogsLogGroup: {logGroupArn}}]); without one: {"level": "OFF",
  "includeExecutionData": false}, as AWS answers.

X-Ray (GetTraceSummaries, BatchGetTraces; PutTraceSegments stores)
- moto summarised only traces whose last-starting segment had ended, only if the
  whole trace lay strictly inside the window, with "IsParital" (sic), Duration as
  whole seconds, ResponseTime 1, Http {}, no Revision, no StartTime, HasError from
  any key "error" present (even false); the window's fractions were cut off; a
  segment sent again (in progress, then complete) was stored twice; a
  FilterExpression was an HTTP 500. Here:
  - a trace is in the window by TimeRangeType: TraceId (the default) the time in its
    id, Event the time its last segment arrived, Service the end time of one of its
    segments; StartTime <= t <= EndTime, in fractional epoch seconds;
  - a window longer than MAX_WINDOW_SECONDS or ending before it starts is
    InvalidRequestException;
  - summaries, newest first, MAX_SUMMARIES_PER_PAGE a page with a NextToken;
    in-progress traces too, with IsPartial true;
  - Duration (earliest start to last end) and ResponseTime (the root segment's)
    as fractional seconds; StartTime; Http {HttpURL, HttpMethod, HttpStatus,
    UserAgent, ClientIp} from the root segment; HasFault / HasError from the root
    segment (its fault / error flag or a 5xx / 4xx status) and HasThrottle from any
    segment or subsegment (throttle or 429), as the API model documents them;
    Revision, one more for every segment document stored for the trace;
    EntryPoint, ServiceIds, Annotations, Users, ResourceARNs;
  - a segment sent again replaces the earlier document with that id (Revision + 1);
  - FilterExpression: a subset (see _Filter); anything else is
    InvalidRequestException saying that the test endpoint does not support it.
  BatchGetTraces answers every stored document (Id, Document as sent), Duration as
  fractional seconds, LimitExceeded false; more than MAX_BATCH_TRACE_IDS ids is
  InvalidRequestException; ids not stored are UnprocessedTraceIds.

CloudWatch Logs
- FilterLogEvents answered the events of one stream after another unless the
  request said interleaved=true (AWS ignores the parameter since 2019 and always
  interleaves): events are now in time order across streams, which tailing needs.
  Nothing else changed (see docs/testing.md for what still differs).

Where AWS's exact limit or wording was not at hand, the choice is said where it is
made (MAX_WINDOW_SECONDS, the messages).
"""

import base64
import datetime
import json
import re
import threading
import time

from moto.apigateway import models as apigw
from moto.apigatewayv2 import models as apigw2
from moto.awslambda import models as lam
from moto.logs import models as logsmodels
from moto.stepfunctions import models as sfn
from moto.xray import models as xraymodels
from moto.xray import responses as xrayresponses
from moto.xray.exceptions import BadSegmentException

import motoext

# --------------------------------------------------------------------------------------
# Lambda: LoggingConfig (API and CloudFormation), TracingConfig (CloudFormation)
# --------------------------------------------------------------------------------------

LOGGING_MEMBERS = ("LogFormat", "ApplicationLogLevel", "SystemLogLevel", "LogGroup")


def _logging_config(function_name, given=None, previous=None):
    """A function's LoggingConfig as Lambda answers it: previous, then given, over the
    defaults (Text to /aws/lambda/<name>; INFO levels with JSON)."""
    out = {"LogFormat": "Text", "LogGroup": "/aws/lambda/%s" % function_name}
    for source in (previous, given):
        if isinstance(source, dict):
            out.update({k: v for k, v in source.items() if k in LOGGING_MEMBERS and v})
    if out.get("LogFormat") == "JSON":
        out.setdefault("ApplicationLogLevel", "INFO")
        out.setdefault("SystemLogLevel", "INFO")
    else:
        # log levels go with JSON only (AWS refuses them with Text)
        out.pop("ApplicationLogLevel", None)
        out.pop("SystemLogLevel", None)
    return {k: out[k] for k in LOGGING_MEMBERS if k in out}


def _set_logging(fn, config):
    fn.logging_config = config                 # a new dict: versions share the old one
    fn.logs_group_name = config["LogGroup"]    # where moto's own invoke writes


_moto_fn_init = lam.LambdaFunction.__init__
_moto_fn_get_configuration = lam.LambdaFunction.get_configuration
_moto_fn_update_configuration = lam.LambdaFunction.update_configuration


def _fn_init(self, account_id, spec, region, version=1):
    _moto_fn_init(self, account_id, spec, region, version)
    _set_logging(self, _logging_config(self.function_name, spec.get("LoggingConfig")))


def _fn_get_configuration(self, on_create=False):
    config = _moto_fn_get_configuration(self, on_create)
    logging = getattr(self, "logging_config", None) or _logging_config(self.function_name)
    config["LoggingConfig"] = dict(logging)
    return config


def _fn_update_configuration(self, config_updates):
    if isinstance(config_updates.get("LoggingConfig"), dict):
        _set_logging(self, _logging_config(self.function_name, config_updates["LoggingConfig"],
                                           getattr(self, "logging_config", None)))
    if isinstance(config_updates.get("TracingConfig"), dict):
        self.tracing_config = {"Mode": config_updates["TracingConfig"].get("Mode",
                                                                           "PassThrough")}
    return _moto_fn_update_configuration(self, config_updates)


lam.LambdaFunction.__init__ = _fn_init
lam.LambdaFunction.get_configuration = _fn_get_configuration
lam.LambdaFunction.update_configuration = _fn_update_configuration


def _fn_from_template(fn, props):
    """LoggingConfig and TracingConfig of a template's function (absent: the defaults)."""
    _set_logging(fn, _logging_config(fn.function_name, props.get("LoggingConfig")))
    tracing = props.get("TracingConfig")
    fn.tracing_config = {"Mode": tracing.get("Mode", "PassThrough")
                         if isinstance(tracing, dict) else "PassThrough"}
    return fn


def _wrap_cfn(cls, after, create=True, update=True):
    """Run after(resource, properties) on what cls's CloudFormation create / update
    returns (cls's own methods, kept as they are)."""
    if create:
        moto_create = cls.create_from_cloudformation_json

        def create_from_cloudformation_json(_cls, resource_name, cloudformation_json,
                                            account_id, region_name, **kwargs):
            resource = moto_create(resource_name, cloudformation_json, account_id,
                                   region_name, **kwargs)
            return after(resource, cloudformation_json.get("Properties") or {},
                         account_id, region_name)
        cls.create_from_cloudformation_json = classmethod(create_from_cloudformation_json)
    if update:
        moto_update = cls.update_from_cloudformation_json

        def update_from_cloudformation_json(_cls, original_resource, new_resource_name,
                                            cloudformation_json, account_id, region_name):
            resource = moto_update(original_resource, new_resource_name, cloudformation_json,
                                   account_id, region_name)
            return after(resource, cloudformation_json.get("Properties") or {},
                         account_id, region_name)
        cls.update_from_cloudformation_json = classmethod(update_from_cloudformation_json)


_wrap_cfn(motoext.LambdaFunctionLayers,
          lambda fn, props, account_id, region_name: _fn_from_template(fn, props))


# --------------------------------------------------------------------------------------
# API Gateway REST stages: AccessLogSetting, MethodSettings
# --------------------------------------------------------------------------------------

# CloudFormation MethodSetting member -> GetStages methodSettings member
METHOD_SETTINGS = {
    "LoggingLevel": "loggingLevel",
    "DataTraceEnabled": "dataTraceEnabled",
    "MetricsEnabled": "metricsEnabled",
    "ThrottlingBurstLimit": "throttlingBurstLimit",
    "ThrottlingRateLimit": "throttlingRateLimit",
    "CachingEnabled": "cachingEnabled",
    "CacheTtlInSeconds": "cacheTtlInSeconds",
    "CacheDataEncrypted": "cacheDataEncrypted",
}


def _access_log_settings(setting):
    """CloudFormation's AccessLogSetting {DestinationArn, Format} in the API's names."""
    if not isinstance(setting, dict) or not setting.get("DestinationArn"):
        return None
    out = {"destinationArn": setting["DestinationArn"]}
    if setting.get("Format"):
        out["format"] = setting["Format"]
    return out


def _bool(value):
    return value if isinstance(value, bool) else str(value).lower() == "true"


def _method_settings(stage, settings):
    """CloudFormation's MethodSettings list as GetStages' map: "*/*" for every method
    (ResourcePath "/*", HttpMethod "*"), "~1items/GET" for one (the path's slashes
    as "~1", as the API spells it)."""
    out = {}
    for item in settings or []:
        if not isinstance(item, dict):
            continue
        path = str(item.get("ResourcePath", "/*"))
        key = "%s/%s" % ("*" if path in ("/*", "*") else path.replace("/", "~1"),
                         item.get("HttpMethod", "*"))
        entry = dict(stage._get_default_method_settings(), loggingLevel="OFF")
        for cfn, api in METHOD_SETTINGS.items():
            if item.get(cfn) is None:
                continue
            value = item[cfn]
            if api in ("dataTraceEnabled", "metricsEnabled", "cachingEnabled",
                       "cacheDataEncrypted"):
                value = _bool(value)
            elif api in ("throttlingBurstLimit", "cacheTtlInSeconds"):
                value = int(value)
            elif api == "throttlingRateLimit":
                value = float(value)
            entry[api] = value
        out[key] = entry
    return out


def _apply_stage_logging(backend, api_id, stage_name, props):
    stage = backend.get_stage(api_id, stage_name)
    stage.access_log_settings = _access_log_settings(props.get("AccessLogSetting"))
    stage.method_settings = _method_settings(stage, props.get("MethodSettings"))
    if props.get("TracingEnabled") is not None:
        stage.tracing_enabled = _bool(props["TracingEnabled"])
    return stage


def _rest_stage_from_template(resource, props, account_id, region_name):
    backend = apigw.apigateway_backends[account_id][region_name]
    _apply_stage_logging(backend, resource.api_id, resource.name, props)
    return resource


_wrap_cfn(motoext.RestApiStage, _rest_stage_from_template)


def _deployment_from_template(deployment, props, account_id, region_name):
    """AWS::ApiGateway::Deployment with a StageName: its StageDescription configures
    the stage it creates (moto ignored it)."""
    described = props.get("StageDescription")
    if props.get("StageName") and isinstance(described, dict):
        backend = apigw.apigateway_backends[account_id][region_name]
        _apply_stage_logging(backend, props["RestApiId"], props["StageName"], described)
    return deployment


_wrap_cfn(apigw.Deployment, _deployment_from_template, update=False)

_moto_stage_to_json = apigw.Stage.to_json


def _stage_to_json(self):
    out = _moto_stage_to_json(self)
    if out.get("accessLogSettings") is None:
        out.pop("accessLogSettings", None)      # AWS: no member, not null
    return out


apigw.Stage.to_json = _stage_to_json


# --------------------------------------------------------------------------------------
# API Gateway v2 stages: the API's member names
# --------------------------------------------------------------------------------------

def _lower_first(value):
    """{"DestinationArn": x} -> {"destinationArn": x}, one level (RouteSettings: two)."""
    if not isinstance(value, dict):
        return value
    return {(k[:1].lower() + k[1:]) if isinstance(k, str) else k: v for k, v in value.items()}


_motoext_http_stage_config = motoext.HttpApiStage._config


def _http_stage_config(props):
    config = _motoext_http_stage_config(props)
    for key in ("accessLogSettings", "defaultRouteSettings"):
        if isinstance(config.get(key), dict):
            config[key] = _lower_first(config[key])
    if isinstance(props.get("RouteSettings"), dict):
        config["routeSettings"] = {route: _lower_first(s)
                                   for route, s in props["RouteSettings"].items()}
    return config


motoext.HttpApiStage._config = staticmethod(_http_stage_config)


# --------------------------------------------------------------------------------------
# Step Functions: LoggingConfiguration, TracingConfiguration, StateMachineType
# --------------------------------------------------------------------------------------

def _sfn_logging(config):
    if not isinstance(config, dict):
        return {"level": "OFF", "includeExecutionData": False}
    out = {"level": config.get("Level", "OFF"),
           "includeExecutionData": _bool(config.get("IncludeExecutionData", False))}
    destinations = []
    for d in config.get("Destinations") or []:
        group = (d or {}).get("CloudWatchLogsLogGroup") or {}
        if group.get("LogGroupArn"):
            destinations.append({"cloudWatchLogsLogGroup": {"logGroupArn": group["LogGroupArn"]}})
    if destinations:
        out["destinations"] = destinations
    return out


def _state_machine_from_template(sm, props, account_id, region_name):
    sm.loggingConfiguration = _sfn_logging(props.get("LoggingConfiguration"))
    tracing = props.get("TracingConfiguration")
    sm.tracingConfiguration = {"enabled": _bool(tracing.get("Enabled", False))
                               if isinstance(tracing, dict) else False}
    sm.type = props.get("StateMachineType") or "STANDARD"
    return sm


_wrap_cfn(motoext.StateMachineDefinition, _state_machine_from_template)


# --------------------------------------------------------------------------------------
# CloudWatch Logs: FilterLogEvents always interleaves streams
# --------------------------------------------------------------------------------------

_moto_group_filter = logsmodels.LogGroup.filter_log_events


def _group_filter_log_events(self, log_group_name, log_stream_names, start_time, end_time,
                             limit, next_token, filter_pattern, interleaved):
    return _moto_group_filter(self, log_group_name, log_stream_names, start_time, end_time,
                              limit, next_token, filter_pattern, True)


logsmodels.LogGroup.filter_log_events = _group_filter_log_events


# --------------------------------------------------------------------------------------
# X-Ray
# --------------------------------------------------------------------------------------

# The longest GetTraceSummaries window. Neither the API model nor the API reference at
# hand states it; 24 hours is assumed (docs/testing.md says so).
MAX_WINDOW_SECONDS = 24 * 3600
# Summaries per page: AWS does not document its page size.
MAX_SUMMARIES_PER_PAGE = 100
# BatchGetTraces: at most 5 ids a call (what the SAM CLI batches by, "xray client only
# accepts 5 items at max"); the model states no limit.
MAX_BATCH_TRACE_IDS = 5
TIME_RANGE_TYPES = ("TraceId", "Event", "Service")
TRACE_ID = re.compile(r"^1-([0-9a-fA-F]{8})-[0-9a-fA-F]{24}$")

_xray_lock = threading.Lock()


class XRayRequestError(Exception):
    """An InvalidRequestException answer."""


class _Trace:
    def __init__(self, trace_id):
        self.id = trace_id
        self.docs = {}          # segment id -> parsed document
        self.raw = {}           # segment id -> the document as sent
        self.revision = 0
        self.updated = 0.0      # when its last segment arrived (epoch seconds)


def _traces(backend):
    return backend.__dict__.setdefault("_awsx_traces", {})


def _process_segment(self, doc):
    try:
        data = json.loads(doc)
    except ValueError:
        raise BadSegmentException(code="JSONFormatError", message="Bad JSON data")
    if not isinstance(data, dict):
        raise BadSegmentException(code="JSONFormatError", message="Bad JSON data")
    # moto's checks: id, name, trace_id, start_time, end_time or in_progress
    try:
        xraymodels.TraceSegment.from_dict(dict(data), raw=doc)
    except (TypeError, ValueError):
        raise BadSegmentException(seg_id=data.get("id"), code="JSONFormatError",
                                  message="Bad JSON data")
    if "end_time" not in data and data.get("in_progress") is not True:
        raise BadSegmentException(seg_id=data["id"], code="MissingParam",
                                  message="Missing end_time")
    with _xray_lock:
        traces = _traces(self)
        trace = traces.get(data["trace_id"])
        if trace is None:
            trace = traces[data["trace_id"]] = _Trace(data["trace_id"])
        trace.docs[data["id"]] = data
        trace.raw[data["id"]] = doc
        trace.revision += 1
        trace.updated = time.time()


xraymodels.XRayBackend.process_segment = _process_segment


def _all_entities(doc):
    """The document and its subsegments, depth first."""
    yield doc
    for sub in doc.get("subsegments") or []:
        if isinstance(sub, dict):
            yield from _all_entities(sub)


def _number(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _root(trace):
    """The root segment: a segment document without a parent, the earliest first."""
    roots = [d for d in trace.docs.values()
             if d.get("type", "segment") != "subsegment" and not d.get("parent_id")]
    return min(roots, key=lambda d: _number(d.get("start_time")) or 0) if roots else None


def _status(entity):
    try:
        return int(((entity.get("http") or {}).get("response") or {}).get("status"))
    except (TypeError, ValueError):
        return None


def _trace_id_time(trace):
    m = TRACE_ID.match(trace.id)
    if m:
        return float(int(m.group(1), 16))
    starts = [_number(d.get("start_time")) for d in trace.docs.values()]
    return min([s for s in starts if s is not None] or [0.0])


def _service_id(doc):
    out = {"Name": doc.get("name"), "Names": [doc.get("name")]}
    account = (doc.get("aws") or {}).get("account_id")
    if account:
        out["AccountId"] = str(account)
    if doc.get("origin"):
        out["Type"] = doc["origin"]
    return out


def _annotation_value(value):
    if isinstance(value, bool):
        return {"BooleanValue": value}
    if isinstance(value, (int, float)):
        return {"NumberValue": value}
    return {"StringValue": str(value)}


def _summary(trace):
    docs = sorted(trace.docs.values(), key=lambda d: _number(d.get("start_time")) or 0)
    entities = [e for d in docs for e in _all_entities(d)]
    starts = [s for s in (_number(d.get("start_time")) for d in docs) if s is not None]
    ends = [e for e in (_number(x.get("end_time")) for x in entities) if e is not None]
    root = _root(trace)
    out = {
        "Id": trace.id,
        "IsPartial": any(x.get("in_progress") is True for x in entities),
        "Revision": trace.revision,
        "HasThrottle": any(x.get("throttle") is True or _status(x) == 429 for x in entities),
        "HasError": False,
        "HasFault": False,
    }
    if starts:
        out["StartTime"] = min(starts)
        if ends:
            out["Duration"] = round(max(ends) - min(starts), 6)
    if root is not None:
        status = _status(root)
        out["HasFault"] = root.get("fault") is True or (status is not None and status >= 500)
        out["HasError"] = root.get("error") is True or (
            status is not None and 400 <= status < 500)
        began, ended = _number(root.get("start_time")), _number(root.get("end_time"))
        if began is not None and ended is not None:
            out["ResponseTime"] = round(ended - began, 6)
        request = ((root.get("http") or {}).get("request")) or {}
        http = {}
        for src, dst in (("url", "HttpURL"), ("method", "HttpMethod"),
                         ("user_agent", "UserAgent"), ("client_ip", "ClientIp")):
            if request.get(src) is not None:
                http[dst] = str(request[src])
        if status is not None:
            http["HttpStatus"] = status
        out["Http"] = http
        out["EntryPoint"] = _service_id(root)
    services, annotations, users, arns = [], {}, [], []
    for doc in docs:
        sid = _service_id(doc)
        if sid not in services:
            services.append(sid)
        if doc.get("user") and doc["user"] not in [u["UserName"] for u in users]:
            users.append({"UserName": str(doc["user"]), "ServiceIds": [sid]})
        if doc.get("resource_arn") and {"ARN": doc["resource_arn"]} not in arns:
            arns.append({"ARN": doc["resource_arn"]})
        for entity in _all_entities(doc):
            for key, value in (entity.get("annotations") or {}).items():
                values = annotations.setdefault(key, [])
                av = _annotation_value(value)
                if all(v["AnnotationValue"] != av for v in values):
                    values.append({"AnnotationValue": av, "ServiceIds": [sid]})
    out.update(ServiceIds=services, Annotations=annotations, Users=users, ResourceARNs=arns)
    return out


def _in_window(trace, kind, start, end):
    if kind == "Event":
        return start <= trace.updated <= end
    if kind == "Service":
        return any(start <= e["end_time"] <= end for d in trace.docs.values()
                   for e in _all_entities(d) if _number(e.get("end_time")) is not None)
    return start <= _trace_id_time(trace) <= end


def _time_key(trace, kind, start, end):
    """The time a trace is ordered by (newest first) in its window."""
    if kind == "Event":
        return trace.updated
    if kind == "Service":
        return max(e["end_time"] for d in trace.docs.values() for e in _all_entities(d)
                   if _number(e.get("end_time")) is not None and start <= e["end_time"] <= end)
    return _trace_id_time(trace)


# --- FilterExpression: a subset -------------------------------------------------------

_TOKEN = re.compile(r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<num>-?\d+(?:\.\d+)?)|'
                    r'(?P<op>>=|<=|!=|&&|\|\||[()=<>!,:])|'
                    r'(?P<word>[A-Za-z_][A-Za-z0-9_.\-]*))')


class _Unsupported(Exception):
    pass


class _Filter:
    """The filter expressions the test endpoint knows (AWS knows many more):

      ok | error | fault | throttle | partial        [= true|false]
      duration | responsetime  OP number             (OP: = != < <= > >=)
      http.status OP number
      http.url | http.method | http.useragent | http.clientip  OP "text"
                                   (OP: = != CONTAINS BEGINSWITH ENDSWITH)
      annotation.KEY OP value     user OP "name"
      service("name")   service(id(name: "name"[, type: "type"]))
      id(name: "name"[, type: "type"])
      A AND B, A OR B, NOT A, !A, A && B, A || B, ( ... )
    """

    def __init__(self, text):
        self.tokens = []
        pos = 0
        text = text.strip()
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise _Unsupported(text[pos:pos + 20])
            kind = m.lastgroup
            value = m.group(kind)
            if kind == "str":
                value = json.loads(value)
            elif kind == "num":
                value = float(value)
            self.tokens.append((kind, value))
            pos = m.end()
            while pos < len(text) and text[pos].isspace():
                pos += 1
        self.pos = 0
        self.test = self._or()
        if self.pos != len(self.tokens):
            raise _Unsupported(str(self.tokens[self.pos][1]))

    # parsing
    def _peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else (None, None)

    def _take(self, kind=None, value=None):
        k, v = self._peek()
        if k is None or (kind and k != kind) or \
                (value is not None and (v.upper() if isinstance(v, str) else v) != value):
            raise _Unsupported("expected %s" % (value or kind))
        self.pos += 1
        return v

    def _is_word(self, *words):
        k, v = self._peek()
        return k in ("word", "op") and isinstance(v, str) and v.upper() in words

    def _or(self):
        left = self._and()
        while self._is_word("OR", "||"):
            self.pos += 1
            right = self._and()
            left = (lambda a, b: lambda s: a(s) or b(s))(left, right)
        return left

    def _and(self):
        left = self._not()
        while self._is_word("AND", "&&"):
            self.pos += 1
            right = self._not()
            left = (lambda a, b: lambda s: a(s) and b(s))(left, right)
        return left

    def _not(self):
        if self._is_word("NOT", "!"):
            self.pos += 1
            inner = self._not()
            return lambda s: not inner(s)
        return self._atom()

    def _id_args(self):
        self._take("op", "(")
        args = {}
        while not self._is_word(")"):
            name = self._take("word").lower()
            self._take("op", ":")
            args[name] = self._take("str")
            if self._is_word(","):
                self.pos += 1
        self._take("op", ")")
        return args

    def _compare(self, op, left, right):
        if left is None:
            return op == "!="
        if op in ("CONTAINS", "BEGINSWITH", "ENDSWITH"):
            left, right = str(left), str(right)
            return {"CONTAINS": right in left, "BEGINSWITH": left.startswith(right),
                    "ENDSWITH": left.endswith(right)}[op]
        if isinstance(right, float) and not isinstance(left, bool):
            try:
                left = float(left)
            except (TypeError, ValueError):
                return op == "!="
        return {"=": left == right, "!=": left != right, "<": left < right,
                "<=": left <= right, ">": left > right, ">=": left >= right}[op]

    def _operator(self):
        k, v = self._peek()
        if k == "op" and v in ("=", "!=", "<", "<=", ">", ">="):
            self.pos += 1
            return v
        if k == "word" and v.upper() in ("CONTAINS", "BEGINSWITH", "ENDSWITH"):
            self.pos += 1
            return v.upper()
        raise _Unsupported("operator %s" % v)

    def _value(self):
        k, v = self._peek()
        if k in ("str", "num"):
            self.pos += 1
            return v
        if k == "word" and v.lower() in ("true", "false"):
            self.pos += 1
            return v.lower() == "true"
        raise _Unsupported("value %s" % v)

    def _atom(self):
        if self._is_word("("):
            self.pos += 1
            inner = self._or()
            self._take("op", ")")
            return inner
        word = self._take("word")
        low = word.lower()
        if low in ("ok", "error", "fault", "throttle", "partial"):
            want = True
            if self._is_word("=", "!="):
                negate = self._take("op") == "!="
                want = self._value()
                if not isinstance(want, bool):
                    raise _Unsupported(word)
                want = want != negate
            return lambda s: s["flags"][low] == want
        if low == "service" or low == "id":
            if low == "service":
                self._take("op", "(")
                if self._is_word("ID"):
                    self.pos += 1
                    args = self._id_args()
                else:
                    args = {"name": self._take("str")}
                self._take("op", ")")
            else:
                args = self._id_args()
            return lambda s: any(
                sid.get("Name") == args.get("name", sid.get("Name")) and
                sid.get("Type") == args.get("type", sid.get("Type"))
                for sid in s["summary"]["ServiceIds"])
        fields = {"duration": lambda s: s["summary"].get("Duration"),
                  "responsetime": lambda s: s["summary"].get("ResponseTime"),
                  "http.status": lambda s: s["summary"].get("Http", {}).get("HttpStatus"),
                  "http.url": lambda s: s["summary"].get("Http", {}).get("HttpURL"),
                  "http.method": lambda s: s["summary"].get("Http", {}).get("HttpMethod"),
                  "http.useragent": lambda s: s["summary"].get("Http", {}).get("UserAgent"),
                  "http.clientip": lambda s: s["summary"].get("Http", {}).get("ClientIp")}
        if low in fields:
            op, right = self._operator(), self._value()
            get = fields[low]
            return lambda s: self._compare(op, get(s), right)
        if low == "user":
            op, right = self._operator(), self._value()
            every = all if op == "!=" else any
            return lambda s: every(self._compare(op, u["UserName"], right)
                                   for u in s["summary"]["Users"])
        if low.startswith("annotation.") and len(word) > len("annotation."):
            key = word[len("annotation."):]
            op, right = self._operator(), self._value()

            every = all if op == "!=" else any
            return lambda s: every(
                self._compare(op, list(v["AnnotationValue"].values())[0], right)
                for v in s["summary"]["Annotations"].get(key, []))
        raise _Unsupported(word)

    def matches(self, summary):
        flags = {"error": summary["HasError"], "fault": summary["HasFault"],
                 "throttle": summary["HasThrottle"], "partial": summary["IsPartial"]}
        flags["ok"] = not (flags["error"] or flags["fault"] or flags["throttle"])
        return self.test({"summary": summary, "flags": flags})


# --- the operations -------------------------------------------------------------------

def _epoch(value, name):
    """A timestamp member: epoch seconds (what the SDKs send), or ISO 8601."""
    if isinstance(value, bool):
        raise XRayRequestError("%s is not a timestamp" % name)
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
        try:
            text = value.replace("Z", "+00:00")
            dt = datetime.datetime.fromisoformat(text)
            if dt.tzinfo is None:
                dt = dt.replace(tzinfo=datetime.timezone.utc)
            return dt.timestamp()
        except ValueError:
            pass
    raise XRayRequestError("%s is not a timestamp: %r" % (name, value))


def _token(key, trace_id):
    return base64.urlsafe_b64encode(json.dumps([key, trace_id]).encode()).decode()


def _untoken(text):
    try:
        key, trace_id = json.loads(base64.urlsafe_b64decode(text.encode()))
        return float(key), str(trace_id)
    except (ValueError, TypeError):
        raise XRayRequestError("The NextToken is not valid.")


def get_trace_summaries(backend, params):
    """GetTraceSummaries' answer (a dict) for the request's members."""
    for name in ("StartTime", "EndTime"):
        if params.get(name) is None:
            raise XRayRequestError("%s is required." % name)
    start = _epoch(params["StartTime"], "StartTime")
    end = _epoch(params["EndTime"], "EndTime")
    if end < start:
        raise XRayRequestError("EndTime must not be before StartTime.")
    if end - start > MAX_WINDOW_SECONDS:
        raise XRayRequestError("The time range between StartTime and EndTime must not "
                               "exceed %d hours." % (MAX_WINDOW_SECONDS // 3600))
    kind = params.get("TimeRangeType") or "TraceId"
    if kind not in TIME_RANGE_TYPES:
        raise XRayRequestError("1 validation error detected: Value '%s' at 'timeRangeType' "
                               "failed to satisfy constraint: Member must satisfy enum "
                               "value set: [%s]" % (kind, ", ".join(TIME_RANGE_TYPES)))
    expression = params.get("FilterExpression")
    flt = None
    if expression:
        try:
            flt = _Filter(expression)
        except _Unsupported as e:
            raise XRayRequestError(
                "FilterExpression %r is not supported by the test endpoint "
                "(tests/support/motoext_logs.py knows a subset; near %s)" % (expression, e))
    after = _untoken(params["NextToken"]) if params.get("NextToken") else None
    with _xray_lock:
        traces = list(_traces(backend).values())
        in_window = [(_time_key(t, kind, start, end), t.id, t) for t in traces
                     if t.docs and _in_window(t, kind, start, end)]
        rows = [(k, tid, _summary(t)) for k, tid, t in in_window]
    rows.sort(key=lambda r: (-r[0], r[1]))            # newest first, then by id
    if flt is not None:
        rows = [r for r in rows if flt.matches(r[2])]
    if after is not None:
        rows = [r for r in rows if (-r[0], r[1]) > (-after[0], after[1])]
    page = rows[:MAX_SUMMARIES_PER_PAGE]
    out = {
        "TraceSummaries": [r[2] for r in page],
        "ApproximateTime": page[0][0] if page else end,
        "TracesProcessedCount": len(in_window),
    }
    if len(rows) > len(page):
        out["NextToken"] = _token(page[-1][0], page[-1][1])
    return out


def batch_get_traces(backend, params):
    ids = params.get("TraceIds")
    if not isinstance(ids, list) or not ids:
        raise XRayRequestError("TraceIds is required.")
    if len(ids) > MAX_BATCH_TRACE_IDS:
        raise XRayRequestError("1 validation error detected: Value at 'traceIds' failed to "
                               "satisfy constraint: Member must have length less than or "
                               "equal to %d" % MAX_BATCH_TRACE_IDS)
    out = {"Traces": [], "UnprocessedTraceIds": []}
    with _xray_lock:
        store = _traces(backend)
        for trace_id in ids:
            trace = store.get(trace_id)
            if trace is None or not trace.docs:
                out["UnprocessedTraceIds"].append(trace_id)
                continue
            order = sorted(trace.docs, key=lambda i: _number(trace.docs[i].get("start_time")) or 0)
            item = {"Id": trace.id, "LimitExceeded": False,
                    "Segments": [{"Id": i, "Document": trace.raw[i]} for i in order]}
            duration = _summary(trace).get("Duration")
            if duration is not None:
                item["Duration"] = duration
            out["Traces"].append(item)
    return out


def _answer(call):
    """(body, headers) of a JSON answer, as AWS sends it (moto's said text/html)."""
    try:
        return json.dumps(call()), {"status": 200, "Content-Type": "application/json"}
    except XRayRequestError as e:
        return (json.dumps({"__type": "InvalidRequestException", "message": str(e)}),
                {"status": 400, "Content-Type": "application/json",
                 "x-amzn-ErrorType": "InvalidRequestException"})


def _trace_summaries(self):
    return _answer(lambda: get_trace_summaries(self.xray_backend, self.request_params))


def _batch_get_traces(self):
    return _answer(lambda: batch_get_traces(self.xray_backend, self.request_params))


xrayresponses.XRayResponse.trace_summaries = _trace_summaries
xrayresponses.XRayResponse.traces = _batch_get_traces
