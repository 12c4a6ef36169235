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
                             the nested stack's parameters and region.

Each is listed in docs/testing.md. moto's model metaclass files every model under
the service named by the second part of its module name, hence the __module__ lines.
"""

import json

import yaml
# Imported before the classes below are defined, so that ours come later in
# CloudFormationModel.__subclasses__() and replace moto's for the same type.
from moto.apigateway import models as apigw
from moto.apigatewayv2 import models as apigw2
from moto.cloudformation import models as cfnmodels
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
            raise ValidationError(message=str(e))

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id,
                                        region_name, **kwargs):
        props = cloudformation_json["Properties"]
        backend = cfnmodels.cloudformation_backends[account_id][region_name]
        return backend.create_stack(name=resource_name,
                                    template=cls._template(props, account_id, region_name),
                                    parameters=props.get("Parameters", {}))

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
