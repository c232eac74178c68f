/*
 * avmit_resize.c — test helper: runs avmit_resize_linear_u8 on .npy images so
 * that tests/reference/test_visual_resize.py can compare it with cv2.resize.
 *
 * usage: avmit_resize DST_W DST_H IN.npy OUT.npy [IN.npy OUT.npy ...]
 *   IN: uint8 [H, W] or [H, W, C] (C 1..4); OUT: uint8 [DST_H, DST_W(, C)].
 * exit 0 on success, 1 on a library error (printed), 2 on bad usage.
 */
#include <stdio.h>
#include <stdlib.h>

#include "avmit/npy.h"
#include "avmit/vision.h"

int main(int argc, char **argv) {
    if (argc < 5 || (argc - 3) % 2) {
        fprintf(stderr, "usage: avmit_resize DST_W DST_H IN.npy OUT.npy [IN OUT ...]\n");
        return 2;
    }
    int dw = atoi(argv[1]), dh = atoi(argv[2]);
    avmit_error err;
    avmit_error_clear(&err);
    for (int i = 3; i + 1 < argc; i += 2) {
        avmit_array a;
        if (avmit_npy_read(&a, argv[i], &err)) goto fail;
        if (a.dtype != AVMIT_DTYPE_U8 || a.ndim < 2 || a.ndim > 3) {
            fprintf(stderr, "%s: expected uint8 [H,W] or [H,W,C]\n", argv[i]);
            avmit_array_free(&a);
            return 1;
        }
        int h = (int)a.shape[0], w = (int)a.shape[1], cn = a.ndim == 3 ? (int)a.shape[2] : 1;
        uint8_t *out = malloc((size_t)dw * (size_t)dh * (size_t)cn);
        int64_t shape[3] = {dh, dw, cn};
        int rc = !out || avmit_resize_linear_u8(a.data, w, h, (size_t)w * (size_t)cn, cn, 0, out,
                                                dw, dh, &err);
        if (!rc) rc = avmit_npy_write(argv[i + 1], AVMIT_DTYPE_U8, a.ndim, shape, out, &err);
        free(out);
        avmit_array_free(&a);
        if (rc) goto fail;
    }
    return 0;
fail:
    fprintf(stderr, "avmit_resize: %s\n", err.msg);
    return 1;
}
