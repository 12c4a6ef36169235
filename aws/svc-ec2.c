/* SPDX-License-Identifier: Apache-2.0 */
/*
 * svc-ec2.c: typed calls to Amazon EC2 (ec2 protocol) for lc-migrate:
 * regions, security groups and subnets (to check what a launch
 * configuration refers to), launch templates and their versions (list,
 * create, delete) and a RunInstances dry run that proves a template
 * launches.  As in svc-autoscaling.c each call is a builder plus, where
 * the answer carries data, a parser to botocore-shaped JSON; requests and
 * answers go through the shape tables (aws/shape.h).
 */
#include "aws/aws.h"
#include "aws/shape.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Largest pages: 1000 for security groups and subnets, 200 for templates. */
#define EC2_MAX_RESULTS_NETWORK 1000
#define EC2_MAX_RESULTS_TEMPLATES 200

/* The token goes out as NextToken and comes back as <nextToken>. */
const struct aws_paginator ec2_paginator = { "NextToken", "nextToken", 0 };

static int ec2_build(struct aws_call *call, const char *op,
		     const struct shape *input, const cJSON *request,
		     struct aws_error *err)
{
	int rc;

	aws_call_init(call, op);
	rc = shape_json_to_query(request, input, "", 1, &call->params, err);
	if (rc) {
		snprintf(err->service, sizeof(err->service), "ec2");
		snprintf(err->operation, sizeof(err->operation), "%s", op);
	}
	return rc;
}

/* A request built here from known-good parts; a failure is a bug. */
static void ec2_build_own(struct aws_call *call, const char *op,
			  const struct shape *input, cJSON *request)
{
	struct aws_error err;

	aws_error_clear(&err);
	if (ec2_build(call, op, input, request, &err)) {
		fprintf(stderr, "awsx: BUG: ec2 %s request: %s\n", op, err.message);
		abort();
	}
	cJSON_Delete(request);
}

static cJSON *ec2_strings(const char *const *v, size_t n)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(v[i]));
	return arr;
}

/* Append {Name: name, Values: values} to the request's Filters. */
static void ec2_add_filter(cJSON *req, const char *name,
			   const char *const *values, size_t nr_values)
{
	cJSON *filters = cJSON_GetObjectItemCaseSensitive(req, "Filters");
	cJSON *f = cJSON_CreateObject();

	if (!filters)
		filters = cJSON_AddArrayToObject(req, "Filters");
	cJSON_AddStringToObject(f, "Name", name);
	cJSON_AddItemToObject(f, "Values", ec2_strings(values, nr_values));
	cJSON_AddItemToArray(filters, f);
}

static void ec2_add_paging(cJSON *req, int max_results, const char *next_token)
{
	if (max_results)
		cJSON_AddNumberToObject(req, "MaxResults", max_results);
	if (next_token)
		cJSON_AddStringToObject(req, "NextToken", next_token);
}

static int ec2_page(const struct aws_response *resp, const char *op,
		    const struct shape *output, const char *member,
		    cJSON **items, char **next_token, struct aws_error *err)
{
	return shape_answer_page(resp->xml, "ec2", op, 1, output, member, items,
				 next_token, err);
}

/* ---- regions ---- */

void ec2_describe_regions_call(struct aws_call *call, int all_regions)
{
	cJSON *req = cJSON_CreateObject();

	cJSON_AddBoolToObject(req, "AllRegions", all_regions);
	ec2_build_own(call, "DescribeRegions", &shape_ec2_DescribeRegionsRequest,
		      req);
}

int ec2_describe_regions_page(const struct aws_response *resp, cJSON **items,
			      char **next_token, struct aws_error *err)
{
	return ec2_page(resp, "DescribeRegions", &shape_ec2_DescribeRegionsResult,
			"Regions", items, next_token, err);
}

/* ---- security groups, subnets ---- */

void ec2_describe_security_groups_call(struct aws_call *call,
				       const char *vpc_id,
				       const char *const *group_names,
				       size_t nr_group_names,
				       const char *next_token)
{
	cJSON *req = cJSON_CreateObject();

	/* Filters, not GroupNames: those only reach the default VPC. */
	if (vpc_id)
		ec2_add_filter(req, "vpc-id", &vpc_id, 1);
	if (nr_group_names)
		ec2_add_filter(req, "group-name", group_names, nr_group_names);
	ec2_add_paging(req, EC2_MAX_RESULTS_NETWORK, next_token);
	ec2_build_own(call, "DescribeSecurityGroups",
		      &shape_ec2_DescribeSecurityGroupsRequest, req);
}

int ec2_describe_security_groups_page(const struct aws_response *resp,
				      cJSON **items, char **next_token,
				      struct aws_error *err)
{
	return ec2_page(resp, "DescribeSecurityGroups",
			&shape_ec2_DescribeSecurityGroupsResult, "SecurityGroups",
			items, next_token, err);
}

void ec2_describe_subnets_call(struct aws_call *call,
			       const char *const *subnet_ids, size_t nr_ids,
			       const char *next_token)
{
	cJSON *req = cJSON_CreateObject();

	if (nr_ids)
		cJSON_AddItemToObject(req, "SubnetIds", ec2_strings(subnet_ids, nr_ids));
	ec2_add_paging(req, nr_ids ? 0 : EC2_MAX_RESULTS_NETWORK, next_token);
	ec2_build_own(call, "DescribeSubnets", &shape_ec2_DescribeSubnetsRequest,
		      req);
}

int ec2_describe_subnets_page(const struct aws_response *resp, cJSON **items,
			      char **next_token, struct aws_error *err)
{
	return ec2_page(resp, "DescribeSubnets", &shape_ec2_DescribeSubnetsResult,
			"Subnets", items, next_token, err);
}

/* ---- launch templates ---- */

void ec2_describe_launch_templates_call(struct aws_call *call,
					const char *const *names,
					size_t nr_names, const char *tag_key,
					const char *tag_value,
					const char *next_token)
{
	cJSON *req = cJSON_CreateObject();

	if (nr_names)
		cJSON_AddItemToObject(req, "LaunchTemplateNames",
				      ec2_strings(names, nr_names));
	if (tag_key && tag_value) {
		char *filter = xstrfmt("tag:%s", tag_key);
		ec2_add_filter(req, filter, &tag_value, 1);
		free(filter);
	} else if (tag_key) {
		ec2_add_filter(req, "tag-key", &tag_key, 1);
	}
	ec2_add_paging(req, nr_names ? 0 : EC2_MAX_RESULTS_TEMPLATES, next_token);
	ec2_build_own(call, "DescribeLaunchTemplates",
		      &shape_ec2_DescribeLaunchTemplatesRequest, req);
}

int ec2_describe_launch_templates_page(const struct aws_response *resp,
				       cJSON **items, char **next_token,
				       struct aws_error *err)
{
	return ec2_page(resp, "DescribeLaunchTemplates",
			&shape_ec2_DescribeLaunchTemplatesResult, "LaunchTemplates",
			items, next_token, err);
}

void ec2_describe_launch_template_versions_call(struct aws_call *call,
						const char *template_id,
						const char *template_name,
						const char *const *versions,
						size_t nr_versions,
						const char *next_token)
{
	cJSON *req = cJSON_CreateObject();

	if (template_id)
		cJSON_AddStringToObject(req, "LaunchTemplateId", template_id);
	else if (template_name)
		cJSON_AddStringToObject(req, "LaunchTemplateName", template_name);
	if (nr_versions)
		cJSON_AddItemToObject(req, "Versions",
				      ec2_strings(versions, nr_versions));
	ec2_add_paging(req, nr_versions ? 0 : EC2_MAX_RESULTS_TEMPLATES,
		       next_token);
	ec2_build_own(call, "DescribeLaunchTemplateVersions",
		      &shape_ec2_DescribeLaunchTemplateVersionsRequest, req);
}

int ec2_describe_launch_template_versions_page(const struct aws_response *resp,
					       cJSON **items, char **next_token,
					       struct aws_error *err)
{
	return ec2_page(resp, "DescribeLaunchTemplateVersions",
			&shape_ec2_DescribeLaunchTemplateVersionsResult,
			"LaunchTemplateVersions", items, next_token, err);
}

/* The request object of CreateLaunchTemplate (version = 0) or ...Version. */
static cJSON *ec2_template_request(const struct ec2_launch_template_request *r,
				   int version)
{
	cJSON *req = cJSON_CreateObject();
	char token[37];

	if (r->dry_run)
		cJSON_AddTrueToObject(req, "DryRun");
	if (r->client_token) {
		cJSON_AddStringToObject(req, "ClientToken", r->client_token);
	} else {
		uuid4(token);
		cJSON_AddStringToObject(req, "ClientToken", token);
	}
	if (version && r->template_id)
		cJSON_AddStringToObject(req, "LaunchTemplateId", r->template_id);
	else if (r->template_name)
		cJSON_AddStringToObject(req, "LaunchTemplateName", r->template_name);
	if (version && r->source_version)
		cJSON_AddStringToObject(req, "SourceVersion", r->source_version);
	if (r->version_description)
		cJSON_AddStringToObject(req, "VersionDescription",
					r->version_description);
	if (r->data)
		cJSON_AddItemToObject(req, "LaunchTemplateData",
				      cJSON_Duplicate(r->data, 1));
	if (!version && r->tag_specifications)
		cJSON_AddItemToObject(req, "TagSpecifications",
				      cJSON_Duplicate(r->tag_specifications, 1));
	return req;
}

static int ec2_template_call(struct aws_call *call, const char *op,
			     const struct shape *input,
			     const struct ec2_launch_template_request *r,
			     int version, struct aws_error *err)
{
	cJSON *req = ec2_template_request(r, version);
	int rc = ec2_build(call, op, input, req, err);

	cJSON_Delete(req);
	return rc;
}

int ec2_create_launch_template_call(struct aws_call *call,
				    const struct ec2_launch_template_request *r,
				    struct aws_error *err)
{
	return ec2_template_call(call, "CreateLaunchTemplate",
				 &shape_ec2_CreateLaunchTemplateRequest, r, 0, err);
}

int ec2_create_launch_template_version_call(struct aws_call *call,
					    const struct ec2_launch_template_request *r,
					    struct aws_error *err)
{
	return ec2_template_call(call, "CreateLaunchTemplateVersion",
				 &shape_ec2_CreateLaunchTemplateVersionRequest, r,
				 1, err);
}

void ec2_delete_launch_template_call(struct aws_call *call,
				     const char *template_id,
				     const char *template_name)
{
	cJSON *req = cJSON_CreateObject();

	if (template_id)
		cJSON_AddStringToObject(req, "LaunchTemplateId", template_id);
	else if (template_name)
		cJSON_AddStringToObject(req, "LaunchTemplateName", template_name);
	ec2_build_own(call, "DeleteLaunchTemplate",
		      &shape_ec2_DeleteLaunchTemplateRequest, req);
}

int ec2_run_instances_dry_run_call(struct aws_call *call,
				   const cJSON *launch_template,
				   const char *subnet_id, struct aws_error *err)
{
	cJSON *req = cJSON_CreateObject();
	int rc;

	cJSON_AddTrueToObject(req, "DryRun");
	cJSON_AddItemToObject(req, "LaunchTemplate",
			      cJSON_Duplicate(launch_template, 1));
	if (subnet_id)
		cJSON_AddStringToObject(req, "SubnetId", subnet_id);
	cJSON_AddNumberToObject(req, "MinCount", 1);
	cJSON_AddNumberToObject(req, "MaxCount", 1);
	rc = ec2_build(call, "RunInstances", &shape_ec2_RunInstancesRequest, req,
		       err);
	cJSON_Delete(req);
	return rc;
}

/* ---- whole answers ---- */

static const struct {
	const char *operation;
	const struct shape *output;
} ec2_outputs[] = {
	{ "CreateLaunchTemplate", &shape_ec2_CreateLaunchTemplateResult },
	{ "CreateLaunchTemplateVersion", &shape_ec2_CreateLaunchTemplateVersionResult },
	{ "DeleteLaunchTemplate", &shape_ec2_DeleteLaunchTemplateResult },
	{ "DescribeLaunchTemplateVersions", &shape_ec2_DescribeLaunchTemplateVersionsResult },
	{ "DescribeLaunchTemplates", &shape_ec2_DescribeLaunchTemplatesResult },
	{ "DescribeRegions", &shape_ec2_DescribeRegionsResult },
	{ "DescribeSecurityGroups", &shape_ec2_DescribeSecurityGroupsResult },
	{ "DescribeSubnets", &shape_ec2_DescribeSubnetsResult },
};

int ec2_result(const struct aws_response *resp, const char *operation,
	       cJSON **out, struct aws_error *err)
{
	const struct shape *output = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(ec2_outputs); i++)
		if (!strcmp(ec2_outputs[i].operation, operation))
			output = ec2_outputs[i].output;
	/* An operation without a table converts generically. */
	return shape_answer_to_json(resp->xml, "ec2", operation, 1, output, out,
				    err);
}
