/* SPDX-License-Identifier: Apache-2.0 */
/*
 * services.c: the descriptions of the AWS services awsx calls (protocol,
 * API version, endpoint prefix, signing name), from the metadata block of
 * each botocore service model (data/<service>/<version>/service-2.json).
 */
#include "aws/aws.h"

#include <string.h>

#define SERVICE(var, short_name, sid, prefix, signing, proto, version, target, jsonv, fl) \
	const struct aws_service var = {                                          \
		.id = sid,                                                         \
		.endpoint_prefix = prefix,                                         \
		.signing_name = signing,                                           \
		.protocol = proto,                                                 \
		.api_version = version,                                            \
		.target_prefix = target,                                           \
		.json_version = jsonv,                                             \
		.flags = fl,                                                       \
		.name = short_name,                                                \
	}

SERVICE(aws_svc_sts, "sts", "STS", "sts", "sts", AWS_PROTO_QUERY, "2011-06-15", NULL, NULL, 0);
/* The SSO portal: GetRoleCredentials is authorised by a bearer token. */
SERVICE(aws_svc_sso, "sso", "SSO", "portal.sso", "awsssoportal", AWS_PROTO_REST_JSON,
	"2019-06-10", NULL, NULL, AWS_SVC_UNSIGNED);
SERVICE(aws_svc_logs, "logs", "CloudWatch Logs", "logs", "logs", AWS_PROTO_JSON, "2014-03-28",
	"Logs_20140328", "1.1", 0);
SERVICE(aws_svc_lambda, "lambda", "Lambda", "lambda", "lambda", AWS_PROTO_REST_JSON,
	"2015-03-31", NULL, NULL, 0);
SERVICE(aws_svc_ec2, "ec2", "EC2", "ec2", "ec2", AWS_PROTO_EC2, "2016-11-15", NULL, NULL, 0);
SERVICE(aws_svc_autoscaling, "autoscaling", "Auto Scaling", "autoscaling", "autoscaling",
	AWS_PROTO_QUERY, "2011-01-01", NULL, NULL, 0);
SERVICE(aws_svc_s3, "s3", "S3", "s3", "s3", AWS_PROTO_REST_XML, "2006-03-01", NULL, NULL,
	AWS_SVC_S3);
SERVICE(aws_svc_cloudformation, "cloudformation", "CloudFormation", "cloudformation",
	"cloudformation", AWS_PROTO_QUERY, "2010-05-15", NULL, NULL, 0);
SERVICE(aws_svc_organizations, "organizations", "Organizations", "organizations",
	"organizations", AWS_PROTO_JSON, "2016-11-28", "AWSOrganizationsV20161128", "1.1",
	AWS_SVC_GLOBAL);
SERVICE(aws_svc_iam, "iam", "IAM", "iam", "iam", AWS_PROTO_QUERY, "2010-05-08", NULL, NULL,
	AWS_SVC_GLOBAL);
SERVICE(aws_svc_xray, "xray", "XRay", "xray", "xray", AWS_PROTO_REST_JSON, "2016-04-12", NULL,
	NULL, 0);
SERVICE(aws_svc_sfn, "sfn", "SFN", "states", "states", AWS_PROTO_JSON, "2016-11-23",
	"AWSStepFunctions", "1.0", 0);
SERVICE(aws_svc_apigateway, "apigateway", "API Gateway", "apigateway", "apigateway",
	AWS_PROTO_REST_JSON, "2015-07-09", NULL, NULL, 0);
SERVICE(aws_svc_apigatewayv2, "apigatewayv2", "ApiGatewayV2", "apigateway", "apigateway",
	AWS_PROTO_REST_JSON, "2018-11-29", NULL, NULL, 0);

static const struct aws_service *const all_services[] = {
	&aws_svc_apigateway, &aws_svc_apigatewayv2, &aws_svc_autoscaling,
	&aws_svc_cloudformation, &aws_svc_ec2, &aws_svc_iam, &aws_svc_lambda,
	&aws_svc_logs, &aws_svc_organizations, &aws_svc_s3, &aws_svc_sfn,
	&aws_svc_sso, &aws_svc_sts, &aws_svc_xray,
};

const struct aws_service *aws_service_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(all_services); i++)
		if (!strcmp(all_services[i]->name, name))
			return all_services[i];
	return NULL;
}
