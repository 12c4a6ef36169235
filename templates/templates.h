/* SPDX-License-Identifier: Apache-2.0 */
/*
 * templates.h: the template side of awsx.  For now the emitters that turn
 * EC2 launch template data into infrastructure-as-code for `awsx lc-migrate
 * export`; the SAM / CloudFormation template model joins it with the sync
 * issue.
 *
 * Launch template data is a cJSON object in the shape of EC2
 * CreateLaunchTemplate's LaunchTemplateData (botocore ec2 2016-11-15,
 * RequestLaunchTemplateData): PascalCase members, JSON booleans and numbers.
 */
#ifndef AWSX_TEMPLATES_H
#define AWSX_TEMPLATES_H

#include <cjson/cJSON.h>

#include "aws/util.h"

/*
 * CloudFormation (YAML): an AWS::EC2::LaunchTemplate resource named
 * logical_id with LaunchTemplateName lt_name and the data, then a comment
 * block showing the change to make in the Auto Scaling group resource
 * (LaunchTemplate {LaunchTemplateId: !Ref <logical_id>, Version:
 * !GetAtt <logical_id>.LatestVersionNumber} instead of
 * LaunchConfigurationName).  tags (may be NULL): name -> value pairs added
 * as TagSpecifications of the launch template.  Appends to out.
 * Returns 0, or -AWSX_EFAIL (out left as it was) when data has a member the
 * emitter does not know or of the wrong type, a tag key repeats, text is
 * not UTF-8, or the name is invalid: the message names it, so nothing is
 * silently dropped or mangled.
 */
int tmpl_emit_cfn_launch_template(const char *logical_id, const char *lt_name,
				  const cJSON *data, const struct kvlist *tags,
				  struct strbuf *out, struct aws_error *err);

/*
 * Terraform (HCL): a resource "aws_launch_template" "<resource_name>" with
 * name = lt_name and the data in the provider's block syntax, then a
 * comment showing the change to the aws_autoscaling_group (a
 * launch_template { id, version } block instead of launch_configuration).
 * Same conventions as above.
 */
int tmpl_emit_tf_launch_template(const char *resource_name, const char *lt_name,
				 const cJSON *data, const struct kvlist *tags,
				 struct strbuf *out, struct aws_error *err);

#endif
