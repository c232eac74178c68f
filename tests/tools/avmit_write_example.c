/*
 * avmit_write_example.c — test helper: writes one AVMIT embedding file with
 * libavmit so that independent readers (tests/reference/) and CLI tests can
 * check what avmit writes. Values are exact in float32 and reproducible from
 * the arguments:
 *   value(list, t, j) = ((list * 7 + t * 13 + j * 5 + seed * 3) % 201 - 100) / 8
 * with list 0 = audio, 1 = visual_object.
 *
 * usage: avmit_write_example OUT LABEL FILENAME T_A D_A T_V D_V SEED [none|nan]
 *   none: write the record uncompressed instead of GZIP
 *   nan:  make audio[0][1] NaN
 * exit 0 on success, 1 on a library error (printed), 2 on bad usage.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/embedding.h"
#include "avmit/tfrecord.h"

static float *rows(int list, long t_rows, long dim, long seed) {
    float *x = malloc((size_t)(t_rows * dim) * sizeof *x + 1);
    for (long t = 0; t < t_rows; t++)
        for (long j = 0; j < dim; j++)
            x[t * dim + j] = (float)((list * 7 + t * 13 + j * 5 + seed * 3) % 201 - 100) / 8.0f;
    return x;
}

int main(int argc, char **argv) {
    if (argc < 9) {
        fprintf(stderr, "usage: %s OUT LABEL FILENAME T_A D_A T_V D_V SEED [none|nan]\n", argv[0]);
        return 2;
    }
    long ta = atol(argv[4]), da = atol(argv[5]), tv = atol(argv[6]), dv = atol(argv[7]);
    long seed = atol(argv[8]);
    const char *mode = argc > 9 ? argv[9] : "";
    avmit_embedding e = {argv[3], argv[2], ta, tv, da, dv, rows(0, ta, da, seed),
                         rows(1, tv, dv, seed)};
    if (!strcmp(mode, "nan") && ta * da > 1) e.audio[1] = NAN;
    avmit_error err;
    avmit_error_clear(&err);
    int rc;
    if (!strcmp(mode, "none")) {
        uint8_t *buf;
        size_t n;
        rc = avmit_embedding_encode(&e, &buf, &n, &err);
        if (!rc) {
            avmit_tfrecord_writer *w;
            rc = avmit_tfrecord_writer_open(&w, argv[1], AVMIT_COMPRESSION_NONE, 1, &err);
            if (!rc && (rc = avmit_tfrecord_writer_write(w, buf, n, &err)))
                avmit_tfrecord_writer_abort(w);
            else if (!rc)
                rc = avmit_tfrecord_writer_commit(w, &err);
            free(buf);
        }
    } else {
        rc = avmit_embedding_write_file(&e, argv[1], &err);
    }
    free(e.audio);
    free(e.visual);
    if (rc) fprintf(stderr, "%s\n", err.msg);
    return rc ? 1 : 0;
}
