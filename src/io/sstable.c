/*
 * sstable.c — streaming reader and writer of leveldb-format tables (see
 * sstable_int.h; FORMATS.md §6.2, docs/cnn-weights.md §1.1).
 */
#define _POSIX_C_SOURCE 200809L
#include "io/sstable_int.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "avmit/tfrecord.h" /* avmit_crc32c */
#include "core/error_int.h"
#include "io/pb_int.h"

#define AVMIT_NOMEM_SRC(s) avmit_error_path((s)->err, AVMIT_E_NOMEM, (s)->path, "out of memory")

#define FOOTER_BYTES 48u
#define TRAILER_BYTES 5u
#define TABLE_MAGIC 0xdb4775248b80fb57ull
#define MAX_KEY (1u << 20)

static uint32_t le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

#define SFAIL(src, code, off, ...) \
    avmit_error_set((src)->err, (code), (src)->path, -1, -1, (long long)(off), "", __VA_ARGS__)

/* Exactly n bytes at off (a short file is AVMIT_E_TRUNCATED). */
static int src_read(const sst_src *s, uint64_t off, void *dst, size_t n) {
    if (off > s->size || n > s->size - off)
        return SFAIL(s, AVMIT_E_TRUNCATED, off, "file ends at byte %llu, %zu bytes needed here",
                     (unsigned long long)s->size, n);
    if (s->mem) {
        memcpy(dst, s->mem + off, n);
        return 0;
    }
    uint8_t *d = dst;
    while (n) {
        ssize_t r = pread(s->fd, d, n, (off_t)off);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return SFAIL(s, AVMIT_E_IO, off, "read failed: %s", strerror(errno));
        if (r == 0) return SFAIL(s, AVMIT_E_TRUNCATED, off, "file shorter than its size");
        d += r;
        off += (uint64_t)r;
        n -= (size_t)r;
    }
    return 0;
}

/* ---- block stream --------------------------------------------------------------- */

long long sst_bs_offset(const sst_bs *bs) { return bs->at < 0 ? -1 : bs->at + (long long)bs->pos; }

int sst_bs_read(sst_bs *bs, void *dst, size_t n) {
    if (n > bs->limit - bs->pos)
        return avmit_error_set(bs->src->err, AVMIT_E_FORMAT, bs->src->path, -1, -1,
                               sst_bs_offset(bs), "", "%zu bytes needed but the %s ends after %llu",
                               n, bs->limit == bs->end ? "block" : "value",
                               (unsigned long long)(bs->limit - bs->pos));
    uint8_t *d = dst;
    while (n) {
        if (bs->bpos == bs->blen) {
            uint64_t left = bs->end - bs->fpos;
            if (n >= sizeof bs->buf && d) { /* large: straight into the caller's buffer */
                int rc = src_read(bs->src, bs->base + bs->fpos, d, n);
                if (rc) return rc;
                bs->crc = avmit_crc32c(bs->crc, d, n);
                bs->fpos += n;
                bs->pos += n;
                return 0;
            }
            size_t want = left < sizeof bs->buf ? (size_t)left : sizeof bs->buf;
            int rc = src_read(bs->src, bs->base + bs->fpos, bs->buf, want);
            if (rc) return rc;
            bs->crc = avmit_crc32c(bs->crc, bs->buf, want);
            bs->fpos += want;
            bs->bpos = 0;
            bs->blen = want;
        }
        size_t k = bs->blen - bs->bpos < n ? bs->blen - bs->bpos : n;
        if (d) {
            memcpy(d, bs->buf + bs->bpos, k);
            d += k;
        }
        bs->bpos += k;
        bs->pos += k;
        n -= k;
    }
    return 0;
}

int sst_bs_varint(sst_bs *bs, uint64_t *v) {
    uint64_t r = 0;
    for (int i = 0; i < 10; i++) {
        uint8_t b;
        int rc = sst_bs_read(bs, &b, 1);
        if (rc) return rc;
        if (i == 9 && b > 1) break;
        r |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            *v = r;
            return 0;
        }
    }
    return avmit_error_set(bs->src->err, AVMIT_E_FORMAT, bs->src->path, -1, -1, sst_bs_offset(bs),
                           "", "varint longer than 10 bytes or beyond 64 bits");
}

/* ---- blocks ---------------------------------------------------------------------- */

typedef struct keystate {
    uint8_t *key;
    size_t len, cap;
    int have;
} keystate;

static int key_reserve(keystate *k, size_t n) {
    if (n <= k->cap) return 0;
    size_t c = k->cap ? k->cap : 64;
    while (c < n) c *= 2;
    uint8_t *p = realloc(k->key, c);
    if (!p) return -1;
    k->key = p;
    k->cap = c;
    return 0;
}

static int keycmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn) {
    int c = memcmp(a, b, an < bn ? an : bn);
    return c ? c : (an < bn ? -1 : an > bn);
}

/*
 * Walk the entries of one block. The block is [off, off+size) of src, with
 * its trailer after it; `table` tracks the previous key across blocks (keys
 * strictly increasing); `blockkey` receives the block's own first/last keys.
 */
typedef struct walk {
    const sst_src *src;
    keystate prev;        /* last key of the table so far */
    keystate first;       /* first key of the current block */
} walk;

static int walk_stream(walk *w, const sst_src *s, uint64_t base, uint64_t size, const char *what,
                       sst_entry_fn fn, void *ctx, uint32_t *crc) {
    const sst_src *src = w->src;
    long long at = s == src ? (long long)base : -1;
    if (size < 4) return SFAIL(src, AVMIT_E_FORMAT, at, "%s: %llu bytes, too short for a block", what,
                               (unsigned long long)size);
    uint8_t b4[4];
    int rc = src_read(s, base + size - 4, b4, 4);
    if (rc) return rc;
    uint64_t nr = le32(b4);
    if (nr > (size - 4) / 4)
        return SFAIL(src, AVMIT_E_FORMAT, at, "%s: %llu restart points do not fit in %llu bytes", what,
                     (unsigned long long)nr, (unsigned long long)size);
    uint64_t data_end = size - 4 - 4 * nr;
    uint8_t *ra = malloc(4 * nr + 1);
    if (!ra) return AVMIT_NOMEM_SRC(src);
    rc = src_read(s, base + data_end, ra, (size_t)(4 * nr));
    for (uint64_t i = 0; !rc && i < nr; i++) {
        uint32_t r = le32(ra + 4 * i);
        if ((i == 0 && r != 0) || (i > 0 && r <= le32(ra + 4 * (i - 1))) ||
            (r >= data_end && !(r == 0 && data_end == 0)))
            rc = SFAIL(src, AVMIT_E_FORMAT, at, "%s: restart point %llu = %u is not a valid entry offset",
                       what, (unsigned long long)i, r);
    }
    if (!rc && nr == 0 && data_end > 0)
        rc = SFAIL(src, AVMIT_E_FORMAT, at, "%s: entries but no restart points", what);
    sst_bs *bs = rc ? NULL : calloc(1, sizeof *bs);
    if (!rc && !bs) rc = AVMIT_NOMEM_SRC(src);
    if (rc || !bs) {
        free(ra);
        return rc;
    }
    bs->src = s;
    bs->base = base;
    bs->end = size;
    bs->limit = data_end;
    bs->at = at;
    uint64_t ri = 0;
    keystate *k = &w->prev;
    size_t cur_len = 0, cur_cap = 64, n_entries = 0;
    uint8_t *cur = malloc(cur_cap);
    if (!cur) rc = AVMIT_NOMEM_SRC(src);
    while (!rc && bs->pos < data_end) {
        uint64_t eoff = bs->pos, shared, nonshared, vlen;
        bs->limit = data_end;
        if ((rc = sst_bs_varint(bs, &shared)) || (rc = sst_bs_varint(bs, &nonshared)) ||
            (rc = sst_bs_varint(bs, &vlen)))
            break;
        int is_restart = ri < nr && le32(ra + 4 * ri) == eoff;
        if (ri < nr && le32(ra + 4 * ri) < eoff) {
            rc = SFAIL(src, AVMIT_E_FORMAT, at, "%s: restart point %u is not an entry start", what,
                       le32(ra + 4 * ri));
            break;
        }
        if (is_restart) ri++;
        if ((is_restart && shared) || shared > cur_len || nonshared > MAX_KEY) {
            rc = SFAIL(src, AVMIT_E_FORMAT, at < 0 ? -1 : at + (long long)eoff,
                       "%s: entry shares %llu key bytes with a %zu-byte previous key%s", what,
                       (unsigned long long)shared, cur_len, is_restart ? " at a restart point" : "");
            break;
        }
        if (shared + nonshared > cur_cap) {
            size_t c = (size_t)(shared + nonshared) + 64;
            uint8_t *p = realloc(cur, c);
            if (!p) {
                rc = AVMIT_NOMEM_SRC(src);
                break;
            }
            cur = p;
            cur_cap = c;
        }
        if ((rc = sst_bs_read(bs, cur + shared, (size_t)nonshared))) break;
        cur_len = (size_t)(shared + nonshared);
        if (k->have && keycmp(cur, cur_len, k->key, k->len) <= 0) {
            rc = SFAIL(src, AVMIT_E_FORMAT, at < 0 ? -1 : at + (long long)eoff,
                       "%s: keys not strictly increasing", what);
            break;
        }
        if (key_reserve(k, cur_len + 1)) {
            rc = AVMIT_NOMEM_SRC(src);
            break;
        }
        memcpy(k->key, cur, cur_len);
        k->len = cur_len;
        k->have = 1;
        if (n_entries++ == 0) {
            if (key_reserve(&w->first, cur_len + 1)) {
                rc = AVMIT_NOMEM_SRC(src);
                break;
            }
            memcpy(w->first.key, cur, cur_len);
            w->first.len = cur_len;
            w->first.have = 1;
        }
        if (vlen > data_end - bs->pos) {
            rc = SFAIL(src, AVMIT_E_FORMAT, at < 0 ? -1 : at + (long long)eoff,
                       "%s: value of %llu bytes runs past the entries", what, (unsigned long long)vlen);
            break;
        }
        bs->limit = bs->pos + vlen;
        rc = fn(ctx, cur, cur_len, vlen, bs);
        if (!rc && bs->pos != bs->limit)
            rc = SFAIL(src, AVMIT_E_FORMAT, at < 0 ? -1 : at + (long long)eoff,
                       "%s: value not consumed (%llu bytes left)", what,
                       (unsigned long long)(bs->limit - bs->pos));
    }
    if (!rc && ri != nr && !(nr == 1 && data_end == 0))
        rc = SFAIL(src, AVMIT_E_FORMAT, at, "%s: restart point %u is not an entry start", what,
                   le32(ra + 4 * ri));
    if (!rc) { /* the restart array and count, through the checksum */
        bs->limit = bs->end;
        rc = sst_bs_read(bs, NULL, (size_t)(4 * nr + 4));
    }
    if (!rc && !n_entries) w->first.have = 0;
    *crc = bs->crc;
    free(cur);
    free(ra);
    free(bs);
    return rc;
}

/* Check the trailer of block h and walk it (Snappy blocks are read whole). */
static int walk_block(walk *w, uint64_t off, uint64_t size, const char *what, sst_entry_fn fn,
                      void *ctx) {
    const sst_src *src = w->src;
    if (off > src->size || size > src->size - off || src->size - off - size < TRAILER_BYTES + FOOTER_BYTES)
        return SFAIL(src, AVMIT_E_TRUNCATED, off,
                     "%s: block of %llu bytes at %llu runs past the end of the file (%llu bytes)", what,
                     (unsigned long long)size, (unsigned long long)off, (unsigned long long)src->size);
    uint8_t tr[TRAILER_BYTES];
    int rc = src_read(src, off + size, tr, TRAILER_BYTES);
    if (rc) return rc;
    uint32_t stored = avmit_crc32c_unmask(le32(tr + 1)), crc = 0;
    if (tr[0] == 0) {
        rc = walk_stream(w, src, off, size, what, fn, ctx, &crc);
        if (rc) return rc;
        crc = avmit_crc32c(crc, tr, 1);
        if (crc != stored)
            return SFAIL(src, AVMIT_E_CRC, off, "%s: block checksum mismatch (stored 0x%08x, computed 0x%08x)",
                         what, stored, crc);
        return 0;
    }
    if (tr[0] != 1)
        return SFAIL(src, AVMIT_E_FORMAT, off + size, "%s: unknown block type %u (0 raw, 1 Snappy)", what,
                     tr[0]);
    uint8_t *raw = malloc(size ? size : 1), *plain = NULL;
    size_t plain_n = 0;
    if (!raw) return AVMIT_NOMEM_SRC(src);
    rc = src_read(src, off, raw, (size_t)size);
    if (!rc) {
        crc = avmit_crc32c(avmit_crc32c(0, raw, (size_t)size), tr, 1);
        if (crc != stored)
            rc = SFAIL(src, AVMIT_E_CRC, off, "%s: block checksum mismatch (stored 0x%08x, computed 0x%08x)",
                       what, stored, crc);
    }
    const char *why = NULL;
    if (!rc && sst_snappy_decode(raw, (size_t)size, &plain, &plain_n, &why))
        rc = SFAIL(src, why && !strcmp(why, "out of memory") ? AVMIT_E_NOMEM : AVMIT_E_FORMAT, off,
                   "%s: bad Snappy block: %s", what, why ? why : "?");
    free(raw);
    if (!rc) {
        sst_src m = {-1, plain, plain_n, src->path, src->err};
        uint32_t ignored;
        rc = walk_stream(w, &m, 0, plain_n, what, fn, ctx, &ignored);
    }
    free(plain);
    return rc;
}

/* ---- the table -------------------------------------------------------------------- */

typedef struct handle_list {
    uint64_t *h;          /* off, size pairs */
    keystate *sep;        /* separator keys */
    size_t n, cap;
} handle_list;

static int index_entry(void *ctx, const uint8_t *key, size_t klen, uint64_t vlen, sst_bs *bs) {
    handle_list *l = ctx;
    uint8_t v[20];
    if (vlen > sizeof v || vlen < 2)
        return avmit_error_set(bs->src->err, AVMIT_E_FORMAT, bs->src->path, -1, -1, sst_bs_offset(bs),
                               "", "index block: a block handle of %llu bytes", (unsigned long long)vlen);
    int rc = sst_bs_read(bs, v, (size_t)vlen);
    if (rc) return rc;
    if (l->n == l->cap) {
        size_t c = l->cap ? 2 * l->cap : 16;
        uint64_t *h = realloc(l->h, 2 * c * sizeof *h);
        if (h) l->h = h;
        keystate *s = h ? realloc(l->sep, c * sizeof *s) : NULL;
        if (!s) return AVMIT_NOMEM_SRC(bs->src);
        l->sep = s;
        l->cap = c;
    }
    const uint8_t *p = v;
    uint64_t off, size;
    if (pb_read_varint(&p, v + vlen, &off) || pb_read_varint(&p, v + vlen, &size) || p != v + vlen)
        return avmit_error_set(bs->src->err, AVMIT_E_FORMAT, bs->src->path, -1, -1, sst_bs_offset(bs),
                               "", "index block: malformed block handle");
    keystate *s = &l->sep[l->n];
    memset(s, 0, sizeof *s);
    if (key_reserve(s, klen + 1)) return AVMIT_NOMEM_SRC(bs->src);
    memcpy(s->key, key, klen);
    s->len = klen;
    l->h[2 * l->n] = off;
    l->h[2 * l->n + 1] = size;
    l->n++;
    return 0;
}

static int ignore_entry(void *ctx, const uint8_t *key, size_t klen, uint64_t vlen, sst_bs *bs) {
    (void)ctx, (void)key, (void)klen;
    return sst_bs_read(bs, NULL, (size_t)vlen);
}

int sst_walk_table(const sst_src *src, sst_entry_fn fn, void *ctx) {
    if (src->size < FOOTER_BYTES)
        return SFAIL(src, AVMIT_E_FORMAT, 0, "not an sstable (%llu bytes, shorter than the %u-byte footer)",
                     (unsigned long long)src->size, FOOTER_BYTES);
    uint8_t ft[FOOTER_BYTES];
    int rc = src_read(src, src->size - FOOTER_BYTES, ft, FOOTER_BYTES);
    if (rc) return rc;
    uint64_t magic = (uint64_t)le32(ft + 40) | (uint64_t)le32(ft + 44) << 32;
    if (magic != TABLE_MAGIC)
        return SFAIL(src, AVMIT_E_FORMAT, src->size - 8,
                     "not an sstable (bad magic number 0x%016llx, expected 0xdb4775248b80fb57)",
                     (unsigned long long)magic);
    uint64_t mh[2], ih[2];
    const uint8_t *p = ft, *e = ft + 40;
    if (pb_read_varint(&p, e, &mh[0]) || pb_read_varint(&p, e, &mh[1]) || pb_read_varint(&p, e, &ih[0]) ||
        pb_read_varint(&p, e, &ih[1]))
        return SFAIL(src, AVMIT_E_FORMAT, src->size - FOOTER_BYTES, "footer: malformed block handles");
    walk w;
    memset(&w, 0, sizeof w);
    w.src = src;
    rc = walk_block(&w, mh[0], mh[1], "metaindex block", ignore_entry, NULL);
    handle_list hl = {0};
    if (!rc) {
        free(w.prev.key); /* the index block has its own key order */
        memset(&w.prev, 0, sizeof w.prev);
        rc = walk_block(&w, ih[0], ih[1], "index block", index_entry, &hl);
    }
    free(w.prev.key);
    memset(&w.prev, 0, sizeof w.prev);
    uint64_t prev_end = 0;
    for (size_t i = 0; !rc && i < hl.n; i++) {
        uint64_t off = hl.h[2 * i], size = hl.h[2 * i + 1];
        char what[48];
        snprintf(what, sizeof what, "data block %zu", i);
        if (off < prev_end) {
            rc = SFAIL(src, AVMIT_E_FORMAT, off, "%s overlaps the previous block", what);
            break;
        }
        rc = walk_block(&w, off, size, what, fn, ctx);
        if (!rc && w.first.have && i > 0 &&
            keycmp(w.first.key, w.first.len, hl.sep[i - 1].key, hl.sep[i - 1].len) <= 0)
            rc = SFAIL(src, AVMIT_E_FORMAT, off, "%s: first key not above the index separator", what);
        if (!rc && w.prev.have && keycmp(w.prev.key, w.prev.len, hl.sep[i].key, hl.sep[i].len) > 0)
            rc = SFAIL(src, AVMIT_E_FORMAT, off, "%s: last key above its index separator", what);
        prev_end = off + size + TRAILER_BYTES;
    }
    for (size_t i = 0; i < hl.n; i++) free(hl.sep[i].key);
    free(hl.sep);
    free(hl.h);
    free(w.prev.key);
    free(w.first.key);
    return rc;
}

/* ---- Snappy ------------------------------------------------------------------------- */

int sst_snappy_decode(const uint8_t *in, size_t n, uint8_t **out, size_t *out_n, const char **why) {
    const uint8_t *p = in, *end = in + n;
    uint64_t ulen;
    *out = NULL;
    *out_n = 0;
    if (pb_read_varint(&p, end, &ulen) || ulen > 0xffffffffu) return *why = "bad length header", -1;
    /* a 3-byte copy element yields at most 64 bytes: anything larger is a lie */
    if (ulen > (uint64_t)n * 32 + 64) return *why = "uncompressed length impossible for its size", -1;
    uint8_t *o = malloc(ulen ? (size_t)ulen : 1);
    if (!o) return *why = "out of memory", -1;
    size_t op = 0;
    while (p < end) {
        uint8_t tag = *p++;
        size_t len, off = 0;
        if ((tag & 3) == 0) {
            len = (size_t)(tag >> 2) + 1;
            if (len > 60) {
                size_t nb = len - 60;
                if ((size_t)(end - p) < nb) goto bad;
                len = 0;
                for (size_t i = 0; i < nb; i++) len |= (size_t)p[i] << (8 * i);
                len += 1;
                p += nb;
            }
            if ((size_t)(end - p) < len || len > ulen - op) goto bad;
            memcpy(o + op, p, len);
            p += len;
            op += len;
            continue;
        }
        if ((tag & 3) == 1) {
            if (end - p < 1) goto bad;
            len = 4 + ((tag >> 2) & 7);
            off = (size_t)(tag >> 5) << 8 | *p++;
        } else if ((tag & 3) == 2) {
            if (end - p < 2) goto bad;
            len = 1 + (tag >> 2);
            off = (size_t)p[0] | (size_t)p[1] << 8;
            p += 2;
        } else {
            if (end - p < 4) goto bad;
            len = 1 + (tag >> 2);
            off = le32(p);
            p += 4;
        }
        if (off == 0 || off > op || len > ulen - op) goto bad;
        for (size_t i = 0; i < len; i++, op++) o[op] = o[op - off];
    }
    if (op != ulen) goto bad;
    *out = o;
    *out_n = op;
    return 0;
bad:
    free(o);
    *why = "corrupt element stream";
    return -1;
}

/* ---- writer ------------------------------------------------------------------------- */

#define WFAIL(b, ...) avmit_error_path((b)->err, AVMIT_E_IO, (b)->path, __VA_ARGS__)

static int put(sstb *b, uint32_t *crc, const void *p, size_t n) {
    if (!n) return 0;
    if (fwrite(p, 1, n, b->f) != n) return WFAIL(b, "write failed: %s", strerror(errno));
    if (crc) *crc = avmit_crc32c(*crc, p, n);
    b->off += n;
    return 0;
}

static int grow(uint8_t **buf, size_t *cap, size_t need) {
    if (need <= *cap) return 0;
    size_t c = *cap ? *cap : 64;
    while (c < need) c *= 2;
    uint8_t *p = realloc(*buf, c);
    if (!p) return -1;
    *buf = p;
    *cap = c;
    return 0;
}

static void block_start(sstb_block *k, uint64_t at, int interval) {
    k->start = at;
    k->bytes = 0;
    k->crc = 0;
    k->n_restarts = 0;
    k->counter = 0;
    k->interval = interval;
    k->prev_len = 0;
}

static int block_add(sstb *b, sstb_block *k, const uint8_t *key, size_t klen, const sst_piece *val,
                     size_t np) {
    size_t shared = 0;
    if (k->counter < k->interval && k->n_restarts) {
        size_t m = klen < k->prev_len ? klen : k->prev_len;
        while (shared < m && key[shared] == k->prev[shared]) shared++;
    } else {
        if (k->n_restarts == k->cap_restarts) {
            size_t c = k->cap_restarts ? 2 * k->cap_restarts : 16;
            uint32_t *r = realloc(k->restarts, c * sizeof *r);
            if (!r) return AVMIT_NOMEM(b->err, "table restarts");
            k->restarts = r;
            k->cap_restarts = c;
        }
        k->restarts[k->n_restarts++] = (uint32_t)k->bytes;
        k->counter = 0;
    }
    uint64_t vlen = 0;
    for (size_t i = 0; i < np; i++) vlen += val[i].n;
    uint8_t h[30];
    size_t hn = pb_put_varint(h, shared);
    hn += pb_put_varint(h + hn, klen - shared);
    hn += pb_put_varint(h + hn, vlen);
    int rc = put(b, &k->crc, h, hn);
    if (!rc) rc = put(b, &k->crc, key + shared, klen - shared);
    for (size_t i = 0; !rc && i < np; i++) rc = put(b, &k->crc, val[i].p, val[i].n);
    if (rc) return rc;
    k->bytes += hn + (klen - shared) + vlen;
    if (grow(&k->prev, &k->prev_cap, klen + 1)) return AVMIT_NOMEM(b->err, "table key");
    memcpy(k->prev, key, klen);
    k->prev_len = klen;
    k->counter++;
    return 0;
}

/* Restarts, count and trailer; (*off, *size) = the block handle. */
static int block_end(sstb *b, sstb_block *k, uint64_t *off, uint64_t *size) {
    if (!k->n_restarts) {
        k->restarts = k->restarts ? k->restarts : malloc(sizeof *k->restarts);
        if (!k->restarts) return AVMIT_NOMEM(b->err, "table restarts");
        k->cap_restarts = k->cap_restarts ? k->cap_restarts : 1;
        k->restarts[0] = 0;
        k->n_restarts = 1;
    }
    uint8_t w[4];
    int rc = 0;
    for (size_t i = 0; !rc && i < k->n_restarts; i++) {
        put_le32(w, k->restarts[i]);
        rc = put(b, &k->crc, w, 4);
    }
    put_le32(w, (uint32_t)k->n_restarts);
    if (!rc) rc = put(b, &k->crc, w, 4);
    uint8_t tr[TRAILER_BYTES] = {0};
    k->crc = avmit_crc32c(k->crc, tr, 1);
    put_le32(tr + 1, avmit_crc32c_mask(k->crc));
    *off = k->start;
    *size = k->bytes + 4 * k->n_restarts + 4;
    if (!rc) rc = put(b, NULL, tr, TRAILER_BYTES);
    return rc;
}

void sstb_init(sstb *b, FILE *f, const char *path, avmit_error *err) {
    memset(b, 0, sizeof *b);
    b->f = f;
    b->path = path;
    b->err = err;
    block_start(&b->data, 0, 16);
}

static int index_push(sstb *b, const uint8_t *key, size_t klen) {
    uint8_t h[40];
    size_t hn = pb_put_varint(h, klen);
    uint8_t hv[20];
    size_t vn = pb_put_varint(hv, b->pend_off);
    vn += pb_put_varint(hv + vn, b->pend_size);
    if (grow(&b->index, &b->index_cap, b->index_len + hn + klen + 1 + vn))
        return AVMIT_NOMEM(b->err, "table index");
    memcpy(b->index + b->index_len, h, hn);
    memcpy(b->index + b->index_len + hn, key, klen);
    b->index_len += hn + klen;
    b->index[b->index_len++] = (uint8_t)vn;
    memcpy(b->index + b->index_len, hv, vn);
    b->index_len += vn;
    b->pending = 0;
    return 0;
}

static int flush_data(sstb *b) {
    if (!b->data.n_restarts) return 0;
    int rc = block_end(b, &b->data, &b->pend_off, &b->pend_size);
    b->pending = 1;
    block_start(&b->data, b->off, 16);
    return rc;
}

int sstb_add(sstb *b, const uint8_t *key, size_t klen, const sst_piece *val, size_t np) {
    if (b->n_entries && keycmp(key, klen, b->last, b->last_len) <= 0)
        return avmit_error_path(b->err, AVMIT_E_ARG, b->path, "table keys not strictly increasing");
    if (b->pending) { /* FindShortestSeparator(last, key) */
        size_t m = klen < b->last_len ? klen : b->last_len, i = 0;
        while (i < m && b->last[i] == key[i]) i++;
        size_t sl = b->last_len;
        if (i < m && b->last[i] < 0xff && b->last[i] + 1 < key[i]) {
            b->last[i]++;
            sl = i + 1;
        }
        int rc = index_push(b, b->last, sl);
        if (rc) return rc;
    }
    if (grow(&b->last, &b->last_cap, klen + 1)) return AVMIT_NOMEM(b->err, "table key");
    memcpy(b->last, key, klen);
    b->last_len = klen;
    b->n_entries++;
    int rc = block_add(b, &b->data, key, klen, val, np);
    if (rc) return rc;
    if (b->data.bytes + 4 * b->data.n_restarts + 4 >= SST_BLOCK_SIZE) return flush_data(b);
    return 0;
}

int sstb_finish(sstb *b) {
    int rc = flush_data(b);
    uint64_t mo, ms, io, is;
    sstb_block k = {0};
    block_start(&k, b->off, 1);
    if (!rc) rc = block_end(b, &k, &mo, &ms); /* empty metaindex */
    if (!rc && b->pending) {                  /* FindShortSuccessor(last) */
        size_t sl = b->last_len;
        for (size_t i = 0; i < b->last_len; i++)
            if (b->last[i] != 0xff) {
                b->last[i]++;
                sl = i + 1;
                break;
            }
        rc = index_push(b, b->last, sl);
    }
    block_start(&k, b->off, 1);
    for (size_t p = 0; !rc && p < b->index_len;) {
        const uint8_t *q = b->index + p;
        uint64_t klen;
        pb_read_varint(&q, b->index + b->index_len, &klen);
        const uint8_t *key = q;
        size_t vn = key[klen];
        sst_piece v = {key + klen + 1, vn};
        rc = block_add(b, &k, key, (size_t)klen, &v, 1);
        p = (size_t)(key + klen + 1 + vn - b->index);
    }
    if (!rc) rc = block_end(b, &k, &io, &is);
    free(k.restarts);
    free(k.prev);
    if (rc) return rc;
    uint8_t ft[FOOTER_BYTES] = {0};
    size_t n = pb_put_varint(ft, mo);
    n += pb_put_varint(ft + n, ms);
    n += pb_put_varint(ft + n, io);
    pb_put_varint(ft + n, is);
    put_le32(ft + 40, (uint32_t)TABLE_MAGIC);
    put_le32(ft + 44, (uint32_t)(TABLE_MAGIC >> 32));
    return put(b, NULL, ft, FOOTER_BYTES);
}

void sstb_free(sstb *b) {
    free(b->data.restarts);
    free(b->data.prev);
    free(b->last);
    free(b->index);
    memset(b, 0, sizeof *b);
}
