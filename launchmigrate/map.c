/* SPDX-License-Identifier: Apache-2.0 */
/*
 * map.c: one Auto Scaling launch configuration (LC) in, the data of one EC2
 * launch template (LT) out, plus the warnings a user must read before the
 * switch, and a valid, free name for the template.  Each group of LC fields
 * has its own small rule function below; the rules are the list in
 * docs/lc-migrate.md and each has a unit test (tests/unit/test-lcm-map.c).
 * The mapper keeps behaviour: where the LT's defaults differ from the LC's
 * it writes the LC's value out, and where the peer tools are known to go
 * wrong (design.md §6) it does what the AWS documentation says.  Nothing in
 * the LC is lost silently: what has no place in an LT becomes a warning.
 *
 * LC member (autoscaling)         LT data member (ec2 RequestLaunchTemplateData)
 * ------------------------------  ------------------------------------------------
 * ImageId, InstanceType, KeyName  same names
 * SecurityGroups                  SecurityGroupIds, or NetworkInterfaces[0].Groups
 *                                 when AssociatePublicIpAddress is set (never both);
 *                                 "sg-..." kept, names resolved through sg_ids
 * AssociatePublicIpAddress        NetworkInterfaces [{AssociatePublicIpAddress (as
 *                                 is), DeleteOnTermination true, DeviceIndex 0,
 *                                 Groups}]
 * UserData                        UserData, byte for byte (already base64)
 * IamInstanceProfile              IamInstanceProfile {Arn} for "arn:...", else {Name}
 * BlockDeviceMappings[]           BlockDeviceMappings[]: DeviceName, VirtualName,
 *                                 Ebs, NoDevice (true -> "", false -> absent)
 *   .Ebs                          .Ebs: SnapshotId, VolumeSize, VolumeType,
 *                                 DeleteOnTermination, Encrypted (false dropped when
 *                                 a SnapshotId is set), Iops (io1, io2, gp3 only),
 *                                 Throughput (gp3 only)
 * InstanceMonitoring.Enabled      Monitoring.Enabled, as is; absent -> true (the LC
 *                                 default; the LT default is basic), with a warning
 * SpotPrice                       InstanceMarketOptions by enum lcm_spot_mode, or
 *                                 mixed_spot for an all-spot MixedInstancesPolicy
 * EbsOptimized                    EbsOptimized, as is
 * PlacementTenancy                Placement.Tenancy
 * MetadataOptions                 MetadataOptions: HttpTokens,
 *                                 HttpPutResponseHopLimit, HttpEndpoint
 * KernelId                        KernelId
 * RamdiskId                       RamDiskId (capital D in the LT)
 * ClassicLinkVPCId, ...SecurityGroups  dropped with a warning (EC2-Classic retired)
 * LaunchConfigurationName, LaunchConfigurationARN, CreatedTime  metadata, not mapped
 * anything else                   not mapped, a warning names it
 *
 * An empty string or empty list in an LC means "not set" (that is how
 * DescribeLaunchConfigurations reports unset members), so "" is never
 * written to the LT.
 *
 * Output order: the top-level members are emitted in the order of
 * RequestLaunchTemplateData's members in the ec2 model (lt_member_order
 * below), nested members in their shapes' model order, so the same LC always
 * gives the same bytes.
 */
#include "launchmigrate/launchmigrate.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- cJSON constructors that abort on allocation failure, like xmalloc ---- */

static cJSON *must(cJSON *item)
{
	if (!item)
		abort();
	return item;
}

static cJSON *new_object(void)
{
	return must(cJSON_CreateObject());
}

static cJSON *new_array(void)
{
	return must(cJSON_CreateArray());
}

static cJSON *new_string(const char *s)
{
	return must(cJSON_CreateString(s));
}

static cJSON *new_bool(int b)
{
	return must(cJSON_CreateBool(b));
}

static cJSON *new_number(double n)
{
	return must(cJSON_CreateNumber(n));
}

/* Add item to object under name (which is copied); item is handed over. */
static void put(cJSON *object, const char *name, cJSON *item)
{
	if (!cJSON_AddItemToObject(object, name, item))
		abort();
}

static void append(cJSON *array, cJSON *item)
{
	if (!cJSON_AddItemToArray(array, item))
		abort();
}

/* Add item to object when it has members or elements, else free it. */
static void put_unless_empty(cJSON *object, const char *name, cJSON *item)
{
	if (item->child)
		put(object, name, item);
	else
		cJSON_Delete(item);
}

/* ---- the mapping context, warnings and typed reads of the LC ---- */

struct map_ctx {
	const struct lcm_map_input *in;
	const char *lc_name; /* for messages */
	cJSON *data;	     /* the LT data being built */
	cJSON *warnings;
	int mixed_spot;
};

static void warn(struct map_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warn(struct map_ctx *c, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	strbuf_addf(&sb, "launch configuration '%s': ", c->lc_name);
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	append(c->warnings, new_string(sb.buf));
	strbuf_release(&sb);
}

/*
 * The getters below read member name of obj.  path is the member's place
 * for messages ("" at the top, "BlockDeviceMappings[0].Ebs." inside).  JSON
 * null counts as absent; a member of the wrong JSON type is reported and
 * treated as absent, so it is never dropped silently.
 */
static const cJSON *get_typed(struct map_ctx *c, const cJSON *obj, const char *path,
			      const char *name, cJSON_bool (*is_type)(const cJSON *),
			      const char *type_name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (!v || cJSON_IsNull(v))
		return NULL;
	if (!is_type(v)) {
		warn(c, "'%s%s' is not %s; not copied", path, name, type_name);
		return NULL;
	}
	return v;
}

/* A string that is not empty, or NULL. */
static const char *get_string(struct map_ctx *c, const cJSON *obj, const char *path,
			      const char *name)
{
	const cJSON *v = get_typed(c, obj, path, name, cJSON_IsString, "a string");

	return v && *v->valuestring ? v->valuestring : NULL;
}

/* 1 with *value set when the boolean is present, else 0. */
static int get_bool(struct map_ctx *c, const cJSON *obj, const char *path, const char *name,
		    int *value)
{
	const cJSON *v = get_typed(c, obj, path, name, cJSON_IsBool, "a boolean");

	if (!v)
		return 0;
	*value = cJSON_IsTrue(v);
	return 1;
}

static const cJSON *get_number(struct map_ctx *c, const cJSON *obj, const char *path,
			       const char *name)
{
	return get_typed(c, obj, path, name, cJSON_IsNumber, "a number");
}

static const cJSON *get_object(struct map_ctx *c, const cJSON *obj, const char *path,
			       const char *name)
{
	return get_typed(c, obj, path, name, cJSON_IsObject, "an object");
}

/* A list with at least one element, or NULL. */
static const cJSON *get_list(struct map_ctx *c, const cJSON *obj, const char *path,
			     const char *name)
{
	const cJSON *v = get_typed(c, obj, path, name, cJSON_IsArray, "a list");

	return v && v->child ? v : NULL;
}

static int name_in(const char *name, const char *const *names, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (!strcmp(name, names[i]))
			return 1;
	return 0;
}

/* Warn about each member of obj that its autoscaling shape does not have. */
static void warn_unknown_members(struct map_ctx *c, const cJSON *obj, const char *path,
				 const char *const *known, size_t nr_known)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, obj)
	{
		if (m->string && !name_in(m->string, known, nr_known))
			warn(c, "unknown member '%s%s' not copied to the launch template", path,
			     m->string);
	}
}

/* The members of the autoscaling 2011-01-01 shapes, in model order. */
static const char *const lc_members[] = {
	"LaunchConfigurationName", "LaunchConfigurationARN", "ImageId", "KeyName",
	"SecurityGroups", "ClassicLinkVPCId", "ClassicLinkVPCSecurityGroups", "UserData",
	"InstanceType", "KernelId", "RamdiskId", "BlockDeviceMappings", "InstanceMonitoring",
	"SpotPrice", "IamInstanceProfile", "CreatedTime", "EbsOptimized",
	"AssociatePublicIpAddress", "PlacementTenancy", "MetadataOptions",
};
static const char *const lc_block_device_members[] = {
	"VirtualName", "DeviceName", "Ebs", "NoDevice",
};
static const char *const lc_ebs_members[] = {
	"SnapshotId", "VolumeSize", "VolumeType", "DeleteOnTermination",
	"Iops", "Encrypted", "Throughput",
};
static const char *const lc_monitoring_members[] = { "Enabled" };
static const char *const lc_metadata_members[] = {
	"HttpTokens", "HttpPutResponseHopLimit", "HttpEndpoint",
};

/* ---- the rules, one function per group of LC fields ---- */

static void copy_string(struct map_ctx *c, const char *lc_name, const char *lt_name)
{
	const char *v = get_string(c, c->in->lc, "", lc_name);

	if (v)
		put(c->data, lt_name, new_string(v));
}

/* ImageId, InstanceType and KeyName keep their names. */
static void map_basics(struct map_ctx *c)
{
	copy_string(c, "ImageId", "ImageId");
	copy_string(c, "InstanceType", "InstanceType");
	copy_string(c, "KeyName", "KeyName");
}

static int has_string(const cJSON *array, const char *s)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, array)
	{
		if (!strcmp(e->valuestring, s))
			return 1;
	}
	return 0;
}

/*
 * SecurityGroups to a list of ids.  An LC may name its groups (EC2-Classic
 * and default-VPC habits) but an LT in a VPC needs ids.  Names are looked up
 * in in->sg_ids without regard to case, as EC2 compares group names.  An id
 * that appears twice (as a name and as an id) is listed once.
 */
static int resolve_security_groups(struct map_ctx *c, cJSON **ids_out, struct aws_error *err)
{
	const cJSON *groups = get_list(c, c->in->lc, "", "SecurityGroups");
	cJSON *ids = new_array();
	const cJSON *g;

	cJSON_ArrayForEach(g, groups)
	{
		const char *id;

		if (!cJSON_IsString(g)) {
			warn(c, "an entry of 'SecurityGroups' is not a string; not copied");
			continue;
		}
		if (!*g->valuestring)
			continue;
		if (str_starts_with(g->valuestring, "sg-")) {
			id = g->valuestring;
		} else {
			id = c->in->sg_ids ? kvlist_get(c->in->sg_ids, g->valuestring) : NULL;
			if (!id || !*id) {
				cJSON_Delete(ids);
				return aws_error_set(err, AWSX_EFAIL,
						     "launch configuration '%s': security group '%s' "
						     "has no id in the VPC of its Auto Scaling group",
						     c->lc_name, g->valuestring);
			}
		}
		if (!has_string(ids, id))
			append(ids, new_string(id));
	}
	*ids_out = ids;
	return 0;
}

/*
 * AssociatePublicIpAddress and SecurityGroups.  An LT can set a public
 * address only on a network interface, and EC2 rejects security groups both
 * there and at the top, so when the LC sets AssociatePublicIpAddress (true
 * or false: false is a decision too, it overrides the subnet's setting) the
 * groups move into the interface.
 */
static int map_network(struct map_ctx *c, struct aws_error *err)
{
	cJSON *ids = NULL, *nic, *nics; /* NULL: quiets a false maybe-uninitialized at -O2 */
	int public_ip, ret;

	ret = resolve_security_groups(c, &ids, err);
	if (ret)
		return ret;
	if (!get_bool(c, c->in->lc, "", "AssociatePublicIpAddress", &public_ip)) {
		put_unless_empty(c->data, "SecurityGroupIds", ids);
		return 0;
	}
	nic = new_object();
	put(nic, "AssociatePublicIpAddress", new_bool(public_ip));
	put(nic, "DeleteOnTermination", new_bool(1));
	put(nic, "DeviceIndex", new_number(0));
	put_unless_empty(nic, "Groups", ids);
	nics = new_array();
	append(nics, nic);
	put(c->data, "NetworkInterfaces", nics);
	return 0;
}

/*
 * UserData: DescribeLaunchConfigurations returns it base64-encoded and
 * CreateLaunchTemplate wants base64, so the text is copied unchanged;
 * encoding it again is a known peer defect.
 */
static void map_user_data(struct map_ctx *c)
{
	copy_string(c, "UserData", "UserData");
}

/* IamInstanceProfile is a name or an ARN in an LC, a structure in an LT. */
static void map_iam_profile(struct map_ctx *c)
{
	const char *v = get_string(c, c->in->lc, "", "IamInstanceProfile");
	cJSON *profile;

	if (!v)
		return;
	profile = new_object();
	put(profile, str_starts_with(v, "arn:") ? "Arn" : "Name", new_string(v));
	put(c->data, "IamInstanceProfile", profile);
}

/* Volume types whose IOPS can be provisioned (ec2 model, LT Ebs Iops). */
static int takes_iops(const char *volume_type)
{
	return volume_type && (!strcmp(volume_type, "io1") || !strcmp(volume_type, "io2") ||
			       !strcmp(volume_type, "gp3"));
}

static int takes_throughput(const char *volume_type)
{
	return volume_type && !strcmp(volume_type, "gp3");
}

/*
 * One Ebs structure, members in the LT model's order.  Encrypted=false next
 * to a SnapshotId is left out: EC2 refuses an encryption flag of false on a
 * volume restored from a snapshot, and the snapshot's encryption (or the
 * account's encryption by default) decides anyway, so nothing changes.
 * Encrypted=true is kept: it asks EC2 to encrypt a volume restored from an
 * unencrypted snapshot.  Iops and Throughput where the volume type has no
 * such setting are left out with a warning.
 */
static cJSON *map_ebs(struct map_ctx *c, const cJSON *ebs_in, const char *path,
		      const char *device)
{
	const char *snapshot = get_string(c, ebs_in, path, "SnapshotId");
	const char *volume_type = get_string(c, ebs_in, path, "VolumeType");
	const cJSON *size = get_number(c, ebs_in, path, "VolumeSize");
	const cJSON *iops = get_number(c, ebs_in, path, "Iops");
	const cJSON *throughput = get_number(c, ebs_in, path, "Throughput");
	int encrypted, delete_on_termination;
	cJSON *ebs = new_object();

	warn_unknown_members(c, ebs_in, path, lc_ebs_members, ARRAY_SIZE(lc_ebs_members));
	if (get_bool(c, ebs_in, path, "Encrypted", &encrypted) && (encrypted || !snapshot))
		put(ebs, "Encrypted", new_bool(encrypted));
	if (get_bool(c, ebs_in, path, "DeleteOnTermination", &delete_on_termination))
		put(ebs, "DeleteOnTermination", new_bool(delete_on_termination));
	if (iops) {
		if (takes_iops(volume_type))
			put(ebs, "Iops", new_number(iops->valuedouble));
		else
			warn(c,
			     "block device '%s': Iops %d not copied: volume type '%s' has no "
			     "provisioned IOPS (only io1, io2 and gp3 have)",
			     device, iops->valueint, volume_type ? volume_type : "(default)");
	}
	if (snapshot)
		put(ebs, "SnapshotId", new_string(snapshot));
	if (size)
		put(ebs, "VolumeSize", new_number(size->valuedouble));
	if (volume_type)
		put(ebs, "VolumeType", new_string(volume_type));
	if (throughput) {
		if (takes_throughput(volume_type))
			put(ebs, "Throughput", new_number(throughput->valuedouble));
		else
			warn(c,
			     "block device '%s': Throughput %d not copied: volume type '%s' has "
			     "no provisioned throughput (only gp3 has)",
			     device, throughput->valueint,
			     volume_type ? volume_type : "(default)");
	}
	return ebs;
}

/* One mapping; NoDevice is a boolean in an LC and "" (present) in an LT. */
static cJSON *map_block_device(struct map_ctx *c, const cJSON *m, int i)
{
	char *path = xstrfmt("BlockDeviceMappings[%d].", i);
	char *ebs_path = xstrfmt("BlockDeviceMappings[%d].Ebs.", i);
	const char *device = get_string(c, m, path, "DeviceName");
	const char *virtual_name = get_string(c, m, path, "VirtualName");
	const cJSON *ebs_in = get_object(c, m, path, "Ebs");
	int no_device;
	cJSON *out = new_object();

	warn_unknown_members(c, m, path, lc_block_device_members,
			     ARRAY_SIZE(lc_block_device_members));
	if (device)
		put(out, "DeviceName", new_string(device));
	if (virtual_name)
		put(out, "VirtualName", new_string(virtual_name));
	if (ebs_in)
		put_unless_empty(out, "Ebs",
				 map_ebs(c, ebs_in, ebs_path, device ? device : "(no DeviceName)"));
	if (get_bool(c, m, path, "NoDevice", &no_device) && no_device)
		put(out, "NoDevice", new_string(""));
	free(path);
	free(ebs_path);
	return out;
}

static void map_block_devices(struct map_ctx *c)
{
	const cJSON *list = get_list(c, c->in->lc, "", "BlockDeviceMappings");
	const cJSON *m;
	cJSON *out;
	int i = 0;

	if (!list)
		return;
	out = new_array();
	cJSON_ArrayForEach(m, list)
	{
		if (cJSON_IsObject(m))
			append(out, map_block_device(c, m, i));
		else
			warn(c, "'BlockDeviceMappings[%d]' is not an object; not copied", i);
		i++;
	}
	put_unless_empty(c->data, "BlockDeviceMappings", out);
}

/*
 * InstanceMonitoring.Enabled as it is.  Without it an LC launches with
 * detailed monitoring (CreateLaunchConfiguration: "The default value is
 * true") but an LT with basic, so the LC's default is written out.
 */
static void map_monitoring(struct map_ctx *c)
{
	const cJSON *mon = get_object(c, c->in->lc, "", "InstanceMonitoring");
	cJSON *out = new_object();
	int enabled;

	if (mon)
		warn_unknown_members(c, mon, "InstanceMonitoring.", lc_monitoring_members,
				     ARRAY_SIZE(lc_monitoring_members));
	if (!mon || !get_bool(c, mon, "InstanceMonitoring.", "Enabled", &enabled)) {
		enabled = 1;
		warn(c, "InstanceMonitoring is not set: the launch template enables detailed "
			"monitoring, the launch configuration default (a launch template's "
			"default is basic monitoring)");
	}
	put(out, "Enabled", new_bool(enabled));
	put(c->data, "Monitoring", out);
}

/*
 * SpotPrice, by the user's choice.  An empty SpotOptions would be accepted
 * (no member of LaunchTemplateSpotMarketOptionsRequest is required) but says
 * nothing, so without a maximum price SpotOptions is left out: spot then
 * costs the current spot price, at most the on-demand price.
 */
static void map_spot(struct map_ctx *c)
{
	const char *price = get_string(c, c->in->lc, "", "SpotPrice");
	cJSON *market, *spot_options;

	if (!price)
		return;
	if (c->in->spot == LCM_SPOT_MIXED) {
		c->mixed_spot = 1;
		warn(c, "SpotPrice '%s' not copied: the launch template is on-demand and the "
			"Auto Scaling group gets a MixedInstancesPolicy with all instances on "
			"spot", price);
		return;
	}
	market = new_object();
	put(market, "MarketType", new_string("spot"));
	if (c->in->spot == LCM_SPOT_KEEP) {
		spot_options = new_object();
		put(spot_options, "MaxPrice", new_string(price));
		put(market, "SpotOptions", spot_options);
	} else {
		warn(c, "SpotPrice '%s' not copied: the launch template asks for spot "
			"instances without a maximum price, as AWS recommends (they cost the "
			"current spot price, at most the on-demand price)", price);
	}
	put(c->data, "InstanceMarketOptions", market);
}

/* EbsOptimized (true and false alike) and PlacementTenancy. */
static void map_instance_options(struct map_ctx *c)
{
	const char *tenancy = get_string(c, c->in->lc, "", "PlacementTenancy");
	int ebs_optimized;
	cJSON *placement;

	if (get_bool(c, c->in->lc, "", "EbsOptimized", &ebs_optimized))
		put(c->data, "EbsOptimized", new_bool(ebs_optimized));
	if (tenancy) {
		placement = new_object();
		put(placement, "Tenancy", new_string(tenancy));
		put(c->data, "Placement", placement);
	}
}

/* MetadataOptions: the LT's structure has the same three members and more. */
static void map_metadata_options(struct map_ctx *c)
{
	const char *path = "MetadataOptions.";
	const cJSON *in = get_object(c, c->in->lc, "", "MetadataOptions");
	const char *tokens, *endpoint;
	const cJSON *hop_limit;
	cJSON *out;

	if (!in)
		return;
	warn_unknown_members(c, in, path, lc_metadata_members, ARRAY_SIZE(lc_metadata_members));
	tokens = get_string(c, in, path, "HttpTokens");
	hop_limit = get_number(c, in, path, "HttpPutResponseHopLimit");
	endpoint = get_string(c, in, path, "HttpEndpoint");
	out = new_object();
	if (tokens)
		put(out, "HttpTokens", new_string(tokens));
	if (hop_limit)
		put(out, "HttpPutResponseHopLimit", new_number(hop_limit->valuedouble));
	if (endpoint)
		put(out, "HttpEndpoint", new_string(endpoint));
	put_unless_empty(c->data, "MetadataOptions", out);
}

/* KernelId as is; the LC's RamdiskId is the LT's RamDiskId. */
static void map_kernel_ramdisk(struct map_ctx *c)
{
	copy_string(c, "KernelId", "KernelId");
	copy_string(c, "RamdiskId", "RamDiskId");
}

/* ClassicLink linked EC2-Classic instances to a VPC; both are retired. */
static void map_classic_link(struct map_ctx *c)
{
	const char *vpc = get_string(c, c->in->lc, "", "ClassicLinkVPCId");
	const cJSON *groups = get_list(c, c->in->lc, "", "ClassicLinkVPCSecurityGroups");
	struct strbuf what = STRBUF_INIT;

	if (!vpc && !groups)
		return;
	if (vpc)
		strbuf_addf(&what, "ClassicLinkVPCId '%s'", vpc);
	if (groups)
		strbuf_addf(&what, "%sClassicLinkVPCSecurityGroups", vpc ? " and " : "");
	warn(c, "%s not copied: EC2-Classic and ClassicLink are retired and a launch template "
		"has no such setting", what.buf);
	strbuf_release(&what);
}

/*
 * The order of RequestLaunchTemplateData's members in the ec2 2016-11-15
 * model, for the members this file writes.  Every member a rule adds must be
 * listed here.
 */
static const char *const lt_member_order[] = {
	"KernelId", "EbsOptimized", "IamInstanceProfile", "BlockDeviceMappings",
	"NetworkInterfaces", "ImageId", "InstanceType", "KeyName", "Monitoring", "Placement",
	"RamDiskId", "UserData", "SecurityGroupIds", "InstanceMarketOptions", "MetadataOptions",
};

static void order_members(struct map_ctx *c)
{
	cJSON *sorted = new_object();
	cJSON *item;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lt_member_order); i++) {
		item = cJSON_DetachItemFromObjectCaseSensitive(c->data, lt_member_order[i]);
		if (item)
			put(sorted, lt_member_order[i], item);
	}
	assert(!c->data->child);
	cJSON_Delete(c->data);
	c->data = sorted;
}

int lcm_map_launch_config(const struct lcm_map_input *in, struct lcm_map_result *out,
			  struct aws_error *err)
{
	struct map_ctx c = { 0 };
	const cJSON *name;
	int ret;

	if (!cJSON_IsObject(in->lc))
		return aws_error_set(err, AWSX_EFAIL, "launch configuration is not an object");
	name = cJSON_GetObjectItemCaseSensitive(in->lc, "LaunchConfigurationName");
	c.in = in;
	c.lc_name = cJSON_IsString(name) ? name->valuestring : "(unnamed)";
	c.data = new_object();
	c.warnings = new_array();

	ret = map_network(&c, err);
	if (ret)
		goto out;
	map_basics(&c);
	map_user_data(&c);
	map_iam_profile(&c);
	map_block_devices(&c);
	map_monitoring(&c);
	map_spot(&c);
	map_instance_options(&c);
	map_metadata_options(&c);
	map_kernel_ramdisk(&c);
	map_classic_link(&c);
	warn_unknown_members(&c, in->lc, "", lc_members, ARRAY_SIZE(lc_members));
	order_members(&c);

	out->data = c.data;
	out->warnings = c.warnings;
	out->mixed_spot = c.mixed_spot;
	c.data = c.warnings = NULL;
out:
	cJSON_Delete(c.data);
	cJSON_Delete(c.warnings);
	return ret;
}

void lcm_map_result_release(struct lcm_map_result *r)
{
	cJSON_Delete(r->data);
	cJSON_Delete(r->warnings);
	r->data = NULL;
	r->warnings = NULL;
	r->mixed_spot = 0;
}

/* ---- template names ---- */

#define LT_NAME_MAX 128	       /* CreateLaunchTemplate: LaunchTemplateName max */
#define LT_NAME_MIN 3	       /* ... and min */
#define LT_NAME_NUMBERED 10000 /* the name itself, then "-2" ... "-10000" */
#define LT_NAME_RANDOM 8       /* then this many random-ish "-xxxxxxxx" */

/* LaunchTemplateName's pattern: [a-zA-Z0-9\(\)\.\-/_]+ */
static int lt_name_char(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       (ch && strchr("().-/_", ch));
}

/*
 * The LC name with every character the pattern refuses replaced by '_'.  A
 * UTF-8 character becomes one '_', not one per byte, so names stay readable.
 */
static void sanitize_name(const char *lc_name, struct strbuf *out)
{
	const unsigned char *p;
	int in_utf8 = 0;

	for (p = (const unsigned char *)lc_name; *p && out->len < LT_NAME_MAX; p++) {
		if (in_utf8 && (*p & 0xc0) == 0x80)
			continue; /* continuation byte of a character already replaced */
		in_utf8 = *p >= 0xc0;
		strbuf_addch(out, lt_name_char(*p) ? *p : '_');
	}
	if (out->len < LT_NAME_MIN)
		strbuf_adds(out, "-lt");
}

/* base, shortened so that base + suffix fits LT_NAME_MAX, then suffix. */
static void name_with_suffix(const struct strbuf *base, const char *suffix, struct strbuf *out)
{
	size_t room = LT_NAME_MAX - strlen(suffix);

	strbuf_reset(out);
	strbuf_add(out, base->buf, base->len < room ? base->len : room);
	strbuf_adds(out, suffix);
}

/* A suffix unlikely to be used: hash of the name, the clock, the pid, a counter. */
static unsigned long random_ish(const char *lc_name, unsigned attempt)
{
	static unsigned counter;
	struct timespec ts;
	uint64_t h = 1469598103934665603ULL; /* FNV-1a, then a splitmix64 finish */
	const unsigned char *p;

	for (p = (const unsigned char *)lc_name; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	clock_gettime(CLOCK_REALTIME, &ts);
	h ^= (uint64_t)ts.tv_sec * 1000000007ULL + (uint64_t)ts.tv_nsec;
	h ^= (uint64_t)getpid() << 32;
	h += (uint64_t)(++counter) * 0x9e3779b97f4a7c15ULL + attempt;
	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return (unsigned long)(h & 0xffffffffUL);
}

/*
 * After the name and "-2" ... "-10000" are all taken (a taken() that
 * always says yes, or a very crowded account), a few random-ish suffixes
 * are tried; if those are taken too the last one is handed back anyway and
 * CreateLaunchTemplate's AlreadyExists error tells the user.
 */
void lcm_template_name(const char *lc_name, int (*taken)(const char *name, void *ud), void *ud,
		       struct strbuf *out)
{
	struct strbuf base = STRBUF_INIT;
	char suffix[32];
	unsigned n;

	if (!lc_name)
		lc_name = "";
	sanitize_name(lc_name, &base);
	name_with_suffix(&base, "", out);
	if (!taken || !taken(out->buf, ud))
		goto out;
	for (n = 2; n <= LT_NAME_NUMBERED; n++) {
		snprintf(suffix, sizeof(suffix), "-%u", n);
		name_with_suffix(&base, suffix, out);
		if (!taken(out->buf, ud))
			goto out;
	}
	for (n = 0; n < LT_NAME_RANDOM; n++) {
		snprintf(suffix, sizeof(suffix), "-%08lx", random_ish(lc_name, n));
		name_with_suffix(&base, suffix, out);
		if (!taken(out->buf, ud))
			goto out;
	}
out:
	strbuf_release(&base);
}
