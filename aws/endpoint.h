/* SPDX-License-Identifier: Apache-2.0 */
/*
 * endpoint.h: where a request goes.  Partition-aware host names (aws,
 * aws-cn, aws-us-gov, and the iso partitions by their suffix), global
 * services (IAM, Organizations) with their signing region, regional STS,
 * and the AWS CLI's endpoint overrides in its precedence order:
 *   --endpoint-url > AWS_ENDPOINT_URL_<SERVICE> > AWS_ENDPOINT_URL >
 *   [services] section of the profile > profile endpoint_url > default,
 * all but the flag ignored under AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true or
 * profile ignore_configured_endpoint_urls = true.
 */
#ifndef AWSX_ENDPOINT_H
#define AWSX_ENDPOINT_H

#include "aws/config.h"
#include "aws/util.h"

struct aws_service;

/* Partition of a region: "aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b". */
const char *endpoint_partition(const char *region);
/* DNS suffix of a partition: "amazonaws.com", "amazonaws.com.cn", ... */
const char *endpoint_dns_suffix(const char *partition);
/* 1 if region looks like a region name ("us-east-1", "cn-north-1", "us-gov-west-1", "eu-isoe-west-1"). */
int endpoint_region_valid(const char *region);

/*
 * "AWS_ENDPOINT_URL_" + serviceId upper-cased with spaces as '_'
 * ("CloudWatch Logs" -> AWS_ENDPOINT_URL_CLOUDWATCH_LOGS) into out.
 */
void endpoint_env_name(const char *service_id, struct strbuf *out);
/* The key in a [services] section: serviceId lower-cased, spaces as '_'. */
void endpoint_config_key(const char *service_id, struct strbuf *out);

struct endpoint {
	char url[512];		  /* "https://sts.us-east-1.amazonaws.com" (no trailing '/') */
	char signing_region[64];  /* credential scope region */
	int overridden;		  /* 1 when the URL came from an override */
};

/*
 * Resolve the endpoint of svc in region.  flag_url: --endpoint-url or NULL.
 * getenv_fn: environment lookup (getenv in production, a fake in tests).
 * cfg/profile may be NULL.  Errors: -AWSX_ECONFIG for an invalid URL
 * ("invalid endpoint URL 'x' from AWS_ENDPOINT_URL_STS: ...").
 */
int endpoint_resolve(const struct aws_service *svc, const char *region,
		     const char *flag_url, const struct aws_config *cfg,
		     const char *profile, const char *(*getenv_fn)(const char *),
		     struct endpoint *out, struct aws_error *err);

#endif
