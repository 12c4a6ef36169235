/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test-templates-emit.c: the launch template emitters.  Byte-exact output
 * for a launch template with every member and for minimal ones, in both
 * CloudFormation YAML and Terraform HCL; strings that YAML or HCL would
 * misread, read back through libyaml and through a small HCL string decoder
 * here; and the errors: unknown or mistyped members, bad names, a capped
 * buffer.
 */
#include "templates/templates.h"

#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "check.h"

/* ---- helpers ---- */

static cJSON *json(const char *text)
{
	cJSON *j = cJSON_Parse(text);
	if (!j) {
		fprintf(stderr, "bad test JSON: %s\n", text);
		abort();
	}
	return j;
}

/* Emit data in one format ('c' or 't') with fixed names; returns rc. */
static int emit(int format, const cJSON *data, const struct kvlist *tags, struct strbuf *out,
		struct aws_error *err)
{
	aws_error_clear(err);
	if (format == 'c')
		return tmpl_emit_cfn_launch_template("WebLt", "web-lt", data, tags, out, err);
	return tmpl_emit_tf_launch_template("web", "web-lt", data, tags, out, err);
}

/*
 * The scalar at path in a YAML document ("a/b/0/c": mapping keys and
 * sequence indexes), or NULL when the document does not parse or has no
 * such scalar.  *plain: 1 when it was written as a plain scalar.  Caller
 * frees.
 */
static char *yaml_get(const char *text, const char *path, int *plain)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *node;
	char *ret = NULL, *copy = xstrdup(path), *save = NULL;

	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
	if (!yaml_parser_load(&parser, &doc)) {
		yaml_parser_delete(&parser);
		free(copy);
		return NULL;
	}
	node = yaml_document_get_root_node(&doc);
	for (char *part = strtok_r(copy, "/", &save); part && node;
	     part = strtok_r(NULL, "/", &save)) {
		yaml_node_t *next = NULL;

		if (node->type == YAML_MAPPING_NODE) {
			for (yaml_node_pair_t *p = node->data.mapping.pairs.start;
			     p < node->data.mapping.pairs.top; p++) {
				yaml_node_t *k = yaml_document_get_node(&doc, p->key);
				if (k->type == YAML_SCALAR_NODE &&
				    !strcmp((char *)k->data.scalar.value, part))
					next = yaml_document_get_node(&doc, p->value);
			}
		} else if (node->type == YAML_SEQUENCE_NODE) {
			long i = strtol(part, NULL, 10);
			yaml_node_item_t *items = node->data.sequence.items.start;
			if (i >= 0 && items + i < node->data.sequence.items.top)
				next = yaml_document_get_node(&doc, items[i]);
		}
		node = next;
	}
	if (node && node->type == YAML_SCALAR_NODE) {
		ret = xstrndup((char *)node->data.scalar.value, node->data.scalar.length);
		if (plain)
			*plain = node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	free(copy);
	return ret;
}

/*
 * Read an HCL quoted string at s as Terraform would: escapes, "$${" and
 * "%%{" as literal "${" and "%{".  Returns the end (after the closing
 * quote) and the text in val, or NULL for anything Terraform would not take
 * as a plain literal: a raw newline, an interpolation, a bad escape.
 */
static const char *hcl_read_string(const char *s, struct strbuf *val)
{
	strbuf_reset(val);
	if (*s++ != '"')
		return NULL;
	while (*s != '"') {
		if (!*s || *s == '\n' || *s == '\r')
			return NULL;
		if ((s[0] == '$' || s[0] == '%') && s[1] == '{')
			return NULL; /* would interpolate */
		if ((s[0] == '$' || s[0] == '%') && s[1] == s[0] && s[2] == '{') {
			strbuf_addch(val, s[0]);
			strbuf_addch(val, '{');
			s += 3;
			continue;
		}
		if (*s != '\\') {
			strbuf_addch(val, *s++);
			continue;
		}
		s++;
		switch (*s) {
		case 'n':
			strbuf_addch(val, '\n');
			break;
		case 'r':
			strbuf_addch(val, '\r');
			break;
		case 't':
			strbuf_addch(val, '\t');
			break;
		case '"':
		case '\\':
			strbuf_addch(val, *s);
			break;
		case 'u':
		case 'U': {
			int n = *s == 'u' ? 4 : 8;
			unsigned cp = 0;
			for (int i = 1; i <= n; i++) {
				int d = hex_digit(s[i]);
				if (d < 0)
					return NULL;
				cp = cp * 16 + (unsigned)d;
			}
			strbuf_add_utf8(val, cp);
			s += n;
			break;
		}
		default:
			return NULL;
		}
		s++;
	}
	return s + 1;
}

/* ---- byte-exact output ---- */

static const char rich_json[] =
	"{\"UserData\": \"IyEvYmluL2Jhc2gKZWNobyBoaQo=\", \"ImageId\": \"ami-0abc\","
	" \"InstanceType\": \"t3.micro\", \"KeyName\": \"deploy\", \"KernelId\": \"aki-1\","
	" \"RamDiskId\": \"ari-1\", \"EbsOptimized\": true,"
	" \"SecurityGroupIds\": [\"sg-1\", \"sg-2\"],"
	" \"IamInstanceProfile\": {\"Arn\": \"arn:aws:iam::123456789012:instance-profile/web\"},"
	" \"NetworkInterfaces\": [{\"DeviceIndex\": 0, \"AssociatePublicIpAddress\": true,"
	"  \"DeleteOnTermination\": true, \"Groups\": [\"sg-3\"]}],"
	" \"BlockDeviceMappings\": ["
	"  {\"DeviceName\": \"/dev/xvda\","
	"   \"Ebs\": {\"SnapshotId\": \"snap-1\", \"VolumeSize\": 20,"
	"   \"VolumeType\": \"gp3\", \"DeleteOnTermination\": true, \"Encrypted\": false,"
	"   \"Iops\": 3000, \"Throughput\": 125}},"
	"  {\"DeviceName\": \"/dev/sdb\", \"VirtualName\": \"ephemeral0\"},"
	"  {\"DeviceName\": \"/dev/sdc\", \"NoDevice\": \"\"}],"
	" \"Monitoring\": {\"Enabled\": false}, \"Placement\": {\"Tenancy\": \"dedicated\"},"
	" \"InstanceMarketOptions\": {\"MarketType\": \"spot\","
	"  \"SpotOptions\": {\"MaxPrice\": \"0.05\"}},"
	" \"MetadataOptions\": {\"HttpTokens\": \"required\", \"HttpPutResponseHopLimit\": 2,"
	"  \"HttpEndpoint\": \"enabled\"}}";

static const char rich_cfn[] =
	"Resources:\n"
	"  WebLt:\n"
	"    Type: AWS::EC2::LaunchTemplate\n"
	"    Properties:\n"
	"      LaunchTemplateName: web-lt\n"
	"      LaunchTemplateData:\n"
	"        ImageId: ami-0abc\n"
	"        InstanceType: t3.micro\n"
	"        KeyName: deploy\n"
	"        KernelId: aki-1\n"
	"        RamDiskId: ari-1\n"
	"        EbsOptimized: true\n"
	"        SecurityGroupIds:\n"
	"          - sg-1\n"
	"          - sg-2\n"
	"        UserData: IyEvYmluL2Jhc2gKZWNobyBoaQo=\n"
	"        IamInstanceProfile:\n"
	"          Arn: arn:aws:iam::123456789012:instance-profile/web\n"
	"        NetworkInterfaces:\n"
	"          - DeviceIndex: 0\n"
	"            AssociatePublicIpAddress: true\n"
	"            DeleteOnTermination: true\n"
	"            Groups:\n"
	"              - sg-3\n"
	"        BlockDeviceMappings:\n"
	"          - DeviceName: /dev/xvda\n"
	"            Ebs:\n"
	"              SnapshotId: snap-1\n"
	"              VolumeSize: 20\n"
	"              VolumeType: gp3\n"
	"              DeleteOnTermination: true\n"
	"              Encrypted: false\n"
	"              Iops: 3000\n"
	"              Throughput: 125\n"
	"          - DeviceName: /dev/sdb\n"
	"            VirtualName: ephemeral0\n"
	"          - DeviceName: /dev/sdc\n"
	"            NoDevice: ''\n"
	"        Monitoring:\n"
	"          Enabled: false\n"
	"        Placement:\n"
	"          Tenancy: dedicated\n"
	"        InstanceMarketOptions:\n"
	"          MarketType: spot\n"
	"          SpotOptions:\n"
	"            MaxPrice: '0.05'\n"
	"        MetadataOptions:\n"
	"          HttpTokens: required\n"
	"          HttpPutResponseHopLimit: 2\n"
	"          HttpEndpoint: enabled\n"
	"      TagSpecifications:\n"
	"        - ResourceType: launch-template\n"
	"          Tags:\n"
	"            - Key: team\n"
	"              Value: web\n"
	"            - Key: Name\n"
	"              Value: 'web: prod'\n"
	"\n"
	"# To move the Auto Scaling group to this launch template, replace\n"
	"# LaunchConfigurationName in its AWS::AutoScaling::AutoScalingGroup\n"
	"# Properties with:\n"
	"#   LaunchTemplate:\n"
	"#     LaunchTemplateId: !Ref WebLt\n"
	"#     Version: !GetAtt WebLt.LatestVersionNumber\n";

static const char rich_tf[] =
	"resource \"aws_launch_template\" \"web\" {\n"
	"  name                   = \"web-lt\"\n"
	"  image_id               = \"ami-0abc\"\n"
	"  instance_type          = \"t3.micro\"\n"
	"  key_name               = \"deploy\"\n"
	"  kernel_id              = \"aki-1\"\n"
	"  ram_disk_id            = \"ari-1\"\n"
	"  ebs_optimized          = true\n"
	"  vpc_security_group_ids = [\"sg-1\", \"sg-2\"]\n"
	"  user_data              = \"IyEvYmluL2Jhc2gKZWNobyBoaQo=\"\n"
	"  iam_instance_profile {\n"
	"    arn = \"arn:aws:iam::123456789012:instance-profile/web\"\n"
	"  }\n"
	"  network_interfaces {\n"
	"    device_index                = 0\n"
	"    associate_public_ip_address = true\n"
	"    delete_on_termination       = true\n"
	"    security_groups             = [\"sg-3\"]\n"
	"  }\n"
	"  block_device_mappings {\n"
	"    device_name = \"/dev/xvda\"\n"
	"    ebs {\n"
	"      snapshot_id           = \"snap-1\"\n"
	"      volume_size           = 20\n"
	"      volume_type           = \"gp3\"\n"
	"      delete_on_termination = true\n"
	"      encrypted             = false\n"
	"      iops                  = 3000\n"
	"      throughput            = 125\n"
	"    }\n"
	"  }\n"
	"  block_device_mappings {\n"
	"    device_name  = \"/dev/sdb\"\n"
	"    virtual_name = \"ephemeral0\"\n"
	"  }\n"
	"  block_device_mappings {\n"
	"    device_name = \"/dev/sdc\"\n"
	"    # the AWS provider does not send an empty no_device: check that this device is "
	"suppressed\n"
	"    no_device = \"\"\n"
	"  }\n"
	"  monitoring {\n"
	"    enabled = false\n"
	"  }\n"
	"  placement {\n"
	"    tenancy = \"dedicated\"\n"
	"  }\n"
	"  instance_market_options {\n"
	"    market_type = \"spot\"\n"
	"    spot_options {\n"
	"      max_price = \"0.05\"\n"
	"    }\n"
	"  }\n"
	"  metadata_options {\n"
	"    http_tokens                 = \"required\"\n"
	"    http_put_response_hop_limit = 2\n"
	"    http_endpoint               = \"enabled\"\n"
	"  }\n"
	"  tags = {\n"
	"    \"team\" = \"web\"\n"
	"    \"Name\" = \"web: prod\"\n"
	"  }\n"
	"}\n"
	"\n"
	"# To move the Auto Scaling group to this launch template, replace\n"
	"# launch_configuration in its aws_autoscaling_group with:\n"
	"#   launch_template {\n"
	"#     id      = aws_launch_template.web.id\n"
	"#     version = aws_launch_template.web.latest_version\n"
	"#   }\n";

static const char cfn_asg_comment[] =
	"\n"
	"# To move the Auto Scaling group to this launch template, replace\n"
	"# LaunchConfigurationName in its AWS::AutoScaling::AutoScalingGroup\n"
	"# Properties with:\n"
	"#   LaunchTemplate:\n"
	"#     LaunchTemplateId: !Ref WebLt\n"
	"#     Version: !GetAtt WebLt.LatestVersionNumber\n";

static const char tf_asg_comment[] =
	"\n"
	"# To move the Auto Scaling group to this launch template, replace\n"
	"# launch_configuration in its aws_autoscaling_group with:\n"
	"#   launch_template {\n"
	"#     id      = aws_launch_template.web.id\n"
	"#     version = aws_launch_template.web.latest_version\n"
	"#   }\n";

static void test_rich_cfn(void)
{
	struct kvlist tags = KVLIST_INIT;
	struct strbuf out = STRBUF_INIT;
	struct aws_error err;
	cJSON *data = json(rich_json);
	char *v;
	int plain = 0;

	kvlist_add(&tags, "team", "web");
	kvlist_add(&tags, "Name", "web: prod");
	CHECK_INT(emit('c', data, &tags, &out, &err), 0);
	CHECK_STR(out.buf, rich_cfn);

	/* libyaml reads it back with the right types */
	v = yaml_get(out.buf, "Resources/WebLt/Properties/LaunchTemplateData/BlockDeviceMappings/"
			      "0/Ebs/VolumeSize", &plain);
	CHECK_STR(v, "20");
	CHECK(plain);
	free(v);
	v = yaml_get(out.buf, "Resources/WebLt/Properties/LaunchTemplateData/"
			      "InstanceMarketOptions/SpotOptions/MaxPrice", &plain);
	CHECK_STR(v, "0.05");
	CHECK(!plain); /* a string, not a number */
	free(v);
	v = yaml_get(out.buf, "Resources/WebLt/Properties/LaunchTemplateData/BlockDeviceMappings/"
			      "2/NoDevice", &plain);
	CHECK_STR(v, "");
	CHECK(!plain);
	free(v);
	v = yaml_get(out.buf, "Resources/WebLt/Properties/TagSpecifications/0/Tags/1/Value",
		     &plain);
	CHECK_STR(v, "web: prod");
	free(v);
	v = yaml_get(out.buf, "Resources/WebLt/Properties/LaunchTemplateData/UserData", NULL);
	CHECK_STR(v, "IyEvYmluL2Jhc2gKZWNobyBoaQo=");
	free(v);

	/* output is appended, and the same every time */
	strbuf_reset(&out);
	strbuf_adds(&out, "# before\n");
	CHECK_INT(emit('c', data, &tags, &out, &err), 0);
	CHECK(str_starts_with(out.buf, "# before\nResources:\n"));
	CHECK_STR(out.buf + strlen("# before\n"), rich_cfn);

	strbuf_release(&out);
	kvlist_release(&tags);
	cJSON_Delete(data);
}

static void test_rich_tf(void)
{
	struct kvlist tags = KVLIST_INIT;
	struct strbuf out = STRBUF_INIT;
	struct aws_error err;
	cJSON *data = json(rich_json);

	kvlist_add(&tags, "team", "web");
	kvlist_add(&tags, "Name", "web: prod");
	CHECK_INT(emit('t', data, &tags, &out, &err), 0);
	CHECK_STR(out.buf, rich_tf);
	strbuf_release(&out);
	kvlist_release(&tags);
	cJSON_Delete(data);
}

static void test_minimal(void)
{
	struct strbuf out = STRBUF_INIT, want = STRBUF_INIT;
	struct kvlist no_tags = KVLIST_INIT;
	struct aws_error err;
	cJSON *data = json("{\"ImageId\": \"ami-1\"}");
	cJSON *empty = json("{}");
	char *v;

	CHECK_INT(emit('c', data, NULL, &out, &err), 0);
	strbuf_adds(&want, "Resources:\n"
			   "  WebLt:\n"
			   "    Type: AWS::EC2::LaunchTemplate\n"
			   "    Properties:\n"
			   "      LaunchTemplateName: web-lt\n"
			   "      LaunchTemplateData:\n"
			   "        ImageId: ami-1\n");
	strbuf_adds(&want, cfn_asg_comment);
	CHECK_STR(out.buf, want.buf);

	/* an empty tag list is no tags */
	strbuf_reset(&out);
	CHECK_INT(emit('c', data, &no_tags, &out, &err), 0);
	CHECK_STR(out.buf, want.buf);

	strbuf_reset(&out);
	strbuf_reset(&want);
	CHECK_INT(emit('t', data, NULL, &out, &err), 0);
	strbuf_adds(&want, "resource \"aws_launch_template\" \"web\" {\n"
			   "  name     = \"web-lt\"\n"
			   "  image_id = \"ami-1\"\n"
			   "}\n");
	strbuf_adds(&want, tf_asg_comment);
	CHECK_STR(out.buf, want.buf);

	/* no data at all */
	strbuf_reset(&out);
	strbuf_reset(&want);
	CHECK_INT(emit('c', empty, NULL, &out, &err), 0);
	strbuf_adds(&want, "Resources:\n"
			   "  WebLt:\n"
			   "    Type: AWS::EC2::LaunchTemplate\n"
			   "    Properties:\n"
			   "      LaunchTemplateName: web-lt\n"
			   "      LaunchTemplateData: {}\n");
	strbuf_adds(&want, cfn_asg_comment);
	CHECK_STR(out.buf, want.buf);
	v = yaml_get(out.buf, "Resources/WebLt/Type", NULL);
	CHECK_STR(v, "AWS::EC2::LaunchTemplate");
	free(v);

	strbuf_reset(&out);
	strbuf_reset(&want);
	CHECK_INT(emit('t', empty, NULL, &out, &err), 0);
	strbuf_adds(&want, "resource \"aws_launch_template\" \"web\" {\n"
			   "  name = \"web-lt\"\n"
			   "}\n");
	strbuf_adds(&want, tf_asg_comment);
	CHECK_STR(out.buf, want.buf);

	strbuf_release(&out);
	strbuf_release(&want);
	cJSON_Delete(data);
	cJSON_Delete(empty);
}

/* Empty collections stay visible in YAML; Terraform has no empty block list. */
static void test_empty_collections(void)
{
	struct strbuf out = STRBUF_INIT;
	struct aws_error err;
	cJSON *data = json("{\"SecurityGroupIds\": [], \"NetworkInterfaces\": [],"
			   " \"BlockDeviceMappings\": [{},"
			   "  {\"DeviceName\": \"/dev/sdb\", \"Ebs\": {}}],"
			   " \"Monitoring\": {}}");

	CHECK_INT(emit('c', data, NULL, &out, &err), 0);
	CHECK(strstr(out.buf, "        SecurityGroupIds: []\n"
			      "        NetworkInterfaces: []\n"
			      "        BlockDeviceMappings:\n"
			      "          - {}\n"
			      "          - DeviceName: /dev/sdb\n"
			      "            Ebs: {}\n"
			      "        Monitoring: {}\n"));
	free(yaml_get(out.buf, "Resources", NULL)); /* parses at all? */
	{
		char *v = yaml_get(out.buf, "Resources/WebLt/Properties/LaunchTemplateData/"
					    "BlockDeviceMappings/1/DeviceName", NULL);
		CHECK_STR(v, "/dev/sdb");
		free(v);
	}

	strbuf_reset(&out);
	CHECK_INT(emit('t', data, NULL, &out, &err), 0);
	CHECK(strstr(out.buf, "  name                   = \"web-lt\"\n"
			      "  vpc_security_group_ids = []\n"
			      "  block_device_mappings {}\n"
			      "  block_device_mappings {\n"
			      "    device_name = \"/dev/sdb\"\n"
			      "    ebs {}\n"
			      "  }\n"
			      "  monitoring {}\n"
			      "}\n"));
	CHECK(!strstr(out.buf, "network_interfaces"));
	strbuf_release(&out);
	cJSON_Delete(data);
}

/* ---- strings YAML or HCL would misread ---- */

static const char *const tricky[] = {
	"yes", "No", "ON", "off", "y", "n", "true", "False", "null", "NULL", "~", "", "123",
	"0.05", "1e3", "0x1F", "0o17", "1_000", "1:30", ".inf", ".NaN", "2001-12-14", "+1", "-1",
	"-", "---", "...", "- a", "? x", ": x", "a: b", "a #b", "#x", " lead", "trail ", "tail:",
	"!Ref X", "&anchor", "*alias", "|", "> x", "%TAG", "@x", "`x", "=", "<<", "it's",
	"say \"hi\"", "back\\slash", "C:\\dir\\", "${var}", "%{if x}", "$${var}", "100%", "$",
	"a\nb", "tab\there", "cr\r", "\x01\x1f\x7f", "\xc2\x85nel", "line\xe2\x80\xa8sep",
	"\xef\xbb\xbf" "bom", "\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87", "caf\xc3\xa9", "\xe6\x97\xa5",
	"\xf0\x9f\x98\x80 smile", "{a: 1}", "[x]", "a,b", "a:b", "a#b", "plain-word_1.2/x",
	"/dev/xvda", "_x",
};

/*
 * libyaml hands back the text without resolving types, so for these, which
 * YAML 1.1 or 1.2 would read as a boolean, null, number, date or merge key
 * when plain, the check is that they were quoted.
 */
static const char *const typed_when_plain[] = {
	"yes", "No", "ON", "off", "y", "n", "true", "False", "null", "NULL", "~", "", "123",
	"0.05", "1e3", "0x1F", "0o17", "1_000", "1:30", ".inf", ".NaN", "2001-12-14", "+1", "-1",
	"=", "<<",
};

static int typed_when_plain_has(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(typed_when_plain); i++)
		if (!strcmp(typed_when_plain[i], s))
			return 1;
	return 0;
}

/* Every tricky string reads back unchanged through libyaml, wherever it goes. */
static void test_tricky_cfn(void)
{
	static const char *const paths[] = {
		"Resources/WebLt/Properties/LaunchTemplateName",
		"Resources/WebLt/Properties/LaunchTemplateData/KeyName",
		"Resources/WebLt/Properties/LaunchTemplateData/SecurityGroupIds/0",
		"Resources/WebLt/Properties/LaunchTemplateData/BlockDeviceMappings/0/DeviceName",
		"Resources/WebLt/Properties/TagSpecifications/0/Tags/0/Key",
		"Resources/WebLt/Properties/TagSpecifications/0/Tags/0/Value",
	};

	for (size_t i = 0; i < ARRAY_SIZE(tricky); i++) {
		const char *s = tricky[i];
		struct kvlist tags = KVLIST_INIT;
		struct strbuf out = STRBUF_INIT;
		struct aws_error err;
		cJSON *data = cJSON_CreateObject();
		cJSON *groups = cJSON_AddArrayToObject(data, "SecurityGroupIds");
		cJSON *bdm = cJSON_CreateObject();
		int ok = 1;

		cJSON_AddStringToObject(data, "KeyName", s);
		cJSON_AddItemToArray(groups, cJSON_CreateString(s));
		cJSON_AddStringToObject(bdm, "DeviceName", s);
		cJSON_AddItemToArray(cJSON_AddArrayToObject(data, "BlockDeviceMappings"), bdm);
		kvlist_add(&tags, s, s);
		aws_error_clear(&err);
		CHECK_INT(tmpl_emit_cfn_launch_template("WebLt", s, data, &tags, &out, &err), 0);
		for (size_t p = 0; p < ARRAY_SIZE(paths); p++) {
			int plain = 0;
			char *v = yaml_get(out.buf, paths[p], &plain);
			if (!v || strcmp(v, s)) {
				fprintf(stderr, "tricky %zu at %s: read back '%s'\n", i, paths[p],
					v ? v : "(no parse)");
				ok = 0;
			} else if (plain && typed_when_plain_has(s)) {
				fprintf(stderr, "tricky %zu at %s: '%s' left plain\n", i,
					paths[p], s);
				ok = 0;
			}
			free(v);
		}
		if (!ok)
			fprintf(stderr, "---\n%s---\n", out.buf);
		CHECK(ok);
		strbuf_release(&out);
		kvlist_release(&tags);
		cJSON_Delete(data);
	}
}

/* How some of them look: quoted only when they must be. */
static void test_yaml_quoting(void)
{
	static const struct {
		const char *in, *line;
	} cases[] = {
		{ "yes", "KeyName: 'yes'\n" },
		{ "123", "KeyName: '123'\n" },
		{ "a: b", "KeyName: 'a: b'\n" },
		{ "#x", "KeyName: '#x'\n" },
		{ " lead", "KeyName: ' lead'\n" },
		{ "", "KeyName: ''\n" },
		{ "it's", "KeyName: it's\n" },
		{ "'q'", "KeyName: '''q'''\n" },
		{ "say \"hi\"", "KeyName: say \"hi\"\n" },
		{ "back\\slash", "KeyName: back\\slash\n" },
		{ "${var}", "KeyName: '${var}'\n" },
		{ "a\nb", "KeyName: \"a\\nb\"\n" },
		{ "q\"\\\t\x01", "KeyName: \"q\\\"\\\\\\t\\x01\"\n" },
		{ "line\xe2\x80\xa8sep", "KeyName: \"line\\u2028sep\"\n" },
		{ "caf\xc3\xa9", "KeyName: caf\xc3\xa9\n" },
		{ "\xc3\xa9t\xc3\xa9", "KeyName: '\xc3\xa9t\xc3\xa9'\n" },
		{ "deploy-key_1", "KeyName: deploy-key_1\n" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct strbuf out = STRBUF_INIT, want = STRBUF_INIT;
		struct aws_error err;
		cJSON *data = cJSON_CreateObject();

		cJSON_AddStringToObject(data, "KeyName", cases[i].in);
		CHECK_INT(emit('c', data, NULL, &out, &err), 0);
		strbuf_addf(&want, "      LaunchTemplateData:\n        %s", cases[i].line);
		if (!strstr(out.buf, want.buf)) {
			fprintf(stderr, "case %zu: want '%s' in:\n%s", i, want.buf, out.buf);
			CHECK(0);
		}
		strbuf_release(&out);
		strbuf_release(&want);
		cJSON_Delete(data);
	}
}

/* Every tricky string reads back unchanged as an HCL literal, never interpolated. */
static void test_tricky_tf(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(tricky); i++) {
		const char *s = tricky[i], *p;
		struct kvlist tags = KVLIST_INIT;
		struct strbuf out = STRBUF_INIT, val = STRBUF_INIT;
		struct aws_error err;
		cJSON *data = cJSON_CreateObject();

		cJSON_AddStringToObject(data, "KeyName", s);
		kvlist_add(&tags, s, s);
		aws_error_clear(&err);
		CHECK_INT(tmpl_emit_tf_launch_template("web", s, data, &tags, &out, &err), 0);

		p = strstr(out.buf, "\n  name     = ");
		CHECK(p);
		p = p ? hcl_read_string(p + strlen("\n  name     = "), &val) : NULL;
		CHECK(p && *p == '\n');
		CHECK_STR(val.buf, s);

		p = strstr(out.buf, "\n  key_name = ");
		CHECK(p);
		p = p ? hcl_read_string(p + strlen("\n  key_name = "), &val) : NULL;
		CHECK(p && *p == '\n');
		CHECK_STR(val.buf, s);

		p = strstr(out.buf, "  tags = {\n    ");
		CHECK(p);
		p = p ? hcl_read_string(p + strlen("  tags = {\n    "), &val) : NULL;
		CHECK_STR(val.buf, s);
		CHECK(p && str_starts_with(p, " = "));
		p = p ? hcl_read_string(p + 3, &val) : NULL;
		CHECK(p && str_starts_with(p, "\n  }\n}\n"));
		CHECK_STR(val.buf, s);

		strbuf_release(&out);
		strbuf_release(&val);
		kvlist_release(&tags);
		cJSON_Delete(data);
	}
}

static void test_hcl_escapes(void)
{
	static const struct {
		const char *in, *line;
	} cases[] = {
		{ "${var}", "  key_name = \"$${var}\"\n" },
		{ "%{if x}", "  key_name = \"%%{if x}\"\n" },
		{ "$${x}", "  key_name = \"$$${x}\"\n" },
		{ "100% $5 {x}", "  key_name = \"100% $5 {x}\"\n" },
		{ "say \"hi\"", "  key_name = \"say \\\"hi\\\"\"\n" },
		{ "C:\\dir\\", "  key_name = \"C:\\\\dir\\\\\"\n" },
		{ "a\nb\tc\rd", "  key_name = \"a\\nb\\tc\\rd\"\n" },
		{ "\x01\x7f\xc2\x85", "  key_name = \"\\u0001\\u007f\\u0085\"\n" },
		{ "caf\xc3\xa9 \xf0\x9f\x98\x80",
		  "  key_name = \"caf\xc3\xa9 \xf0\x9f\x98\x80\"\n" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct strbuf out = STRBUF_INIT;
		struct aws_error err;
		cJSON *data = cJSON_CreateObject();

		cJSON_AddStringToObject(data, "KeyName", cases[i].in);
		CHECK_INT(emit('t', data, NULL, &out, &err), 0);
		if (!strstr(out.buf, cases[i].line)) {
			fprintf(stderr, "case %zu: want '%s' in:\n%s", i, cases[i].line, out.buf);
			CHECK(0);
		}
		strbuf_release(&out);
		cJSON_Delete(data);
	}
}

/* '=' lines up per run of attributes, tag keys by characters, not bytes. */
static void test_hcl_alignment(void)
{
	struct kvlist tags = KVLIST_INIT;
	struct strbuf out = STRBUF_INIT;
	struct aws_error err;
	cJSON *data = json("{\"ImageId\": \"ami-1\", \"Monitoring\": {\"Enabled\": true},"
			   " \"MetadataOptions\": {\"HttpTokens\": \"required\"}}");

	kvlist_add(&tags, "a", "1");
	kvlist_add(&tags, "\xc3\xa9t\xc3\xa9", "2");
	kvlist_add(&tags, "k\"q", "3");
	CHECK_INT(emit('t', data, &tags, &out, &err), 0);
	CHECK(strstr(out.buf, "{\n"
			      "  name     = \"web-lt\"\n"
			      "  image_id = \"ami-1\"\n"
			      "  monitoring {\n"
			      "    enabled = true\n"
			      "  }\n"
			      "  metadata_options {\n"
			      "    http_tokens = \"required\"\n"
			      "  }\n"
			      "  tags = {\n"
			      "    \"a\"    = \"1\"\n"
			      "    \"\xc3\xa9t\xc3\xa9\"  = \"2\"\n"
			      "    \"k\\\"q\" = \"3\"\n"
			      "  }\n"
			      "}\n"));
	strbuf_release(&out);
	kvlist_release(&tags);
	cJSON_Delete(data);
}

/* ---- errors ---- */

static void expect_error(const char *data_json, const char *message)
{
	for (int f = 0; f < 2; f++) {
		struct strbuf out = STRBUF_INIT;
		struct aws_error err;
		cJSON *data = json(data_json);

		strbuf_adds(&out, "keep\n");
		CHECK_INT(emit(f ? 't' : 'c', data, NULL, &out, &err), -AWSX_EFAIL);
		CHECK_INT(err.kind, AWSX_EFAIL);
		CHECK_STR(err.message, message);
		CHECK_STR(out.buf, "keep\n"); /* nothing written */
		strbuf_release(&out);
		cJSON_Delete(data);
	}
}

static void test_unknown_members(void)
{
	expect_error("{\"ImageId\": \"ami-1\", \"DisableApiTermination\": true}",
		     "cannot emit launch template 'web-lt': unknown member "
		     "'DisableApiTermination'");
	expect_error("{\"TagSpecifications\": []}",
		     "cannot emit launch template 'web-lt': unknown member 'TagSpecifications'");
	/* member names are case-sensitive, as in the EC2 API */
	expect_error("{\"imageId\": \"ami-1\"}",
		     "cannot emit launch template 'web-lt': unknown member 'imageId'");
	expect_error("{\"BlockDeviceMappings\": [{\"DeviceName\": \"/dev/xvda\"},"
		     " {\"Ebs\": {\"VolumeSize\": 8, \"KmsKeyId\": \"k\"}}]}",
		     "cannot emit launch template 'web-lt': unknown member "
		     "'BlockDeviceMappings[1].Ebs.KmsKeyId'");
	expect_error("{\"InstanceMarketOptions\":"
		     " {\"SpotOptions\": {\"SpotInstanceType\": \"one-time\"}}}",
		     "cannot emit launch template 'web-lt': unknown member "
		     "'InstanceMarketOptions.SpotOptions.SpotInstanceType'");
	expect_error("{\"NetworkInterfaces\": [{\"SubnetId\": \"subnet-1\"}]}",
		     "cannot emit launch template 'web-lt': unknown member "
		     "'NetworkInterfaces[0].SubnetId'");
	expect_error("{\"ImageId\": \"ami-1\", \"ImageId\": \"ami-2\"}",
		     "cannot emit launch template 'web-lt': duplicate member 'ImageId'");
}

static void test_wrong_types(void)
{
	expect_error("{\"BlockDeviceMappings\": [{\"Ebs\": {\"VolumeSize\": \"8\"}}]}",
		     "cannot emit launch template 'web-lt': expected an integer for "
		     "'BlockDeviceMappings[0].Ebs.VolumeSize'");
	expect_error("{\"MetadataOptions\": {\"HttpPutResponseHopLimit\": 1.5}}",
		     "cannot emit launch template 'web-lt': expected an integer for "
		     "'MetadataOptions.HttpPutResponseHopLimit'");
	expect_error("{\"BlockDeviceMappings\": [{\"Ebs\": {\"Iops\": 1e300}}]}",
		     "cannot emit launch template 'web-lt': expected an integer for "
		     "'BlockDeviceMappings[0].Ebs.Iops'");
	expect_error("{\"EbsOptimized\": \"true\"}",
		     "cannot emit launch template 'web-lt': expected true or false for "
		     "'EbsOptimized'");
	expect_error("{\"ImageId\": null}",
		     "cannot emit launch template 'web-lt': expected a string for 'ImageId'");
	expect_error("{\"SecurityGroupIds\": [\"sg-1\", 2]}",
		     "cannot emit launch template 'web-lt': expected a string for "
		     "'SecurityGroupIds[1]'");
	expect_error("{\"SecurityGroupIds\": \"sg-1\"}",
		     "cannot emit launch template 'web-lt': expected an array for "
		     "'SecurityGroupIds'");
	expect_error("{\"NetworkInterfaces\": [\"eni\"]}",
		     "cannot emit launch template 'web-lt': expected an object for "
		     "'NetworkInterfaces[0]'");
	expect_error("{\"Monitoring\": true}",
		     "cannot emit launch template 'web-lt': expected an object for 'Monitoring'");
	expect_error("[]", "cannot emit launch template 'web-lt': its data is not an object");
}

static void test_bad_utf8_and_tags(void)
{
	struct kvlist tags = KVLIST_INIT;
	struct strbuf out = STRBUF_INIT;
	struct aws_error err;
	cJSON *data = cJSON_CreateObject();

	cJSON_AddStringToObject(data, "KeyName", "bad\xff");
	CHECK_INT(emit('c', data, NULL, &out, &err), -AWSX_EFAIL);
	CHECK_STR(err.message, "cannot emit launch template 'web-lt': invalid UTF-8 in 'KeyName'");
	CHECK_INT(emit('t', data, NULL, &out, &err), -AWSX_EFAIL);
	/* a surrogate, then an overlong '/' */
	cJSON_ReplaceItemInObject(data, "KeyName", cJSON_CreateString("\xed\xa0\x80"));
	CHECK_INT(emit('t', data, NULL, &out, &err), -AWSX_EFAIL);
	cJSON_ReplaceItemInObject(data, "KeyName", cJSON_CreateString("\xc0\xaf"));
	CHECK_INT(emit('c', data, NULL, &out, &err), -AWSX_EFAIL);
	cJSON_ReplaceItemInObject(data, "KeyName", cJSON_CreateString("ok"));
	cJSON_AddNumberToObject(data, "KernelId", 1);
	CHECK_INT(emit('c', data, NULL, &out, &err), -AWSX_EFAIL);
	cJSON_DeleteItemFromObject(data, "KernelId");
	{
		cJSON *mo = cJSON_AddObjectToObject(data, "MetadataOptions");
		cJSON_AddNumberToObject(mo, "HttpPutResponseHopLimit", strtod("nan", NULL));
		CHECK_INT(emit('t', data, NULL, &out, &err), -AWSX_EFAIL);
		CHECK_STR(err.message, "cannot emit launch template 'web-lt': expected an integer "
				       "for 'MetadataOptions.HttpPutResponseHopLimit'");
		cJSON_DeleteItemFromObject(data, "MetadataOptions");
	}

	kvlist_add(&tags, "team", "a");
	kvlist_add(&tags, "Team", "b"); /* tag keys are case-sensitive: fine */
	CHECK_INT(emit('c', data, &tags, &out, &err), 0);
	kvlist_add(&tags, "team", "c");
	CHECK_INT(emit('t', data, &tags, &out, &err), -AWSX_EFAIL);
	CHECK_STR(err.message, "cannot emit launch template 'web-lt': duplicate tag 'team'");
	kvlist_release(&tags);
	kvlist_add(&tags, "k", "v\xfe");
	CHECK_INT(emit('c', data, &tags, &out, &err), -AWSX_EFAIL);
	CHECK_STR(err.message, "cannot emit launch template 'web-lt': invalid UTF-8 in tag 1");

	strbuf_release(&out);
	kvlist_release(&tags);
	cJSON_Delete(data);
}

static void test_bad_names(void)
{
	static const char *const bad_ids[] = { "", "web-lt", "Web Lt", "Web_Lt", "W\xc3\xa9" "b",
					       "Web.Lt" };
	static const char *const bad_tf[] = { "", "1web", "we b", "web.lt", "w\xc3\xa9" "b",
					      "-web", "web$" };
	static const char *const good_tf[] = { "web", "_web-1", "Web_LT-2", "_" };
	struct strbuf out = STRBUF_INIT;
	struct strbuf long_id = STRBUF_INIT;
	struct aws_error err;
	cJSON *data = json("{\"ImageId\": \"ami-1\"}");

	for (size_t i = 0; i < ARRAY_SIZE(bad_ids); i++) {
		aws_error_clear(&err);
		CHECK_INT(tmpl_emit_cfn_launch_template(bad_ids[i], "lt", data, NULL, &out, &err),
			  -AWSX_EFAIL);
		CHECK(strstr(err.message, "invalid CloudFormation logical id"));
	}
	CHECK_STR(out.buf, "");
	aws_error_clear(&err);
	CHECK_INT(tmpl_emit_cfn_launch_template("web-lt", "lt", data, NULL, &out, &err),
		  -AWSX_EFAIL);
	CHECK_STR(err.message,
		  "invalid CloudFormation logical id 'web-lt': use 1 to 255 letters and digits");
	for (int i = 0; i < 255; i++)
		strbuf_addch(&long_id, 'A');
	CHECK_INT(tmpl_emit_cfn_launch_template(long_id.buf, "lt", data, NULL, &out, &err), 0);
	strbuf_addch(&long_id, 'A');
	CHECK_INT(tmpl_emit_cfn_launch_template(long_id.buf, "lt", data, NULL, &out, &err),
		  -AWSX_EFAIL);
	CHECK_INT(tmpl_emit_cfn_launch_template("Web1", "lt", data, NULL, &out, &err), 0);

	strbuf_reset(&out);
	for (size_t i = 0; i < ARRAY_SIZE(bad_tf); i++) {
		aws_error_clear(&err);
		CHECK_INT(tmpl_emit_tf_launch_template(bad_tf[i], "lt", data, NULL, &out, &err),
			  -AWSX_EFAIL);
		CHECK(strstr(err.message, "invalid Terraform resource name"));
	}
	CHECK_STR(out.buf, "");
	CHECK_INT(tmpl_emit_tf_launch_template("1web", "lt", data, NULL, &out, &err), -AWSX_EFAIL);
	CHECK_STR(err.message, "invalid Terraform resource name '1web': use a letter or '_', "
			       "then letters, digits, '_' or '-'");
	for (size_t i = 0; i < ARRAY_SIZE(good_tf); i++) {
		strbuf_reset(&out);
		CHECK_INT(tmpl_emit_tf_launch_template(good_tf[i], "lt", data, NULL, &out, &err),
			  0);
		CHECK(strstr(out.buf, good_tf[i]));
	}

	strbuf_release(&out);
	strbuf_release(&long_id);
	cJSON_Delete(data);
}

/* A capped buffer that fills up is an error, and keeps what it held. */
static void test_output_cap(void)
{
	struct strbuf out = STRBUF_INIT;
	struct aws_error err;
	cJSON *data = json(rich_json);

	strbuf_adds(&out, "keep\n");
	out.max = 200;
	CHECK_INT(emit('c', data, NULL, &out, &err), -AWSX_EFAIL);
	CHECK(strstr(err.message, "output larger than 200 bytes"));
	CHECK_STR(out.buf, "keep\n");
	CHECK(!out.overflow);
	CHECK_INT(emit('t', data, NULL, &out, &err), -AWSX_EFAIL);
	CHECK_STR(out.buf, "keep\n");
	out.max = 0;
	CHECK_INT(emit('t', data, NULL, &out, &err), 0);
	strbuf_release(&out);
	cJSON_Delete(data);
}

int main(void)
{
	RUN(test_rich_cfn);
	RUN(test_rich_tf);
	RUN(test_minimal);
	RUN(test_empty_collections);
	RUN(test_tricky_cfn);
	RUN(test_yaml_quoting);
	RUN(test_tricky_tf);
	RUN(test_hcl_escapes);
	RUN(test_hcl_alignment);
	RUN(test_unknown_members);
	RUN(test_wrong_types);
	RUN(test_bad_utf8_and_tags);
	RUN(test_bad_names);
	RUN(test_output_cap);
	return check_done();
}
