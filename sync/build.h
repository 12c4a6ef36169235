/* SPDX-License-Identifier: Apache-2.0 */
/*
 * build.h: the build side of `awsx sync`: staging a resource's sources into
 * .awsx/build/<Id>/ behind a stat cache, installing its dependencies into a
 * cache keyed by what decides them, and packaging zips that are rewritten
 * only when their content changed (and then mostly from the previous zip's
 * compressed entries).
 *
 * Everything lives under <project>/.awsx/ (the project is the root
 * template's folder):
 *   build/<Id>/             the staged copy of the sources (or the makefile's
 *                           ARTIFACTS_DIR), never the source tree itself
 *   build/<Id>.stage.json   stat cache: name, size, mtime, inode, mode -> SHA-256
 *   build/<Id>.zip(.json)   the package and what is inside it (entry offsets)
 *   build/<Id>.src/         a makefile build's scratch copy of the sources
 *   deps/<key>/             installed dependencies (python/..., nodejs/node_modules/...)
 *   deps/<key>.files.json   their names, modes and hashes
 *   deps/<key>.zip(.json)   the dependency layer package
 */
#ifndef AWSX_SYNC_BUILD_H
#define AWSX_SYNC_BUILD_H

#include <stdio.h>

#include "sync/sync.h"
#include "templates/templates.h"

/* ---- staging sources behind a stat cache (stage.c) ---- */

struct sync_stage_stats {
	size_t files;	/* files in the source tree */
	size_t hashed;	/* read and hashed this time (stat changed or unknown) */
	size_t copied;	/* written into the staging folder */
	size_t removed; /* gone from the source, removed from the staging folder */
};

/*
 * Bring dst up to date with the files under src (exclude as in
 * sync_tree_collect) and fill out with the staged files: names as under
 * src, paths under dst, modes, sizes and SHA-256 (hashed = 1).  A file
 * whose size, mtime, inode and mode match cache_path's record is neither
 * read nor copied; others are hashed while copied.  A record is trusted
 * only when the file's mtime is more than two seconds older than the
 * cache itself, so an edit in the same timestamp tick as the previous
 * build is never missed.  The cache is rewritten when anything changed.
 * Returns 0, or -AWSX_EFAIL naming the file.
 */
int sync_stage(const char *src, sync_exclude_fn *exclude, void *exclude_data, const char *dst,
	       const char *cache_path, struct sync_tree *out, struct sync_stage_stats *stats,
	       struct aws_error *err);


/* ---- packages (package.c) ---- */

struct sync_package {
	char *zip_path;
	char sha256_b64[45]; /* Lambda's CodeSha256 of the zip */
	char id[65];	     /* hex SHA-256 of the entries' names, modes and hashes */
	uint64_t zip_size, unzipped_size;
	size_t entries;
	int rebuilt;  /* the zip was written this time */
	size_t reused; /* entries copied from the previous zip */
};
void sync_package_release(struct sync_package *p);

/*
 * Make zip_path hold tree (every file hashed; names unique and sorted).  When
 * <zip_path>.json says the zip already holds exactly these entries, nothing
 * is read or written; otherwise entries whose content hash the previous
 * zip has are copied from it and the rest compressed.
 * Returns 0, or -AWSX_EFAIL.
 */
int sync_package_zip(struct sync_tree *tree, const char *zip_path, unsigned threads,
		     struct sync_package *out, struct aws_error *err);

/* The package id of a hashed tree: hex SHA-256 of names, modes and content hashes. */
void sync_tree_id(const struct sync_tree *tree, char out[65]);

/* ---- dependencies (deps.c) ---- */

enum sync_deps_kind { SYNC_DEPS_NONE, SYNC_DEPS_PIP, SYNC_DEPS_NPM };

struct sync_deps {
	enum sync_deps_kind kind;
	char key[65];	/* hex SHA-256 of tool, manifest, lock file, runtime, architecture */
	char *dir;	/* .awsx/deps/<key> */
	const char *prefix; /* "python/" or "nodejs/node_modules/": where the layer has them */
	struct sync_tree files; /* names with the prefix, hashed */
	int installed;	/* installed this time (else from the cache) */
};
void sync_deps_release(struct sync_deps *d);

/*
 * The dependencies of code in src_dir for runtime (python* with a
 * requirements.txt, nodejs* with a package.json; anything else: kind NONE)
 * installed under <awsx_dir>/deps/<key>/ unless already there.  pip runs as
 * `<python> -m pip install -r requirements.txt -t <dir>/python` with the
 * runtime's interpreter when on PATH (python3.12), else python3; npm as
 * `npm ci --omit=dev` when a package-lock.json or npm-shrinkwrap.json is
 * there, else `npm install --omit=dev`, in a copy of the manifests.  The
 * tool's output goes to <dir>.log; a failure quotes its last lines.
 * Installs go to a temporary folder renamed into place, so an interrupted
 * install is never used.  progress (may be NULL) gets one line per install.
 */
int sync_deps_prepare(const char *awsx_dir, const char *src_dir, const char *runtime,
		      const char *arch, FILE *progress, struct sync_deps *out,
		      struct aws_error *err);

/*
 * A hashed file list as JSON [[name, mode, size, sha256], ...], for trees
 * that do not change once made (installed dependencies, make artifacts).
 * load: paths become dir/name; 0, or -1 when the file is missing or bad.
 */
int sync_files_save(const char *path, const struct sync_tree *t, struct aws_error *err);
int sync_files_load(const char *path, const char *dir, struct sync_tree *t);

/* ---- building one resource (build.c) ---- */

/*
 * The project's .awsx folder (next to the root template), created when
 * missing, as an absolute path (build tools run in other folders).
 * *out is the caller's.  0 or -AWSX_EFAIL.
 */
int sync_awsx_dir(const struct tmpl_model *m, char **out, struct aws_error *err);

struct sync_build_options {
	const char *awsx_dir;	/* <project>/.awsx */
	int dependency_layer;	/* put Python / Node.js dependencies in their own layer */
	unsigned threads;	/* zip workers; 0: one per CPU */
	FILE *progress;		/* dependency installs and make are announced here */
};

struct sync_built {
	const struct tmpl_resource *res;
	struct sync_package code; /* function or layer package */
	struct sync_deps deps;
	int has_layer;		  /* deps go in a dependency layer: see layer */
	struct sync_package layer;
	struct sync_stage_stats stage;
	/* state machines and APIs: the definition to send, and its hash */
	char *definition;
	char definition_sha[65];
};
void sync_built_release(struct sync_built *b);

/*
 * Build res (which must be code_syncable): functions and layers into
 * packages, state machines and APIs into the definition text.  Errors name
 * the template line of what is wrong (a missing CodeUri folder, an
 * unsupported BuildMethod) or the tool that failed.
 */
int sync_build_resource(const struct sync_build_options *opts, const struct tmpl_resource *res,
			struct sync_built *out, struct aws_error *err);

#endif
