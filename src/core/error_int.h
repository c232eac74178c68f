/*
 * core/error_int.h — internal early-return helpers over avmit_error_set
 * (zstd's RETURN_ERROR_IF in spirit; STYLE.md "one internal early-return
 * macro"). Library code only; the public contract is avmit/error.h.
 *
 *   AVMIT_ERR(err, code, path, field, fmt, ...)  set err (no record/line/offset)
 *                                                and evaluate to code
 *   AVMIT_RETURN_IF(cond, err, code, path, field, fmt, ...)
 *                                                return AVMIT_ERR(...) when cond
 *   AVMIT_NOMEM(err, what)                       "out of memory (<what>)", AVMIT_E_NOMEM
 *   AVMIT_NOMEM_AT(err, path, what)              the same, naming the file it was for
 *
 * path and field may be NULL / "" when they do not apply.
 */
#ifndef AVMIT_CORE_ERROR_INT_H
#define AVMIT_CORE_ERROR_INT_H

#include "avmit/error.h"

#define AVMIT_ERR(err, code, path, field, ...) \
    avmit_error_set((err), (code), (path), -1, -1, -1, (field), __VA_ARGS__)

#define AVMIT_RETURN_IF(cond, err, code, path, field, ...)              \
    do {                                                                \
        if (cond) return AVMIT_ERR(err, code, path, field, __VA_ARGS__); \
    } while (0)

#define AVMIT_NOMEM(err, what) \
    avmit_error_set((err), AVMIT_E_NOMEM, NULL, -1, -1, -1, "", "out of memory (%s)", (what))

#define AVMIT_NOMEM_AT(err, path, what) \
    avmit_error_set((err), AVMIT_E_NOMEM, (path), -1, -1, -1, "", "out of memory (%s)", (what))

#endif /* AVMIT_CORE_ERROR_INT_H */
