/* test_media_video.c — the reference loop's frame choice (FEATURES.md §6.2) on
 * synthetic timestamps, and avmit_video_open errors on files that are not
 * videos. Decoding parity with OpenCV: tests/reference/test_visual_frames.py. */
#include <stdio.h>
#include <string.h>

#include "testutil.h"

#ifndef AVMIT_HAVE_FFMPEG
int main(void) {
    printf("skipped: built without FFmpeg (AVMIT_WITH_FFMPEG=OFF)\n");
    return 77;
}
#else
#include "avmit/media_video.h"

/* Selected indices for POS_k = pos[k], k < n; returns how many. */
static int select_all(const double *pos, int n, double interval, int *idx) {
    avmit_frame_selector s;
    avmit_frame_selector_init(&s, interval);
    int m = 0;
    for (int k = 0; k < n; k++)
        if (avmit_frame_selector_push(&s, pos[k])) idx[m++] = k;
    return m;
}

static int same(const int *a, int n, const int *b, int nb) {
    return n == nb && !memcmp(a, b, sizeof(int) * (size_t)n);
}

static void test_selector(void) {
    double pos[400];
    int idx[400], m;
    /* 30 fps, 90 frames, exact timestamps: c = 15 -> 0, 16, 31, 46, 61, 76 */
    for (int k = 0; k < 90; k++) pos[k] = k * (1000.0 / 30.0);
    m = select_all(pos, 90, 480, idx);
    const int want30[] = {0, 16, 31, 46, 61, 76};
    CHECK(same(idx, m, want30, 6), "30 fps @480: %d frames", m);
    const int want30_960[] = {0, 30, 59, 88};
    m = select_all(pos, 90, 960, idx);
    CHECK(same(idx, m, want30_960, 4), "30 fps @960: %d frames", m);

    /* 25 fps: POS_12 = 480.0 reaches 0 + 480 exactly -> 13 is selected */
    for (int k = 0; k < 75; k++) pos[k] = k * 40.0;
    m = select_all(pos, 75, 480, idx);
    const int want25[] = {0, 13, 25, 37, 49, 61, 73};
    CHECK(same(idx, m, want25, 7), "25 fps @480: %d frames", m);

    /* B-frame drain: the last 2 frames report POS 0 and can never trigger */
    for (int k = 0; k < 90; k++) pos[k] = k * (1000.0 / 30.0);
    pos[88] = pos[89] = 0.0;
    m = select_all(pos, 90, 960, idx);
    CHECK(same(idx, m, want30_960, 4), "a drained frame (POS 0) can still be selected");
    const int want_short[] = {0, 30};
    m = select_all(pos, 59, 960, idx); /* trigger 58 exists, frame 59 does not */
    CHECK(same(idx, m, want_short, 2), "no selection past the last frame: %d", m);

    /* 92 frames at 30 fps give the 7th frame (trigger 90 with a real timestamp) */
    for (int k = 0; k < 92; k++) pos[k] = k * (1000.0 / 30.0);
    m = select_all(pos, 92, 480, idx);
    CHECK(m == 7 && idx[6] == 91, "30 fps, 92 frames @480: %d frames", m);
}

static void test_open_errors(void) {
    avmit_error err;
    avmit_video *v = NULL;
    const char *txt = test_path("not_a_video.mp4");
    test_write_bytes(txt, "hello, this is text\n", 20);
    CHECK_INT(avmit_video_open(&v, txt, 1, &err), AVMIT_E_FORMAT);
    CHECK(v == NULL, "no object on failure");
    CHECK(test_contains(err.msg, txt), "message names the file: %s", err.msg);
    const char *empty = test_path("empty.mp4");
    test_write_bytes(empty, "", 0);
    CHECK_INT(avmit_video_open(&v, empty, 1, &err), AVMIT_E_FORMAT);
    CHECK(test_contains(err.msg, "empty file (0 bytes)"), "%s", err.msg);
    CHECK_INT(avmit_video_open(&v, test_path("missing.mp4"), 1, &err), AVMIT_E_IO);
    avmit_video_close(NULL);
}

int main(void) {
    test_selector();
    test_open_errors();
    return test_finish("test_media_video");
}
#endif
