/* fileio.c — whole-file reads, atomic writes, directories, directory locks
 * (include/avmit/fileio.h). */
#define _POSIX_C_SOURCE 200809L
#include "avmit/fileio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error_int.h"

int avmit_read_file(const char *path, unsigned char **buf, size_t *size_bytes, avmit_error *err) {
    *buf = NULL;
    *size_bytes = 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0) return avmit_error_path(err, AVMIT_E_IO, path, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return avmit_error_path(err, AVMIT_E_IO, path, "cannot stat: %s", strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return avmit_error_path(err, AVMIT_E_IO, path, "is a directory, expected a file");
    }
    size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536;
    unsigned char *b = malloc(cap);
    if (!b) {
        close(fd);
        return avmit_error_path(err, AVMIT_E_NOMEM, path, "out of memory reading %zu bytes", cap);
    }
    size_t n = 0;
    for (;;) {
        if (n + 1 >= cap) {
            size_t nc = cap * 2;
            unsigned char *nb = realloc(b, nc);
            if (!nb) {
                free(b);
                close(fd);
                return AVMIT_NOMEM_AT(err, path, "read_file");
            }
            b = nb;
            cap = nc;
        }
        ssize_t r = read(fd, b + n, cap - 1 - n);
        if (r < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            free(b);
            close(fd);
            return avmit_error_path(err, AVMIT_E_IO, path, "read failed: %s", strerror(e));
        }
        if (r == 0) break;
        n += (size_t)r;
    }
    close(fd);
    b[n] = '\0';
    *buf = b;
    *size_bytes = n;
    return 0;
}

int avmit_mkdirs(const char *dir, avmit_error *err) {
    if (!dir || !*dir) return 0;
    size_t n = strlen(dir);
    char *p = malloc(n + 1);
    if (!p) return AVMIT_NOMEM_AT(err, dir, "mkdirs");
    memcpy(p, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (p[i] == '/' || p[i] == '\0') {
            char c = p[i];
            p[i] = '\0';
            if (mkdir(p, 0777) != 0 && errno != EEXIST) {
                int e = errno;
                avmit_error_path(err, AVMIT_E_IO, p, "cannot create directory: %s", strerror(e));
                free(p);
                return AVMIT_E_IO;
            }
            p[i] = c;
        }
    }
    struct stat st;
    int ok = stat(p, &st) == 0 && S_ISDIR(st.st_mode);
    free(p);
    if (!ok) return avmit_error_path(err, AVMIT_E_IO, dir, "exists and is not a directory");
    return 0;
}

int avmit_mkdirs_for_file(const char *path, avmit_error *err) {
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path) return 0;
    size_t n = (size_t)(slash - path);
    char *d = malloc(n + 1);
    if (!d) return AVMIT_NOMEM_AT(err, path, "mkdirs_for_file");
    memcpy(d, path, n);
    d[n] = '\0';
    int r = avmit_mkdirs(d, err);
    free(d);
    return r;
}

struct avmit_atomic_file {
    FILE *fp;
    char *path;
    char *tmp;
};

int avmit_atomic_open(avmit_atomic_file **out, const char *path, int make_dirs, avmit_error *err) {
    *out = NULL;
    if (make_dirs) {
        int r = avmit_mkdirs_for_file(path, err);
        if (r) return r;
    }
    avmit_atomic_file *f = calloc(1, sizeof *f);
    if (!f) return AVMIT_NOMEM_AT(err, path, "atomic_open");
    size_t n = strlen(path);
    f->path = malloc(n + 1);
    f->tmp = malloc(n + 32);
    if (!f->path || !f->tmp) {
        free(f->path);
        free(f->tmp);
        free(f);
        return AVMIT_NOMEM_AT(err, path, "atomic_open");
    }
    memcpy(f->path, path, n + 1);
    /* "<dir>/.<base>.tmp.XXXXXX": same directory, so rename is atomic. */
    const char *slash = strrchr(path, '/');
    size_t dlen = slash ? (size_t)(slash - path) + 1 : 0;
    memcpy(f->tmp, path, dlen);
    snprintf(f->tmp + dlen, n + 32 - dlen, ".%s.tmp.XXXXXX", path + dlen);
    int fd = mkstemp(f->tmp);
    if (fd < 0) {
        int e = errno;
        avmit_error_path(err, AVMIT_E_IO, path, "cannot create temporary file: %s", strerror(e));
        free(f->path);
        free(f->tmp);
        free(f);
        return AVMIT_E_IO;
    }
    fchmod(fd, 0644);
    f->fp = fdopen(fd, "wb");
    if (!f->fp) {
        int e = errno;
        close(fd);
        unlink(f->tmp);
        avmit_error_path(err, AVMIT_E_IO, path, "cannot open temporary file: %s", strerror(e));
        free(f->path);
        free(f->tmp);
        free(f);
        return AVMIT_E_IO;
    }
    *out = f;
    return 0;
}

/* ".<name>.tmp.XXXXXX" with a non-empty name (the mkstemp pattern above). */
static int is_atomic_temp(const char *s) {
    size_t n = strlen(s);
    if (n < 1 + 1 + 5 + 6 || s[0] != '.') return 0;
    return !memcmp(s + n - 11, ".tmp.", 5);
}

int avmit_remove_stale_temps(const char *dir, size_t *n_removed, avmit_error *err) {
    if (n_removed) *n_removed = 0;
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT) return 0;
        return avmit_error_path(err, AVMIT_E_IO, dir, "cannot list the directory: %s",
                                strerror(errno));
    }
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        if (!is_atomic_temp(e->d_name)) continue;
        char *p = avmit_path_join(dir, e->d_name);
        if (!p) {
            rc = avmit_error_path(err, AVMIT_E_NOMEM, dir, "out of memory");
            break;
        }
        if (unlink(p) == 0) {
            if (n_removed) (*n_removed)++;
        } else if (errno != ENOENT) {
            rc = avmit_error_path(err, AVMIT_E_IO, p, "cannot remove stale temporary file: %s",
                                  strerror(errno));
            free(p);
            break;
        }
        free(p);
    }
    closedir(d);
    return rc;
}

FILE *avmit_atomic_stream(avmit_atomic_file *f) { return f->fp; }

const char *avmit_atomic_temp_path(const avmit_atomic_file *f) { return f->tmp; }

static void atomic_free(avmit_atomic_file *f) {
    free(f->path);
    free(f->tmp);
    free(f);
}

void avmit_atomic_abort(avmit_atomic_file *f) {
    if (!f) return;
    if (f->fp) fclose(f->fp);
    unlink(f->tmp);
    atomic_free(f);
}

static void fsync_parent_dir(const char *path) {
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash) {
        strcpy(dir, ".");
    } else {
        size_t n = (size_t)(slash - path);
        if (n == 0) n = 1;
        if (n >= sizeof dir) return;
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd); /* best effort: some filesystems refuse fsync on directories */
        close(fd);
    }
}

int avmit_atomic_commit(avmit_atomic_file *f, avmit_error *err) {
    int rc = 0;
    if (fflush(f->fp) != 0 || ferror(f->fp)) {
        rc = avmit_error_path(err, AVMIT_E_IO, f->path, "write failed: %s", strerror(errno));
    } else if (fsync(fileno(f->fp)) != 0 && errno != EINVAL) {
        rc = avmit_error_path(err, AVMIT_E_IO, f->path, "fsync failed: %s", strerror(errno));
    }
    if (fclose(f->fp) != 0 && rc == 0)
        rc = avmit_error_path(err, AVMIT_E_IO, f->path, "close failed: %s", strerror(errno));
    f->fp = NULL;
    if (rc == 0 && rename(f->tmp, f->path) != 0)
        rc = avmit_error_path(err, AVMIT_E_IO, f->path, "cannot rename temporary file into place: %s",
                              strerror(errno));
    if (rc != 0)
        unlink(f->tmp);
    else
        fsync_parent_dir(f->path);
    atomic_free(f);
    return rc;
}

int avmit_write_file_atomic(const char *path, const void *buf, size_t size_bytes, int make_dirs,
                            avmit_error *err) {
    avmit_atomic_file *f;
    int r = avmit_atomic_open(&f, path, make_dirs, err);
    if (r) return r;
    if (size_bytes && fwrite(buf, 1, size_bytes, f->fp) != size_bytes) {
        int e = errno;
        avmit_atomic_abort(f);
        return avmit_error_path(err, AVMIT_E_IO, path, "write failed: %s", strerror(e));
    }
    return avmit_atomic_commit(f, err);
}

char *avmit_path_join(const char *dir, const char *rel) {
    size_t a = strlen(dir), b = strlen(rel);
    while (a > 1 && dir[a - 1] == '/') a--;
    while (b && *rel == '/') rel++, b--;
    char *p = malloc(a + b + 2);
    if (!p) return NULL;
    memcpy(p, dir, a);
    size_t k = a;
    if (a && !(a == 1 && dir[0] == '/')) p[k++] = '/';
    memcpy(p + k, rel, b);
    p[k + b] = '\0';
    return p;
}

int avmit_pathlist_push(avmit_pathlist *list, const char *path, avmit_error *err) {
    if (list->n == list->cap) {
        size_t nc = list->cap ? list->cap * 2 : 64;
        char **np = realloc(list->paths, nc * sizeof *np);
        if (!np) return AVMIT_NOMEM_AT(err, path, "pathlist_push");
        list->paths = np;
        list->cap = nc;
    }
    char *s = strdup(path);
    if (!s) return AVMIT_NOMEM_AT(err, path, "pathlist_push");
    list->paths[list->n++] = s;
    return 0;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

static int walk_dir(avmit_pathlist *list, const char *dir, const char *suffix, int depth,
                    avmit_error *err) {
    if (depth > 64) return avmit_error_path(err, AVMIT_E_IO, dir, "directory tree too deep");
    DIR *d = opendir(dir);
    if (!d) return avmit_error_path(err, AVMIT_E_IO, dir, "cannot open directory: %s", strerror(errno));
    avmit_pathlist names = {0};
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') continue; /* ".", "..", hidden and our temp files */
        if ((rc = avmit_pathlist_push(&names, de->d_name, err)) != 0) break;
    }
    closedir(d);
    if (rc) {
        avmit_pathlist_free(&names);
        return rc;
    }
    if (names.n) qsort(names.paths, names.n, sizeof *names.paths, cmp_str);
    for (size_t i = 0; i < names.n && rc == 0; i++) {
        char *full = avmit_path_join(dir, names.paths[i]);
        if (!full) {
            rc = AVMIT_NOMEM_AT(err, dir, "walk_dir");
            break;
        }
        struct stat st;
        if (stat(full, &st) != 0) {
            rc = avmit_error_path(err, AVMIT_E_IO, full, "cannot stat: %s", strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            rc = walk_dir(list, full, suffix, depth + 1, err);
        } else if (S_ISREG(st.st_mode) && (!suffix || ends_with(names.paths[i], suffix))) {
            rc = avmit_pathlist_push(list, full, err);
        }
        free(full);
    }
    avmit_pathlist_free(&names);
    return rc;
}

int avmit_pathlist_expand(avmit_pathlist *list, const char *const *args, size_t n_args,
                          const char *suffix, avmit_error *err) {
    for (size_t i = 0; i < n_args; i++) {
        struct stat st;
        if (stat(args[i], &st) != 0)
            return avmit_error_path(err, AVMIT_E_IO, args[i], "cannot open: %s", strerror(errno));
        int rc = S_ISDIR(st.st_mode) ? walk_dir(list, args[i], suffix, 0, err)
                                     : avmit_pathlist_push(list, args[i], err);
        if (rc) return rc;
    }
    return 0;
}

void avmit_pathlist_free(avmit_pathlist *list) {
    if (!list) return;
    for (size_t i = 0; i < list->n; i++) free(list->paths[i]);
    free(list->paths);
    list->paths = NULL;
    list->n = list->cap = 0;
}

/* ---- directory lock ------------------------------------------------------------------ */

int avmit_dir_lock(const char *dir, const char *lock_name, const char *what, avmit_error *err) {
    char *path = avmit_path_join(dir, lock_name);
    if (!path) return AVMIT_NOMEM(err, "lock path");
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        fd = AVMIT_ERR(err, AVMIT_E_IO, path, "", "cannot open: %s", strerror(errno));
    } else if (flock(fd, LOCK_EX | LOCK_NB)) {
        int e = errno;
        close(fd);
        fd = e == EWOULDBLOCK
                 ? AVMIT_ERR(err, AVMIT_E_IO, dir, "", "another %s is running in this directory",
                             what)
                 : AVMIT_ERR(err, AVMIT_E_IO, dir, "", "cannot lock: %s", strerror(e));
    }
    free(path);
    return fd;
}

void avmit_dir_unlock(int fd) {
    if (fd >= 0) close(fd); /* closing the last descriptor releases the flock */
}
