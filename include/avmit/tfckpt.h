/*
 * avmit/tfckpt.h — TensorFlow 2 checkpoints (tensor bundles), read without
 * TensorFlow (FORMATS.md §6): the paper's trained weights.*.ckpt.
 *
 * A checkpoint prefix P names P.index, a leveldb-format table (SSTable:
 * footer magic, index/metaindex handles, uncompressed blocks with masked
 * crc32c trailers, prefix-compressed keys with restart points, keys strictly
 * increasing) whose first entry "" is the BundleHeaderProto and every other
 * entry a BundleEntryProto, and P.data-00000-of-00001 with the tensor bytes.
 * Every FORMATS.md §10 "TF2 checkpoint" rejection is an error naming the file
 * and the key: bad magic, block CRC, block type != 0 (Snappy is not
 * implemented), non-increasing keys, ranges past the end of a file, header
 * missing / not first / num_shards != 1 / big-endian / producer < min_consumer,
 * slices, unknown dtype, size != product(shape) * dtype size, tensor CRC.
 *
 * Loading reads the data shard and checks every tensor's masked crc32c
 * (DT_STRING tensors by TensorFlow's length-checksum rule). The
 * `_CHECKPOINTABLE_OBJECT_GRAPH` string tensor is decoded to give each
 * variable its Keras name (full_name, e.g. "audio_bottleneck/kernel").
 *
 * Thread-safety: reentrant; an avmit_tfckpt belongs to one thread.
 */
#ifndef AVMIT_TFCKPT_H
#define AVMIT_TFCKPT_H

#include <stddef.h>
#include <stdint.h>

#include "avmit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AVMIT_TFCKPT_MAX_DIMS 8

/* TensorFlow DataType values (types.proto) this reader accepts. */
typedef enum avmit_tf_dtype {
    AVMIT_TF_FLOAT = 1,
    AVMIT_TF_DOUBLE = 2,
    AVMIT_TF_INT32 = 3,
    AVMIT_TF_UINT8 = 4,
    AVMIT_TF_INT16 = 5,
    AVMIT_TF_INT8 = 6,
    AVMIT_TF_STRING = 7,
    AVMIT_TF_INT64 = 9,
    AVMIT_TF_BOOL = 10,
    AVMIT_TF_BFLOAT16 = 14,
    AVMIT_TF_HALF = 19
} avmit_tf_dtype;

/* "float32", "int64", "string", ... ("?" for a value not listed above). */
const char *avmit_tf_dtype_name(int dtype);
/* Bytes per element of a fixed-size dtype, 0 for DT_STRING / unknown. */
size_t avmit_tf_dtype_size(int dtype);

/* One BundleEntryProto. */
typedef struct avmit_tfckpt_entry {
    char *key;                  /* e.g. "layer_with_weights-0/layer/kernel/.ATTRIBUTES/VARIABLE_VALUE" */
    char *full_name;            /* Keras variable name from the object graph, or NULL */
    int dtype;                  /* avmit_tf_dtype */
    int ndim;                   /* 0 = scalar */
    int64_t shape[AVMIT_TFCKPT_MAX_DIMS];
    int64_t offset, size;       /* byte range in the data shard */
    uint32_t crc32c;            /* the stored crc, unmasked */
    const uint8_t *data;        /* after avmit_tfckpt_load: size bytes (little-endian), else NULL */
    int crc_verified;           /* 1 once the tensor's CRC matched */
} avmit_tfckpt_entry;

typedef struct avmit_tfckpt {
    char *prefix;               /* P */
    char *index_path;           /* P.index */
    char *data_path;            /* P.data-00000-of-00001 */
    int producer, min_consumer; /* BundleHeaderProto.version */
    size_t n_entries;           /* entries other than the header, in key order */
    avmit_tfckpt_entry *entries;
    uint8_t *data_buf;          /* the data shard after load */
    size_t data_size;
} avmit_tfckpt;

/*
 * Resolve a user path to a checkpoint prefix (malloc'd in *prefix):
 * a directory (its `checkpoint` file's model_checkpoint_path, FORMATS.md §6.5),
 * a `checkpoint` file, P.index, P.data-00000-of-00001, or P itself.
 */
int avmit_tfckpt_resolve(const char *path, char **prefix, avmit_error *err);

/* Is `path` (as avmit_tfckpt_resolve takes it) a TF2 checkpoint rather than
 * some other file? 1 when P.index exists for the resolved prefix, else 0. */
int avmit_tfckpt_probe(const char *path);

/* Parse an in-memory .index image (`name` is used in errors). out->prefix /
 * paths are left NULL. */
int avmit_tfckpt_parse_index(avmit_tfckpt *out, const uint8_t *buf, size_t n, const char *name,
                             avmit_error *err);

/* Resolve `path` and parse its .index. */
int avmit_tfckpt_open(avmit_tfckpt *out, const char *path, avmit_error *err);

/* Read the data shard, check every range and every tensor CRC, fill each
 * entry's data and crc_verified, and decode the object graph (full_name). */
int avmit_tfckpt_load(avmit_tfckpt *ck, avmit_error *err);

/* Check the tensors of an in-memory shard image against the entries (what
 * avmit_tfckpt_load does after reading the file); `name` is used in errors. */
int avmit_tfckpt_attach_data(avmit_tfckpt *ck, uint8_t *buf, size_t n, const char *name,
                             avmit_error *err);

/* The entry with this exact key, or NULL. */
const avmit_tfckpt_entry *avmit_tfckpt_find(const avmit_tfckpt *ck, const char *key);

/* The entry whose key is "<path>/.ATTRIBUTES/VARIABLE_VALUE", or NULL. */
const avmit_tfckpt_entry *avmit_tfckpt_find_var(const avmit_tfckpt *ck, const char *path);

/* Number of elements (product of the shape). */
int64_t avmit_tfckpt_entry_count(const avmit_tfckpt_entry *e);

/* Copy a loaded DT_FLOAT entry into dst (entry_count floats, native order). */
int avmit_tfckpt_entry_f32(const avmit_tfckpt_entry *e, float *dst, avmit_error *err);

/* Free everything, including a loaded data shard (NULL / zeroed allowed). */
void avmit_tfckpt_free(avmit_tfckpt *ck);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_TFCKPT_H */
