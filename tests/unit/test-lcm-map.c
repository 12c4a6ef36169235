/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-lcm-map.c: launch configuration -> launch template data, rule by
 * rule (launchmigrate/map.c), and launch template names.  LCs are written
 * as DescribeLaunchConfigurations returns them; JSON in this file uses '
 * for " to stay readable (q() swaps them), and whole outputs are compared
 * byte for byte, in the member order map.c documents.
 */
#include "launchmigrate/launchmigrate.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"

/* The JSON text s with every ' turned into "; caller frees. */
static char *q(const char *s)
{
	char *r = xstrdup(s), *p;

	for (p = r; *p; p++)
		if (*p == '\'')
			*p = '"';
	return r;
}

static cJSON *parse_q(const char *s)
{
	char *t = q(s);
	cJSON *j = cJSON_Parse(t);

	if (!j) {
		fprintf(stderr, "bad test JSON: %s\n", t);
		abort();
	}
	free(t);
	return j;
}

/* Names the VPC knows: name -> id. */
static struct kvlist vpc_groups = KVLIST_INIT;

static int map_lc(const cJSON *lc, enum lcm_spot_mode spot, const struct kvlist *sg_ids,
		  struct lcm_map_result *r, struct aws_error *err)
{
	struct lcm_map_input in = { lc, spot, sg_ids };

	memset(r, 0, sizeof(*r));
	aws_error_clear(err);
	return lcm_map_launch_config(&in, r, err);
}

/* Map an LC given as q-JSON with the usual spot mode and groups. */
static int map_q(const char *lc_q, enum lcm_spot_mode spot, struct lcm_map_result *r)
{
	struct aws_error err;
	cJSON *lc = parse_q(lc_q);
	int ret = map_lc(lc, spot, &vpc_groups, r, &err);

	if (ret)
		fprintf(stderr, "map failed: %s\n", err.message);
	cJSON_Delete(lc);
	return ret;
}

/* Compare the printed JSON of item with q-JSON expected_q. */
#define CHECK_JSON(item, expected_q)                                         \
	do {                                                                 \
		char *got_ = cJSON_PrintUnformatted(item);                   \
		char *exp_ = q(expected_q);                                  \
		CHECK_STR(got_, exp_);                                       \
		free(got_);                                                  \
		free(exp_);                                                  \
	} while (0)

/* The n-th warning, or "" (never NULL, for CHECK on strstr). */
static const char *warning(const struct lcm_map_result *r, int n)
{
	const cJSON *w = cJSON_GetArrayItem(r->warnings, n);

	return cJSON_IsString(w) ? w->valuestring : "";
}

static int nr_warnings(const struct lcm_map_result *r)
{
	return cJSON_GetArraySize(r->warnings);
}

/* Most LCs below start like this: the required members and monitoring. */
#define LC_HEAD                                                              \
	"{'LaunchConfigurationName':'web-lc',"                               \
	"'LaunchConfigurationARN':'arn:aws:autoscaling:us-east-1:123456789012:" \
	"launchConfiguration:8f2e3c1a-1111-2222-3333-444455556666:"          \
	"launchConfigurationName/web-lc',"                                   \
	"'ImageId':'ami-0abcdef1234567890','InstanceType':'t3.micro',"       \
	"'CreatedTime':'2019-05-01T10:00:00.000Z',"                          \
	"'InstanceMonitoring':{'Enabled':true}"
/* ... and the output for that head: */
#define LT_HEAD                                                              \
	"'ImageId':'ami-0abcdef1234567890','InstanceType':'t3.micro',"       \
	"'Monitoring':{'Enabled':true}"

/* ---- whole LCs ---- */

/* DescribeLaunchConfigurations reports unset members as "" and []. */
static void test_empty_strings_mean_absent(void)
{
	struct lcm_map_result r;
	char *out;

	CHECK_INT(map_q("{'LaunchConfigurationName':'web-lc',"
			"'LaunchConfigurationARN':'arn:aws:autoscaling:us-east-1:"
			"123456789012:launchConfiguration:8f2e:launchConfigurationName/web-lc',"
			"'ImageId':'ami-0abcdef1234567890','KeyName':'','SecurityGroups':[],"
			"'ClassicLinkVPCSecurityGroups':[],'UserData':'',"
			"'InstanceType':'t3.micro','KernelId':'','RamdiskId':'',"
			"'BlockDeviceMappings':[],'InstanceMonitoring':{'Enabled':true},"
			"'IamInstanceProfile':'','SpotPrice':'','PlacementTenancy':'',"
			"'ClassicLinkVPCId':'','MetadataOptions':{'HttpTokens':'',"
			"'HttpEndpoint':''},'CreatedTime':'2019-05-01T10:00:00.000Z',"
			"'EbsOptimized':false}",
			LCM_SPOT_KEEP, &r),
		  0);
	CHECK_JSON(r.data, "{'EbsOptimized':false," LT_HEAD "}");
	CHECK_INT(nr_warnings(&r), 0);
	CHECK_INT(r.mixed_spot, 0);
	lcm_map_result_release(&r);

	/* inside block device mappings too */
	CHECK_INT(map_q(LC_HEAD ",'BlockDeviceMappings':[{'DeviceName':'/dev/sdb',"
				"'VirtualName':'','Ebs':{'SnapshotId':'','VolumeType':'',"
				"'VolumeSize':10}}]}",
			LCM_SPOT_DROP, &r),
		  0);
	CHECK_JSON(r.data, "{'BlockDeviceMappings':[{'DeviceName':'/dev/sdb','Ebs':"
			   "{'VolumeSize':10}}]," LT_HEAD "}");
	out = cJSON_PrintUnformatted(r.data);
	CHECK(!strstr(out, "\"\""));
	free(out);
	CHECK_INT(nr_warnings(&r), 0);
	lcm_map_result_release(&r);
}

/* Every member at once: the output order is RequestLaunchTemplateData's. */
static void test_full_lc_member_order(void)
{
	struct lcm_map_result r;

	CHECK_INT(map_q("{'LaunchConfigurationName':'full','ImageId':'ami-1','KeyName':'ops',"
			"'SecurityGroups':['sg-0aaa','web'],'UserData':'IyEvYmluL3NoCg==',"
			"'InstanceType':'m5.large','KernelId':'aki-1','RamdiskId':'ari-1',"
			"'BlockDeviceMappings':[{'DeviceName':'/dev/xvda','Ebs':{"
			"'VolumeSize':20,'VolumeType':'gp3','Iops':4000,'Throughput':250,"
			"'DeleteOnTermination':true,'Encrypted':true}}],"
			"'InstanceMonitoring':{'Enabled':false},'SpotPrice':'0.05',"
			"'IamInstanceProfile':'arn:aws:iam::123456789012:instance-profile/web',"
			"'CreatedTime':'2019-05-01T10:00:00.000Z','EbsOptimized':true,"
			"'AssociatePublicIpAddress':false,'PlacementTenancy':'dedicated',"
			"'MetadataOptions':{'HttpTokens':'required',"
			"'HttpPutResponseHopLimit':2,'HttpEndpoint':'enabled'}}",
			LCM_SPOT_KEEP, &r),
		  0);
	CHECK_JSON(r.data,
		   "{'KernelId':'aki-1','EbsOptimized':true,'IamInstanceProfile':{'Arn':"
		   "'arn:aws:iam::123456789012:instance-profile/web'},'BlockDeviceMappings':"
		   "[{'DeviceName':'/dev/xvda','Ebs':{'Encrypted':true,'DeleteOnTermination':"
		   "true,'Iops':4000,'VolumeSize':20,'VolumeType':'gp3','Throughput':250}}],"
		   "'NetworkInterfaces':[{'AssociatePublicIpAddress':false,"
		   "'DeleteOnTermination':true,'DeviceIndex':0,'Groups':['sg-0aaa','sg-0bbb']}],"
		   "'ImageId':'ami-1','InstanceType':'m5.large','KeyName':'ops','Monitoring':"
		   "{'Enabled':false},'Placement':{'Tenancy':'dedicated'},'RamDiskId':'ari-1',"
		   "'UserData':'IyEvYmluL3NoCg==','InstanceMarketOptions':{'MarketType':'spot',"
		   "'SpotOptions':{'MaxPrice':'0.05'}},'MetadataOptions':{'HttpTokens':"
		   "'required','HttpPutResponseHopLimit':2,'HttpEndpoint':'enabled'}}");
	CHECK_INT(nr_warnings(&r), 0);
	lcm_map_result_release(&r);

	/* without a public-IP decision the groups sit after UserData */
	CHECK_INT(map_q("{'LaunchConfigurationName':'full','ImageId':'ami-1',"
			"'SecurityGroups':['web'],'UserData':'eA==','InstanceType':'m5.large',"
			"'InstanceMonitoring':{'Enabled':true},'SpotPrice':'0.05',"
			"'EbsOptimized':false}",
			LCM_SPOT_DROP, &r),
		  0);
	CHECK_JSON(r.data, "{'EbsOptimized':false,'ImageId':'ami-1','InstanceType':'m5.large',"
			   "'Monitoring':{'Enabled':true},'UserData':'eA==','SecurityGroupIds':"
			   "['sg-0bbb'],'InstanceMarketOptions':{'MarketType':'spot'}}");
	CHECK_INT(nr_warnings(&r), 1);
	lcm_map_result_release(&r);
}

/* ---- rules ---- */

static void test_basics_copied(void)
{
	struct lcm_map_result r;

	CHECK_INT(map_q(LC_HEAD ",'KeyName':'ops-2019'}", LCM_SPOT_DROP, &r), 0);
	CHECK_JSON(r.data, "{'ImageId':'ami-0abcdef1234567890','InstanceType':'t3.micro',"
			   "'KeyName':'ops-2019','Monitoring':{'Enabled':true}}");
	CHECK_INT(nr_warnings(&r), 0);
	lcm_map_result_release(&r);
}

/* lc2lt.py turns false into true; false must stay false. */
static void test_public_ip_true_and_false(void)
{
	struct lcm_map_result r;

	CHECK_INT(map_q(LC_HEAD ",'SecurityGroups':['sg-0aaa'],'AssociatePublicIpAddress':true}",
			LCM_SPOT_DROP, &r),
		  0);
	CHECK_JSON(r.data, "{'NetworkInterfaces':[{'AssociatePublicIpAddress':true,"
			   "'DeleteOnTermination':true,'DeviceIndex':0,'Groups':['sg-0aaa']}],"
			   LT_HEAD "}");
	lcm_map_result_release(&r);

	CHECK_INT(map_q(LC_HEAD ",'SecurityGroups':['sg-0aaa','sg-0ccc'],"
				"'AssociatePublicIpAddress':false}",
			LCM_SPOT_DROP, &r),
		  0);
	CHECK_JSON(r.data, "{'NetworkInterfaces':[{'AssociatePublicIpAddress':false,"
			   "'DeleteOnTermination':true,'DeviceIndex':0,'Groups':"
			   "['sg-0aaa','sg-0ccc']}]," LT_HEAD "}");
	CHECK(!cJSON_GetObjectItem(r.data, "SecurityGroupIds"));
	CHECK_INT(nr_warnings(&r), 0);
	lcm_map_result_release(&r);

	/* no groups: an interface without Groups (the VPC default group) */
	CHECK_INT(map_q(LC_HEAD ",'SecurityGroups':[],'AssociatePublicIpAddress':false}",
			LCM_SPOT_DROP, &r),
		  0);
	CHECK_JSON(r.data, "{'NetworkInterfaces':[{'AssociatePublicIpAddress':false,"
			   "'DeleteOnTermination':true,'DeviceIndex':0}]," LT_HEAD "}");
	lcm_map_result_release(&r);
}

static void test_public_ip_absent(void)
{
	struct lcm_map_result r;

	CHECK_INT(map_q(LC_HEAD ",'SecurityGroups':['sg-0aaa']}", LCM_SPOT_DROP, &r), 0);
	CHECK_JSON(r.data, "{" LT_HEAD ",'SecurityGroupIds':['sg-0aaa']}");
	CHECK(!cJSON_GetObjectItem(r.data, "NetworkInterfaces"));
	lcm_map_result_release(&r);

	CHECK_INT(map_q(LC_HEAD "}", LCM_SPOT_DROP, &r), 0);
	CHECK_JSON(r.data, "{" LT_HEAD "}");
	lcm_map_result_release(&r);
}

static void test_security_group_names_resolved(void)
{
	struct lcm_map_result r;

	/* ids pass through, names resolve (EC2 ignores case in group names), dups go */
	CHECK_INT(map_q(LC_HEAD ",'SecurityGroups':['sg-0aaa','web','DB','sg-0bbb','']}",
			LCM_SPOT_DROP, &r),
		  0);
	CHECK_JSON(r.data, "{" LT_HEAD ",'SecurityGroupIds':['sg-0aaa','sg-0bbb','sg-0ddd']}");
	CHECK_INT(nr_warnings(&r), 0);
	lcm_map_result_release(&r);
}

static void test_security_group_name_unresolved(void)
{
	struct lcm_map_result r;
	struct aws_error err;
	cJSON *lc = parse_q("{'LaunchConfigurationName':'app lc','ImageId':'ami-1',"
			    "'InstanceType':'t3.micro','SecurityGroups':['sg-0aaa','cache'],"
			    "'InstanceMonitoring':{'Enabled':true}}");

	CHECK_INT(map_lc(lc, LCM_SPOT_DROP, &vpc_groups, &r, &err), -AWSX_EFAIL);
	CHECK_INT(err.kind, AWSX_EFAIL);
	CHECK_STR(err.message, "launch configuration 'app lc': security group 'cache' has no "
			       "id in the VPC of its Auto Scaling group");
	CHECK(!r.data);
	CHECK(!r.warnings);
	lcm_map_result_release(&r);

	/* no name table at all: the same error */
	CHECK_INT(map_lc(lc, LCM_SPOT_DROP, NULL, &r, &err), -AWSX_EFAIL);
	CHECK_STR(err.message, "launch configuration 'app lc': security group 'cache' has no "
			       "id in the VPC of its Auto Scaling group");
	CHECK(!r.data);
	cJSON_Delete(lc);

	/* a name whose id is empty is as good as unknown */
	lc = parse_q(LC_HEAD ",'SecurityGroups':['empty']}");
	CHECK_INT(map_lc(lc, LCM_SPOT_DROP, &vpc_groups, &r, &err), -AWSX_EFAIL);
	CHECK_STR(err.message, "launch configuration 'web-lc': security group 'empty' has no "
			       "id in the VPC of its Auto Scaling group");
	cJSON_Delete(lc);

	/* only ids: no table needed */
	lc = parse_q(LC_HEAD ",'SecurityGroups':['sg-0aaa']}");
	CHECK_INT(map_lc(lc, LCM_SPOT_DROP, NULL, &r, &err), 0);
	CHECK_JSON(r.data, "{" LT_HEAD ",'SecurityGroupIds':['sg-0aaa']}");
	lcm_map_result_release(&r);
	cJSON_Delete(lc);
}

/* UserData is base64 already: the same bytes, newlines and '=' included. */
static void test_user_data_byte_for_byte(void)
{
	static const char *const samples[] = {
		"IyEvYmluL2Jhc2gKZWNobyBoaQo=",
		"IyEvYmluL2Jhc2gKZWNobyBoaQ==",
		"TUlNRS1WZXJzaW9uOiAxLjAKQ29udGVudC1UeXBlOiBtdWx0aXBhcnQvbWl4ZWQ7IGJvdW5k\n"
		"YXJ5PSI9PU1ZQk9VTkRBUlk9PSIKCi0tPT1NWUJPVU5EQVJZPT0K\r\nLS09PU1ZQk9VTkRB\n",
	};
	struct lcm_map_result r;
	struct aws_error err;
	struct strbuf big = STRBUF_INIT;
	const cJSON *ud;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(samples); i++) {
		cJSON *lc = parse_q(LC_HEAD "}");

		cJSON_AddStringToObject(lc, "UserData", samples[i]);
		CHECK_INT(map_lc(lc, LCM_SPOT_DROP, NULL, &r, &err), 0);
		ud = cJSON_GetObjectItemCaseSensitive(r.data, "UserData");
		CHECK(cJSON_IsString(ud));
		if (cJSON_IsString(ud)) {
			CHECK_INT(strlen(ud->valuestring), strlen(samples[i]));
			CHECK(!memcmp(ud->valuestring, samples[i], strlen(samples[i])));
		}
		lcm_map_result_release(&r);
		cJSON_Delete(lc);
	}

	/* the LC maximum, 21847 characters: no fixed buffer in the way */
	while (big.len < 21844)
		strbuf_adds(&big, "QUJD");
	strbuf_adds(&big, "QQ=");
	{
		cJSON *lc = parse_q(LC_HEAD "}");

		cJSON_AddStringToObject(lc, "UserData", big.buf);
		CHECK_INT(map_lc(lc, LCM_SPOT_DROP, NULL, &r, &err), 0);
		ud = cJSON_GetObjectItemCaseSensitive(r.data, "UserData");
		CHECK(cJSON_IsString(ud) && !strcmp(ud->valuestring, big.buf));
		CHECK_INT(big.len, 21847);
		lcm_map_result_release(&r);
		cJSON_Delete(lc);
	}
	strbuf_release(&big);
}

static void test_iam_profile_arn_or_name(void)
{
	struct lcm_map_result r;

	CHECK_INT(map_q(LC_HEAD ",'IamInstanceProfile':"
				"'arn:aws:iam::123456789012:instance-profile/app/web'}",
			LCM_SPOT_DROP, &r),
		  0);
	CHECK_JSON(r.data, "{'IamInstanceProfile':{'Arn':"
			   "'arn:aws:iam::123456789012:instance-profile/app/web'}," LT_HEAD "}");
	lcm_map_result_release(&r);

	CHECK_INT(map_q(LC_HEAD ",'IamInstanceProfile':'web-role'}", LCM_SPOT_DROP, &r), 0);
	CHECK_JSON(r.data, "{'IamInstanceProfile':{'Name':'web-role'}," LT_HEAD "}");
	lcm_map_result_release(&r);

	/* other partitions are ARNs too */
	CHECK_INT(map_q(LC_HEAD ",'IamInstanceProfile':"
				"'arn:aws-cn:iam::123456789012:instance-profile/web'}",
			LCM_SPOT_DROP, &r),
		  0);
	CHECK_JSON(r.data, "{'IamInstanceProfile':{'Arn':"
			   "'arn:aws-cn:iam::123456789012:instance-profile/web'}," LT_HEAD "}");
	lcm_map_result_release(&r);
}

static void test_block_devices(void)
{
	struct lcm_map_result r;

	CHECK_INT(map_q(LC_HEAD ",'BlockDeviceMappings':["
				/* root from the AMI's snapshot: Encrypted=false dropped */
				"{'DeviceName':'/dev/xvda','Ebs':{'SnapshotId':'snap-0123',"
				"'VolumeSize':30,'VolumeType':'gp2','DeleteOnTermination':true,"
				"'Encrypted':false}},"
				/* a new empty volume: Encrypted=false kept */
				"{'DeviceName':'/dev/xvdb','Ebs':{'VolumeSize':100,"
				"'VolumeType':'st1','DeleteOnTermination':false,'Encrypted':false}},"
				/* encrypt while restoring: Encrypted=true kept with a snapshot */
				"{'DeviceName':'/dev/xvdc','Ebs':{'SnapshotId':'snap-0456',"
				"'Encrypted':true}},"
				/* instance store */
				"{'DeviceName':'/dev/sdd','VirtualName':'ephemeral0'},"
				/* suppress an AMI mapping */
				"{'DeviceName':'/dev/sde','NoDevice':true},"
				/* NoDevice false says nothing */
				"{'DeviceName':'/dev/sdf','NoDevice':false,"
				"'Ebs':{'VolumeSize':8}}]}",
			LCM_SPOT_DROP, &r),
		  0);
	CHECK_JSON(r.data,
		   "{'BlockDeviceMappings':["
		   "{'DeviceName':'/dev/xvda','Ebs':{'DeleteOnTermination':true,"
		   "'SnapshotId':'snap-0123','VolumeSize':30,'VolumeType':'gp2'}},"
		   "{'DeviceName':'/dev/xvdb','Ebs':{'Encrypted':false,'DeleteOnTermination':"
		   "false,'VolumeSize':100,'VolumeType':'st1'}},"
		   "{'DeviceName':'/dev/xvdc','Ebs':{'Encrypted':true,'SnapshotId':'snap-0456'}},"
		   "{'DeviceName':'/dev/sdd','VirtualName':'ephemeral0'},"
		   "{'DeviceName':'/dev/sde','NoDevice':''},"
		   "{'DeviceName':'/dev/sdf','Ebs':{'VolumeSize':8}}]," LT_HEAD "}");
	CHECK_INT(nr_warnings(&r), 0);
	lcm_map_result_release(&r);
}

/* Iops only for io1, io2 and gp3; Throughput only for gp3. */
static void test_volume_types_iops_throughput(void)
{
	static const struct {
		const char *type;
		int iops, throughput;
	} cases[] = {
		{ "standard", 0, 0 }, { "gp2", 0, 0 }, { "gp3", 1, 1 }, { "io1", 1, 0 },
		{ "io2", 1, 0 },      { "st1", 0, 0 }, { "sc1", 0, 0 }, { NULL, 0, 0 },
	};
	struct lcm_map_result r;
	struct strbuf lc = STRBUF_INIT, want = STRBUF_INIT;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *t = cases[i].type;
		int nwarn = !cases[i].iops + !cases[i].throughput;

		strbuf_reset(&lc);
		strbuf_addf(&lc, LC_HEAD ",'BlockDeviceMappings':[{'DeviceName':'/dev/sdb',"
					 "'Ebs':{'VolumeSize':200,%s%s%s'Iops':3000,"
					 "'Throughput':125}}]}",
			    t ? "'VolumeType':'" : "", t ? t : "", t ? "'," : "");
		strbuf_reset(&want);
		strbuf_addf(&want, "{'BlockDeviceMappings':[{'DeviceName':'/dev/sdb','Ebs':{%s"
				   "'VolumeSize':200%s%s%s%s}}]," LT_HEAD "}",
			    cases[i].iops ? "'Iops':3000," : "", t ? ",'VolumeType':'" : "",
			    t ? t : "", t ? "'" : "",
			    cases[i].throughput ? ",'Throughput':125" : "");
		CHECK_INT(map_q(lc.buf, LCM_SPOT_DROP, &r), 0);
		CHECK_JSON(r.data, want.buf);
		CHECK_INT(nr_warnings(&r), nwarn);
		if (!cases[i].iops)
			CHECK(strstr(warning(&r, 0), "block device '/dev/sdb': Iops 3000 not copied"));
		if (!cases[i].throughput)
			CHECK(strstr(warning(&r, nwarn - 1),
				     "block device '/dev/sdb': Throughput 125 not copied"));
		if (!cases[i].iops || !cases[i].throughput)
			CHECK(strstr(warning(&r, 0), t ? t : "(default)"));
		lcm_map_result_release(&r);
	}
	strbuf_release(&lc);
	strbuf_release(&want);
}

/* lc2lt.py turns false into true; absent means the LC default, true. */
static void test_monitoring(void)
{
	struct lcm_map_result r;
	const char *base = "{'LaunchConfigurationName':'web-lc','ImageId':'ami-1',"
			   "'InstanceType':'t3.micro'";
	struct strbuf lc = STRBUF_INIT;

	strbuf_addf(&lc, "%s,'InstanceMonitoring':{'Enabled':true}}", base);
	CHECK_INT(map_q(lc.buf, LCM_SPOT_DROP, &r), 0);
	CHECK_JSON(r.data, "{'ImageId':'ami-1','InstanceType':'t3.micro','Monitoring':"
			   "{'Enabled':true}}");
	CHECK_INT(nr_warnings(&r), 0);
	lcm_map_result_release(&r);

	strbuf_reset(&lc);
	strbuf_addf(&lc, "%s,'InstanceMonitoring':{'Enabled':false}}", base);
	CHECK_INT(map_q(lc.buf, LCM_SPOT_DROP, &r), 0);
	CHECK_JSON(r.data, "{'ImageId':'ami-1','InstanceType':'t3.micro','Monitoring':"
			   "{'Enabled':false}}");
	CHECK_INT(nr_warnings(&r), 0);
	lcm_map_result_release(&r);

	strbuf_reset(&lc);
	strbuf_addf(&lc, "%s}", base);
	CHECK_INT(map_q(lc.buf, LCM_SPOT_DROP, &r), 0);
	CHECK_JSON(r.data, "{'ImageId':'ami-1','InstanceType':'t3.micro','Monitoring':"
			   "{'Enabled':true}}");
	CHECK_INT(nr_warnings(&r), 1);
	CHECK(strstr(warning(&r, 0), "launch configuration 'web-lc': InstanceMonitoring is "
				     "not set: the launch template enables detailed monitoring"));
	lcm_map_result_release(&r);

	/* an empty structure is the same as none */
	strbuf_reset(&lc);
	strbuf_addf(&lc, "%s,'InstanceMonitoring':{}}", base);
	CHECK_INT(map_q(lc.buf, LCM_SPOT_DROP, &r), 0);
	CHECK_JSON(r.data, "{'ImageId':'ami-1','InstanceType':'t3.micro','Monitoring':"
			   "{'Enabled':true}}");
	CHECK_INT(nr_warnings(&r), 1);
	lcm_map_result_release(&r);
	strbuf_release(&lc);
}

static void test_spot_modes(void)
{
	struct lcm_map_result r;
	const char *lc = LC_HEAD ",'SpotPrice':'0.0416'}";

	CHECK_INT(map_q(lc, LCM_SPOT_DROP, &r), 0);
	CHECK_JSON(r.data, "{" LT_HEAD ",'InstanceMarketOptions':{'MarketType':'spot'}}");
	CHECK_INT(r.mixed_spot, 0);
	CHECK_INT(nr_warnings(&r), 1);
	CHECK(strstr(warning(&r, 0), "launch configuration 'web-lc': SpotPrice '0.0416' not "
				     "copied: the launch template asks for spot instances without "
				     "a maximum price, as AWS recommends"));
	lcm_map_result_release(&r);

	CHECK_INT(map_q(lc, LCM_SPOT_KEEP, &r), 0);
	CHECK_JSON(r.data, "{" LT_HEAD ",'InstanceMarketOptions':{'MarketType':'spot',"
			   "'SpotOptions':{'MaxPrice':'0.0416'}}}");
	CHECK_INT(r.mixed_spot, 0);
	CHECK_INT(nr_warnings(&r), 0);
	lcm_map_result_release(&r);

	CHECK_INT(map_q(lc, LCM_SPOT_MIXED, &r), 0);
	CHECK_JSON(r.data, "{" LT_HEAD "}");
	CHECK_INT(r.mixed_spot, 1);
	CHECK_INT(nr_warnings(&r), 1);
	CHECK(strstr(warning(&r, 0), "Auto Scaling group gets a MixedInstancesPolicy with all "
				     "instances on spot"));
	lcm_map_result_release(&r);

	/* no SpotPrice: on-demand in every mode */
	CHECK_INT(map_q(LC_HEAD ",'SpotPrice':''}", LCM_SPOT_MIXED, &r), 0);
	CHECK_JSON(r.data, "{" LT_HEAD "}");
	CHECK_INT(r.mixed_spot, 0);
	CHECK_INT(nr_warnings(&r), 0);
	lcm_map_result_release(&r);
	CHECK_INT(map_q(LC_HEAD "}", LCM_SPOT_KEEP, &r), 0);
	CHECK_JSON(r.data, "{" LT_HEAD "}");
	lcm_map_result_release(&r);
}

static void test_ebs_optimized(void)
{
	struct lcm_map_result r;

	CHECK_INT(map_q(LC_HEAD ",'EbsOptimized':true}", LCM_SPOT_DROP, &r), 0);
	CHECK_JSON(r.data, "{'EbsOptimized':true," LT_HEAD "}");
	lcm_map_result_release(&r);
	CHECK_INT(map_q(LC_HEAD ",'EbsOptimized':false}", LCM_SPOT_DROP, &r), 0);
	CHECK_JSON(r.data, "{'EbsOptimized':false," LT_HEAD "}");
	lcm_map_result_release(&r);
}

static void test_placement_and_metadata(void)
{
	struct lcm_map_result r;

	CHECK_INT(map_q(LC_HEAD ",'PlacementTenancy':'default','MetadataOptions':"
				"{'HttpTokens':'optional','HttpPutResponseHopLimit':1}}",
			LCM_SPOT_DROP, &r),
		  0);
	CHECK_JSON(r.data, "{" LT_HEAD ",'Placement':{'Tenancy':'default'},'MetadataOptions':"
			   "{'HttpTokens':'optional','HttpPutResponseHopLimit':1}}");
	CHECK_INT(nr_warnings(&r), 0);
	lcm_map_result_release(&r);

	CHECK_INT(map_q(LC_HEAD ",'MetadataOptions':{'HttpEndpoint':'disabled'}}",
			LCM_SPOT_DROP, &r),
		  0);
	CHECK_JSON(r.data, "{" LT_HEAD ",'MetadataOptions':{'HttpEndpoint':'disabled'}}");
	lcm_map_result_release(&r);
}

/* The LT spells it RamDiskId. */
static void test_kernel_and_ramdisk(void)
{
	struct lcm_map_result r;

	CHECK_INT(map_q(LC_HEAD ",'KernelId':'aki-88aa75e1','RamdiskId':'ari-a51cf9cc'}",
			LCM_SPOT_DROP, &r),
		  0);
	CHECK_JSON(r.data, "{'KernelId':'aki-88aa75e1'," LT_HEAD ",'RamDiskId':'ari-a51cf9cc'}");
	CHECK(!cJSON_GetObjectItemCaseSensitive(r.data, "RamdiskId"));
	lcm_map_result_release(&r);
}

static void test_classic_link_dropped(void)
{
	struct lcm_map_result r;

	CHECK_INT(map_q(LC_HEAD ",'ClassicLinkVPCId':'vpc-0a1b','ClassicLinkVPCSecurityGroups':"
				"['sg-0c1c']}",
			LCM_SPOT_DROP, &r),
		  0);
	CHECK_JSON(r.data, "{" LT_HEAD "}");
	CHECK_INT(nr_warnings(&r), 1);
	CHECK_STR(warning(&r, 0), "launch configuration 'web-lc': ClassicLinkVPCId 'vpc-0a1b' "
				  "and ClassicLinkVPCSecurityGroups not copied: EC2-Classic and "
				  "ClassicLink are retired and a launch template has no such "
				  "setting");
	lcm_map_result_release(&r);

	CHECK_INT(map_q(LC_HEAD ",'ClassicLinkVPCSecurityGroups':['sg-0c1c']}", LCM_SPOT_DROP,
			&r),
		  0);
	CHECK_INT(nr_warnings(&r), 1);
	CHECK(str_starts_with(warning(&r, 0), "launch configuration 'web-lc': "
					      "ClassicLinkVPCSecurityGroups not copied"));
	lcm_map_result_release(&r);

	CHECK_INT(map_q(LC_HEAD ",'ClassicLinkVPCId':'','ClassicLinkVPCSecurityGroups':[]}",
			LCM_SPOT_DROP, &r),
		  0);
	CHECK_INT(nr_warnings(&r), 0);
	lcm_map_result_release(&r);
}

/* Never lost silently: members the mapper does not know become warnings. */
static void test_unknown_members_warned(void)
{
	struct lcm_map_result r;

	CHECK_INT(map_q(LC_HEAD ",'CapacityRebalance':true,'BlockDeviceMappings':[{'DeviceName':"
				"'/dev/sdb','Ebs':{'VolumeSize':10,'KmsKeyId':'alias/x'}}],"
				"'MetadataOptions':{'HttpTokens':'required',"
				"'InstanceMetadataTags':'enabled'}}",
			LCM_SPOT_DROP, &r),
		  0);
	CHECK_JSON(r.data, "{'BlockDeviceMappings':[{'DeviceName':'/dev/sdb','Ebs':"
			   "{'VolumeSize':10}}]," LT_HEAD ",'MetadataOptions':{'HttpTokens':"
			   "'required'}}");
	CHECK_INT(nr_warnings(&r), 3);
	CHECK_STR(warning(&r, 0), "launch configuration 'web-lc': unknown member "
				  "'BlockDeviceMappings[0].Ebs.KmsKeyId' not copied to the launch "
				  "template");
	CHECK_STR(warning(&r, 1), "launch configuration 'web-lc': unknown member "
				  "'MetadataOptions.InstanceMetadataTags' not copied to the launch "
				  "template");
	CHECK_STR(warning(&r, 2), "launch configuration 'web-lc': unknown member "
				  "'CapacityRebalance' not copied to the launch template");
	lcm_map_result_release(&r);
}

/* A member of the wrong JSON type is reported, not guessed at. */
static void test_wrong_type_warned(void)
{
	struct lcm_map_result r;

	CHECK_INT(map_q(LC_HEAD ",'EbsOptimized':'true','KeyName':null}", LCM_SPOT_DROP, &r), 0);
	CHECK_JSON(r.data, "{" LT_HEAD "}");
	CHECK_INT(nr_warnings(&r), 1);
	CHECK_STR(warning(&r, 0), "launch configuration 'web-lc': 'EbsOptimized' is not a "
				  "boolean; not copied");
	lcm_map_result_release(&r);
}

static void test_result_release(void)
{
	struct lcm_map_result r;
	struct aws_error err;

	CHECK_INT(map_q(LC_HEAD "}", LCM_SPOT_DROP, &r), 0);
	lcm_map_result_release(&r);
	CHECK(!r.data && !r.warnings && !r.mixed_spot);
	lcm_map_result_release(&r); /* twice is harmless */

	/* not an object */
	{
		cJSON *arr = cJSON_CreateArray();

		CHECK_INT(map_lc(arr, LCM_SPOT_DROP, NULL, &r, &err), -AWSX_EFAIL);
		CHECK(!r.data);
		cJSON_Delete(arr);
	}
}

/* ---- template names ---- */

struct taken_set {
	const char *const *names;
	size_t nr;
	int calls;
};

static int taken_in_set(const char *name, void *ud)
{
	struct taken_set *s = ud;
	size_t i;

	s->calls++;
	for (i = 0; i < s->nr; i++)
		if (!strcmp(name, s->names[i]))
			return 1;
	return 0;
}

static int taken_always(const char *name, void *ud)
{
	int *calls = ud;

	(*calls)++;
	return 1;
}

static int valid_lt_name(const char *s)
{
	size_t n = strlen(s);

	if (n < 3 || n > 128)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("().-/_", *s)))
			return 0;
	return 1;
}

static void test_template_name_characters(void)
{
	struct strbuf out = STRBUF_INIT;

	lcm_template_name("web-app_v1.2(blue)/prod", NULL, NULL, &out);
	CHECK_STR(out.buf, "web-app_v1.2(blue)/prod");
	lcm_template_name("web app: prod #3", NULL, NULL, &out);
	CHECK_STR(out.buf, "web_app__prod__3");
	/* one '_' per character, whatever its UTF-8 length */
	lcm_template_name("caf\xc3\xa9-\xe6\x9d\xb1\xe4\xba\xac-\xf0\x9f\x9a\x80", NULL, NULL,
			  &out);
	CHECK_STR(out.buf, "caf_-__-_");
	CHECK(valid_lt_name(out.buf));
	/* out is reset first */
	strbuf_adds(&out, "junk");
	lcm_template_name("abc", NULL, NULL, &out);
	CHECK_STR(out.buf, "abc");
	strbuf_release(&out);
}

static void test_template_name_lengths(void)
{
	struct strbuf out = STRBUF_INIT, lc = STRBUF_INIT;

	lcm_template_name("a", NULL, NULL, &out);
	CHECK_STR(out.buf, "a-lt");
	lcm_template_name("ab", NULL, NULL, &out);
	CHECK_STR(out.buf, "ab-lt");
	lcm_template_name("abc", NULL, NULL, &out);
	CHECK_STR(out.buf, "abc");
	lcm_template_name("", NULL, NULL, &out);
	CHECK_STR(out.buf, "-lt");
	lcm_template_name(" ", NULL, NULL, &out);
	CHECK_STR(out.buf, "_-lt");

	while (lc.len < 200)
		strbuf_addch(&lc, 'a' + lc.len % 26);
	lcm_template_name(lc.buf, NULL, NULL, &out);
	CHECK_INT(out.len, 128);
	CHECK(!strncmp(out.buf, lc.buf, 128));
	CHECK(valid_lt_name(out.buf));
	strbuf_release(&out);
	strbuf_release(&lc);
}

static void test_template_name_collisions(void)
{
	static const char *const used[] = { "web-lc", "web-lc-2", "x-lt" };
	struct taken_set set = { used, ARRAY_SIZE(used), 0 };
	struct strbuf out = STRBUF_INIT, lc = STRBUF_INIT, want = STRBUF_INIT;
	const char *used_long[2];
	struct taken_set set_long = { used_long, 2, 0 };

	lcm_template_name("web-lc", taken_in_set, &set, &out);
	CHECK_STR(out.buf, "web-lc-3");
	CHECK_INT(set.calls, 3);

	set.calls = 0;
	lcm_template_name("api-lc", taken_in_set, &set, &out);
	CHECK_STR(out.buf, "api-lc");
	CHECK_INT(set.calls, 1);

	lcm_template_name("x", taken_in_set, &set, &out);
	CHECK_STR(out.buf, "x-lt-2");

	/* a 128-character name: the base is shortened so the suffix fits */
	while (lc.len < 150)
		strbuf_addch(&lc, 'a' + lc.len % 26);
	strbuf_add(&want, lc.buf, 128);
	used_long[0] = want.buf; /* the whole 128 */
	strbuf_reset(&out);
	strbuf_add(&out, lc.buf, 126);
	strbuf_adds(&out, "-2");
	used_long[1] = xstrdup(out.buf); /* and its "-2" */
	lcm_template_name(lc.buf, taken_in_set, &set_long, &out);
	strbuf_reset(&want);
	strbuf_add(&want, lc.buf, 126);
	strbuf_adds(&want, "-3");
	CHECK_STR(out.buf, want.buf);
	CHECK_INT(out.len, 128);
	free((char *)used_long[1]);

	strbuf_release(&out);
	strbuf_release(&lc);
	strbuf_release(&want);
}

/* Bounded: 10000 numbered names, then 8 random-ish ones, then give up. */
static void test_template_name_gives_up(void)
{
	struct strbuf out = STRBUF_INIT, lc = STRBUF_INIT;
	int calls = 0;
	size_t i;

	lcm_template_name("web-lc", taken_always, &calls, &out);
	CHECK_INT(calls, 10000 + 8);
	CHECK_INT(out.len, strlen("web-lc-") + 8);
	CHECK(str_starts_with(out.buf, "web-lc-"));
	for (i = strlen("web-lc-"); i < out.len; i++)
		CHECK(strchr("0123456789abcdef", out.buf[i]));
	CHECK(valid_lt_name(out.buf));

	/* and within 128 for a long name */
	while (lc.len < 200)
		strbuf_addch(&lc, 'z');
	calls = 0;
	lcm_template_name(lc.buf, taken_always, &calls, &out);
	CHECK_INT(calls, 10000 + 8);
	CHECK_INT(out.len, 128);
	CHECK(valid_lt_name(out.buf));
	CHECK(out.buf[119] == '-');
	strbuf_release(&out);
	strbuf_release(&lc);
}

int main(void)
{
	kvlist_add(&vpc_groups, "web", "sg-0bbb");
	kvlist_add(&vpc_groups, "db", "sg-0ddd");
	kvlist_add(&vpc_groups, "empty", "");

	RUN(test_empty_strings_mean_absent);
	RUN(test_full_lc_member_order);
	RUN(test_basics_copied);
	RUN(test_public_ip_true_and_false);
	RUN(test_public_ip_absent);
	RUN(test_security_group_names_resolved);
	RUN(test_security_group_name_unresolved);
	RUN(test_user_data_byte_for_byte);
	RUN(test_iam_profile_arn_or_name);
	RUN(test_block_devices);
	RUN(test_volume_types_iops_throughput);
	RUN(test_monitoring);
	RUN(test_spot_modes);
	RUN(test_ebs_optimized);
	RUN(test_placement_and_metadata);
	RUN(test_kernel_and_ramdisk);
	RUN(test_classic_link_dropped);
	RUN(test_unknown_members_warned);
	RUN(test_wrong_type_warned);
	RUN(test_result_release);
	RUN(test_template_name_characters);
	RUN(test_template_name_lengths);
	RUN(test_template_name_collisions);
	RUN(test_template_name_gives_up);

	kvlist_release(&vpc_groups);
	return check_done();
}
