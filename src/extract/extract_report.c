/*
 * extract_report.c — the report of `avmit extract` (avmit/extract.h): counts,
 * failures by reason, no-audio and silent lists, stage busy times; merging
 * (shards) and JSON in both directions (rank 0 merges the ranks' reports).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/error_int.h"
#include "extract/extract_int.h"

static const char *const k_reasons[AVMIT_EXTRACT_REASON_COUNT] = {
    "ok", "missing", "unreadable", "no-video-stream", "zero-frames", "truncated",
    "audio-error", "write-error"};

static const char *const k_stages[AVMIT_STAGE_COUNT] = {"audio front end", "visual front end",
                                                        "audio CNN", "visual CNN", "write"};

const char *avmit_extract_reason_name(avmit_extract_reason r) {
    return (unsigned)r < AVMIT_EXTRACT_REASON_COUNT ? k_reasons[r] : "?";
}

const char *avmit_extract_stage_name(avmit_extract_stage s) {
    return (unsigned)s < AVMIT_STAGE_COUNT ? k_stages[s] : "?";
}

void avmit_extract_report_init(avmit_extract_report *r) {
    memset(r, 0, sizeof *r);
    r->n_shards = 1;
}

static void notes_free(avmit_extract_note_list *l) {
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].video);
        free(l->v[i].out_rel);
        free(l->v[i].detail);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

void avmit_extract_report_free(avmit_extract_report *r) {
    if (!r) return;
    notes_free(&r->failed);
    notes_free(&r->no_audio);
    notes_free(&r->silent);
}

int extract_note_push(avmit_extract_note_list *l, const char *video, const char *out_rel,
                      avmit_extract_reason reason, const char *detail, avmit_error *err) {
    if (l->n == l->cap) {
        size_t nc = l->cap ? 2 * l->cap : 16;
        avmit_extract_note *p = realloc(l->v, nc * sizeof *p);
        if (!p) return AVMIT_NOMEM(err, "report");
        l->v = p;
        l->cap = nc;
    }
    avmit_extract_note n = {strdup(video ? video : ""), strdup(out_rel ? out_rel : ""), reason,
                            strdup(detail ? detail : "")};
    if (!n.video || !n.out_rel || !n.detail) {
        free(n.video), free(n.out_rel), free(n.detail);
        return AVMIT_NOMEM(err, "report");
    }
    l->v[l->n++] = n;
    return 0;
}

static int cmp_note(const void *a, const void *b) {
    return strcmp(((const avmit_extract_note *)a)->out_rel,
                  ((const avmit_extract_note *)b)->out_rel);
}

static int notes_merge(avmit_extract_note_list *a, const avmit_extract_note_list *b,
                       avmit_error *err) {
    for (size_t i = 0; i < b->n; i++) {
        int r = extract_note_push(a, b->v[i].video, b->v[i].out_rel, b->v[i].reason,
                                  b->v[i].detail, err);
        if (r) return r;
    }
    if (a->n > 1) qsort(a->v, a->n, sizeof *a->v, cmp_note);
    return 0;
}

int avmit_extract_report_merge(avmit_extract_report *a, const avmit_extract_report *b,
                               avmit_error *err) {
    a->n_jobs += b->n_jobs;
    a->n_written += b->n_written;
    a->n_skipped += b->n_skipped;
    a->n_failed += b->n_failed;
    for (int i = 0; i < AVMIT_EXTRACT_REASON_COUNT; i++) a->n_by_reason[i] += b->n_by_reason[i];
    for (int s = 0; s < AVMIT_STAGE_COUNT; s++) {
        a->busy_s[s] += b->busy_s[s];
        a->workers[s] += b->workers[s];
    }
    if (b->wall_s > a->wall_s) a->wall_s = b->wall_s;
    a->n_shards += b->n_shards;
    a->audio_rows += b->audio_rows;
    a->visual_rows += b->visual_rows;
    if (!a->set[0]) memcpy(a->set, b->set, sizeof a->set);
    if (!a->precision[0]) memcpy(a->precision, b->precision, sizeof a->precision);
    int r = notes_merge(&a->failed, &b->failed, err);
    if (!r) r = notes_merge(&a->no_audio, &b->no_audio, err);
    if (!r) r = notes_merge(&a->silent, &b->silent, err);
    return r;
}

double avmit_extract_report_rate(const avmit_extract_report *r) {
    size_t n = r->n_written + r->n_skipped + r->n_failed;
    return r->wall_s > 0 ? (double)n * 3600.0 / r->wall_s : 0.0;
}

/* ---- JSON --------------------------------------------------------------------------- */

static json_t *notes_json(const avmit_extract_note_list *l, int with_reason) {
    json_t *a = json_array();
    for (size_t i = 0; a && i < l->n; i++) {
        json_t *o = json_pack("{s:s, s:s}", "video", l->v[i].video, "output", l->v[i].out_rel);
        if (o && with_reason) {
            json_object_set_new(o, "reason", json_string(k_reasons[l->v[i].reason]));
            json_object_set_new(o, "detail", json_string(l->v[i].detail));
        }
        if (!o || json_array_append_new(a, o)) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

int avmit_extract_report_to_json(const avmit_extract_report *r, char **json, avmit_error *err) {
    json_t *by = json_object(), *stages = json_array();
    for (int i = 1; by && i < AVMIT_EXTRACT_REASON_COUNT; i++)
        json_object_set_new(by, k_reasons[i], json_integer((json_int_t)r->n_by_reason[i]));
    for (int s = 0; stages && s < AVMIT_STAGE_COUNT; s++) {
        double cap = r->wall_s * (r->workers[s] > 0 ? r->workers[s] : 1);
        json_array_append_new(stages,
                              json_pack("{s:s, s:f, s:i, s:f}", "stage", k_stages[s], "busy_s",
                                        r->busy_s[s], "workers", r->workers[s], "utilisation",
                                        cap > 0 ? r->busy_s[s] / cap : 0.0));
    }
    json_t *o = json_pack(
        "{s:s, s:s, s:I, s:I, s:I, s:I, s:o, s:o*, s:o*, s:o*, s:o, s:f, s:f, s:i, s:I, s:I}",
        "embeddings", r->set, "precision", r->precision, "videos", (json_int_t)r->n_jobs,
        "written", (json_int_t)r->n_written, "skipped", (json_int_t)r->n_skipped, "failed",
        (json_int_t)r->n_failed, "failures_by_reason", by, "failures", notes_json(&r->failed, 1),
        "no_audio", notes_json(&r->no_audio, 0), "silent", notes_json(&r->silent, 0), "stages",
        stages, "wall_s", r->wall_s, "videos_per_hour", avmit_extract_report_rate(r), "shards",
        r->n_shards, "audio_embeddings", (json_int_t)r->audio_rows, "visual_embeddings",
        (json_int_t)r->visual_rows);
    char *s = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    if (!s) return AVMIT_NOMEM(err, "JSON report");
    *json = s;
    return 0;
}

static int reason_from_name(const char *s) {
    for (int i = 0; i < AVMIT_EXTRACT_REASON_COUNT; i++)
        if (!strcmp(s, k_reasons[i])) return i;
    return -1;
}

static int notes_from_json(avmit_extract_note_list *l, json_t *a, avmit_error *err) {
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) {
        const char *video = NULL, *out = NULL, *reason = "ok", *detail = "";
        if (json_unpack(v, "{s:s, s:s, s?:s, s?:s}", "video", &video, "output", &out, "reason",
                        &reason, "detail", &detail))
            return AVMIT_ERR(err, AVMIT_E_FORMAT, NULL, "report", "bad note in a JSON report");
        int rr = reason_from_name(reason);
        if (rr < 0)
            return AVMIT_ERR(err, AVMIT_E_FORMAT, NULL, "reason", "unknown reason '%s'", reason);
        int r = extract_note_push(l, video, out, (avmit_extract_reason)rr, detail, err);
        if (r) return r;
    }
    return 0;
}

int avmit_extract_report_from_json(avmit_extract_report *r, const char *json, avmit_error *err) {
    avmit_extract_report_init(r);
    json_error_t je;
    json_t *o = json_loads(json, 0, &je);
    if (!o)
        return AVMIT_ERR(err, AVMIT_E_FORMAT, NULL, "report", "JSON report: line %d: %s",
                         je.line, je.text);
    json_int_t n, w, sk, f, ar, vr;
    const char *set, *prec;
    json_t *by, *fl, *na, *si, *st;
    int shards;
    int rc = 0;
    if (json_unpack(o, "{s:s, s:s, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:F, s:i, s:I, s:I}",
                    "embeddings", &set, "precision", &prec, "videos", &n, "written", &w,
                    "skipped", &sk, "failed", &f, "failures_by_reason", &by, "failures", &fl,
                    "no_audio", &na, "silent", &si, "stages", &st, "wall_s", &r->wall_s,
                    "shards", &shards, "audio_embeddings", &ar, "visual_embeddings", &vr)) {
        rc = AVMIT_ERR(err, AVMIT_E_FORMAT, NULL, "report", "JSON report lacks a key");
        goto done;
    }
    snprintf(r->set, sizeof r->set, "%s", set);
    snprintf(r->precision, sizeof r->precision, "%s", prec);
    r->n_jobs = (size_t)n, r->n_written = (size_t)w, r->n_skipped = (size_t)sk;
    r->n_failed = (size_t)f, r->n_shards = shards, r->audio_rows = ar, r->visual_rows = vr;
    for (int i = 1; i < AVMIT_EXTRACT_REASON_COUNT; i++) {
        json_t *c = json_object_get(by, k_reasons[i]);
        r->n_by_reason[i] = c ? (size_t)json_integer_value(c) : 0;
    }
    for (int s = 0; s < AVMIT_STAGE_COUNT; s++) {
        json_t *e = json_array_get(st, (size_t)s);
        if (!e || json_unpack(e, "{s:F, s:i}", "busy_s", &r->busy_s[s], "workers",
                              &r->workers[s])) {
            rc = AVMIT_ERR(err, AVMIT_E_FORMAT, NULL, "stages", "JSON report: bad stage %d", s);
            goto done;
        }
    }
    rc = notes_from_json(&r->failed, fl, err);
    if (!rc) rc = notes_from_json(&r->no_audio, na, err);
    if (!rc) rc = notes_from_json(&r->silent, si, err);
done:
    json_decref(o);
    if (rc) avmit_extract_report_free(r);
    return rc;
}
