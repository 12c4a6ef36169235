# SPDX-License-Identifier: Apache-2.0
"""CloudFormation resource behaviour that moto 5.2.1 lacks, added to moto's own process.

moto's CloudFormation builds its resource-type table from the direct subclasses of
moto.core.common_models.CloudFormationModel the first time a stack is created (the
last class of a type wins); a type it does not know is skipped, and then listed by
ListStackResources as a row with an empty logical id. Importing this module before
moto serves anything (moto_server.py does) adds or replaces, backed by moto's own
backends, the types the SAM transform produces and `awsx sync` / `awsx logs` read:

- AWS::ApiGateway::RestApi   moto ignores Body and BodyS3Location and requires a Name
                             (AWS takes info.title), so a Deployment of a SAM API
                             failed with "The REST API doesn't contain any methods":
                             here the definition's paths become resources, methods
                             and integrations, as AWS imports them.
- AWS::ApiGateway::Stage     not in moto (physical id: the stage name; SAM's "Prod").
- AWS::ApiGateway::Deployment gets the physical id AWS gives it (the deployment id);
                             moto has none, so a Ref to it yielded a Python object.
- AWS::ApiGatewayV2::Api     not in moto (physical id: the API id; Body or
                             BodyS3Location imported as routes and integrations;
                             GetAtt ApiEndpoint, ApiId).
- AWS::ApiGatewayV2::Stage   not in moto (physical id: the stage name; "$default").
- AWS::StepFunctions::StateMachine  moto reads DefinitionString only: Definition and
                             DefinitionS3Location are turned into it, with
                             DefinitionSubstitutions applied, as AWS does.
- AWS::CloudFormation::Stack moto creates a nested stack from its TemplateURL as it
                             is, without the transforms AWS applies: a child template
                             with the SAM transform (what `sam package` uploads for an
                             AWS::Serverless::Application) is translated here, with
                             the same code as the verifying proxy (samtransform.py),
                             the nested stack's parameters and region. A child
                             that fails to create fails the resource, with AWS's
                             "Embedded stack ... was not successfully created".
- AWS::Lambda::LayerVersion named by LayerName (moto generated a name), physical id
                             and Ref: the version ARN (moto's was empty).
- AWS::Lambda::Function      moto ignores Layers on create (and an update cannot
                             remove them): here they are applied, from version ARNs
                             or a Ref to a layer version of the stack; Timeout and
                             MemorySize outside Lambda's limits fail the resource
                             with Lambda's validation message, as on AWS.
- AWS::S3::Bucket            moto ignores PublicAccessBlockConfiguration: applied here.
- AWSX::Test::Fail           a test-only type (no AWS counterpart): nothing, or, with
                             `Fail: true`, a create or update that fails with its
                             `Reason` property, to make a stack operation fail.

And, for every stack, what moto's CloudFormation does not record or do:

- resource events: CREATE_/UPDATE_/DELETE_IN_PROGRESS and _COMPLETE per resource
  (moto records the stack's own events only), and _FAILED with a reason;
- a resource that fails (any error but a template error) no longer fails the
  CreateStack / UpdateStack call itself (moto answered an error and left the stack
  half-done): as on AWS the call succeeds and the stack rolls back: CREATE_FAILED,
  ROLLBACK_IN_PROGRESS "The following resource(s) failed to create: [X]. ...",
  the created resources deleted, ROLLBACK_COMPLETE; or UPDATE_FAILED,
  UPDATE_ROLLBACK_IN_PROGRESS "The following resource(s) failed to update: [X]. ",
  the previous template and parameters applied again, UPDATE_ROLLBACK_COMPLETE;
- UpdateStack: a parameter left out takes its default (moto kept the previous
  value), and the same template and parameters are "No updates are to be
  performed." also when the request has no Parameters (moto checked only requests
  with Parameters).

Each is listed in docs/testing.md. moto's model metaclass files every model under
the service named by the second part of its module name, hence the __module__ lines.
"""

import json

import yaml
# Imported before the classes below are defined, so that ours come later in
# CloudFormationModel.__subclasses__() and replace moto's for the same type.
from moto.apigateway import models as apigw
from moto.apigatewayv2 import models as apigw2
from moto.awslambda import models as lam
from moto.awslambda.exceptions import UnknownLayerVersionException
from moto.cloudformation import exceptions as cfnexc
from moto.cloudformation import models as cfnmodels
from moto.cloudformation import parsing as cfnparsing
from moto.cloudformation import responses as cfnresponses
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.utils import get_stack_from_s3_url
from moto.core.common_models import CloudFormationModel
from moto.s3 import models as s3models
from moto.stepfunctions import models as sfn
from moto.utilities.utils import get_partition

import samtransform    # the verifying proxy's SAM transform (tests/support)

HTTP_VERBS = ("get", "put", "post", "delete", "options", "head", "patch",
              "x-amazon-apigateway-any-method")

if not hasattr(apigw.Deployment, "physical_resource_id"):
    apigw.Deployment.physical_resource_id = property(lambda self: self.id)


def _id_of(value):
    """A Ref that moto left as an object (a Deployment before the patch above)."""
    return getattr(value, "id", value)


def _s3_document(account_id, location):
    """The JSON or YAML document an S3 location property ({Bucket, Key, Version}) names,
    read from moto's S3 as the AWS service reads it; None when it names nothing."""
    if not isinstance(location, dict):
        return None
    backend = s3models.s3_backends[account_id]["aws"]
    key = backend.get_object(location.get("Bucket"), location.get("Key"),
                             location.get("Version"))
    if key is None:
        raise ValueError("S3 object s3://%s/%s does not exist"
                         % (location.get("Bucket"), location.get("Key")))
    return yaml.safe_load(key.value)         # JSON is YAML too


def _body(account_id, props, body_key="Body", location_key="BodyS3Location"):
    body = props.get(body_key)
    if body is None:
        body = _s3_document(account_id, props.get(location_key))
    return body if isinstance(body, dict) else None


class RestApiFromBody(CloudFormationModel):
    """AWS::ApiGateway::RestApi: moto's RestAPI, with its OpenAPI/Swagger definition
    imported. The instances are moto's own RestAPI objects."""
    __module__ = "moto.apigateway.awsx_ext"

    @staticmethod
    def cloudformation_name_type():
        return "Name"

    @staticmethod
    def cloudformation_type():
        return "AWS::ApiGateway::RestApi"

    @classmethod
    def has_cfn_attr(cls, attr):
        return apigw.RestAPI.has_cfn_attr(attr)

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs):
        props = cloudformation_json["Properties"]
        body = _body(account_id, props)
        if "Name" not in props:
            props["Name"] = ((body or {}).get("info") or {}).get("title") or resource_name
        api = apigw.RestAPI.create_from_cloudformation_json(
            resource_name, cloudformation_json, account_id, region_name, **kwargs)
        if body:
            cls._import(apigw.apigateway_backends[account_id][region_name], api, body)
        return api

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name,
                                        cloudformation_json, account_id, region_name):
        props = cloudformation_json["Properties"]
        body = _body(account_id, props)
        api = original_resource
        api.name = props.get("Name") or ((body or {}).get("info") or {}).get("title") or api.name
        api.description = props.get("Description", api.description)
        if body:
            # Overwrite, as PutRestApi mode=overwrite does: only the root survives.
            root = [rid for rid, r in api.resources.items() if not r.parent_id]
            for rid in [rid for rid in api.resources if rid not in root]:
                del api.resources[rid]
            for rid in root:
                api.resources[rid].resource_methods.clear()
            cls._import(apigw.apigateway_backends[account_id][region_name], api, body)
        return api

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name):
        apigw.apigateway_backends[account_id][region_name].apis.pop(resource_name, None)

    @staticmethod
    def _import(backend, api, body):
        paths = body.get("paths")
        for path, item in paths.items() if isinstance(paths, dict) else ():
            if not isinstance(item, dict):
                continue
            resource = _resource_for(backend, api, path)
            for verb, op in item.items():
                if verb.lower() not in HTTP_VERBS or not isinstance(op, dict):
                    continue
                method = "ANY" if verb.startswith("x-") else verb.upper()
                backend.put_method(api.id, resource.id, method, "NONE")
                integ = op.get("x-amazon-apigateway-integration")
                if isinstance(integ, dict):
                    backend.put_integration(
                        api.id, resource.id, method,
                        integration_type=str(integ.get("type", "aws_proxy")).upper(),
                        uri=integ.get("uri", ""),
                        integration_method=integ.get("httpMethod", "POST"))


def _resource_for(backend, api, path):
    """The resource of path in api, created segment by segment as needed."""
    current = next(r for r in api.resources.values() if not r.parent_id)
    for part in [p for p in path.split("/") if p]:
        child = next((r for r in api.resources.values()
                      if r.parent_id == current.id and r.path_part == part), None)
        current = child or backend.create_resource(api.id, current.id, part)
    return current


class RestApiStage(CloudFormationModel):
    """AWS::ApiGateway::Stage: a stage of a REST API, pointing at a deployment."""
    __module__ = "moto.apigateway.awsx_ext"

    def __init__(self, account_id, region_name, api_id, name):
        self.account_id = account_id
        self.region_name = region_name
        self.api_id = api_id
        self.name = name

    @staticmethod
    def cloudformation_name_type():
        return "StageName"

    @staticmethod
    def cloudformation_type():
        return "AWS::ApiGateway::Stage"

    @classmethod
    def has_cfn_attr(cls, attr):
        return False

    @property
    def physical_resource_id(self):
        return self.name

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs):
        props = cloudformation_json["Properties"]
        api_id = props["RestApiId"]
        backend = apigw.apigateway_backends[account_id][region_name]
        backend.create_stage(
            api_id, props["StageName"], _id_of(props.get("DeploymentId")),
            variables=props.get("Variables"), description=props.get("Description", ""),
            cacheClusterEnabled=props.get("CacheClusterEnabled"),
            cacheClusterSize=props.get("CacheClusterSize"),
            tracing_enabled=props.get("TracingEnabled"))
        return cls(account_id, region_name, api_id, props["StageName"])

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name,
                                        cloudformation_json, account_id, region_name):
        props = cloudformation_json["Properties"]
        if props["StageName"] != original_resource.name or \
                props["RestApiId"] != original_resource.api_id:
            original_resource.delete(account_id, region_name)
            return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json,
                                                       account_id, region_name)
        # A new deployment (SAM names it by the definition's hash) moves the stage.
        stage = apigw.apigateway_backends[account_id][region_name].get_stage(
            original_resource.api_id, original_resource.name)
        stage.deployment_id = _id_of(props.get("DeploymentId"))
        stage.variables = props.get("Variables") or {}
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name):
        props = cloudformation_json.get("Properties", {})
        backend = apigw.apigateway_backends[account_id][region_name]
        try:
            backend.delete_stage(props.get("RestApiId"), resource_name)
        except Exception:  # noqa: BLE001 - already gone with its API
            pass

    def delete(self, account_id, region_name):
        try:
            apigw.apigateway_backends[account_id][region_name].delete_stage(self.api_id,
                                                                            self.name)
        except Exception:  # noqa: BLE001 - already gone with its API
            pass

    def is_created(self):
        return True


class HttpApi(CloudFormationModel):
    """AWS::ApiGatewayV2::Api: an HTTP (or WebSocket) API, its Body imported."""
    __module__ = "moto.apigatewayv2.awsx_ext"

    def __init__(self, account_id, region_name, api):
        self.account_id = account_id
        self.region_name = region_name
        self.api = api

    @staticmethod
    def cloudformation_name_type():
        return "Name"

    @staticmethod
    def cloudformation_type():
        return "AWS::ApiGatewayV2::Api"

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr in ("ApiEndpoint", "ApiId")

    def get_cfn_attribute(self, attribute_name):
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
        if attribute_name == "ApiEndpoint":
            return self.api.api_endpoint
        if attribute_name == "ApiId":
            return self.api.api_id
        raise UnformattedGetAttTemplateException()

    @property
    def physical_resource_id(self):
        return self.api.api_id

    @staticmethod
    def _import(api, props, account_id):
        body = _body(account_id, props)
        if body:
            api.import_api(json.dumps(body), fail_on_warnings=False)

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs):
        props = cloudformation_json["Properties"]
        body = _body(account_id, props) or {}
        backend = apigw2.apigatewayv2_backends[account_id][region_name]
        api = backend.create_api(
            api_key_selection_expression=props.get("ApiKeySelectionExpression"),
            cors_configuration=props.get("CorsConfiguration"),
            description=props.get("Description"),
            disable_schema_validation=props.get("DisableSchemaValidation"),
            disable_execute_api_endpoint=props.get("DisableExecuteApiEndpoint"),
            name=props.get("Name") or (body.get("info") or {}).get("title") or resource_name,
            protocol_type=props.get("ProtocolType", "HTTP"),
            route_selection_expression=props.get("RouteSelectionExpression"),
            tags=props.get("Tags") or {},
            version=props.get("Version"))
        if body:
            api.import_api(json.dumps(body), fail_on_warnings=False)
        return cls(account_id, region_name, api)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name,
                                        cloudformation_json, account_id, region_name):
        cls._import(original_resource.api, cloudformation_json["Properties"], account_id)
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name):
        apigw2.apigatewayv2_backends[account_id][region_name].delete_api(resource_name)

    def delete(self, account_id, region_name):
        apigw2.apigatewayv2_backends[account_id][region_name].delete_api(self.api.api_id)

    def is_created(self):
        return True


class HttpApiStage(CloudFormationModel):
    """AWS::ApiGatewayV2::Stage: a stage of an HTTP API."""
    __module__ = "moto.apigatewayv2.awsx_ext"

    def __init__(self, account_id, region_name, api_id, name):
        self.account_id = account_id
        self.region_name = region_name
        self.api_id = api_id
        self.name = name

    @staticmethod
    def cloudformation_name_type():
        return "StageName"

    @staticmethod
    def cloudformation_type():
        return "AWS::ApiGatewayV2::Stage"

    @classmethod
    def has_cfn_attr(cls, attr):
        return False

    @property
    def physical_resource_id(self):
        return self.name

    @staticmethod
    def _config(props):
        config = {"stageName": props["StageName"]}
        for cfn, api in (("AutoDeploy", "autoDeploy"), ("Description", "description"),
                         ("DeploymentId", "deploymentId"),
                         ("StageVariables", "stageVariables"),
                         ("AccessLogSettings", "accessLogSettings"),
                         ("DefaultRouteSettings", "defaultRouteSettings"),
                         ("Tags", "tags")):
            if props.get(cfn) is not None:
                config[api] = props[cfn]
        return config

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs):
        props = cloudformation_json["Properties"]
        backend = apigw2.apigatewayv2_backends[account_id][region_name]
        backend.create_stage(props["ApiId"], cls._config(props))
        return cls(account_id, region_name, props["ApiId"], props["StageName"])

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name,
                                        cloudformation_json, account_id, region_name):
        original_resource.delete(account_id, region_name)
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json,
                                                   account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name):
        props = cloudformation_json.get("Properties", {})
        try:
            apigw2.apigatewayv2_backends[account_id][region_name].delete_stage(
                props.get("ApiId"), resource_name)
        except Exception:  # noqa: BLE001 - already gone with its API
            pass

    def delete(self, account_id, region_name):
        try:
            apigw2.apigatewayv2_backends[account_id][region_name].delete_stage(self.api_id,
                                                                               self.name)
        except Exception:  # noqa: BLE001 - already gone with its API
            pass

    def is_created(self):
        return True


class StateMachineDefinition(CloudFormationModel):
    """AWS::StepFunctions::StateMachine: moto's, given a DefinitionString built from
    Definition or DefinitionS3Location, with DefinitionSubstitutions applied. The
    instances are moto's own StateMachine objects."""
    __module__ = "moto.stepfunctions.awsx_ext"

    @staticmethod
    def cloudformation_name_type():
        return sfn.StateMachine.cloudformation_name_type()

    @staticmethod
    def cloudformation_type():
        return "AWS::StepFunctions::StateMachine"

    @classmethod
    def has_cfn_attr(cls, attr):
        return sfn.StateMachine.has_cfn_attr(attr)

    @staticmethod
    def _definition(account_id, props):
        if "DefinitionString" not in props:
            doc = _body(account_id, props, "Definition", "DefinitionS3Location")
            if doc is not None:
                props["DefinitionString"] = json.dumps(doc, indent=2)
        text = props.get("DefinitionString")
        for name, value in (props.get("DefinitionSubstitutions") or {}).items():
            if isinstance(text, str):
                text = text.replace("${%s}" % name, str(value))
        if text is not None:
            props["DefinitionString"] = text

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs):
        cls._definition(account_id, cloudformation_json["Properties"])
        return sfn.StateMachine.create_from_cloudformation_json(
            resource_name, cloudformation_json, account_id, region_name, **kwargs)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name,
                                        cloudformation_json, account_id, region_name):
        cls._definition(account_id, cloudformation_json.get("Properties", {}))
        return sfn.StateMachine.update_from_cloudformation_json(
            original_resource, new_resource_name, cloudformation_json, account_id,
            region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name):
        sfn.StateMachine.delete_from_cloudformation_json(resource_name, cloudformation_json,
                                                         account_id, region_name)


class NestedStack(CloudFormationModel):
    """AWS::CloudFormation::Stack: moto's nested stack, its template given the SAM
    transform first when it declares it (moto would skip every AWS::Serverless::*
    resource of it). The instances are moto's own Stack objects."""
    __module__ = "moto.cloudformation.awsx_ext"

    @staticmethod
    def cloudformation_name_type():
        return cfnmodels.Stack.cloudformation_name_type()

    @staticmethod
    def cloudformation_type():
        return "AWS::CloudFormation::Stack"

    @classmethod
    def has_cfn_attr(cls, attr):
        return cfnmodels.Stack.has_cfn_attr(attr)

    @staticmethod
    def _template(props, account_id, region_name):
        text = get_stack_from_s3_url(props["TemplateURL"], account_id=account_id,
                                     partition=get_partition(region_name))
        try:
            template = samtransform.load_template(text)
        except ValueError:
            return text                  # not ours to judge: moto answers as it does
        if not samtransform.uses_sam(template):
            return text
        params = {k: str(v) for k, v in (props.get("Parameters") or {}).items()}
        try:
            return json.dumps(samtransform.translate(template, params, region_name), indent=1)
        except samtransform.TransformError as e:
            # AWS fails the nested stack (and so this resource), not the parent's call
            raise ResourceFailed(str(e))

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs):
        props = cloudformation_json["Properties"]
        backend = cfnmodels.cloudformation_backends[account_id][region_name]
        child = backend.create_stack(name=resource_name,
                                     template=cls._template(props, account_id, region_name),
                                     parameters=props.get("Parameters", {}))
        if child.status.startswith("ROLLBACK"):
            reason = next((e.resource_status_reason for e in reversed(child.events)
                           if e.resource_status == "ROLLBACK_IN_PROGRESS"), None)
            backend.delete_stack(child.stack_id)      # as the parent's rollback would
            raise ResourceFailed("Embedded stack %s was not successfully created: %s"
                                 % (child.stack_id, reason or child.status))
        return child

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name,
                                        cloudformation_json, account_id, region_name):
        # as moto does: a new nested stack replaces the old one (AWS updates it in place)
        cls.delete_from_cloudformation_json(original_resource.name, cloudformation_json,
                                            account_id, region_name)
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json,
                                                   account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name):
        cfnmodels.cloudformation_backends[account_id][region_name].delete_stack(resource_name)


# --------------------------------------------------------------------------------------
# AWS::Lambda::Function: Layers, and Lambda's limits; AWS::S3::Bucket: public access block
# --------------------------------------------------------------------------------------

class ResourceFailed(Exception):
    """A resource's create or update failed; the message is the event's reason as is."""


# (property, the member Lambda's validation message names, minimum, maximum)
LAMBDA_LIMITS = (("Timeout", "timeout", 1, 900), ("MemorySize", "memorySize", 128, 10240))


def _lambda_validate(props):
    """Fail as Lambda does (and CloudFormation reports it) for a value out of range."""
    for prop, member, low, high in LAMBDA_LIMITS:
        try:
            value = int(props[prop])
        except (KeyError, TypeError, ValueError):
            continue                       # absent, or moto's own handling
        if low <= value <= high:
            continue
        bound = ("greater than or equal to %d" % low if value < low
                 else "less than or equal to %d" % high)
        raise ResourceFailed(
            'Resource handler returned message: "1 validation error detected: Value \'%s\' '
            "at '%s' failed to satisfy constraint: Member must have value %s (Service: "
            'Lambda, Status Code: 400)" (HandlerErrorCode: InvalidRequest)'
            % (props[prop], member, bound))


def _lambda_layers(account_id, region_name, props):
    """Layers as the function's configuration lists them: from version ARNs, or from
    a Ref to a layer version of the stack (moto resolves it to the object itself)."""
    backend = lam.lambda_backends[account_id][region_name]
    out = []
    for item in props.get("Layers") or []:
        if isinstance(item, str):
            try:
                version = backend.layers_versions_by_arn(item)
            except Exception:  # noqa: BLE001 - not an ARN moto can split
                version = None
            if version is None:
                raise UnknownLayerVersionException([item])
        elif hasattr(item, "arn") and hasattr(item, "code_size"):
            version = item
        else:
            continue
        out.append({"Arn": version.arn, "CodeSize": version.code_size})
    return out


# AWS::Lambda::LayerVersion: named by its LayerName (moto read a property "LayerVersion",
# so it generated names), with the version ARN as physical id, which a Ref to it
# yields, as on AWS (moto's had none). Patched in moto's class: moto takes a type's
# name property from the first class of that type, not the last.
lam.LayerVersion.cloudformation_name_type = staticmethod(lambda: "LayerName")
if not hasattr(lam.LayerVersion, "physical_resource_id"):
    lam.LayerVersion.physical_resource_id = property(lambda self: self.arn)


class LambdaFunctionLayers(CloudFormationModel):
    """AWS::Lambda::Function: moto's, with Layers applied on create and update (an
    update without Layers removes them) and Lambda's Timeout / MemorySize limits. The
    instances are moto's own LambdaFunction objects."""
    __module__ = "moto.awslambda.awsx_ext"

    @staticmethod
    def cloudformation_name_type():
        return lam.LambdaFunction.cloudformation_name_type()

    @staticmethod
    def cloudformation_type():
        return "AWS::Lambda::Function"

    @classmethod
    def has_cfn_attr(cls, attr):
        return lam.LambdaFunction.has_cfn_attr(attr)

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs):
        props = cloudformation_json["Properties"]
        _lambda_validate(props)
        layers = _lambda_layers(account_id, region_name, props)   # before: nothing to undo
        fn = lam.LambdaFunction.create_from_cloudformation_json(
            resource_name, cloudformation_json, account_id, region_name, **kwargs)
        fn.layers = layers
        return fn

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name,
                                        cloudformation_json, account_id, region_name):
        props = cloudformation_json["Properties"]
        _lambda_validate(props)
        layers = _lambda_layers(account_id, region_name, props)
        rest = dict(cloudformation_json,
                    Properties={k: v for k, v in props.items() if k != "Layers"})
        fn = lam.LambdaFunction.update_from_cloudformation_json(
            original_resource, new_resource_name, rest, account_id, region_name)
        fn.layers = layers
        return fn

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name):
        lam.LambdaFunction.delete_from_cloudformation_json(resource_name, cloudformation_json,
                                                           account_id, region_name)


class BucketPublicAccessBlock(CloudFormationModel):
    """AWS::S3::Bucket: moto's, with PublicAccessBlockConfiguration applied. The
    instances are moto's own FakeBucket objects."""
    __module__ = "moto.s3.awsx_ext"

    @staticmethod
    def cloudformation_name_type():
        return s3models.FakeBucket.cloudformation_name_type()

    @staticmethod
    def cloudformation_type():
        return "AWS::S3::Bucket"

    @classmethod
    def has_cfn_attr(cls, attr):
        return s3models.FakeBucket.has_cfn_attr(attr)

    @staticmethod
    def _apply(bucket, props, account_id, region_name):
        config = props.get("PublicAccessBlockConfiguration")
        if isinstance(config, dict) and config:
            backend = s3models.s3_backends[account_id][get_partition(region_name)]
            backend.put_public_access_block(bucket.name, config)
        else:
            bucket.public_access_block = None
        return bucket

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs):
        bucket = s3models.FakeBucket.create_from_cloudformation_json(
            resource_name, cloudformation_json, account_id, region_name, **kwargs)
        return cls._apply(bucket, cloudformation_json.get("Properties", {}), account_id,
                          region_name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name,
                                        cloudformation_json, account_id, region_name):
        bucket = s3models.FakeBucket.update_from_cloudformation_json(
            original_resource, new_resource_name, cloudformation_json, account_id,
            region_name)
        return cls._apply(bucket, cloudformation_json.get("Properties", {}), account_id,
                          region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name):
        s3models.FakeBucket.delete_from_cloudformation_json(resource_name, cloudformation_json,
                                                            account_id, region_name)


class TestFailure(CloudFormationModel):
    """AWSX::Test::Fail (tests only): does nothing, or, with Fail true, fails its create
    or update with Reason, as a resource handler's error would."""
    __module__ = "moto.cloudformation.awsx_ext"

    def __init__(self, name):
        self.name = name

    @staticmethod
    def cloudformation_name_type():
        return "Name"

    @staticmethod
    def cloudformation_type():
        return "AWSX::Test::Fail"

    @classmethod
    def has_cfn_attr(cls, attr):
        return False

    @property
    def physical_resource_id(self):
        return self.name

    @staticmethod
    def _check(props):
        if str(props.get("Fail", "false")).lower() == "true":
            raise ResourceFailed(str(props.get("Reason") or "AWSX::Test::Fail: Fail is true"))

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs):
        cls._check(cloudformation_json.get("Properties", {}))
        return cls(resource_name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name,
                                        cloudformation_json, account_id, region_name):
        cls._check(cloudformation_json.get("Properties", {}))
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name):
        pass

    def delete(self, account_id, region_name):
        pass

    def is_created(self):
        return True


# --------------------------------------------------------------------------------------
# Resource events, and a stack that rolls back when a resource fails
# --------------------------------------------------------------------------------------

# Errors in the template itself: AWS refuses the call, so moto's answer stays.
TEMPLATE_ERRORS = (cfnexc.CloudFormationError, cfnexc.UnformattedGetAttTemplateException)


def _stack_of(resources_map):
    """The stack a ResourceMap belongs to (None for a stack set's instances)."""
    try:
        backend = cfnmodels.cloudformation_backends[resources_map._account_id][
            resources_map._region_name]
        return backend.stacks.get(resources_map.stack_id)
    except Exception:  # noqa: BLE001 - no events rather than no stack
        return None


def _failures(stack):
    """{logical id: (type, action, reason)} of the stack's current operation."""
    return stack.__dict__.setdefault("_awsx_failures", {})


def _physical_id(resource):
    try:
        pid = getattr(resource, "physical_resource_id", None)
    except Exception:  # noqa: BLE001 - some models compute it and may fail
        pid = None
    return pid if isinstance(pid, str) else ""


def _event(stack, logical_id, physical_id, rtype, status, reason=None):
    event = cfnmodels.Event(stack_id=stack.stack_id, stack_name=stack.name,
                            logical_resource_id=logical_id, physical_resource_id=physical_id,
                            resource_type=rtype, resource_status=status,
                            resource_status_reason=reason, resource_properties=None)
    event.sendToSns(stack.account_id, stack.region_name, stack.notification_arns)
    stack.events.append(event)


def _reason(e):
    if isinstance(e, ResourceFailed):
        return str(e)
    message = getattr(e, "message", None) or str(e) or type(e).__name__
    code = getattr(e, "error_type", None)
    return 'Resource handler returned message: "%s%s"' % ("%s: " % code if code else "",
                                                          message)


def _record_failure(stack, logical_id, rtype, action, e):
    """Remember the failure of the resource the error started in (a Ref resolved
    lazily makes a resource's error pass through the one that refers to it)."""
    if stack is None or isinstance(e, TEMPLATE_ERRORS) or getattr(e, "_awsx_resource", None):
        return
    try:
        e._awsx_resource = logical_id
    except AttributeError:
        pass
    _failures(stack)[logical_id] = (rtype, action, _reason(e))


def _flush_failures(stack, error, suffix):
    """The _FAILED events of the resources that failed (moto retries an update a few
    times: only a failure never followed by success counts), and the stack's reason
    as AWS words it: "The following resource(s) failed to update: [A, B]. "."""
    failed = _failures(stack)
    stack._awsx_failures = {}
    by_action = {}
    for logical_id, (rtype, action, reason) in failed.items():
        _event(stack, logical_id, "", rtype, action + "_IN_PROGRESS")
        _event(stack, logical_id, "", rtype, action + "_FAILED", reason)
        by_action.setdefault(action.lower(), []).append(logical_id)
    if not by_action:
        return _reason(error)
    return "".join("The following resource(s) failed to %s: [%s]. " % (action, ", ".join(ids))
                   for action, ids in sorted(by_action.items())) + suffix


_moto_create_resource = cfnparsing.parse_and_create_resource
_moto_update_resource = cfnparsing.parse_and_update_resource
_moto_delete_resource = cfnparsing.ResourceMap._delete_resource


def _create_resource(logical_id, resource_json, resources_map, account_id, region_name):
    stack = _stack_of(resources_map)
    rtype = resource_json.get("Type", "")
    try:
        resource = _moto_create_resource(logical_id, resource_json, resources_map, account_id,
                                         region_name)
    except Exception as e:
        _record_failure(stack, logical_id, rtype, "CREATE", e)
        raise
    if stack is not None and resource is not None:   # None: skipped (condition, type)
        _event(stack, logical_id, "", rtype, "CREATE_IN_PROGRESS")
        _event(stack, logical_id, _physical_id(resource), rtype, "CREATE_COMPLETE")
    return resource


def _update_resource(logical_id, resource_json, resources_map, account_id, region_name):
    stack = _stack_of(resources_map)
    rtype = resource_json.get("Type", "")
    try:
        resource = _moto_update_resource(logical_id, resource_json, resources_map, account_id,
                                         region_name)
    except Exception as e:
        _record_failure(stack, logical_id, rtype, "UPDATE", e)
        raise
    if stack is not None and resource is not None:
        _failures(stack).pop(logical_id, None)           # moto's retry worked
        _event(stack, logical_id, _physical_id(resource), rtype, "UPDATE_IN_PROGRESS")
        _event(stack, logical_id, _physical_id(resource), rtype, "UPDATE_COMPLETE")
    return resource


def _delete_resource(self, parsed_resource, resource_json):
    stack = _stack_of(self)
    logical_id = getattr(parsed_resource, "logical_resource_id", "")
    physical_id = _physical_id(parsed_resource)
    _moto_delete_resource(self, parsed_resource, resource_json)
    if stack is not None and logical_id:
        rtype = resource_json.get("Type", "")
        _event(stack, logical_id, physical_id, rtype, "DELETE_IN_PROGRESS")
        _event(stack, logical_id, physical_id, rtype, "DELETE_COMPLETE")


cfnparsing.parse_and_create_resource = _create_resource
cfnparsing.parse_and_update_resource = _update_resource
cfnparsing.ResourceMap._delete_resource = _delete_resource

_moto_create_resources = cfnmodels.Stack.create_resources
_moto_update = cfnmodels.Stack.update


def _create_resources(self):
    """CreateStack's work; a resource that fails rolls the stack back, as on AWS."""
    self._awsx_failures = {}
    try:
        _moto_create_resources(self)
        return
    except TEMPLATE_ERRORS:
        raise
    except Exception as e:  # noqa: BLE001 - any resource handler error
        error = e
    reason = _flush_failures(self, error, "Rollback requested by user.")
    self.status = "ROLLBACK_IN_PROGRESS"
    self._add_stack_event("ROLLBACK_IN_PROGRESS", resource_status_reason=reason)
    try:
        self.resource_map.delete()
    except Exception as e:  # noqa: BLE001
        self.status = "ROLLBACK_FAILED"
        self._add_stack_event("ROLLBACK_FAILED", resource_status_reason=_reason(e))
        return
    self.status = "ROLLBACK_COMPLETE"
    self._add_stack_event("ROLLBACK_COMPLETE")


def _parameter_defaults(template):
    """{name: Default} of a template's parameters (text or parsed)."""
    try:
        doc = cfnmodels.Stack.parse_template(template) if isinstance(template, str) else template
    except Exception:  # noqa: BLE001 - moto reports a bad template itself
        return {}
    slots = doc.get("Parameters") if isinstance(doc, dict) else None
    return {k: v["Default"] for k, v in (slots or {}).items()
            if isinstance(v, dict) and "Default" in v}


def _update(self, template, role_arn=None, parameters=None, tags=None):
    """UpdateStack's work. A parameter the request leaves out takes its default, as
    on AWS (moto kept the previous value); a resource that fails rolls the stack back
    to its previous template and parameters, as on AWS."""
    rm = self.resource_map
    before = (self.template, dict(rm.input_parameters), self.parameters)
    given = dict(parameters or {})
    parameters = dict({k: v for k, v in _parameter_defaults(template).items()
                       if k not in given}, **given) or parameters
    # the previous values as explicit inputs, so that moto's diff sees only real changes
    rm.input_parameters = dict(_parameter_defaults(self.template_dict), **rm.input_parameters)
    self._awsx_failures = {}
    try:
        _moto_update(self, template, role_arn=role_arn, parameters=parameters, tags=tags)
        return
    except TEMPLATE_ERRORS:
        raise
    except Exception as e:  # noqa: BLE001 - any resource handler error
        error = e
    reason = _flush_failures(self, error, "")
    self.status = "UPDATE_ROLLBACK_IN_PROGRESS"
    self._add_stack_event("UPDATE_ROLLBACK_IN_PROGRESS", resource_status_reason=reason)
    old_template, old_input, old_parameters = before
    try:
        self.template = old_template
        self._parse_template()
        rm.update(self.template_dict,
                  dict(_parameter_defaults(self.template_dict), **old_input) or None)
        rm.input_parameters = old_input
        rm.load_parameters()
        self.output_map = self._create_output_map()
    except Exception as e:  # noqa: BLE001
        _flush_failures(self, e, "")
        self.status = "UPDATE_ROLLBACK_FAILED"
        self._add_stack_event("UPDATE_ROLLBACK_FAILED", resource_status_reason=_reason(e))
        return
    self.parameters = old_parameters
    self._add_stack_event("UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
    self.status = "UPDATE_ROLLBACK_COMPLETE"
    self._add_stack_event("UPDATE_ROLLBACK_COMPLETE")


cfnmodels.Stack.create_resources = _create_resources
cfnmodels.Stack.update = _update

_moto_validate_different_update = cfnresponses.CloudFormationResponse._validate_different_update


def _parameter_text(value):
    return ",".join(str(v) for v in value) if isinstance(value, list) else str(value)


def _validate_different_update(self, incoming_params, stack_body, old_stack):
    """"No updates are to be performed." whenever the template and the parameters as
    they would resolve (defaults for those left out) are the stack's, also for a
    request without Parameters (moto checked only requests with Parameters)."""
    _moto_validate_different_update(self, incoming_params, stack_body, old_stack)
    if not stack_body or old_stack.template != stack_body:
        return
    new = {k: _parameter_text(v) for k, v in _parameter_defaults(stack_body).items()}
    given = self._get_param_values(incoming_params or [], old_stack.stack_parameters)
    new.update({k: _parameter_text(v) for k, v in given.items()})
    if new == {k: _parameter_text(v) for k, v in old_stack.stack_parameters.items()}:
        raise ValidationError(old_stack.name, message="No updates are to be performed.")


cfnresponses.CloudFormationResponse._validate_different_update = _validate_different_update


# What `awsx logs` reads (Lambda LoggingConfig, stage and state machine logging, X-Ray
# summaries, FilterLogEvents order): in its own module, patched on top of the above.
import motoext_logs  # noqa: E402,F401
