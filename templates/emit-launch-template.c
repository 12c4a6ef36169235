/* SPDX-License-Identifier: Apache-2.0 */
/*
 * emit-launch-template.c: writes EC2 launch template data as a CloudFormation
 * AWS::EC2::LaunchTemplate resource (YAML) or a Terraform aws_launch_template
 * resource (HCL), for `awsx lc-migrate export`.  One table lists every member
 * the emitters know, with its CloudFormation and Terraform names; a shared
 * pass checks the whole input against it before a byte is written (an
 * unknown member, a wrong JSON type or bad UTF-8 is an error, never dropped
 * or passed through), then each writer walks the same table in the same
 * order, so the output is deterministic.  Every string the user controls is
 * quoted or escaped so that YAML and HCL read back exactly what went in.
 */
#include "templates/templates.h"

#include <stdarg.h>
#include <string.h>
#include <strings.h>

enum lt_kind {
	LT_STRING,
	LT_BOOL,
	LT_INT,
	LT_STRINGS, /* array of strings */
	LT_OBJECT,
	LT_OBJECTS, /* array of objects: a YAML sequence, repeated HCL blocks */
};

struct lt_shape;

struct lt_member {
	const char *json; /* RequestLaunchTemplateData member (botocore ec2) */
	const char *cfn;  /* AWS::EC2::LaunchTemplate LaunchTemplateData property */
	const char *tf;	  /* aws_launch_template argument or block */
	enum lt_kind kind;
	const struct lt_shape *shape; /* members of LT_OBJECT and LT_OBJECTS */
	const char *tf_note;	      /* "# " comment above it in HCL, or NULL */
};

struct lt_shape {
	const struct lt_member *members;
	size_t nr;
};

#define LT_SHAPE(table) { table, ARRAY_SIZE(table) }
#define LT_LEAF(json, cfn, tf, kind) { json, cfn, tf, kind, NULL, NULL }
#define LT_NODE(json, cfn, tf, kind, shape) { json, cfn, tf, kind, &shape, NULL }

/*
 * For every member below CloudFormation uses the EC2 name (RamDiskId
 * included), so the cfn column repeats json; it is kept apart because the
 * two models do differ elsewhere.  Within each table, scalars come before
 * blocks, as Terraform style has it.
 */
static const struct lt_member ebs_members[] = {
	LT_LEAF("SnapshotId", "SnapshotId", "snapshot_id", LT_STRING),
	LT_LEAF("VolumeSize", "VolumeSize", "volume_size", LT_INT),
	LT_LEAF("VolumeType", "VolumeType", "volume_type", LT_STRING),
	LT_LEAF("DeleteOnTermination", "DeleteOnTermination", "delete_on_termination", LT_BOOL),
	LT_LEAF("Encrypted", "Encrypted", "encrypted", LT_BOOL),
	LT_LEAF("Iops", "Iops", "iops", LT_INT),
	LT_LEAF("Throughput", "Throughput", "throughput", LT_INT),
};
static const struct lt_shape ebs_shape = LT_SHAPE(ebs_members);

static const struct lt_member block_device_members[] = {
	LT_LEAF("DeviceName", "DeviceName", "device_name", LT_STRING),
	/*
	 * EC2 suppresses the device when NoDevice is present (its value is
	 * ""), but the Terraform provider only sends a non-empty no_device.
	 */
	{ "NoDevice", "NoDevice", "no_device", LT_STRING, NULL,
	  "the AWS provider does not send an empty no_device: "
	  "check that this device is suppressed" },
	LT_LEAF("VirtualName", "VirtualName", "virtual_name", LT_STRING),
	LT_NODE("Ebs", "Ebs", "ebs", LT_OBJECT, ebs_shape),
};
static const struct lt_shape block_device_shape = LT_SHAPE(block_device_members);

static const struct lt_member network_interface_members[] = {
	LT_LEAF("DeviceIndex", "DeviceIndex", "device_index", LT_INT),
	LT_LEAF("AssociatePublicIpAddress", "AssociatePublicIpAddress",
		"associate_public_ip_address", LT_BOOL),
	LT_LEAF("DeleteOnTermination", "DeleteOnTermination", "delete_on_termination", LT_BOOL),
	LT_LEAF("Groups", "Groups", "security_groups", LT_STRINGS),
};
static const struct lt_shape network_interface_shape = LT_SHAPE(network_interface_members);

static const struct lt_member iam_instance_profile_members[] = {
	LT_LEAF("Arn", "Arn", "arn", LT_STRING),
	LT_LEAF("Name", "Name", "name", LT_STRING),
};
static const struct lt_shape iam_instance_profile_shape = LT_SHAPE(iam_instance_profile_members);

static const struct lt_member monitoring_members[] = {
	LT_LEAF("Enabled", "Enabled", "enabled", LT_BOOL),
};
static const struct lt_shape monitoring_shape = LT_SHAPE(monitoring_members);

static const struct lt_member placement_members[] = {
	LT_LEAF("Tenancy", "Tenancy", "tenancy", LT_STRING),
};
static const struct lt_shape placement_shape = LT_SHAPE(placement_members);

static const struct lt_member spot_options_members[] = {
	LT_LEAF("MaxPrice", "MaxPrice", "max_price", LT_STRING),
};
static const struct lt_shape spot_options_shape = LT_SHAPE(spot_options_members);

static const struct lt_member market_options_members[] = {
	LT_LEAF("MarketType", "MarketType", "market_type", LT_STRING),
	LT_NODE("SpotOptions", "SpotOptions", "spot_options", LT_OBJECT, spot_options_shape),
};
static const struct lt_shape market_options_shape = LT_SHAPE(market_options_members);

static const struct lt_member metadata_options_members[] = {
	LT_LEAF("HttpTokens", "HttpTokens", "http_tokens", LT_STRING),
	LT_LEAF("HttpPutResponseHopLimit", "HttpPutResponseHopLimit",
		"http_put_response_hop_limit", LT_INT),
	LT_LEAF("HttpEndpoint", "HttpEndpoint", "http_endpoint", LT_STRING),
};
static const struct lt_shape metadata_options_shape = LT_SHAPE(metadata_options_members);

static const struct lt_member launch_template_members[] = {
	LT_LEAF("ImageId", "ImageId", "image_id", LT_STRING),
	LT_LEAF("InstanceType", "InstanceType", "instance_type", LT_STRING),
	LT_LEAF("KeyName", "KeyName", "key_name", LT_STRING),
	LT_LEAF("KernelId", "KernelId", "kernel_id", LT_STRING),
	LT_LEAF("RamDiskId", "RamDiskId", "ram_disk_id", LT_STRING),
	LT_LEAF("EbsOptimized", "EbsOptimized", "ebs_optimized", LT_BOOL),
	LT_LEAF("SecurityGroupIds", "SecurityGroupIds", "vpc_security_group_ids", LT_STRINGS),
	LT_LEAF("UserData", "UserData", "user_data", LT_STRING),
	LT_NODE("IamInstanceProfile", "IamInstanceProfile", "iam_instance_profile", LT_OBJECT,
		iam_instance_profile_shape),
	LT_NODE("NetworkInterfaces", "NetworkInterfaces", "network_interfaces", LT_OBJECTS,
		network_interface_shape),
	LT_NODE("BlockDeviceMappings", "BlockDeviceMappings", "block_device_mappings", LT_OBJECTS,
		block_device_shape),
	LT_NODE("Monitoring", "Monitoring", "monitoring", LT_OBJECT, monitoring_shape),
	LT_NODE("Placement", "Placement", "placement", LT_OBJECT, placement_shape),
	LT_NODE("InstanceMarketOptions", "InstanceMarketOptions", "instance_market_options",
		LT_OBJECT, market_options_shape),
	LT_NODE("MetadataOptions", "MetadataOptions", "metadata_options", LT_OBJECT,
		metadata_options_shape),
};
static const struct lt_shape launch_template_shape = LT_SHAPE(launch_template_members);

/* ---- UTF-8 ---- */

/*
 * Decode the sequence at s into *cp; returns its length, or 0 when it is
 * not well-formed UTF-8 (overlong, surrogate, past U+10FFFF, cut short).
 */
static size_t utf8_decode(const char *str, unsigned *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned min;
	size_t n;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2, min = 0x80, *cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3, min = 0x800, *cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4, min = 0x10000, *cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) /* also stops at the NUL */
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return n;
}

static int utf8_valid(const char *s)
{
	unsigned cp;

	while (*s) {
		size_t n = utf8_decode(s, &cp);
		if (!n)
			return 0;
		s += n;
	}
	return 1;
}

/* Characters on screen, near enough for lining up `=` (not grapheme clusters). */
static size_t utf8_width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* ---- the shared pass: check data against the table ---- */

static const struct lt_member *lt_find(const struct lt_shape *shape, const char *json)
{
	for (size_t i = 0; i < shape->nr; i++)
		if (!strcmp(shape->members[i].json, json))
			return &shape->members[i];
	return NULL;
}

/* Set "cannot emit launch template '<lt_name>': <fmt...>"; returns -AWSX_EFAIL. */
static int lt_error(struct aws_error *err, const char *lt_name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int lt_error(struct aws_error *err, const char *lt_name, const char *fmt, ...)
{
	struct strbuf what = STRBUF_INIT;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	strbuf_vaddf(&what, fmt, ap);
	va_end(ap);
	rc = aws_error_set(err, AWSX_EFAIL, "cannot emit launch template '%s': %s", lt_name,
			   what.buf);
	strbuf_release(&what);
	return rc;
}

static int lt_fail(struct aws_error *err, const char *lt_name, const struct strbuf *path,
		   const char *what)
{
	return lt_error(err, lt_name, "%s '%s'", what, path->buf);
}

static int lt_check_object(const struct lt_shape *shape, const cJSON *obj, const char *lt_name,
			   struct strbuf *path, struct aws_error *err);

/* Check one value of member m; path names it. */
static int lt_check_value(const struct lt_member *m, const cJSON *v, const char *lt_name,
			  struct strbuf *path, struct aws_error *err)
{
	/* integers as exact doubles: EC2's Integer members are far smaller */
	const double int_limit = 9007199254740992.0; /* 2^53 */
	size_t len = path->len;
	const cJSON *item;
	int i = 0, rc = 0;
	double d;

	switch (m->kind) {
	case LT_STRING:
		if (!cJSON_IsString(v))
			return lt_fail(err, lt_name, path, "expected a string for");
		if (!utf8_valid(v->valuestring))
			return lt_fail(err, lt_name, path, "invalid UTF-8 in");
		return 0;
	case LT_BOOL:
		if (!cJSON_IsBool(v))
			return lt_fail(err, lt_name, path, "expected true or false for");
		return 0;
	case LT_INT:
		d = v->valuedouble;
		/* written so that NaN fails before the cast */
		if (!cJSON_IsNumber(v) || !(d >= -int_limit && d <= int_limit) ||
		    d != (double)(long long)d)
			return lt_fail(err, lt_name, path, "expected an integer for");
		return 0;
	case LT_OBJECT:
		if (!cJSON_IsObject(v))
			return lt_fail(err, lt_name, path, "expected an object for");
		return lt_check_object(m->shape, v, lt_name, path, err);
	case LT_STRINGS:
	case LT_OBJECTS:
		if (!cJSON_IsArray(v))
			return lt_fail(err, lt_name, path, "expected an array for");
		cJSON_ArrayForEach(item, v)
		{
			strbuf_addf(path, "[%d]", i++);
			if (m->kind == LT_OBJECTS && !cJSON_IsObject(item))
				rc = lt_fail(err, lt_name, path, "expected an object for");
			else if (m->kind == LT_OBJECTS)
				rc = lt_check_object(m->shape, item, lt_name, path, err);
			else if (!cJSON_IsString(item))
				rc = lt_fail(err, lt_name, path, "expected a string for");
			else if (!utf8_valid(item->valuestring))
				rc = lt_fail(err, lt_name, path, "invalid UTF-8 in");
			if (rc)
				return rc;
			strbuf_setlen(path, len);
		}
		return 0;
	}
	return lt_fail(err, lt_name, path, "no rule for");
}

/*
 * Every member of obj must be in shape, once, with the right type.  path is
 * where obj is ("" for the top); on error it names the offending member.
 */
static int lt_check_object(const struct lt_shape *shape, const cJSON *obj, const char *lt_name,
			   struct strbuf *path, struct aws_error *err)
{
	size_t len = path->len;
	const cJSON *v;
	int rc;

	cJSON_ArrayForEach(v, obj)
	{
		const struct lt_member *m = lt_find(shape, v->string ? v->string : "");

		strbuf_addf(path, "%s%s", len ? "." : "", v->string ? v->string : "");
		if (!m)
			return lt_fail(err, lt_name, path, "unknown member");
		for (const cJSON *prev = obj->child; prev != v; prev = prev->next)
			if (!strcmp(prev->string, v->string))
				return lt_fail(err, lt_name, path, "duplicate member");
		rc = lt_check_value(m, v, lt_name, path, err);
		if (rc)
			return rc;
		strbuf_setlen(path, len);
	}
	return 0;
}

static int lt_check(const char *lt_name, const cJSON *data, const struct kvlist *tags,
		    struct aws_error *err)
{
	struct strbuf path = STRBUF_INIT;
	int rc = 0;

	if (!utf8_valid(lt_name)) {
		rc = aws_error_set(err, AWSX_EFAIL,
				   "cannot emit launch template: invalid UTF-8 in its name");
		goto out;
	}
	if (!cJSON_IsObject(data)) {
		rc = lt_error(err, lt_name, "its data is not an object");
		goto out;
	}
	rc = lt_check_object(&launch_template_shape, data, lt_name, &path, err);
	if (rc)
		goto out;
	for (size_t i = 0; tags && i < tags->nr; i++) {
		if (!utf8_valid(tags->items[i].name) || !utf8_valid(tags->items[i].value)) {
			rc = lt_error(err, lt_name, "invalid UTF-8 in tag %zu", i + 1);
			goto out;
		}
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(tags->items[i].name, tags->items[j].name)) {
				rc = lt_error(err, lt_name, "duplicate tag '%s'",
					      tags->items[i].name);
				goto out;
			}
		}
	}
out:
	strbuf_release(&path);
	return rc;
}

static int lt_finish(struct strbuf *out, size_t start, const char *lt_name, struct aws_error *err)
{
	if (!out->overflow)
		return 0;
	strbuf_setlen(out, start);
	out->overflow = 0;
	return lt_error(err, lt_name, "output larger than %zu bytes", out->max);
}

static void add_indent(struct strbuf *out, int n)
{
	for (int i = 0; i < n; i++)
		strbuf_addch(out, ' ');
}

/* A string, boolean or integer member's value; YAML and HCL spell the last two alike. */
static void add_scalar(struct strbuf *out, const struct lt_member *m, const cJSON *v,
		       void (*add_string)(struct strbuf *out, const char *s))
{
	if (m->kind == LT_BOOL)
		strbuf_adds(out, cJSON_IsTrue(v) ? "true" : "false");
	else if (m->kind == LT_INT)
		strbuf_addf(out, "%lld", (long long)v->valuedouble);
	else
		add_string(out, v->valuestring);
}

/* ---- CloudFormation YAML ---- */

enum yaml_style { YAML_PLAIN, YAML_SINGLE, YAML_DOUBLE };

/* Characters YAML cannot hold literally (or reads as line breaks or a BOM). */
static int yaml_must_escape(unsigned cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
	       cp == 0xfeff || cp == 0xfffe || cp == 0xffff;
}

static int ascii_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int ascii_alnum(int c)
{
	return ascii_alpha(c) || (c >= '0' && c <= '9');
}

/*
 * The plainest style that reads back as this very string under YAML 1.1 and
 * 1.2 alike.  Plain is kept for what is plainly a word, an id or a path: it
 * must start with a letter, '_' or '/' (so no number, date, indicator, '~'
 * or '.inf' can hide in it), not be a YAML 1.1 boolean or null in any case,
 * and hold neither ": " nor " #" nor end in ':' or a space.
 */
static enum yaml_style yaml_style_for(const char *s)
{
	static const char *const words[] = { "y", "n", "yes", "no", "on", "off", "true", "false",
					     "null" };
	size_t len = strlen(s), n;
	unsigned cp;

	for (const char *p = s; *p; p += n) {
		n = utf8_decode(p, &cp);
		if (yaml_must_escape(cp))
			return YAML_DOUBLE;
	}
	if (!len || (!ascii_alpha(s[0]) && s[0] != '_' && s[0] != '/'))
		return YAML_SINGLE;
	if (s[len - 1] == ' ' || s[len - 1] == ':' || strstr(s, ": ") || strstr(s, " #"))
		return YAML_SINGLE;
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (!strcasecmp(s, words[i]))
			return YAML_SINGLE;
	return YAML_PLAIN;
}

static void yaml_add_string(struct strbuf *out, const char *s)
{
	unsigned cp;
	size_t n;

	switch (yaml_style_for(s)) {
	case YAML_PLAIN:
		strbuf_adds(out, s);
		return;
	case YAML_SINGLE:
		strbuf_addch(out, '\'');
		for (; *s; s++) {
			if (*s == '\'')
				strbuf_addch(out, '\'');
			strbuf_addch(out, *s);
		}
		strbuf_addch(out, '\'');
		return;
	case YAML_DOUBLE:
		strbuf_addch(out, '"');
		for (; *s; s += n) {
			n = utf8_decode(s, &cp);
			if (cp == '"' || cp == '\\')
				strbuf_addf(out, "\\%c", (char)cp);
			else if (cp == '\n')
				strbuf_adds(out, "\\n");
			else if (cp == '\t')
				strbuf_adds(out, "\\t");
			else if (cp == '\r')
				strbuf_adds(out, "\\r");
			else if (cp <= 0xff && yaml_must_escape(cp))
				strbuf_addf(out, "\\x%02x", cp);
			else if (yaml_must_escape(cp))
				strbuf_addf(out, "\\u%04x", cp);
			else
				strbuf_add(out, s, n);
		}
		strbuf_addch(out, '"');
		return;
	}
}


/*
 * The members of obj as a block mapping at column indent.  after_dash: the
 * line already holds "- " up to indent, so the first key goes right there.
 */
static void yaml_add_object(struct strbuf *out, const struct lt_shape *shape, const cJSON *obj,
			    int indent, int after_dash)
{
	for (size_t i = 0; i < shape->nr; i++) {
		const struct lt_member *m = &shape->members[i];
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, m->json);
		const cJSON *item;

		if (!v)
			continue;
		if (!after_dash)
			add_indent(out, indent);
		after_dash = 0;
		strbuf_addf(out, "%s:", m->cfn);
		switch (m->kind) {
		case LT_STRING:
		case LT_BOOL:
		case LT_INT:
			strbuf_addch(out, ' ');
			add_scalar(out, m, v, yaml_add_string);
			strbuf_addch(out, '\n');
			break;
		case LT_OBJECT:
			if (!v->child) {
				strbuf_adds(out, " {}\n");
				break;
			}
			strbuf_addch(out, '\n');
			yaml_add_object(out, m->shape, v, indent + 2, 0);
			break;
		case LT_STRINGS:
		case LT_OBJECTS:
			if (!v->child) {
				strbuf_adds(out, " []\n");
				break;
			}
			strbuf_addch(out, '\n');
			cJSON_ArrayForEach(item, v)
			{
				add_indent(out, indent + 2);
				strbuf_adds(out, "- ");
				if (m->kind == LT_STRINGS) {
					yaml_add_string(out, item->valuestring);
					strbuf_addch(out, '\n');
				} else if (!item->child) {
					strbuf_adds(out, "{}\n");
				} else {
					yaml_add_object(out, m->shape, item, indent + 4, 1);
				}
			}
			break;
		}
	}
}

/* CloudFormation logical ids: letters and digits only, at most 255. */
static int cfn_logical_id_valid(const char *id)
{
	size_t len = strlen(id);

	if (!len || len > 255)
		return 0;
	for (; *id; id++)
		if (!ascii_alnum(*id))
			return 0;
	return 1;
}

int tmpl_emit_cfn_launch_template(const char *logical_id, const char *lt_name,
				  const cJSON *data, const struct kvlist *tags,
				  struct strbuf *out, struct aws_error *err)
{
	size_t start = out->len;
	int rc;

	if (!cfn_logical_id_valid(logical_id)) {
		rc = aws_error_set(err, AWSX_EFAIL,
				   "invalid CloudFormation logical id '%s': "
				   "use 1 to 255 letters and digits",
				   logical_id);
		goto out;
	}
	rc = lt_check(lt_name, data, tags, err);
	if (rc)
		goto out;

	strbuf_addf(out, "Resources:\n  %s:\n    Type: AWS::EC2::LaunchTemplate\n    Properties:\n",
		    logical_id);
	strbuf_adds(out, "      LaunchTemplateName: ");
	yaml_add_string(out, lt_name);
	strbuf_adds(out, "\n      LaunchTemplateData:");
	if (data->child) {
		strbuf_addch(out, '\n');
		yaml_add_object(out, &launch_template_shape, data, 8, 0);
	} else {
		strbuf_adds(out, " {}\n");
	}
	if (tags && tags->nr) {
		strbuf_adds(out, "      TagSpecifications:\n"
				 "        - ResourceType: launch-template\n"
				 "          Tags:\n");
		for (size_t i = 0; i < tags->nr; i++) {
			strbuf_adds(out, "            - Key: ");
			yaml_add_string(out, tags->items[i].name);
			strbuf_adds(out, "\n              Value: ");
			yaml_add_string(out, tags->items[i].value);
			strbuf_addch(out, '\n');
		}
	}
	strbuf_addf(out,
		    "\n"
		    "# To move the Auto Scaling group to this launch template, replace\n"
		    "# LaunchConfigurationName in its AWS::AutoScaling::AutoScalingGroup\n"
		    "# Properties with:\n"
		    "#   LaunchTemplate:\n"
		    "#     LaunchTemplateId: !Ref %s\n"
		    "#     Version: !GetAtt %s.LatestVersionNumber\n",
		    logical_id, logical_id);
	rc = lt_finish(out, start, lt_name, err);
out:
	return rc;
}

/* ---- Terraform HCL ---- */

/*
 * A quoted HCL string.  Besides the usual escapes, "${" and "%{" are
 * doubled to "$${" and "%%{" so that Terraform interpolates nothing.
 */
static void hcl_add_string(struct strbuf *out, const char *s)
{
	unsigned cp = 0; /* set by the decoder; 0 quiets -O3 maybe-uninitialized */
	size_t n;

	strbuf_addch(out, '"');
	for (; *s; s += n) {
		n = utf8_decode(s, &cp);
		if ((cp == '$' || cp == '%') && s[1] == '{')
			strbuf_addch(out, (char)cp); /* then itself, and '{' next round */
		if (cp == '"' || cp == '\\')
			strbuf_addf(out, "\\%c", (char)cp);
		else if (cp == '\n')
			strbuf_adds(out, "\\n");
		else if (cp == '\t')
			strbuf_adds(out, "\\t");
		else if (cp == '\r')
			strbuf_adds(out, "\\r");
		else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			strbuf_addf(out, "\\u%04x", cp);
		else
			strbuf_add(out, s, n);
	}
	strbuf_addch(out, '"');
}

static int tf_is_block(const struct lt_member *m)
{
	return m->kind == LT_OBJECT || m->kind == LT_OBJECTS;
}

/*
 * terraform fmt lines up the '=' of consecutive one-line attributes; a
 * block or a comment line ends the run.  The width of the run that starts
 * at member 'from' of obj.
 */
static int tf_run_width(const struct lt_shape *shape, const cJSON *obj, size_t from)
{
	int width = 0;

	for (size_t i = from; i < shape->nr; i++) {
		const struct lt_member *m = &shape->members[i];

		if (!cJSON_GetObjectItemCaseSensitive(obj, m->json))
			continue;
		if (tf_is_block(m) || (i > from && m->tf_note))
			break;
		if ((int)strlen(m->tf) > width)
			width = (int)strlen(m->tf);
	}
	return width;
}

/*
 * The body of a block: obj's members at column indent.  width: the '='
 * column of a run already begun by the caller's own lines, or -1.
 */
static void tf_add_block(struct strbuf *out, const struct lt_shape *shape, const cJSON *obj,
			 int indent, int width)
{
	for (size_t i = 0; i < shape->nr; i++) {
		const struct lt_member *m = &shape->members[i];
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, m->json);
		const cJSON *item;

		if (!v)
			continue;
		if (m->tf_note) {
			add_indent(out, indent);
			strbuf_addf(out, "# %s\n", m->tf_note);
			width = -1;
		}
		if (tf_is_block(m)) {
			/* an object is one block, an array of them repeats it */
			const cJSON *first = m->kind == LT_OBJECT ? v : v->child;

			for (item = first; item; item = m->kind == LT_OBJECT ? NULL : item->next) {
				add_indent(out, indent);
				strbuf_addf(out, "%s {", m->tf);
				if (item->child) {
					strbuf_addch(out, '\n');
					tf_add_block(out, m->shape, item, indent + 2, -1);
					add_indent(out, indent);
				}
				strbuf_adds(out, "}\n");
			}
			width = -1;
			continue;
		}
		if (width < 0)
			width = tf_run_width(shape, obj, i);
		add_indent(out, indent);
		strbuf_adds(out, m->tf);
		add_indent(out, width - (int)strlen(m->tf));
		strbuf_adds(out, " = ");
		if (m->kind == LT_STRINGS) {
			strbuf_addch(out, '[');
			cJSON_ArrayForEach(item, v)
			{
				if (item != v->child)
					strbuf_adds(out, ", ");
				hcl_add_string(out, item->valuestring);
			}
			strbuf_addch(out, ']');
		} else {
			add_scalar(out, m, v, hcl_add_string);
		}
		strbuf_addch(out, '\n');
	}
}

/* Terraform resource names: a letter or '_', then letters, digits, '_' and '-'. */
static int tf_resource_name_valid(const char *name)
{
	if (!ascii_alpha(*name) && *name != '_')
		return 0;
	for (; *name; name++)
		if (!ascii_alnum(*name) && *name != '_' && *name != '-')
			return 0;
	return 1;
}

int tmpl_emit_tf_launch_template(const char *resource_name, const char *lt_name,
				 const cJSON *data, const struct kvlist *tags,
				 struct strbuf *out, struct aws_error *err)
{
	size_t start = out->len;
	struct strbuf key = STRBUF_INIT;
	int rc, width;

	if (!tf_resource_name_valid(resource_name)) {
		rc = aws_error_set(err, AWSX_EFAIL,
				   "invalid Terraform resource name '%s': use a letter or '_', "
				   "then letters, digits, '_' or '-'",
				   resource_name);
		goto out;
	}
	rc = lt_check(lt_name, data, tags, err);
	if (rc)
		goto out;

	/* name heads the run of one-line attributes that opens the body */
	width = tf_run_width(&launch_template_shape, data, 0);
	if (width < 4)
		width = 4;
	strbuf_addf(out, "resource \"aws_launch_template\" \"%s\" {\n  name", resource_name);
	add_indent(out, width - 4);
	strbuf_adds(out, " = ");
	hcl_add_string(out, lt_name);
	strbuf_addch(out, '\n');
	tf_add_block(out, &launch_template_shape, data, 2, width);
	if (tags && tags->nr) {
		size_t key_width = 0;

		for (size_t i = 0; i < tags->nr; i++) {
			strbuf_reset(&key);
			hcl_add_string(&key, tags->items[i].name);
			if (utf8_width(key.buf) > key_width)
				key_width = utf8_width(key.buf);
		}
		strbuf_adds(out, "  tags = {\n");
		for (size_t i = 0; i < tags->nr; i++) {
			strbuf_reset(&key);
			hcl_add_string(&key, tags->items[i].name);
			strbuf_adds(out, "    ");
			strbuf_adds(out, key.buf);
			add_indent(out, (int)(key_width - utf8_width(key.buf)));
			strbuf_adds(out, " = ");
			hcl_add_string(out, tags->items[i].value);
			strbuf_addch(out, '\n');
		}
		strbuf_adds(out, "  }\n");
	}
	strbuf_addf(out,
		    "}\n"
		    "\n"
		    "# To move the Auto Scaling group to this launch template, replace\n"
		    "# launch_configuration in its aws_autoscaling_group with:\n"
		    "#   launch_template {\n"
		    "#     id      = aws_launch_template.%s.id\n"
		    "#     version = aws_launch_template.%s.latest_version\n"
		    "#   }\n",
		    resource_name, resource_name);
	rc = lt_finish(out, start, lt_name, err);
out:
	strbuf_release(&key);
	return rc;
}
