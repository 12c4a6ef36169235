/* SPDX-License-Identifier: Apache-2.0 */
/*
 * launchmigrate.h: the public face of `awsx lc-migrate`: mapping an Auto
 * Scaling launch configuration (LC) to EC2 launch template data (LT),
 * naming templates, and (to come) inventory, plan, apply, journal, undo.
 *
 * Data model: launch configurations and launch template data are cJSON
 * objects with exactly the member names and JSON types of botocore's
 * models: an LC is a member of DescribeLaunchConfigurations'
 * LaunchConfigurations (autoscaling 2011-01-01: LaunchConfigurationName,
 * LaunchConfigurationARN, ImageId, KeyName, SecurityGroups [strings],
 * ClassicLinkVPCId, ClassicLinkVPCSecurityGroups, UserData, InstanceType,
 * KernelId, RamdiskId, BlockDeviceMappings [{VirtualName, DeviceName,
 * Ebs {SnapshotId, VolumeSize, VolumeType, DeleteOnTermination, Iops,
 * Encrypted, Throughput}, NoDevice}], InstanceMonitoring {Enabled},
 * SpotPrice, IamInstanceProfile, CreatedTime (ISO 8601 string),
 * EbsOptimized, AssociatePublicIpAddress, PlacementTenancy, MetadataOptions
 * {HttpTokens, HttpPutResponseHopLimit, HttpEndpoint}); template data is
 * the LaunchTemplateData of EC2 CreateLaunchTemplate (ec2 2016-11-15,
 * RequestLaunchTemplateData).  Booleans are JSON booleans, numbers JSON
 * numbers.
 */
#ifndef AWSX_LAUNCHMIGRATE_H
#define AWSX_LAUNCHMIGRATE_H

#include <cjson/cJSON.h>

#include "aws/aws.h"

enum lcm_spot_mode {
	LCM_SPOT_DROP,	/* spot without MaxPrice (AWS's recommendation; default) */
	LCM_SPOT_KEEP,	/* spot with MaxPrice = the LC's SpotPrice */
	LCM_SPOT_MIXED, /* on-demand LT; the ASG gets an all-spot MixedInstancesPolicy */
};

struct lcm_map_input {
	const cJSON *lc;	   /* the launch configuration (borrowed) */
	enum lcm_spot_mode spot;
	/*
	 * Security-group names resolved to ids in the VPC of the ASG's subnets
	 * (name -> "sg-..."); entries of SecurityGroups that already are ids
	 * ("sg-" prefix) pass through.  NULL: no names can be resolved.
	 */
	const struct kvlist *sg_ids;
};

struct lcm_map_result {
	cJSON *data;	 /* LaunchTemplateData (owned) */
	cJSON *warnings; /* array of strings, one per thing the user should know (owned) */
	int mixed_spot;	 /* 1: switch the ASG with an all-spot MixedInstancesPolicy */
};

/*
 * Map one LC to launch template data, rule by rule (docs/lc-migrate.md).
 * Returns 0, or -AWSX_EFAIL with err naming the LC and the field when it
 * cannot be mapped (a security-group name with no id).  out is filled only
 * on success; release it with lcm_map_result_release.
 */
int lcm_map_launch_config(const struct lcm_map_input *in,
			  struct lcm_map_result *out, struct aws_error *err);
void lcm_map_result_release(struct lcm_map_result *r);

/*
 * A launch template name for an LC name: characters outside
 * [a-zA-Z0-9().-/_] become '_', at most 128 characters, at least 3 (padded
 * with "-lt"); when taken(name, ud) says the name is used, "-2", "-3" ...
 * is appended (within the 128 limit).  Writes to out (reset first).
 */
void lcm_template_name(const char *lc_name,
		       int (*taken)(const char *name, void *ud), void *ud,
		       struct strbuf *out);

#endif
