/*
 * tb_events.c — TensorBoard event files (avmit/tb_events.h): Event/Summary protobuf
 * messages encoded by hand (field numbers from event.proto / summary.proto /
 * tensor.proto), framed as uncompressed TFRecords, appended and flushed one by one.
 */
#include "avmit/tb_events.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../core/error_int.h"
#include "avmit/fileio.h"
#include "avmit/tfrecord.h"
#include "pb_int.h"

struct avmit_tb_writer {
    FILE *fp;
    char *path;
};

/* A growing byte buffer; ok = 0 after an allocation failure (checked once at the end). */
typedef struct {
    uint8_t *p;
    size_t n, cap;
    int ok;
} buf;

static void put(buf *b, const void *d, size_t n) {
    if (!b->ok) return;
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->n + n) cap *= 2;
        uint8_t *q = realloc(b->p, cap);
        if (!q) { b->ok = 0; return; }
        b->p = q, b->cap = cap;
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
}
static void put_varint(buf *b, uint64_t v) {
    uint8_t tmp[10];
    put(b, tmp, pb_put_varint(tmp, v));
}
static void put_tag(buf *b, uint32_t field, int wt) { put_varint(b, (uint64_t)field << 3 | (unsigned)wt); }
static void put_bytes(buf *b, uint32_t field, const void *d, size_t n) {
    put_tag(b, field, PB_WT_LEN);
    put_varint(b, n);
    put(b, d, n);
}
static void put_msg(buf *b, uint32_t field, const buf *m) { put_bytes(b, field, m->p, m->n); }
static void put_le(buf *b, uint64_t v, int n) {
    uint8_t t[8];
    for (int i = 0; i < n; i++) t[i] = (uint8_t)(v >> (8 * i));
    put(b, t, (size_t)n);
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Event { wall_time = 1 (double); step = 2; then `what` appended by the caller }. */
static void event_head(buf *e, double wall_time, int64_t step) {
    if (wall_time <= 0) wall_time = now_seconds();
    uint64_t bits;
    memcpy(&bits, &wall_time, 8);
    put_tag(e, 1, PB_WT_I64);
    put_le(e, bits, 8);
    if (step) {
        put_tag(e, 2, PB_WT_VARINT);
        put_varint(e, (uint64_t)step);
    }
}

static int finish(buf *e, uint8_t **out, size_t *n, avmit_error *err, buf *tmp1, buf *tmp2) {
    int ok = e->ok && (!tmp1 || tmp1->ok) && (!tmp2 || tmp2->ok);
    if (tmp1) free(tmp1->p);
    if (tmp2) free(tmp2->p);
    if (!ok) {
        free(e->p);
        return AVMIT_NOMEM(err, "event");
    }
    *out = e->p, *n = e->n;
    return 0;
}

int avmit_tb_encode_scalar(uint8_t **out, size_t *n, const char *tag, int64_t step,
                           double value, double wall_time, avmit_error *err) {
    buf e = {0, 0, 0, 1}, val = {0, 0, 0, 1}, sum = {0, 0, 0, 1};
    put_bytes(&val, 1, tag, strlen(tag)); /* Value.tag */
    float f = (float)value;
    uint32_t fb;
    memcpy(&fb, &f, 4);
    put_tag(&val, 2, PB_WT_I32); /* Value.simple_value */
    put_le(&val, fb, 4);
    put_msg(&sum, 1, &val); /* Summary.value */
    event_head(&e, wall_time, step);
    put_msg(&e, 5, &sum); /* Event.summary */
    return finish(&e, out, n, err, &val, &sum);
}

int avmit_tb_encode_text(uint8_t **out, size_t *n, const char *tag, int64_t step,
                         const char *text, double wall_time, avmit_error *err) {
    buf e = {0, 0, 0, 1}, val = {0, 0, 0, 1}, sum = {0, 0, 0, 1}, t = {0, 0, 0, 1},
        md = {0, 0, 0, 1}, pd = {0, 0, 0, 1};
    put_bytes(&pd, 1, "text", 4);      /* PluginData.plugin_name */
    put_msg(&md, 1, &pd);              /* SummaryMetadata.plugin_data */
    put_tag(&t, 1, PB_WT_VARINT);      /* TensorProto.dtype = DT_STRING */
    put_varint(&t, 7);
    put_bytes(&t, 2, "", 0);           /* TensorProto.tensor_shape: scalar (no dims) */
    put_bytes(&t, 8, text, strlen(text)); /* TensorProto.string_val */
    put_bytes(&val, 1, tag, strlen(tag));
    put_msg(&val, 8, &t);              /* Value.tensor */
    put_msg(&val, 9, &md);             /* Value.metadata */
    put_msg(&sum, 1, &val);
    event_head(&e, wall_time, step);
    put_msg(&e, 5, &sum);
    int ok = t.ok && md.ok && pd.ok;
    free(t.p), free(md.p), free(pd.p);
    if (!ok) e.ok = 0;
    return finish(&e, out, n, err, &val, &sum);
}

/* Frame and append one event; flushed so TensorBoard sees it at once. */
static int write_event(avmit_tb_writer *w, uint8_t *ev, size_t n, avmit_error *err) {
    uint8_t *fr = malloc(n + 16);
    if (!fr) {
        free(ev);
        return AVMIT_NOMEM(err, "event frame");
    }
    avmit_tfrecord_frame(fr, ev, n);
    free(ev);
    int bad = fwrite(fr, 1, n + 16, w->fp) != n + 16 || fflush(w->fp) != 0;
    free(fr);
    AVMIT_RETURN_IF(bad, err, AVMIT_E_IO, w->path, NULL, "cannot write event: %s", strerror(errno));
    return 0;
}

int avmit_tb_open(avmit_tb_writer **out, const char *dir, double wall_time, avmit_error *err) {
    *out = NULL;
    int r = avmit_mkdirs(dir, err);
    if (r) return r;
    if (wall_time <= 0) wall_time = now_seconds();
    char host[256] = "localhost";
    if (gethostname(host, sizeof host - 1)) strcpy(host, "localhost");
    host[sizeof host - 1] = 0;
    for (char *c = host; *c; c++)
        if (*c == '/') *c = '_';
    avmit_tb_writer *w = calloc(1, sizeof *w);
    size_t cap = strlen(dir) + strlen(host) + 96;
    if (!w || !(w->path = malloc(cap))) {
        free(w);
        return AVMIT_NOMEM(err, "event writer");
    }
    /* Unique per process and second; "x" refuses to append to someone else's file. */
    snprintf(w->path, cap, "%s/events.out.tfevents.%lld.%s.%ld.avmit", dir,
             (long long)wall_time, host, (long)getpid());
    w->fp = fopen(w->path, "wbx");
    if (!w->fp) {
        r = AVMIT_ERR(err, AVMIT_E_IO, w->path, NULL, "cannot create event file: %s", strerror(errno));
        free(w->path);
        free(w);
        return r;
    }
    buf e = {0, 0, 0, 1};
    event_head(&e, wall_time, 0);
    put_bytes(&e, 3, "brain.Event:2", 13); /* Event.file_version */
    uint8_t *ev = NULL;
    size_t n = 0;
    if ((r = finish(&e, &ev, &n, err, NULL, NULL)) || (r = write_event(w, ev, n, err))) {
        avmit_tb_close(w);
        return r;
    }
    *out = w;
    return 0;
}

const char *avmit_tb_path(const avmit_tb_writer *w) { return w->path; }

int avmit_tb_scalar(avmit_tb_writer *w, const char *tag, int64_t step, double value,
                    double wall_time, avmit_error *err) {
    uint8_t *ev;
    size_t n;
    int r = avmit_tb_encode_scalar(&ev, &n, tag, step, value, wall_time, err);
    return r ? r : write_event(w, ev, n, err);
}

int avmit_tb_text(avmit_tb_writer *w, const char *tag, int64_t step, const char *text,
                  double wall_time, avmit_error *err) {
    uint8_t *ev;
    size_t n;
    int r = avmit_tb_encode_text(&ev, &n, tag, step, text, wall_time, err);
    return r ? r : write_event(w, ev, n, err);
}

void avmit_tb_close(avmit_tb_writer *w) {
    if (!w) return;
    if (w->fp) fclose(w->fp);
    free(w->path);
    free(w);
}
