/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.h: the AWS CLI's shared configuration and credentials files
 * (~/.aws/config and ~/.aws/credentials, or AWS_CONFIG_FILE and
 * AWS_SHARED_CREDENTIALS_FILE), read the way botocore reads them: INI
 * sections, '#' and ';' comments, "key = value", and nested sub-sections
 * (an empty value followed by indented "sub = value" lines).
 */
#ifndef AWSX_CONFIG_H
#define AWSX_CONFIG_H

#include "aws/util.h"

/*
 * Section kinds.  In the config file "[default]" and "[profile NAME]" are
 * profiles, "[sso-session NAME]" and "[services NAME]" are their own kinds;
 * in the credentials file every "[NAME]" is a profile.
 */
enum aws_config_kind {
	AWS_CONFIG_PROFILE,
	AWS_CONFIG_SSO_SESSION,
	AWS_CONFIG_SERVICES,
};

struct aws_config; /* opaque */

/*
 * Load both files.  NULL paths mean: from the environment, else ~/.aws/....
 * A file that does not exist is not an error; one that cannot be parsed is
 * (-AWSX_ECONFIG, message "cannot parse '<path>': line N: <why>").
 * *out is always set (possibly empty) when 0 is returned.
 */
int aws_config_load(struct aws_config **out, const char *config_path,
		    const char *credentials_path, struct aws_error *err);

struct aws_config *aws_config_new(void);
/*
 * Parse one file's text into cfg.  'filename' is for messages only.
 * is_credentials: 1 for the credentials file (sections are profile names).
 */
int aws_config_parse(struct aws_config *cfg, const char *text, size_t len,
		     const char *filename, int is_credentials,
		     struct aws_error *err);
void aws_config_free(struct aws_config *cfg);

/*
 * A profile's value, or NULL.  For a key set in both files the credentials
 * file wins (as in the AWS CLI).  Keys ignore case (botocore lower-cases them); section names do not.
 */
const char *aws_config_get(const struct aws_config *cfg, const char *profile,
			   const char *key);
/* A nested value: "s3 =\n  max_concurrent_requests = 20" -> (s3, max_...). */
const char *aws_config_get_sub(const struct aws_config *cfg,
			       const char *profile, const char *key,
			       const char *subkey);
/* Values of other section kinds ([sso-session x], [services x]). */
const char *aws_config_section_get(const struct aws_config *cfg,
				   enum aws_config_kind kind, const char *name,
				   const char *key);
const char *aws_config_section_get_sub(const struct aws_config *cfg,
				       enum aws_config_kind kind,
				       const char *name, const char *key,
				       const char *subkey);
/* 1 if a profile of that name exists in either file. */
int aws_config_has_profile(const struct aws_config *cfg, const char *profile);
/* Where profile's key was set: "path:line", for messages; NULL if unset. */
const char *aws_config_origin(const struct aws_config *cfg, const char *profile,
			      const char *key);
/* Paths that were read (for messages). */
const char *aws_config_path(const struct aws_config *cfg);
const char *aws_config_credentials_path(const struct aws_config *cfg);

#endif
