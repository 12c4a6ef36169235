/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-endpoint.c: endpoint resolution: partitions and their DNS suffixes,
 * region validation, the global services' endpoints and signing regions,
 * regional STS and "aws-global", and every override level in its order,
 * with the ignore switch and URL validation.  The environment is a small
 * fake table, so tests never depend on the real one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws.h"
#include "aws/config.h"
#include "aws/endpoint.h"
#include "aws/util.h"
#include "tests/unit/check.h"

static const struct aws_service sts = {
	.id = "STS", .endpoint_prefix = "sts", .signing_name = "sts",
	.protocol = AWS_PROTO_QUERY, .api_version = "2011-06-15",
};
static const struct aws_service iam = {
	.id = "IAM", .endpoint_prefix = "iam", .signing_name = "iam",
	.protocol = AWS_PROTO_QUERY, .api_version = "2010-05-08",
	.flags = AWS_SVC_GLOBAL,
};
static const struct aws_service orgs = {
	.id = "Organizations", .endpoint_prefix = "organizations",
	.signing_name = "organizations", .protocol = AWS_PROTO_JSON,
	.api_version = "2016-11-28",
	.target_prefix = "AWSOrganizationsV20161128", .json_version = "1.1",
	.flags = AWS_SVC_GLOBAL,
};
static const struct aws_service logs = {
	.id = "CloudWatch Logs", .endpoint_prefix = "logs",
	.signing_name = "logs", .protocol = AWS_PROTO_JSON,
	.api_version = "2014-03-28", .target_prefix = "Logs_20140328",
	.json_version = "1.1",
};
static const struct aws_service sso = {
	.id = "SSO", .endpoint_prefix = "portal.sso",
	.signing_name = "awsssoportal", .protocol = AWS_PROTO_REST_JSON,
	.api_version = "2019-06-10", .flags = AWS_SVC_UNSIGNED,
};

/* ---- the fake environment ---- */

static struct {
	const char *name;
	const char *value;
} fake_env[8];

static const char *fake_getenv(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(fake_env); i++)
		if (fake_env[i].name && !strcmp(fake_env[i].name, name))
			return fake_env[i].value;
	return NULL;
}

static void env_clear(void)
{
	memset(fake_env, 0, sizeof(fake_env));
}

static void env_set(const char *name, const char *value)
{
	for (size_t i = 0; i < ARRAY_SIZE(fake_env); i++) {
		if (!fake_env[i].name || !strcmp(fake_env[i].name, name)) {
			fake_env[i].name = name;
			fake_env[i].value = value;
			return;
		}
	}
	fprintf(stderr, "fake environment full\n");
	exit(1);
}

static struct aws_config *config_of(const char *text)
{
	struct aws_config *cfg = aws_config_new();
	struct aws_error err;

	aws_error_clear(&err);
	if (aws_config_parse(cfg, text, strlen(text), "/cfg", 0, &err)) {
		fprintf(stderr, "%s\n", err.message);
		exit(1);
	}
	return cfg;
}

/* Resolve with the fake environment; expect success, URL and signing region. */
#define EXPECT(svc, region, flag, cfg, profile, want_url, want_signing,     \
	       want_over)                                                    \
	do {                                                                 \
		struct endpoint ep_;                                         \
		struct aws_error err_;                                       \
		aws_error_clear(&err_);                                      \
		CHECK_INT(endpoint_resolve(&(svc), (region), (flag), (cfg),  \
					   (profile), fake_getenv, &ep_,     \
					   &err_),                           \
			  0);                                                \
		if (err_.kind)                                               \
			fprintf(stderr, "  error: %s\n", err_.message);      \
		CHECK_STR(ep_.url, (want_url));                              \
		CHECK_STR(ep_.signing_region, (want_signing));               \
		CHECK_INT(ep_.overridden, (want_over));                      \
	} while (0)

#define EXPECT_ERROR(svc, region, flag, cfg, profile, want_message)          \
	do {                                                                 \
		struct endpoint ep_;                                         \
		struct aws_error err_;                                       \
		aws_error_clear(&err_);                                      \
		CHECK_INT(endpoint_resolve(&(svc), (region), (flag), (cfg),  \
					   (profile), fake_getenv, &ep_,     \
					   &err_),                           \
			  -AWSX_ECONFIG);                                    \
		CHECK_STR(err_.message, (want_message));                     \
	} while (0)

static void test_partitions(void)
{
	CHECK_STR(endpoint_partition("us-east-1"), "aws");
	CHECK_STR(endpoint_partition("eu-central-2"), "aws");
	CHECK_STR(endpoint_partition("aws-global"), "aws");
	CHECK_STR(endpoint_partition("cn-north-1"), "aws-cn");
	CHECK_STR(endpoint_partition("cn-northwest-1"), "aws-cn");
	CHECK_STR(endpoint_partition("us-gov-west-1"), "aws-us-gov");
	CHECK_STR(endpoint_partition("us-gov-east-1"), "aws-us-gov");
	CHECK_STR(endpoint_partition("us-iso-east-1"), "aws-iso");
	CHECK_STR(endpoint_partition("us-isob-east-1"), "aws-iso-b");
	CHECK_STR(endpoint_partition("eu-isoe-west-1"), "aws-iso-e");
	CHECK_STR(endpoint_partition("us-isof-south-1"), "aws-iso-f");
	CHECK_STR(endpoint_partition(NULL), "aws");

	CHECK_STR(endpoint_dns_suffix("aws"), "amazonaws.com");
	CHECK_STR(endpoint_dns_suffix("aws-cn"), "amazonaws.com.cn");
	CHECK_STR(endpoint_dns_suffix("aws-us-gov"), "amazonaws.com");
	CHECK_STR(endpoint_dns_suffix("aws-iso"), "c2s.ic.gov");
	CHECK_STR(endpoint_dns_suffix("aws-iso-b"), "sc2s.sgov.gov");
	CHECK_STR(endpoint_dns_suffix("aws-iso-e"), "cloud.adc-e.uk");
	CHECK_STR(endpoint_dns_suffix("aws-iso-f"), "csp.hci.ic.gov");
	CHECK_STR(endpoint_dns_suffix("unknown"), "amazonaws.com");
}

static void test_region_valid(void)
{
	CHECK(endpoint_region_valid("us-east-1"));
	CHECK(endpoint_region_valid("ap-southeast-12"));
	CHECK(endpoint_region_valid("cn-north-1"));
	CHECK(endpoint_region_valid("us-gov-west-1"));
	CHECK(endpoint_region_valid("eu-isoe-west-1"));
	CHECK(endpoint_region_valid("aws-global"));
	CHECK(!endpoint_region_valid(NULL));
	CHECK(!endpoint_region_valid(""));
	CHECK(!endpoint_region_valid("us-east"));
	CHECK(!endpoint_region_valid("us-1"));
	CHECK(!endpoint_region_valid("US-EAST-1"));
	CHECK(!endpoint_region_valid("us-east-1a"));
	CHECK(!endpoint_region_valid("us-east-1-"));
	CHECK(!endpoint_region_valid("us--east-1"));
	CHECK(!endpoint_region_valid("use-east-1"));
	CHECK(!endpoint_region_valid("u-east-1"));
	CHECK(!endpoint_region_valid("us-east-1/x"));
	CHECK(!endpoint_region_valid("us-east-1.evil.com"));
	CHECK(!endpoint_region_valid("us_east-1"));
	CHECK(!endpoint_region_valid("aws-globalx"));
}

static void test_names(void)
{
	struct strbuf sb = STRBUF_INIT;

	endpoint_env_name("STS", &sb);
	CHECK_STR(sb.buf, "AWS_ENDPOINT_URL_STS");
	strbuf_reset(&sb);
	endpoint_env_name("CloudWatch Logs", &sb);
	CHECK_STR(sb.buf, "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS");
	strbuf_reset(&sb);
	endpoint_env_name("SSO", &sb);
	CHECK_STR(sb.buf, "AWS_ENDPOINT_URL_SSO");
	strbuf_reset(&sb);
	endpoint_config_key("CloudWatch Logs", &sb);
	CHECK_STR(sb.buf, "cloudwatch_logs");
	strbuf_reset(&sb);
	endpoint_config_key("STS", &sb);
	CHECK_STR(sb.buf, "sts");
	strbuf_release(&sb);
}

static void test_default_endpoints(void)
{
	env_clear();
	EXPECT(sts, "us-east-1", NULL, NULL, NULL,
	       "https://sts.us-east-1.amazonaws.com", "us-east-1", 0);
	EXPECT(sts, "eu-west-3", NULL, NULL, NULL,
	       "https://sts.eu-west-3.amazonaws.com", "eu-west-3", 0);
	EXPECT(sts, "aws-global", NULL, NULL, NULL, "https://sts.amazonaws.com",
	       "us-east-1", 0);
	EXPECT(sts, "cn-north-1", NULL, NULL, NULL,
	       "https://sts.cn-north-1.amazonaws.com.cn", "cn-north-1", 0);
	EXPECT(sts, "us-gov-west-1", NULL, NULL, NULL,
	       "https://sts.us-gov-west-1.amazonaws.com", "us-gov-west-1", 0);
	EXPECT(sts, "us-iso-east-1", NULL, NULL, NULL,
	       "https://sts.us-iso-east-1.c2s.ic.gov", "us-iso-east-1", 0);
	EXPECT(sts, "us-isob-east-1", NULL, NULL, NULL,
	       "https://sts.us-isob-east-1.sc2s.sgov.gov", "us-isob-east-1", 0);
	EXPECT(logs, "ap-northeast-1", NULL, NULL, NULL,
	       "https://logs.ap-northeast-1.amazonaws.com", "ap-northeast-1", 0);
	EXPECT(logs, "cn-northwest-1", NULL, NULL, NULL,
	       "https://logs.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1",
	       0);
	EXPECT(sso, "eu-west-1", NULL, NULL, NULL,
	       "https://portal.sso.eu-west-1.amazonaws.com", "eu-west-1", 0);

	EXPECT_ERROR(sts, NULL, NULL, NULL, NULL,
		     "no region for 'STS': use --region, AWS_REGION or region "
		     "in the profile");
	EXPECT_ERROR(logs, "", NULL, NULL, NULL,
		     "no region for 'CloudWatch Logs': use --region, "
		     "AWS_REGION or region in the profile");
	EXPECT_ERROR(sts, "us-east-1.evil.com", NULL, NULL, NULL,
		     "invalid region 'us-east-1.evil.com': expected a name "
		     "like 'us-east-1'");
	EXPECT_ERROR(logs, "aws-global", NULL, NULL, NULL,
		     "service 'CloudWatch Logs' has no endpoint in region "
		     "'aws-global'");
}

static void test_global_services(void)
{
	env_clear();
	EXPECT(iam, "us-west-2", NULL, NULL, NULL, "https://iam.amazonaws.com",
	       "us-east-1", 0);
	EXPECT(iam, "aws-global", NULL, NULL, NULL, "https://iam.amazonaws.com",
	       "us-east-1", 0);
	EXPECT(iam, NULL, NULL, NULL, NULL, "https://iam.amazonaws.com",
	       "us-east-1", 0);
	EXPECT(iam, "cn-northwest-1", NULL, NULL, NULL,
	       "https://iam.cn-north-1.amazonaws.com.cn", "cn-north-1", 0);
	EXPECT(iam, "us-gov-east-1", NULL, NULL, NULL,
	       "https://iam.us-gov.amazonaws.com", "us-gov-west-1", 0);
	EXPECT(iam, "us-iso-west-1", NULL, NULL, NULL,
	       "https://iam.us-iso-east-1.c2s.ic.gov", "us-iso-east-1", 0);
	EXPECT(iam, "us-isob-east-1", NULL, NULL, NULL,
	       "https://iam.us-isob-east-1.sc2s.sgov.gov", "us-isob-east-1", 0);
	EXPECT(orgs, "eu-central-1", NULL, NULL, NULL,
	       "https://organizations.us-east-1.amazonaws.com", "us-east-1", 0);
	EXPECT(orgs, "cn-north-1", NULL, NULL, NULL,
	       "https://organizations.cn-northwest-1.amazonaws.com.cn",
	       "cn-northwest-1", 0);
	EXPECT(orgs, "us-gov-west-1", NULL, NULL, NULL,
	       "https://organizations.us-gov-west-1.amazonaws.com",
	       "us-gov-west-1", 0);
}

static void test_override_order(void)
{
	struct aws_config *cfg = config_of("[default]\n"
					   "endpoint_url = http://profile:1\n"
					   "services = local\n"
					   "[profile plain]\n"
					   "endpoint_url = http://plain:2/\n"
					   "[services local]\n"
					   "sts =\n"
					   "  endpoint_url = http://services:3\n");

	env_clear();
	env_set("AWS_ENDPOINT_URL_STS", "http://env-sts:4");
	env_set("AWS_ENDPOINT_URL", "http://env-all:5");

	/* --endpoint-url beats everything. */
	EXPECT(sts, "eu-west-1", "https://flag:6/", cfg, "default",
	       "https://flag:6", "eu-west-1", 1);
	/* Then the service's variable, then the general one. */
	EXPECT(sts, "eu-west-1", NULL, cfg, "default", "http://env-sts:4",
	       "eu-west-1", 1);
	EXPECT(logs, "eu-west-1", NULL, cfg, "default", "http://env-all:5",
	       "eu-west-1", 1);
	env_set("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "http://env-logs:7");
	EXPECT(logs, "eu-west-1", NULL, cfg, "default", "http://env-logs:7",
	       "eu-west-1", 1);
	/* Then the [services] section, then the profile's endpoint_url. */
	env_clear();
	EXPECT(sts, "eu-west-1", NULL, cfg, "default", "http://services:3",
	       "eu-west-1", 1);
	EXPECT(logs, "eu-west-1", NULL, cfg, "default", "http://profile:1",
	       "eu-west-1", 1);
	EXPECT(sts, "eu-west-1", NULL, cfg, NULL, "http://services:3",
	       "eu-west-1", 1);
	EXPECT(sts, "eu-west-1", NULL, cfg, "plain", "http://plain:2",
	       "eu-west-1", 1);
	/* Unknown profile: defaults. */
	EXPECT(sts, "eu-west-1", NULL, cfg, "nope",
	       "https://sts.eu-west-1.amazonaws.com", "eu-west-1", 0);
	/* An empty variable counts as unset. */
	env_set("AWS_ENDPOINT_URL_STS", "");
	EXPECT(sts, "eu-west-1", NULL, cfg, "default", "http://services:3",
	       "eu-west-1", 1);

	/* Overridden global services sign for the request region. */
	EXPECT(iam, "eu-west-1", NULL, cfg, "plain", "http://plain:2",
	       "eu-west-1", 1);
	EXPECT(iam, "aws-global", NULL, cfg, "plain", "http://plain:2",
	       "us-east-1", 1);
	EXPECT(iam, NULL, NULL, cfg, "plain", "http://plain:2", "us-east-1", 1);
	env_set("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:4566");
	EXPECT(sso, "eu-west-1", NULL, NULL, NULL, "http://127.0.0.1:4566",
	       "eu-west-1", 1);
	EXPECT(sts, "aws-global", "http://[::1]:4566", NULL, NULL,
	       "http://[::1]:4566", "us-east-1", 1);
	aws_config_free(cfg);
}

static void test_ignore_configured(void)
{
	struct aws_config *cfg = config_of("[default]\n"
					   "endpoint_url = http://profile:1\n"
					   "[profile ign]\n"
					   "endpoint_url = http://profile:1\n"
					   "ignore_configured_endpoint_urls = True\n");

	env_clear();
	env_set("AWS_ENDPOINT_URL", "http://env-all:5");
	env_set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE");
	EXPECT(sts, "us-east-1", NULL, cfg, "default",
	       "https://sts.us-east-1.amazonaws.com", "us-east-1", 0);
	/* The flag still wins. */
	EXPECT(sts, "us-east-1", "http://flag", cfg, "default", "http://flag",
	       "us-east-1", 1);
	env_set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "yes");
	EXPECT(sts, "us-east-1", NULL, cfg, "default", "http://env-all:5",
	       "us-east-1", 1);

	/* The profile setting, unless the variable says otherwise. */
	env_clear();
	env_set("AWS_ENDPOINT_URL", "http://env-all:5");
	EXPECT(sts, "us-east-1", NULL, cfg, "ign",
	       "https://sts.us-east-1.amazonaws.com", "us-east-1", 0);
	env_set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false");
	EXPECT(sts, "us-east-1", NULL, cfg, "ign", "http://env-all:5",
	       "us-east-1", 1);
	aws_config_free(cfg);
}

static void test_invalid_urls(void)
{
	struct aws_config *cfg = config_of("[default]\n"
					   "region = us-east-1\n"
					   "endpoint_url = ftp://files\n"
					   "services = s\n"
					   "[services s]\n"
					   "sts =\n"
					   "  endpoint_url = localhost:4566\n");

	env_clear();
	EXPECT_ERROR(sts, "us-east-1", "localhost:4566", NULL, NULL,
		     "invalid endpoint URL 'localhost:4566' from "
		     "--endpoint-url: expected a URL starting with http:// or "
		     "https://");
	EXPECT_ERROR(sts, "us-east-1", "", NULL, NULL,
		     "invalid endpoint URL '' from --endpoint-url: expected a "
		     "URL starting with http:// or https://");
	EXPECT_ERROR(sts, "us-east-1", "https://", NULL, NULL,
		     "invalid endpoint URL 'https://' from --endpoint-url: "
		     "missing host name");
	EXPECT_ERROR(sts, "us-east-1", "http://:4566/", NULL, NULL,
		     "invalid endpoint URL 'http://:4566/' from --endpoint-url: "
		     "missing host name");
	EXPECT_ERROR(sts, "us-east-1", "http://host:99999", NULL, NULL,
		     "invalid endpoint URL 'http://host:99999' from "
		     "--endpoint-url: invalid port");
	EXPECT_ERROR(sts, "us-east-1", "http://host:", NULL, NULL,
		     "invalid endpoint URL 'http://host:' from --endpoint-url: "
		     "invalid port");
	EXPECT_ERROR(sts, "us-east-1", "http://host/a?b=c", NULL, NULL,
		     "invalid endpoint URL 'http://host/a?b=c' from "
		     "--endpoint-url: a query or fragment is not allowed");
	EXPECT_ERROR(sts, "us-east-1", "http://ho st", NULL, NULL,
		     "invalid endpoint URL 'http://ho st' from --endpoint-url: "
		     "it contains a blank or a control character");

	env_set("AWS_ENDPOINT_URL_STS", "htp://typo");
	EXPECT_ERROR(sts, "us-east-1", NULL, NULL, NULL,
		     "invalid endpoint URL 'htp://typo' from "
		     "AWS_ENDPOINT_URL_STS: expected a URL starting with "
		     "http:// or https://");
	env_clear();
	env_set("AWS_ENDPOINT_URL", "http://");
	EXPECT_ERROR(logs, "us-east-1", NULL, NULL, NULL,
		     "invalid endpoint URL 'http://' from AWS_ENDPOINT_URL: "
		     "missing host name");
	env_clear();
	EXPECT_ERROR(sts, "us-east-1", NULL, cfg, "default",
		     "invalid endpoint URL 'localhost:4566' from [services s] "
		     "sts.endpoint_url: expected a URL starting with http:// or "
		     "https://");
	EXPECT_ERROR(logs, "us-east-1", NULL, cfg, "default",
		     "invalid endpoint URL 'ftp://files' from profile default "
		     "endpoint_url (/cfg:3): expected a URL starting with "
		     "http:// or https://");

	/* Only one trailing '/' goes; a path stays. */
	EXPECT(sts, "us-east-1", "HTTPS://Host.Example:443/base//", NULL, NULL,
	       "HTTPS://Host.Example:443/base/", "us-east-1", 1);
	aws_config_free(cfg);
}

int main(void)
{
	RUN(test_partitions);
	RUN(test_region_valid);
	RUN(test_names);
	RUN(test_default_endpoints);
	RUN(test_global_services);
	RUN(test_override_order);
	RUN(test_ignore_configured);
	RUN(test_invalid_urls);
	return check_done();
}
