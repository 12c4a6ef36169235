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

/* ---- inventory ---- */

struct lcm_asg {
	char *name;
	char *managed_by; /* NULL, "cloudformation:<stack>" or "elasticbeanstalk:<env>" */
	char *subnets;	  /* VPCZoneIdentifier: "subnet-a,subnet-b", or NULL */
};

/* One launch configuration found in one account and region. */
struct lcm_row {
	char *account;
	char *region;
	cJSON *lc; /* the launch configuration, botocore shape (owned) */
	struct lcm_asg *asgs; /* the Auto Scaling groups using it */
	size_t nasgs, alloc_asgs;
	size_t seq; /* order of arrival: DescribeLaunchConfigurations order within a scope */
};

/* One account x region that was (or could not be) inventoried. */
struct lcm_scope {
	char *account;
	char *region;
	int count;   /* launch configurations found */
	char *error; /* NULL when the scope was read completely */
};

/* An account the inventory entered, with the credentials it used there. */
struct lcm_account {
	char *id;
	struct aws_credentials creds; /* assumed-role credentials (--org) */
	int own_creds;		      /* 0: the context's credentials */
};

struct lcm_inventory {
	struct lcm_row *rows;
	size_t nrows, alloc_rows;
	struct lcm_scope *scopes;
	size_t nscopes, alloc_scopes;
	struct lcm_account *accounts; /* kept for the calls that follow (plan, apply) */
	size_t naccounts;
};

/* The credentials for calls in account, NULL for the context's own. */
const struct aws_credentials *lcm_account_credentials(const struct lcm_inventory *inv,
						      const char *account);

enum lcm_format {
	LCM_FORMAT_TABLE,
	LCM_FORMAT_CSV,
	LCM_FORMAT_JSON,
	LCM_FORMAT_AWS_SCRIPT, /* byte for byte what AWS's inventory script writes */
};

void lcm_inventory_init(struct lcm_inventory *inv);
void lcm_inventory_release(struct lcm_inventory *inv);
/* Add a row (takes ownership of lc); returns it so ASGs can be attached. */
struct lcm_row *lcm_inventory_add(struct lcm_inventory *inv, const char *account,
				  const char *region, cJSON *lc);
void lcm_row_add_asg(struct lcm_row *row, const char *name, const char *managed_by,
		     const char *subnets);
struct lcm_scope *lcm_inventory_scope(struct lcm_inventory *inv, const char *account,
				      const char *region);
/* Rows by account, region, name; scopes by account, region. */
void lcm_inventory_sort(struct lcm_inventory *inv);
/* Keep only rows whose LC some ASG uses (--in-use). */
void lcm_inventory_only_in_use(struct lcm_inventory *inv);

/* What to inventory. */
struct lcm_selection {
	struct kvlist regions; /* --regions: names (value unused); empty: see below */
	int all_regions;       /* --all-regions: EC2 DescribeRegions, enabled only */
	int org;	       /* --org: every ACTIVE account of the Organization */
	const char *org_role;  /* role name to assume in each account */
	const char *external_id;
	int max_in_flight;     /* 0: 16 */
	int skip_groups;       /* names only: no DescribeAutoScalingGroups (AWS-script format) */
};

/*
 * Progress while collecting: done and total account x region scopes so far
 * (total grows as regions are discovered).
 */
typedef void (*lcm_progress_fn)(size_t done, size_t total, void *ud);

/*
 * Collect launch configurations and the Auto Scaling groups using them in
 * every selected account and region, concurrently (a bounded number of
 * requests in flight, a rate limit per service, region and account, the
 * core's retries).  Without --regions or --all-regions the context's
 * region is used.  A scope (account x region) that fails is recorded with
 * its error in inv and the others go on; only a failure that leaves
 * nothing to do (no credentials, Organizations ListAccounts refused)
 * returns an error.  Results are sorted.
 */
int lcm_inventory_collect(struct aws_ctx *ctx, const struct lcm_selection *sel,
			  struct lcm_inventory *inv, lcm_progress_fn progress, void *ud,
			  struct aws_error *err);

/* ---- plan ---- */

/* The tag every launch template made by lc-migrate carries. */
#define LCM_SOURCE_TAG "awsx:source-launch-configuration"

struct lcm_plan_options {
	enum lcm_spot_mode spot;
	struct kvlist names; /* --name: only these launch configurations (empty: all) */
	struct kvlist asgs;  /* --asg: only these groups and their LCs (empty: all) */
	int include_managed; /* switch groups CloudFormation / Beanstalk manage, too */
};

/*
 * The plan for the inventoried launch configurations, read-only: for each
 * LC the launch template name and the full LaunchTemplateData it would get
 * (or the error that stops it, such as a security-group name with no id),
 * whether a template made from it already exists, every warning; for each
 * Auto Scaling group the switch, or why it is skipped (managed by
 * CloudFormation or Elastic Beanstalk: use export).  *plan is a cJSON
 * object {LaunchTemplates: [...], AutoScalingGroups: [...], Summary: {...}}
 * (caller frees).  Calls EC2 (DescribeSubnets, DescribeSecurityGroups,
 * DescribeLaunchTemplates) in each scope with the inventory's credentials.
 * A failing scope is recorded in its entries' Error; the return is an error
 * only when nothing could be planned at all.
 */
int lcm_plan_build(struct aws_ctx *ctx, const struct lcm_inventory *inv,
		   const struct lcm_plan_options *o, cJSON **plan, struct aws_error *err);

/* The plan for people: one block per launch configuration. */
void lcm_plan_write_text(const cJSON *plan, int color, struct strbuf *out);

/* ---- journal ---- */

/*
 * The journal: every mutation apply and undo make, one JSON object per
 * line, appended and fsync'ed before the next mutation, so an interrupted
 * run can be resumed (nothing done twice) or undone.  Entries have "op"
 * ("template", "switch", "refresh", "delete-lc", "unswitch",
 * "delete-template"), "account", "region", "time" and the op's fields.
 */
struct lcm_journal {
	int fd;
	char *path;
	cJSON *entries; /* what the file held when opened, plus what was appended */
};

/*
 * Open (creating it and its folder, mode 0600/0700) or reopen path; NULL:
 * ~/.awsx/lc-migrate/<UTC time>.jsonl.  Earlier entries are read; a torn
 * last line (a crash mid-write) is skipped.  Errors name the path.
 */
int lcm_journal_open(struct lcm_journal *j, const char *path, struct aws_error *err);
/* Add time, append one line, fsync.  entry is consumed (kept in entries). */
int lcm_journal_append(struct lcm_journal *j, cJSON *entry, struct aws_error *err);
/*
 * The last entry with this op, account and region whose member key equals
 * value, or NULL.
 */
const cJSON *lcm_journal_find(const struct lcm_journal *j, const char *op, const char *account,
			      const char *region, const char *key, const char *value);
void lcm_journal_close(struct lcm_journal *j);

/* ---- apply and undo ---- */

enum lcm_version_mode { LCM_VERSION_PINNED, LCM_VERSION_LATEST, LCM_VERSION_DEFAULT };

struct lcm_apply_options {
	int validate;		     /* RunInstances DryRun in one of the group's subnets */
	enum lcm_version_mode version; /* what the group is switched to */
	int refresh;		     /* start an instance refresh and follow it */
	int delete_unused;	     /* delete LCs no group uses any more */
	struct lcm_journal *journal;
	/* one line of progress for the user ("created launch template ..."); may be NULL */
	void (*say)(const char *line, void *ud);
	void *ud;
};

struct lcm_apply_result {
	int templates_created, versions_created, templates_reused;
	int groups_switched, groups_already, lcs_deleted;
	int failures; /* items that failed (each was said) */
};

/*
 * Carry out plan (from lcm_plan_build over inv): create or reuse launch
 * templates, validate, switch the groups, optionally refresh and delete
 * unused LCs, recording each mutation in the journal before going on.
 * What the journal already records is not done again.  A service error on
 * one item is said and counted and the others go on; a network failure or
 * an interrupt stops the run (-AWSX_ENET / -AWSX_EINTR) with the journal
 * ready for a resume.
 */
int lcm_apply(struct aws_ctx *ctx, const struct lcm_inventory *inv, const cJSON *plan,
	      const struct lcm_apply_options *o, struct lcm_apply_result *res,
	      struct aws_error *err);

/*
 * Undo what the journal records: switch every group back to its launch
 * configuration (where it still exists), newest first, and with
 * delete_templates delete the templates the run created.  Undone steps are
 * journalled too, so undo can be repeated.  dry_run: only say what it
 * would do.  accounts: credentials for accounts other than the caller's
 * (lcm_undo_enter_accounts), may be empty.
 */
int lcm_undo(struct aws_ctx *ctx, const struct lcm_inventory *accounts, struct lcm_journal *j,
	     int delete_templates, int dry_run,
	     void (*say)(const char *line, void *ud), void *ud, int *failures,
	     struct aws_error *err);

/*
 * For undo: enter (AssumeRole of role_name, with external_id) every
 * account of the journal that is not the caller's, keeping the credentials
 * in accounts->accounts.  Without role_name such an account is an error
 * naming it.
 */
int lcm_undo_enter_accounts(struct aws_ctx *ctx, const struct lcm_journal *j,
			    const char *role_name, const char *external_id,
			    struct lcm_inventory *accounts, struct aws_error *err);

/*
 * What matters for migration, as short comma-separated notes: "spot",
 * "public-ip=true|false", "classic-link", "sg-names", "rename" (the name is
 * not a valid launch template name), "managed".  Appends to out.
 */
void lcm_row_notes(const struct lcm_row *row, struct strbuf *out);

/* Render the inventory; color: ANSI styling for the table on a terminal. */
void lcm_inventory_write(const struct lcm_inventory *inv, enum lcm_format format,
			 int color, struct strbuf *out);

/*
 * Python's repr() of a str, as AWS's script gets it from str(list):
 * 'name', or "it's" when the name holds a single quote only.
 */
void lcm_py_repr(const char *s, struct strbuf *out);

#endif
