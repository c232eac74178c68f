/*
 * tfckpt.c — TF2 checkpoint paths (the `checkpoint` file, FORMATS.md §6.5),
 * the data shard with its per-tensor CRCs (§6.3, tensor_bundle.cc
 * WriteStringTensor for DT_STRING) and the object graph's variable names
 * (§6.4). The .index parser is tfckpt_index.c. See avmit/tfckpt.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "avmit/fileio.h"
#include "avmit/tfckpt.h"
#include "avmit/tfrecord.h"
#include "io/pb_int.h"
#include "core/error_int.h"

#define DATA_SUFFIX ".data-00000-of-00001"
#define ATTR_SUFFIX "/.ATTRIBUTES/VARIABLE_VALUE"
#define GRAPH_KEY "_CHECKPOINTABLE_OBJECT_GRAPH"

static int ends_with(const char *s, const char *suf) {
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && !memcmp(s + n - m, suf, m);
}

/* ---- the `checkpoint` text file ---------------------------------------------------- */

/* Decode a text-format string literal starting at *p (quote char), with C
 * escapes (\n \t \\ \" \' \ooo \xhh). Returns the malloc'd string or NULL
 * (bad literal or no memory: *bad says which). */
static char *text_string(const char **pp, int *bad) {
    const char *p = *pp;
    char q = *p++;
    char *out = malloc(strlen(p) + 1);
    size_t k = 0;
    *bad = 1;
    if (!out) {
        *bad = 0;
        return NULL;
    }
    while (*p && *p != q && *p != '\n') {
        char ch = *p++;
        if (ch == '\\') {
            char e = *p++;
            switch (e) {
            case 'n': ch = '\n'; break;
            case 't': ch = '\t'; break;
            case 'r': ch = '\r'; break;
            case 'a': ch = '\a'; break;
            case 'b': ch = '\b'; break;
            case 'f': ch = '\f'; break;
            case 'v': ch = '\v'; break;
            case '\\': case '\'': case '"': case '?': ch = e; break;
            case 'x': case 'X': {
                int v = 0, nd = 0;
                while (nd < 2 && strchr("0123456789abcdefABCDEF", *p) && *p) {
                    v = v * 16 + (*p <= '9' ? *p - '0' : (*p | 0x20) - 'a' + 10);
                    p++, nd++;
                }
                if (!nd) goto fail;
                ch = (char)v;
                break;
            }
            default:
                if (e >= '0' && e <= '7') {
                    int v = e - '0', nd = 1;
                    while (nd < 3 && *p >= '0' && *p <= '7') v = v * 8 + (*p++ - '0'), nd++;
                    ch = (char)v;
                } else {
                    goto fail;
                }
            }
        }
        out[k++] = ch;
    }
    if (*p != q) goto fail;
    out[k] = '\0';
    *pp = p + 1;
    return out;
fail:
    free(out);
    return NULL;
}

/* model_checkpoint_path of a CheckpointState text file (malloc'd, as written). */
static int read_checkpoint_state(const char *path, char **value, avmit_error *err) {
    unsigned char *buf;
    size_t n;
    int rc = avmit_read_file(path, &buf, &n, err);
    if (rc) return rc;
    *value = NULL;
    const char *p = (const char *)buf;
    long long line = 1;
    while (*p && !rc) {
        while (*p == ' ' || *p == '\t' || *p == '\r') p++;
        if (*p == '\n' || *p == '#' || !*p) {
            while (*p && *p != '\n') p++;
            if (*p) p++, line++;
            continue;
        }
        const char *name = p;
        while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ||
               (*p >= '0' && *p <= '9'))
            p++;
        size_t name_len = (size_t)(p - name);
        while (*p == ' ' || *p == '\t') p++;
        if (!name_len || *p++ != ':') {
            rc = avmit_error_set(err, AVMIT_E_FORMAT, path, -1, line, -1, "",
                                 "expected 'field: value' (CheckpointState text format)");
            break;
        }
        while (*p == ' ' || *p == '\t') p++;
        if (*p == '"' || *p == '\'') {
            int bad;
            char *s = text_string(&p, &bad);
            if (!s) {
                rc = bad ? avmit_error_set(err, AVMIT_E_FORMAT, path, -1, line, -1, "",
                                           "bad string literal")
                         : AVMIT_NOMEM_AT(err, path, "read_checkpoint_state");
                break;
            }
            if (name_len == 21 && !memcmp(name, "model_checkpoint_path", 21)) {
                free(*value);
                *value = s;
            } else {
                free(s);
            }
        } else {
            while (*p && *p != '\n' && *p != ' ' && *p != '\t' && *p != '#') p++; /* a number */
        }
        while (*p == ' ' || *p == '\t' || *p == '\r') p++;
        if (*p && *p != '\n' && *p != '#')
            rc = avmit_error_set(err, AVMIT_E_FORMAT, path, -1, line, -1, "",
                                 "unexpected text after the value");
    }
    free(buf);
    if (!rc && (!*value || !**value))
        rc = AVMIT_ERR(err, AVMIT_E_NOTFOUND, path, "model_checkpoint_path",
                       "no model_checkpoint_path in this checkpoint state file");
    if (rc) {
        free(*value);
        *value = NULL;
    }
    return rc;
}

int avmit_tfckpt_resolve(const char *path, char **prefix, avmit_error *err) {
    struct stat st;
    char *state = NULL, *dir = NULL;
    *prefix = NULL;
    int is_dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (is_dir || !strcmp(base, "checkpoint")) {
        dir = is_dir ? strdup(path) : strndup(path, (size_t)(base - path));
        state = is_dir ? avmit_path_join(path, "checkpoint") : strdup(path);
        if (!dir || !state) {
            free(dir), free(state);
            return AVMIT_NOMEM_AT(err, path, "tfckpt_resolve");
        }
        char *v;
        int rc = read_checkpoint_state(state, &v, err);
        free(state);
        if (!rc) {
            *prefix = v[0] == '/' || !dir[0] ? v : avmit_path_join(dir, v);
            if (*prefix != v) free(v);
            if (!*prefix) rc = AVMIT_NOMEM_AT(err, path, "tfckpt_resolve");
        }
        free(dir);
        return rc;
    }
    size_t n = strlen(path);
    if (ends_with(path, ".index")) n -= 6;
    else if (ends_with(path, DATA_SUFFIX)) n -= strlen(DATA_SUFFIX);
    *prefix = strndup(path, n);
    return *prefix ? 0 : AVMIT_NOMEM_AT(err, path, "tfckpt_resolve");
}

int avmit_tfckpt_probe(const char *path) {
    avmit_error err;
    char *prefix;
    if (avmit_tfckpt_resolve(path, &prefix, &err)) {
        struct stat st;
        return stat(path, &st) == 0 && S_ISDIR(st.st_mode); /* a folder: say why it failed */
    }
    size_t n = strlen(prefix);
    char *ip = malloc(n + 7);
    int yes = 0;
    if (ip) {
        memcpy(ip, prefix, n);
        memcpy(ip + n, ".index", 7);
        struct stat st;
        yes = stat(ip, &st) == 0;
    }
    free(ip);
    free(prefix);
    return yes;
}

int avmit_tfckpt_open(avmit_tfckpt *out, const char *path, avmit_error *err) {
    memset(out, 0, sizeof *out);
    char *prefix;
    int rc = avmit_tfckpt_resolve(path, &prefix, err);
    if (rc) return rc;
    size_t n = strlen(prefix);
    char *ip = malloc(n + 7), *dp = malloc(n + strlen(DATA_SUFFIX) + 1);
    if (!ip || !dp) {
        free(ip), free(dp), free(prefix);
        return AVMIT_NOMEM_AT(err, path, "tfckpt_open");
    }
    memcpy(ip, prefix, n);
    memcpy(ip + n, ".index", 7);
    memcpy(dp, prefix, n);
    memcpy(dp + n, DATA_SUFFIX, strlen(DATA_SUFFIX) + 1);
    unsigned char *buf;
    size_t size;
    rc = avmit_read_file(ip, &buf, &size, err);
    if (!rc) {
        rc = avmit_tfckpt_parse_index(out, buf, size, ip, err);
        free(buf);
    }
    if (rc) {
        free(ip), free(dp), free(prefix);
        return rc;
    }
    out->prefix = prefix;
    out->index_path = ip;
    out->data_path = dp;
    return 0;
}

/* ---- tensors ---------------------------------------------------------------------- */

static uint32_t le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int64_t avmit_tfckpt_entry_count(const avmit_tfckpt_entry *e) {
    int64_t n = 1;
    for (int i = 0; i < e->ndim; i++) n *= e->shape[i];
    return n;
}

/* CRC of a DT_STRING tensor (tensor_bundle.cc WriteStringTensor): varint64
 * lengths, the masked crc32c of the lengths (taken over each length as uint32
 * LE, as uint64 LE above 2^32 - 1), then the bytes; the entry CRC covers the
 * lengths the same way, the 4 checksum bytes and the bytes. On success
 * *strings = start of the bytes. */
static int string_tensor_crc(const avmit_tfckpt_entry *e, const uint8_t *p, const char *name,
                             uint32_t *crc_out, const uint8_t **strings, avmit_error *err) {
    const uint8_t *q = p, *end = p + e->size;
    int64_t count = avmit_tfckpt_entry_count(e);
    uint32_t crc = 0;
    uint64_t total = 0;
    for (int64_t i = 0; i < count; i++) {
        uint64_t len;
        if (pb_read_varint(&q, end, &len) || len > (uint64_t)e->size)
            return avmit_error_set(err, AVMIT_E_FORMAT, name, -1, -1, e->offset, e->key,
                                   "string tensor: corrupt length of element %lld",
                                   (long long)i);
        uint8_t le[8];
        for (int b = 0; b < 8; b++) le[b] = (uint8_t)(len >> (8 * b));
        crc = avmit_crc32c(crc, le, len > 0xffffffffu ? 8 : 4);
        total += len;
    }
    if ((size_t)(end - q) < 4 || total != (uint64_t)(end - q) - 4)
        return avmit_error_set(err, AVMIT_E_FORMAT, name, -1, -1, e->offset, e->key,
                               "string tensor: lengths add up to %llu bytes but %lld bytes "
                               "follow them",
                               (unsigned long long)total, (long long)(end - q) - 4);
    uint32_t stored = avmit_crc32c_unmask(le32(q));
    if (stored != crc)
        return avmit_error_set(err, AVMIT_E_CRC, name, -1, -1, (long long)(q - p) + e->offset,
                               e->key, "string tensor length checksum mismatch (stored 0x%08x, "
                               "computed 0x%08x)", stored, crc);
    crc = avmit_crc32c(crc, q, 4);
    *strings = q + 4;
    *crc_out = avmit_crc32c(crc, q + 4, (size_t)total);
    return 0;
}

/* TrackableObjectGraph (§6.4): nodes(1) -> attributes(2) -> SerializedTensor
 * {full_name 2, checkpoint_key 3}; gives matching entries their full_name. */
static int read_object_graph(avmit_tfckpt *ck, const uint8_t *g, size_t n, const char *name,
                             const char *key, avmit_error *err) {
    pb_cursor c = pb_cursor_make(g, n, g);
    pb_field node, attr, f;
    size_t bad;
    int r, r2 = 0, r3 = 0;
    while ((r = pb_next(&c, &node, &bad)) > 0) {
        if (node.number != 1 || node.wire_type != PB_WT_LEN) continue;
        pb_cursor cn = pb_sub(&c, &node);
        while ((r2 = pb_next(&cn, &attr, &bad)) > 0) {
            if (attr.number != 2 || attr.wire_type != PB_WT_LEN) continue;
            pb_cursor ca = pb_sub(&cn, &attr);
            const uint8_t *full = NULL, *ckey = NULL;
            size_t full_n = 0, ckey_n = 0;
            while ((r3 = pb_next(&ca, &f, &bad)) > 0) {
                if (f.wire_type != PB_WT_LEN) continue;
                if (f.number == 2) full = f.data, full_n = f.len;
                if (f.number == 3) ckey = f.data, ckey_n = f.len;
            }
            if (r3 < 0) break;
            for (size_t i = 0; full && ckey && i < ck->n_entries; i++) {
                avmit_tfckpt_entry *e = &ck->entries[i];
                if (strlen(e->key) != ckey_n || memcmp(e->key, ckey, ckey_n) || e->full_name)
                    continue;
                if (!(e->full_name = strndup((const char *)full, full_n)))
                    return AVMIT_NOMEM_AT(err, name, "read_object_graph");
            }
        }
        if (r2 < 0 || r3 < 0) break;
    }
    int pr = r < 0 ? r : r2 < 0 ? r2 : r3;
    if (pr < 0)
        return AVMIT_ERR(err, AVMIT_E_FORMAT, name, key, "TrackableObjectGraph at byte %zu: %s",
                         bad, pb_strerror(pr));
    return 0;
}

int avmit_tfckpt_attach_data(avmit_tfckpt *ck, uint8_t *buf, size_t n, const char *name,
                             avmit_error *err) {
    for (size_t i = 0; i < ck->n_entries; i++) {
        avmit_tfckpt_entry *e = &ck->entries[i];
        e->data = NULL;
        e->crc_verified = 0;
        if ((uint64_t)e->offset > n || (uint64_t)e->size > n - (uint64_t)e->offset)
            return avmit_error_set(err, AVMIT_E_TRUNCATED, name, -1, -1, e->offset, e->key,
                                   "tensor bytes [%lld, %lld) run past the end of the data "
                                   "file (%zu bytes): truncated shard?",
                                   (long long)e->offset, (long long)(e->offset + e->size), n);
        const uint8_t *p = buf + e->offset, *strings = NULL;
        uint32_t crc = 0;
        if (e->dtype == AVMIT_TF_STRING) {
            int rc = string_tensor_crc(e, p, name, &crc, &strings, err);
            if (rc) return rc;
        } else {
            crc = avmit_crc32c(0, p, (size_t)e->size);
        }
        if (crc != e->crc32c)
            return avmit_error_set(err, AVMIT_E_CRC, name, -1, -1, e->offset, e->key,
                                   "tensor CRC mismatch (stored 0x%08x, computed 0x%08x)",
                                   e->crc32c, crc);
        e->data = p;
        e->crc_verified = 1;
        if (e->dtype == AVMIT_TF_STRING && e->ndim == 0 && !strcmp(e->key, GRAPH_KEY)) {
            int rc = read_object_graph(ck, strings, (size_t)(p + e->size - strings), name,
                                       e->key, err);
            if (rc) return rc;
        }
    }
    return 0;
}

int avmit_tfckpt_load(avmit_tfckpt *ck, avmit_error *err) {
    if (!ck->data_path)
        return avmit_error_path(err, AVMIT_E_ARG, NULL, "checkpoint was not opened from a file");
    unsigned char *buf;
    size_t n;
    int rc = avmit_read_file(ck->data_path, &buf, &n, err);
    if (rc) return rc;
    free(ck->data_buf);
    ck->data_buf = buf;
    ck->data_size = n;
    return avmit_tfckpt_attach_data(ck, buf, n, ck->data_path, err);
}

const avmit_tfckpt_entry *avmit_tfckpt_find(const avmit_tfckpt *ck, const char *key) {
    size_t lo = 0, hi = ck->n_entries; /* entries are in strictly increasing key order */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(ck->entries[mid].key, key);
        if (!c) return &ck->entries[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

const avmit_tfckpt_entry *avmit_tfckpt_find_var(const avmit_tfckpt *ck, const char *path) {
    size_t n = strlen(path);
    char *key = malloc(n + sizeof ATTR_SUFFIX);
    if (!key) return NULL;
    memcpy(key, path, n);
    memcpy(key + n, ATTR_SUFFIX, sizeof ATTR_SUFFIX);
    const avmit_tfckpt_entry *e = avmit_tfckpt_find(ck, key);
    free(key);
    return e;
}

int avmit_tfckpt_entry_f32(const avmit_tfckpt_entry *e, float *dst, avmit_error *err) {
    if (e->dtype != AVMIT_TF_FLOAT || !e->data)
        return AVMIT_ERR(err, AVMIT_E_ARG, NULL, e->key,
                         "expected a loaded float32 tensor, found %s%s",
                         avmit_tf_dtype_name(e->dtype), e->data ? "" : " (not loaded)");
    int64_t count = avmit_tfckpt_entry_count(e);
    for (int64_t i = 0; i < count; i++) { /* little-endian on disk, whatever the host */
        uint32_t u = le32(e->data + 4 * i);
        memcpy(&dst[i], &u, 4);
    }
    return 0;
}

void avmit_tfckpt_free(avmit_tfckpt *ck) {
    if (!ck) return;
    for (size_t i = 0; i < ck->n_entries; i++) {
        free(ck->entries[i].key);
        free(ck->entries[i].full_name);
    }
    free(ck->entries);
    free(ck->data_buf);
    free(ck->prefix);
    free(ck->index_path);
    free(ck->data_path);
    memset(ck, 0, sizeof *ck);
}
