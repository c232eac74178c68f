/* error.c — the avmit_error record (include/avmit/error.h). */
#include "avmit/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void avmit_error_clear(avmit_error *err) {
    if (!err) return;
    err->code = 0;
    err->path[0] = '\0';
    err->record = -1;
    err->line = -1;
    err->offset = -1;
    err->field[0] = '\0';
    err->msg[0] = '\0';
}

const char *avmit_strerror(int code) {
    switch (code) {
    case AVMIT_OK: return "AVMIT_OK";
    case AVMIT_E_NOMEM: return "AVMIT_E_NOMEM";
    case AVMIT_E_IO: return "AVMIT_E_IO";
    case AVMIT_E_FORMAT: return "AVMIT_E_FORMAT";
    case AVMIT_E_CRC: return "AVMIT_E_CRC";
    case AVMIT_E_TRUNCATED: return "AVMIT_E_TRUNCATED";
    case AVMIT_E_ARG: return "AVMIT_E_ARG";
    case AVMIT_E_NONFINITE: return "AVMIT_E_NONFINITE";
    case AVMIT_E_UNSUPPORTED: return "AVMIT_E_UNSUPPORTED";
    case AVMIT_E_NOTFOUND: return "AVMIT_E_NOTFOUND";
    case AVMIT_E_RANGE: return "AVMIT_E_RANGE";
    case AVMIT_E_CANCELLED: return "AVMIT_E_CANCELLED";
    default: return "AVMIT_E_UNKNOWN";
    }
}

static void copy_trunc(char *dst, size_t cap, const char *src) {
    if (!src) src = "";
    size_t n = strlen(src);
    if (n >= cap) n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static int error_vset(avmit_error *err, int code, const char *path, long long record,
                      long long line, long long offset, const char *field, const char *fmt,
                      va_list ap) {
    if (!err) return code;
    err->code = code;
    copy_trunc(err->path, sizeof err->path, path);
    err->record = record;
    err->line = line;
    err->offset = offset;
    copy_trunc(err->field, sizeof err->field, field);

    char loc[AVMIT_ERROR_MSG_MAX];
    size_t k = 0;
    loc[0] = '\0';
#define LOC_APPEND(...)                                                            \
    do {                                                                           \
        int w_ = snprintf(loc + k, sizeof loc - k, __VA_ARGS__);                   \
        if (w_ > 0) k = (k + (size_t)w_ < sizeof loc) ? k + (size_t)w_ : sizeof loc - 1; \
    } while (0)
    if (path && *path) LOC_APPEND("%s: ", path);
    if (record >= 0 && offset >= 0)
        LOC_APPEND("record %lld at byte %lld: ", record, offset);
    else if (record >= 0)
        LOC_APPEND("record %lld: ", record);
    else if (offset >= 0)
        LOC_APPEND("byte %lld: ", offset);
    if (line >= 0) LOC_APPEND("line %lld: ", line);
    if (field && *field) LOC_APPEND("%s: ", field);
#undef LOC_APPEND
    char detail[AVMIT_ERROR_MSG_MAX];
    vsnprintf(detail, sizeof detail, fmt, ap);
    size_t nd = strlen(detail);
    if (k + nd >= sizeof err->msg) nd = sizeof err->msg - 1 - k;
    memcpy(err->msg, loc, k);
    memcpy(err->msg + k, detail, nd);
    err->msg[k + nd] = '\0';
    return code;
}

int avmit_error_set(avmit_error *err, int code, const char *path, long long record,
                    long long line, long long offset, const char *field, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = error_vset(err, code, path, record, line, offset, field, fmt, ap);
    va_end(ap);
    return r;
}

int avmit_error_path(avmit_error *err, int code, const char *path, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = error_vset(err, code, path, -1, -1, -1, NULL, fmt, ap);
    va_end(ap);
    return r;
}
