/* SPDX-License-Identifier: Apache-2.0 */
/*
 * svc-autoscaling.c: typed calls to Amazon EC2 Auto Scaling (query
 * protocol) for lc-migrate: the launch configuration and group listings,
 * instance refreshes, UpdateAutoScalingGroup and DeleteLaunchConfiguration.
 * Each is a builder that fills a struct aws_call and, where the operation
 * answers with data, a parser from the answer to botocore-shaped JSON, so
 * the same pair serves aws_call, aws_paginate and aws_batch.  Requests and
 * answers go through the shape tables (aws/shape.h), so every parameter
 * name is botocore's.
 */
#include "aws/aws.h"
#include "aws/shape.h"

#include <stdlib.h>
#include <string.h>

/* The largest page Auto Scaling's Describe* calls allow. */
#define AUTOSCALING_MAX_RECORDS 100

const struct aws_paginator autoscaling_paginator = { "NextToken", "NextToken", 0 };

/* Serialise request as op's input shape into call, which is initialised here. */
static int autoscaling_build(struct aws_call *call, const char *op,
			     const struct shape *input, const cJSON *request,
			     struct aws_error *err)
{
	int rc;

	aws_call_init(call, op);
	rc = shape_json_to_query(request, input, "", 0, &call->params, err);
	if (rc) {
		snprintf(err->service, sizeof(err->service), "autoscaling");
		snprintf(err->operation, sizeof(err->operation), "%s", op);
	}
	return rc;
}

/* A request built here from known-good parts; a failure is a bug. */
static void autoscaling_build_own(struct aws_call *call, const char *op,
				  const struct shape *input, cJSON *request)
{
	struct aws_error err;

	aws_error_clear(&err);
	if (autoscaling_build(call, op, input, request, &err)) {
		fprintf(stderr, "awsx: BUG: autoscaling %s request: %s\n", op,
			err.message);
		abort();
	}
	cJSON_Delete(request);
}

/* { Names: [...], NextToken, MaxRecords } for the Describe* listings. */
static cJSON *autoscaling_listing(const char *names_member,
				  const char *const *names, size_t nr_names,
				  const char *next_token)
{
	cJSON *req = cJSON_CreateObject();

	if (nr_names) {
		cJSON *arr = cJSON_AddArrayToObject(req, names_member);
		for (size_t i = 0; i < nr_names; i++)
			cJSON_AddItemToArray(arr, cJSON_CreateString(names[i]));
	}
	if (next_token)
		cJSON_AddStringToObject(req, "NextToken", next_token);
	cJSON_AddNumberToObject(req, "MaxRecords", AUTOSCALING_MAX_RECORDS);
	return req;
}

void autoscaling_describe_launch_configurations_call(struct aws_call *call,
						     const char *const *names,
						     size_t nr_names,
						     const char *next_token)
{
	autoscaling_build_own(call, "DescribeLaunchConfigurations",
			      &shape_autoscaling_LaunchConfigurationNamesType,
			      autoscaling_listing("LaunchConfigurationNames",
						  names, nr_names, next_token));
}

int autoscaling_describe_launch_configurations_page(const struct aws_response *resp,
						    cJSON **items,
						    char **next_token,
						    struct aws_error *err)
{
	return shape_answer_page(resp->xml, "autoscaling",
				 "DescribeLaunchConfigurations", 0,
				 &shape_autoscaling_LaunchConfigurationsType,
				 "LaunchConfigurations", items, next_token, err);
}

void autoscaling_describe_auto_scaling_groups_call(struct aws_call *call,
						   const char *const *names,
						   size_t nr_names,
						   const char *next_token)
{
	autoscaling_build_own(call, "DescribeAutoScalingGroups",
			      &shape_autoscaling_AutoScalingGroupNamesType,
			      autoscaling_listing("AutoScalingGroupNames", names,
						  nr_names, next_token));
}

int autoscaling_describe_auto_scaling_groups_page(const struct aws_response *resp,
						  cJSON **items,
						  char **next_token,
						  struct aws_error *err)
{
	return shape_answer_page(resp->xml, "autoscaling",
				 "DescribeAutoScalingGroups", 0,
				 &shape_autoscaling_AutoScalingGroupsType,
				 "AutoScalingGroups", items, next_token, err);
}

void autoscaling_describe_instance_refreshes_call(struct aws_call *call,
						  const char *group_name,
						  const char *const *ids,
						  size_t nr_ids,
						  const char *next_token)
{
	cJSON *req = autoscaling_listing("InstanceRefreshIds", ids, nr_ids,
					 next_token);
	cJSON_AddStringToObject(req, "AutoScalingGroupName", group_name);
	autoscaling_build_own(call, "DescribeInstanceRefreshes",
			      &shape_autoscaling_DescribeInstanceRefreshesType, req);
}

int autoscaling_describe_instance_refreshes_page(const struct aws_response *resp,
						 cJSON **items,
						 char **next_token,
						 struct aws_error *err)
{
	return shape_answer_page(resp->xml, "autoscaling",
				 "DescribeInstanceRefreshes", 0,
				 &shape_autoscaling_DescribeInstanceRefreshesAnswer,
				 "InstanceRefreshes", items, next_token, err);
}

int autoscaling_update_auto_scaling_group_call(struct aws_call *call,
					       const cJSON *input,
					       struct aws_error *err)
{
	return autoscaling_build(call, "UpdateAutoScalingGroup",
				 &shape_autoscaling_UpdateAutoScalingGroupType,
				 input, err);
}

int autoscaling_start_instance_refresh_call(struct aws_call *call,
					    const cJSON *input,
					    struct aws_error *err)
{
	return autoscaling_build(call, "StartInstanceRefresh",
				 &shape_autoscaling_StartInstanceRefreshType,
				 input, err);
}

int autoscaling_start_instance_refresh_result(const struct aws_response *resp,
					      cJSON **out,
					      struct aws_error *err)
{
	return shape_answer_to_json(resp->xml, "autoscaling",
				    "StartInstanceRefresh", 0,
				    &shape_autoscaling_StartInstanceRefreshAnswer,
				    out, err);
}

void autoscaling_delete_launch_configuration_call(struct aws_call *call,
						  const char *name)
{
	cJSON *req = cJSON_CreateObject();

	cJSON_AddStringToObject(req, "LaunchConfigurationName", name);
	autoscaling_build_own(call, "DeleteLaunchConfiguration",
			      &shape_autoscaling_LaunchConfigurationNameType, req);
}
