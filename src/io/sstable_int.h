/*
 * sstable_int.h — leveldb-format tables as TensorFlow writes them
 * (FORMATS.md §6.2; tensorflow/core/lib/io/{format,block_builder,
 * table_builder}.cc): a streaming reader and a streaming writer for tables
 * whose values may be hundreds of megabytes (TF1 V1 checkpoints,
 * docs/cnn-weights.md §1.1).
 *
 * Reader: sst_walk_table() reads the footer and index block, then walks every
 * data block in order, streaming it from the file through a small buffer and
 * handing each entry to a callback that consumes the value with sst_bs_read()
 * (possibly straight into its final buffer: no copy of the block is kept).
 * Checked, with errors naming the file and byte offset: footer magic, block
 * handles inside the file and in order, trailer type (0 raw, 1 Snappy: the
 * block is then read whole and decompressed), masked crc32c of every block,
 * restart array (first 0, increasing, every restart an entry start with no
 * shared prefix), entries inside the block, keys strictly increasing across
 * the table, index separators (last key of a block <= separator < first key
 * of the next).
 *
 * Writer: sstb_* writes entries straight to a FILE as they are added (values
 * given as pieces, so a tensor's floats are written from its own buffer),
 * cutting data blocks once their size estimate reaches 262,144 bytes, restart
 * interval 16 (index block: 1), shortened separators / short successor as
 * index keys, empty metaindex, footer — byte for byte TensorFlow's output with
 * kNoCompression.
 *
 * Thread-safety: all state is in the caller's structs.
 */
#ifndef AVMIT_SSTABLE_INT_H
#define AVMIT_SSTABLE_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "avmit/error.h"

#define SST_BLOCK_SIZE 262144u

/* A table image: an open file (fd >= 0) or a memory buffer. */
typedef struct sst_src {
    int fd;
    const uint8_t *mem;
    uint64_t size;
    const char *path;   /* for messages */
    avmit_error *err;
} sst_src;

/* A buffered, checksummed stream over one block's bytes [pos, end). */
typedef struct sst_bs {
    const sst_src *src;
    uint64_t base;       /* offset of the block in src */
    long long at;        /* file offset of the block for messages, -1 (decompressed) */
    uint64_t pos;        /* offset of the next byte the caller gets, relative to the block */
    uint64_t fpos;       /* next offset to fetch into buf, relative to the block */
    uint64_t end;        /* bytes in the block */
    uint64_t limit;      /* reads may not pass this (the current value's end) */
    uint32_t crc;
    size_t bpos, blen;
    uint8_t buf[32768];
} sst_bs;

/* Copy n bytes of the current value into dst (dst may be NULL: skip). */
int sst_bs_read(sst_bs *bs, void *dst, size_t n);
int sst_bs_varint(sst_bs *bs, uint64_t *v);
/* Bytes left in the current value. */
static inline uint64_t sst_bs_left(const sst_bs *bs) { return bs->limit - bs->pos; }
/* Absolute file offset of the next byte (for messages; -1 for decompressed blocks). */
long long sst_bs_offset(const sst_bs *bs);

/* Called once per entry; must consume exactly vlen bytes through bs. */
typedef int (*sst_entry_fn)(void *ctx, const uint8_t *key, size_t klen, uint64_t vlen, sst_bs *bs);

int sst_walk_table(const sst_src *src, sst_entry_fn fn, void *ctx);

/* Snappy (block type 1): decode in[0..n) into a new buffer. */
int sst_snappy_decode(const uint8_t *in, size_t n, uint8_t **out, size_t *out_n, const char **why);

/* ---- writer ------------------------------------------------------------------- */

typedef struct sst_piece {
    const void *p;
    size_t n;
} sst_piece;

typedef struct sstb_block {
    uint64_t start;         /* file offset of the block */
    uint64_t bytes;         /* entry bytes so far */
    uint32_t crc;
    uint32_t *restarts;
    size_t n_restarts, cap_restarts;
    int counter, interval;
    uint8_t *prev;          /* previous key */
    size_t prev_len, prev_cap;
} sstb_block;

typedef struct sstb {
    FILE *f;
    const char *path;
    avmit_error *err;
    uint64_t off;           /* bytes written */
    sstb_block data;
    uint8_t *last;          /* last key added */
    size_t last_len, last_cap;
    int pending;            /* a flushed block awaits its index entry */
    uint64_t pend_off, pend_size;
    uint8_t *index;         /* index entries: [klen varint][key][handle len][handle] ... */
    size_t index_len, index_cap;
    uint64_t n_entries;
} sstb;

void sstb_init(sstb *b, FILE *f, const char *path, avmit_error *err);
/* Keys must be strictly increasing (bytewise). */
int sstb_add(sstb *b, const uint8_t *key, size_t klen, const sst_piece *val, size_t npieces);
int sstb_finish(sstb *b);
void sstb_free(sstb *b);

#endif
