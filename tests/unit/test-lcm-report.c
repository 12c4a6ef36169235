/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-lcm-report.c: the inventory renderings.  The expected bytes of the
 * AWS-script format were produced by Python's csv.writer and str(list), the
 * way AWS's Launch Configuration Inventory Script writes its file.
 */
#include "launchmigrate/launchmigrate.h"
#include "aws/fs.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static cJSON *lc(const char *name, const char *extra_json)
{
	struct strbuf sb = STRBUF_INIT;
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "LaunchConfigurationName", name);
	strbuf_addf(&sb, "arn:aws:autoscaling:us-east-1:111111111111:launchConfiguration:x:launchConfigurationName/%s", name);
	cJSON_AddStringToObject(j, "LaunchConfigurationARN", sb.buf);
	cJSON_AddStringToObject(j, "ImageId", "ami-12345678");
	cJSON_AddStringToObject(j, "InstanceType", "t3.micro");
	cJSON_AddStringToObject(j, "CreatedTime", "2024-01-02T03:04:05Z");
	if (extra_json) {
		cJSON *e = cJSON_Parse(extra_json);
		cJSON *it;
		cJSON_ArrayForEach(it, e)
			cJSON_AddItemToObject(j, it->string, cJSON_Duplicate(it, 1));
		cJSON_Delete(e);
	}
	strbuf_release(&sb);
	return j;
}

static void fixture(struct lcm_inventory *inv)
{
	lcm_inventory_init(inv);
	/* added out of order on purpose: output is sorted */
	lcm_inventory_scope(inv, "222222222222", "us-west-2")->count = 1;
	lcm_inventory_add(inv, "222222222222", "us-west-2", lc("solo", NULL));
	lcm_inventory_scope(inv, "111111111111", "us-east-1")->count = 3;
	struct lcm_row *r = lcm_inventory_add(inv, "111111111111", "us-east-1",
					      lc("web", "{\"SpotPrice\":\"0.05\",\"AssociatePublicIpAddress\":false,"
							"\"SecurityGroups\":[\"sg-1\",\"default\"]}"));
	lcm_row_add_asg(r, "web-asg", NULL, "subnet-1");
	lcm_row_add_asg(r, "api-asg", "cloudformation:prod", NULL);
	lcm_inventory_add(inv, "111111111111", "us-east-1", lc("x\\y\t\xc3\xa9\xc2\x85", NULL));
	lcm_inventory_add(inv, "111111111111", "us-east-1", lc("it's", NULL));
	lcm_inventory_scope(inv, "111111111111", "eu-west-1");
	lcm_inventory_scope(inv, "222222222222", "us-east-1")->count = 1;
	lcm_inventory_add(inv, "222222222222", "us-east-1", lc("a\"b", NULL));
	lcm_inventory_sort(inv);
}

static void test_aws_script_bytes(void)
{
	struct lcm_inventory inv;
	struct strbuf out = STRBUF_INIT;
	fixture(&inv);
	lcm_inventory_write(&inv, LCM_FORMAT_AWS_SCRIPT, 0, &out);
	CHECK_STR(out.buf,
		  "account_id,region,count,launch_configuratons\r\n"
		  "111111111111,eu-west-1,0,[]\r\n"
		  "111111111111,us-east-1,3,\"['web', 'x\\\\y\\t\xc3\xa9\\x85', \"\"it's\"\"]\"\r\n"
		  "222222222222,us-east-1,1,\"['a\"\"b']\"\r\n"
		  "222222222222,us-west-2,1,['solo']\r\n");
	/* a scope that failed gets no row (the failure is reported elsewhere) */
	lcm_inventory_scope(&inv, "333333333333", "us-east-1")->error = xstrdup("AccessDenied");
	strbuf_reset(&out);
	lcm_inventory_write(&inv, LCM_FORMAT_AWS_SCRIPT, 0, &out);
	CHECK(!strstr(out.buf, "333333333333"));
	strbuf_release(&out);
	lcm_inventory_release(&inv);
}

static void test_py_repr(void)
{
	struct strbuf sb = STRBUF_INIT;
	lcm_py_repr("both'\"q", &sb);
	CHECK_STR(sb.buf, "'both\\'\"q'");
	strbuf_reset(&sb);
	lcm_py_repr("", &sb);
	CHECK_STR(sb.buf, "''");
	strbuf_reset(&sb);
	lcm_py_repr("a\nb\rc\x01", &sb);
	CHECK_STR(sb.buf, "'a\\nb\\rc\\x01'");
	strbuf_release(&sb);
}

static void test_csv(void)
{
	struct lcm_inventory inv;
	struct strbuf out = STRBUF_INIT;
	fixture(&inv);
	lcm_inventory_write(&inv, LCM_FORMAT_CSV, 0, &out);
	CHECK(str_starts_with(out.buf, "account,region,name,arn,created,image_id,instance_type,"
				       "auto_scaling_groups,in_use,notes,managed_by\r\n"));
	CHECK(strstr(out.buf, "111111111111,us-east-1,web,arn:aws:autoscaling:us-east-1:111111111111:"
			      "launchConfiguration:x:launchConfigurationName/web,2024-01-02T03:04:05Z,"
			      "ami-12345678,t3.micro,api-asg;web-asg,true,"
			      "\"spot,public-ip=false,sg-names,managed\",api-asg=cloudformation:prod\r\n") != NULL);
	CHECK(strstr(out.buf, ",\"a\"\"b\",") != NULL);
	strbuf_release(&out);
	lcm_inventory_release(&inv);
}

static void test_json_and_in_use(void)
{
	struct lcm_inventory inv;
	struct strbuf out = STRBUF_INIT;
	fixture(&inv);
	lcm_inventory_scope(&inv, "333333333333", "us-east-1")->error = xstrdup("AccessDenied");
	lcm_inventory_only_in_use(&inv);
	CHECK_INT(inv.nrows, 1);
	lcm_inventory_write(&inv, LCM_FORMAT_JSON, 0, &out);
	cJSON *j = cJSON_Parse(out.buf);
	CHECK(j != NULL);
	const cJSON *rows = cJSON_GetObjectItem(j, "LaunchConfigurations");
	CHECK_INT(cJSON_GetArraySize(rows), 1);
	const cJSON *row = cJSON_GetArrayItem(rows, 0);
	CHECK_STR(cJSON_GetObjectItem(row, "Name")->valuestring, "web");
	CHECK(cJSON_IsTrue(cJSON_GetObjectItem(row, "InUse")));
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(row, "Notes")), 4);
	const cJSON *sum = cJSON_GetObjectItem(j, "Summary");
	CHECK_INT(cJSON_GetObjectItem(sum, "FailedScopes")->valueint, 1);
	CHECK_INT(cJSON_GetObjectItem(sum, "Scopes")->valueint, 5);
	cJSON_Delete(j);
	strbuf_release(&out);
	lcm_inventory_release(&inv);
}

static void test_table_and_notes(void)
{
	struct lcm_inventory inv;
	struct strbuf out = STRBUF_INIT;
	fixture(&inv);
	lcm_inventory_scope(&inv, "333333333333", "us-east-1")->error = xstrdup("AccessDenied");
	lcm_inventory_write(&inv, LCM_FORMAT_TABLE, 0, &out);
	CHECK(str_starts_with(out.buf, "ACCOUNT"));
	CHECK(strstr(out.buf, "failed 333333333333 us-east-1: AccessDenied\n") != NULL);
	CHECK(strstr(out.buf, "\033[") == NULL);
	struct strbuf notes = STRBUF_INIT;
	lcm_row_notes(&inv.rows[0], &notes); /* 111/us-east-1 "it's": not a valid LT name */
	CHECK_STR(notes.buf, "rename");
	strbuf_release(&notes);
	strbuf_release(&out);
	lcm_inventory_release(&inv);
}

static void test_atomic_write(void)
{
	char dir[] = "/tmp/awsx-test-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	struct strbuf path = STRBUF_INIT;
	struct aws_error err;
	strbuf_addf(&path, "%s/out.csv", dir);
	CHECK_INT(fs_write_atomic(path.buf, "one\n", 4, 0644, 1, &err), 0);
	CHECK_INT(fs_write_atomic(path.buf, "two\n", 4, 0644, 1, &err), 0);
	struct strbuf back = STRBUF_INIT;
	CHECK_INT(strbuf_read_file(&back, path.buf, 0), 0);
	CHECK_STR(back.buf, "two\n");
	/* a folder that does not exist: an error naming the path, nothing left behind */
	struct strbuf bad = STRBUF_INIT;
	strbuf_addf(&bad, "%s/missing/out.csv", dir);
	CHECK_INT(fs_write_atomic(bad.buf, "x", 1, 0644, 1, &err), -AWSX_EFAIL);
	CHECK(strstr(err.message, "missing/out.csv") != NULL);
	unlink(path.buf);
	rmdir(dir);
	strbuf_release(&bad);
	strbuf_release(&back);
	strbuf_release(&path);
}

int main(void)
{
	RUN(test_aws_script_bytes);
	RUN(test_py_repr);
	RUN(test_csv);
	RUN(test_json_and_in_use);
	RUN(test_table_and_notes);
	RUN(test_atomic_write);
	return check_done();
}
