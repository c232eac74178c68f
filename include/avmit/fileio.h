/*
 * avmit/fileio.h — whole-file reads, atomic writes (temp file in the
 * destination directory, fsync, rename), directory creation and listing.
 *
 * Nothing avmit writes is ever half-written: outputs are built in
 * "<dir>/.<name>.tmp.XXXXXX", flushed, fsynced and renamed over the target;
 * on any failure the temporary file is removed.
 *
 * Thread-safety: every function is reentrant; objects belong to one thread.
 */
#ifndef AVMIT_FILEIO_H
#define AVMIT_FILEIO_H

#include <stddef.h>
#include <stdio.h>

#include "avmit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Read a whole file into a malloc'd buffer (*buf, *size_bytes); the buffer is
 * NUL-terminated one byte past the end for the convenience of text parsers. */
int avmit_read_file(const char *path, unsigned char **buf, size_t *size_bytes, avmit_error *err);

/* Create every missing directory of `dir` (like mkdir -p). */
int avmit_mkdirs(const char *dir, avmit_error *err);

/* Create the parent directories of the file `path`. */
int avmit_mkdirs_for_file(const char *path, avmit_error *err);

/* An output file being written atomically. */
typedef struct avmit_atomic_file avmit_atomic_file;

/* Start writing `path`: creates a temporary file beside it (the parent
 * directory must exist unless `make_dirs` is non-zero). */
int avmit_atomic_open(avmit_atomic_file **out, const char *path, int make_dirs, avmit_error *err);

/* The stdio stream to write to. */
FILE *avmit_atomic_stream(avmit_atomic_file *f);

/* The temporary path (for a CLI signal handler that must unlink it). */
const char *avmit_atomic_temp_path(const avmit_atomic_file *f);

/* Flush, fsync, close and rename into place, then fsync the directory.
 * Frees f whether or not it succeeds (on failure the temp file is removed). */
int avmit_atomic_commit(avmit_atomic_file *f, avmit_error *err);

/* Discard: close and unlink the temporary file, free f. NULL is allowed. */
void avmit_atomic_abort(avmit_atomic_file *f);

/* Remove the temporary files that avmit_atomic_open leaves in `dir` when a process is
 * killed mid-write ("." + name + ".tmp." + 6 characters; nothing else is touched), so a
 * resumed run leaves none behind. Only call it while no other process writes into dir
 * (a resume holds the directory). *n_removed (may be NULL) counts them; a missing dir
 * is not an error. */
int avmit_remove_stale_temps(const char *dir, size_t *n_removed, avmit_error *err);

/* Write `size_bytes` bytes to `path` atomically. */
int avmit_write_file_atomic(const char *path, const void *buf, size_t size_bytes, int make_dirs,
                            avmit_error *err);

/* A list of paths (owned strings). */
typedef struct avmit_pathlist {
    char **paths;
    size_t n;
    size_t cap;
} avmit_pathlist;

/* Append each argument: a regular file is added as is; a directory is walked
 * recursively and every regular file whose name ends in `suffix` (e.g.
 * ".tfrecord"; NULL = any) is added, sorted bytewise within the directory. */
int avmit_pathlist_expand(avmit_pathlist *list, const char *const *args, size_t n_args,
                          const char *suffix, avmit_error *err);
int avmit_pathlist_push(avmit_pathlist *list, const char *path, avmit_error *err);
void avmit_pathlist_free(avmit_pathlist *list);

/* Join dir and rel with exactly one '/' (malloc'd; NULL on allocation failure). */
char *avmit_path_join(const char *dir, const char *rel);

/*
 * Directory lock: hold dir/lock_name (created if absent; flock, exclusive,
 * non-blocking) so that two runs writing one directory exclude each other.
 * Returns the lock's fd (>= 0; release with avmit_dir_unlock), or a negative
 * AVMIT_E_* with err set: AVMIT_E_IO "another <what> is running in this
 * directory" (what: e.g. "avmit search") naming dir when it is held, or the
 * open error naming the lock file. The lock goes away with the process, even
 * on kill -9. The lock file itself is left in place.
 */
int avmit_dir_lock(const char *dir, const char *lock_name, const char *what, avmit_error *err);
void avmit_dir_unlock(int fd); /* a negative fd is allowed */

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_FILEIO_H */
