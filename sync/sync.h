/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sync.h: the public surface of sync/, the code behind `awsx sync`.  So far
 * it holds the deterministic zip writer for Lambda packages: collect the
 * files of a tree (symlinks followed, loops and dangling links refused),
 * write them as a zip whose bytes depend only on the names, contents and
 * executable bits of the files (never on mtimes, owners, umask, creation
 * order or thread scheduling), report its SHA-256 the way Lambda reports
 * CodeSha256, and check the result against Lambda's size limits.
 */
#ifndef AWSX_SYNC_H
#define AWSX_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "aws/util.h"

/* ---- collecting a tree ---- */

/*
 * An entry whose compressed bytes can be copied from an earlier zip instead
 * of being read and compressed again (the compressed-entry cache): the
 * stored bytes of an entry depend only on the file's content, so an entry
 * with the same content hash in the previous zip of the same resource is
 * the same bytes.  fd is an open descriptor of that zip.
 */
struct sync_zip_reuse {
	int fd;
	uint64_t data_offset; /* where the stored bytes start in that zip */
	uint64_t csize, usize;
	uint32_t crc;
	uint16_t method;
};

struct sync_file {
	char *name;    /* relative to the root, '/'-separated: "lib/a.py" */
	char *path;    /* what to open: root + "/" + name (symlinks unresolved) */
	uint32_t mode; /* the zip entry's permission bits (see sync_zip_mode) */
	uint64_t size; /* at collection time */
	/* stat identity at collection time, for the build's stat cache */
	int64_t mtime_ns, ctime_ns;
	uint64_t ino;
	/* content hash, when the build computed or cached it (hashed = 1) */
	unsigned char sha256[32];
	int hashed;
	/* set by the build to copy the entry from the previous zip */
	const struct sync_zip_reuse *reuse;
};

struct sync_tree {
	struct sync_file *files; /* sorted by name, byte order (strcmp) */
	size_t nr, alloc;
	uint64_t total_size; /* sum of sizes: the unzipped size */
};
#define SYNC_TREE_INIT                                                                             \
	{                                                                                          \
		NULL, 0, 0, 0                                                                      \
	}

/*
 * Exclusion callback: return nonzero to leave out the file or folder whose
 * root-relative name is rel ('/'-separated); an excluded folder is not
 * entered.  Called once per directory entry, in no particular order; a
 * symlink that cannot be followed (dangling, loop) is asked about as a
 * file, so excluding it avoids the error.
 */
typedef int sync_exclude_fn(const char *rel, int is_dir, void *data);

/*
 * A ready-made sync_exclude_fn: data is a NULL-terminated array of
 * const char * glob patterns (fnmatch).  A pattern without '/' matches the
 * last component ("__pycache__", "*.pyc", ".git"); a pattern with '/'
 * matches the whole relative name ("tests/data", "docs/?*.md", where '*'
 * does not cross '/'); a trailing '/' limits a pattern to folders
 * ("build/").  This is not gitignore: no negation, no "**", no anchoring
 * rules beyond the above.
 */
int sync_exclude_globs(const char *rel, int is_dir, void *data);

/*
 * Add every regular file under root to tree (which the caller initialised
 * with SYNC_TREE_INIT; files already in it are kept) and sort it.
 * Symlinks are followed; a symlinked folder that leads back to a folder on
 * the current path is a loop and an error, as is a dangling symlink (the
 * message names it) and anything that is neither a file nor a folder (fifo,
 * socket, device).  Folders contribute no entries of their own, so empty
 * folders do not appear in the zip.  exclude may be NULL.
 * Returns 0, or -AWSX_EFAIL with err filled (tree may then hold some
 * files; release it either way).
 */
int sync_tree_collect(struct sync_tree *tree, const char *root, sync_exclude_fn *exclude,
		      void *exclude_data, struct aws_error *err);
void sync_tree_release(struct sync_tree *tree);

/*
 * The permission bits a file of mode st_mode gets in the zip: read for
 * everyone; execute for everyone when the file has any execute bit (Lambda
 * runs code as a user that is neither owner nor group, so a 0700 bootstrap
 * must become 0755 to run); the owner's write bit kept; group and other
 * write dropped.  So 0755 -> 0755, 0700 -> 0755, 0600 -> 0644,
 * 0664 -> 0644, 0444 -> 0444, and umask never changes the result.
 */
uint32_t sync_zip_mode(uint32_t st_mode);

/* ---- writing the zip ---- */

struct sync_zip_options {
	unsigned threads; /* compression workers; 0: one per online CPU */
	/*
	 * Optional: an array of tree->nr that receives where each entry's
	 * stored bytes went, for a later sync_zip_reuse (fd set to -1).
	 */
	struct sync_zip_reuse *entry_info;
};

struct sync_zip_result {
	uint64_t zip_size;	/* bytes written */
	uint64_t unzipped_size; /* sum of the entries' uncompressed sizes */
	size_t entries;
	unsigned char sha256[32];
	char sha256_b64[45]; /* base64 of sha256, as Lambda's CodeSha256 */
};

/*
 * Write tree as a zip to out_path (through a temporary file in the same
 * folder, renamed into place on success, so a failure leaves no partial
 * zip).  Entries in tree order; method deflate (libdeflate level 6), or
 * stored when deflate would not be smaller; DOS time 1980-01-01 00:00:00;
 * "version made by" Unix with external attributes (S_IFREG | mode) << 16;
 * no extra fields, no data descriptors; general-purpose bit 11 for names
 * that are non-ASCII UTF-8.  Files are read and compressed by opts->threads
 * workers with a bounded amount in flight; the bytes written do not depend
 * on the number of threads or their scheduling.
 *
 * An empty tree is an error ("nothing to zip"): Lambda cannot run an empty
 * package, and an empty tree almost always means a wrong path or an
 * exclusion that matched everything.  ZIP64 is not written: more than 65535
 * entries, a file of 4 GiB or more, or a zip past 4 GiB is refused with an
 * error (Lambda's limits are far below).  opts and result may be NULL.
 * Returns 0, or -AWSX_EFAIL with err filled.
 */
int sync_zip_write(const struct sync_tree *tree, const char *out_path,
		   const struct sync_zip_options *opts, struct sync_zip_result *result,
		   struct aws_error *err);

/* Lambda's package limits (the documented "50 MB" and "250 MB" are MiB). */
#define SYNC_LAMBDA_MAX_ZIPPED_DIRECT (50ULL * 1024 * 1024)
#define SYNC_LAMBDA_MAX_UNZIPPED      (250ULL * 1024 * 1024)

/*
 * Check a package against Lambda's limits before any upload: unzipped
 * bytes (this package's share of the 250 MB that function and layers
 * together may not exceed) and, for a direct upload (via_s3 == 0), zipped
 * bytes against the 50 MB request limit.  Pass zipped = 0 to check only the
 * unzipped size (e.g. from sync_tree.total_size before zipping).
 * Returns 0, or -AWSX_EFAIL with an error naming the limit.
 */
int sync_lambda_check_size(uint64_t zipped, uint64_t unzipped, int via_s3, struct aws_error *err);

/*
 * The SHA-256 of a file as standard base64 (44 characters and a NUL in
 * out), the form of Lambda's CodeSha256.  Returns 0, or -AWSX_EFAIL.
 */
int sync_sha256_file_base64(const char *path, char out[45], struct aws_error *err);

/* The SHA-256 of a file, read in chunks (stage.c).  0, or -AWSX_EFAIL. */
int sync_hash_file(const char *path, unsigned char sha[32], struct aws_error *err);

/* ---- ignore rules ---- */

/*
 * .awsxignore: what stays out of a function's package, in gitignore(5)
 * syntax, one file in the folder the package is collected from; patterns
 * are relative to that folder.
 *
 *   - blank lines and lines starting with '#' are skipped ("\#" for a
 *     leading '#'); trailing spaces are dropped unless escaped ("a\ ");
 *     a trailing CR (CRLF files) and a leading UTF-8 BOM are dropped
 *   - "!pattern" takes back what an earlier rule ignored ("\!" for a
 *     leading '!'); the last rule that matches a path decides
 *   - "pattern/" matches folders only
 *   - a '/' at the start or in the middle anchors the pattern to the
 *     root ("/build", "doc/frotz"); without one it matches the last
 *     component at any depth ("*.pyc", "frotz/")
 *   - '*' (any run), '?' (one byte) and "[a-z]", "[!x]", "[^x]",
 *     "[[:digit:]]" never match '/'; '\' makes the next byte literal
 *   - two asterisks that make up a whole component match any number of
 *     folders: leading ("**" then "/foo"), foo at any depth; trailing
 *     ("abc/" then "**"), everything inside abc but not abc itself; in
 *     the middle ("a/", "**", "/b"), b under a at any depth, a/b
 *     included.  Anywhere else "**" is the same as '*'
 *
 * As in git, nothing inside an ignored folder can be taken back: after
 * "build/" a "!build/keep" has no effect.  This needs no code in the
 * matcher: sync_tree_collect never enters an excluded folder, so nothing
 * inside it is ever asked about (sync_ignore_match_path gives the same
 * answer for a path asked on its own).
 *
 * Differences from git: matching is always case-sensitive (there is no
 * core.ignorecase); a line git accepts but that can never match
 * (unterminated '[', an unknown "[:class:]", a trailing backslash) is an
 * error here, so a typo is reported instead of ignoring nothing; git
 * reads "**" right after a literal in an anchored pattern ("ab**" then
 * "/c") as the any-folders kind, an artefact of its literal-prefix
 * shortcut; this follows the documentation and reads it as '*'.
 *
 * Matching is bounded: O(pattern length x path length) per rule, whatever
 * the pattern.
 */
#define SYNC_IGNORE_FILE ".awsxignore"

struct sync_ignore_rule; /* a compiled line, private to ignore.c */

struct sync_ignore {
	struct sync_ignore_rule *rules; /* in the order added: the last match wins */
	size_t nr, alloc;
};
#define SYNC_IGNORE_INIT                                                                           \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

/*
 * Add one line (without its newline; a final CR is dropped).  source and
 * lineno only name the line in errors (source NULL: "(pattern)").  A
 * blank line, a comment or a pattern that matches nothing ("/", "!") adds
 * nothing.  Returns 0, or -AWSX_EFAIL with err "<source>:<lineno>:
 * <reason> in pattern '<line>'" and ig unchanged.
 */
int sync_ignore_add_line(struct sync_ignore *ig, const char *line, const char *source,
			 unsigned lineno, struct aws_error *err);

/*
 * Add every line of buf[0..len) (an ignore file's contents, '\n' or
 * "\r\n" line ends; a NUL ends its line).  All or nothing: on an error
 * no rule of buf is kept.  Returns 0 or -AWSX_EFAIL as sync_ignore_add_line.
 */
int sync_ignore_add_buffer(struct sync_ignore *ig, const char *buf, size_t len, const char *source,
			   struct aws_error *err);

/*
 * Add the rules of the ignore file at path.  A missing file (or a path
 * through a non-folder) is no error: 0, nothing added.  Returns 0, or
 * -AWSX_EFAIL for a file that cannot be read (or is over 4 MiB) or holds
 * a bad line ("<path>:<line>: <reason> ...", nothing added).
 */
int sync_ignore_add_file(struct sync_ignore *ig, const char *path, struct aws_error *err);

/*
 * Add sync_default_excludes(runtime).  Add them before the user's file,
 * so a "!" line there can take a default back.  Returns 0.
 */
int sync_ignore_add_defaults(struct sync_ignore *ig, const char *runtime);

/*
 * 1 when the rules ignore rel (root-relative, '/'-separated, no leading
 * or trailing '/'; is_dir: rel is a folder), else 0.  Only rel itself is
 * judged, not the folders above it: right for a walk, which asks about a
 * folder before entering it.  Safe to call from several threads at once.
 */
int sync_ignore_match(const struct sync_ignore *ig, const char *rel, int is_dir);

/*
 * The same for a path met on its own (a watcher's event): 1 also when a
 * folder above rel is ignored, as git check-ignore answers.
 */
int sync_ignore_match_path(const struct sync_ignore *ig, const char *rel, int is_dir);

/* sync_exclude_fn for sync_tree_collect: data is a struct sync_ignore *. */
int sync_exclude_ignore(const char *rel, int is_dir, void *data);

void sync_ignore_release(struct sync_ignore *ig);

/*
 * The default exclusions for a Lambda runtime identifier ("python3.12",
 * "nodejs20.x", "provided.al2023", ...; NULL or unknown: the common list)
 * as a NULL-terminated list of gitignore patterns: what SAM's builders
 * leave out of a package for that runtime family, plus awsx's own ".awsx"
 * and virtualenv folders.  Static storage; sync/ignore.c says where each
 * entry comes from.
 */
const char *const *sync_default_excludes(const char *runtime);

#endif
