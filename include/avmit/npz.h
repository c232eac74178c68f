/*
 * avmit/npz.h — writing NumPy .npz archives (FORMATS.md §9) as np.savez does:
 * a ZIP archive with one stored (method 0, uncompressed) member
 * "<name>.npy" per array, in the given order; every local header carries a
 * ZIP64 extra field (ID 0x0001) with the sizes, as numpy forces ZIP64
 * (gh-10776), the sizes also in the header; Python zipfile's stamp
 * 1980-01-01 00:00, version 2.0, Unix create system, mode 0600, no data
 * descriptors; the central directory and end record need no ZIP64 forms
 * until an offset or size passes 2^31 - 1 (then they get them and version
 * 4.5, as Python 3.11's zipfile writes). The members are
 * avmit_npy_encode images, so for the same arrays the bytes equal
 * numpy 1.24's np.savez on Linux.
 *
 * Thread-safety: reentrant.
 */
#ifndef AVMIT_NPZ_H
#define AVMIT_NPZ_H

#include <stddef.h>
#include <stdint.h>

#include "avmit/error.h"
#include "avmit/npy.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One array: C order, native (little-endian) byte order. */
typedef struct avmit_npz_entry {
    const char *name;      /* member name without ".npy"; non-empty, unique */
    avmit_dtype dtype;
    int ndim;
    const int64_t *shape;
    const void *data;
} avmit_npz_entry;

/* The archive image in a malloc'd buffer (*out, *n). AVMIT_E_ARG for an
 * empty, duplicate or over-long (> 65,000 bytes) name. */
int avmit_npz_encode(uint8_t **out, size_t *n, const avmit_npz_entry *e, size_t n_entries,
                     avmit_error *err);

/* Write the archive atomically (parent folders created). */
int avmit_npz_write(const char *path, const avmit_npz_entry *e, size_t n_entries,
                    avmit_error *err);

/* Read member `name` (without ".npy") of the archive at path: np.savez (stored) and
 * np.savez_compressed (deflate) archives, ZIP64 sizes included; the member's CRC-32 is
 * checked. AVMIT_E_NOTFOUND names the member when absent; AVMIT_E_FORMAT /
 * AVMIT_E_UNSUPPORTED / AVMIT_E_CRC name the file and member otherwise. */
int avmit_npz_read(avmit_array *out, const char *path, const char *name, avmit_error *err);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_NPZ_H */
