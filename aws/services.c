/* SPDX-License-Identifier: Apache-2.0 */
/*
 * services.c: the descriptions of the AWS services awsx calls (protocol,
 * API version, endpoint prefix, signing name), from botocore's service
 * models (metadata block of each service-2.json).
 */
#include "aws/aws.h"

const struct aws_service aws_svc_sts = {
	.name = "sts",
	.id = "STS",
	.endpoint_prefix = "sts",
	.signing_name = "sts",
	.protocol = AWS_PROTO_QUERY,
	.api_version = "2011-06-15",
};

/* The SSO portal: GetRoleCredentials is authorised by a bearer token. */
const struct aws_service aws_svc_sso = {
	.name = "sso",
	.id = "SSO",
	.endpoint_prefix = "portal.sso",
	.signing_name = "awsssoportal",
	.protocol = AWS_PROTO_REST_JSON,
	.api_version = "2019-06-10",
	.flags = AWS_SVC_UNSIGNED,
};
