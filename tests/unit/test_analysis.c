/* test_analysis.c — issue 16's library pieces on cases checked by hand or by scipy:
 * Mann-Whitney U (avmit/similarity.h), similarity in a projection space, the .npz reader
 * (avmit/npz.h) incl. damaged archives, and the bytes of a TensorBoard scalar event
 * (avmit/tb_events.h) against the hand-encoded Event protobuf. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/fileio.h"
#include "avmit/npz.h"
#include "avmit/similarity.h"
#include "avmit/tb_events.h"
#include "testutil.h"

static void test_mwu(void) {
    avmit_error err;
    avmit_mwu t;
    const double x[] = {1, 2, 3}, y[] = {4, 5, 6};
    CHECK_INT(avmit_mann_whitney_u(x, 3, y, 3, &t, &err), 0);
    /* scipy.stats.mannwhitneyu([1,2,3], [4,5,6], method="asymptotic"): U1 0, p 0.08085559837005224 */
    CHECK(t.u1 == 0 && fabs(t.p - 0.08085559837005224) < 1e-14, "u1 %g p %.17g", t.u1, t.p);
    const double a[] = {1, 2, 2, 3, 5}, b[] = {2, 2, 4, 6, 6, 7};
    CHECK_INT(avmit_mann_whitney_u(a, 5, b, 6, &t, &err), 0);
    /* ties: scipy gives U1 7.0, p 0.16005734623194479 */
    CHECK(t.u1 == 7 && fabs(t.p - 0.16005734623194479) < 1e-14, "ties: u1 %g p %.17g", t.u1, t.p);
    CHECK(fabs(t.effect - 7.0 / 30) < 1e-15, "effect %g", t.effect);
    const double c[] = {4, 4}, d[] = {4, 4, 4};
    CHECK_INT(avmit_mann_whitney_u(c, 2, d, 3, &t, &err), 0);
    CHECK(t.p == 1 && t.z == 0, "all tied: p %g z %g", t.p, t.z);
    CHECK_INT(avmit_mann_whitney_u(c, 0, d, 3, &t, &err), AVMIT_E_ARG);
    const double bad[] = {NAN};
    CHECK_INT(avmit_mann_whitney_u(bad, 1, d, 3, &t, &err), AVMIT_E_NONFINITE);
}

static void test_projection_similarity(void) {
    avmit_error err;
    avmit_joint_space *s;
    const float I[4] = {1, 0, 0, 1};
    CHECK_INT(avmit_joint_space_projection(&s, I, 2, I, 2, 2, &err), 0);
    double v;
    const float a1[2] = {3, 0}, v1[2] = {0, 2};
    CHECK_INT(avmit_similarity_one(s, a1, 1, v1, 1, &v, &err), 0);
    CHECK(fabs(v) < 1e-12, "orthogonal: %g", v);
    /* audio unit rows (1,0),(0,1) average to (.5,.5); visual (1,1): cosine 1 */
    const float a2[4] = {5, 0, 0, 0.5f}, v2[2] = {2, 2};
    CHECK_INT(avmit_similarity_one(s, a2, 2, v2, 1, &v, &err), 0);
    CHECK(fabs(v - 1) < 1e-7, "aligned means: %g", v);
    const float v3[2] = {-1, -1};
    CHECK_INT(avmit_similarity_one(s, a2, 2, v3, 1, &v, &err), 0);
    CHECK(fabs(v + 1) < 1e-7, "opposite: %g", v);
    CHECK_INT(avmit_similarity_one(s, a2, 0, v3, 1, &v, &err), AVMIT_E_ARG);
    avmit_joint_space_free(s);
    const float nan_w[4] = {1, NAN, 0, 1};
    CHECK_INT(avmit_joint_space_projection(&s, nan_w, 2, I, 2, 2, &err), AVMIT_E_NONFINITE);
}

static void test_npz(void) {
    avmit_error err;
    const float w[6] = {1, 2, 3, 4, 5, 6};
    const int64_t shape[2] = {2, 3};
    avmit_npz_entry e[2] = {{"audio", AVMIT_DTYPE_F32, 2, shape, w}, {"visual", AVMIT_DTYPE_F32, 2, shape, w}};
    const char *path = test_path("p.npz");
    CHECK_INT(avmit_npz_write(path, e, 2, &err), 0);
    avmit_array a;
    CHECK_INT(avmit_npz_read(&a, path, "visual", &err), 0);
    CHECK(a.ndim == 2 && a.shape[0] == 2 && a.shape[1] == 3 && !memcmp(a.data, w, sizeof w), "round trip");
    avmit_array_free(&a);
    CHECK_INT(avmit_npz_read(&a, path, "nope", &err), AVMIT_E_NOTFOUND);
    CHECK(test_contains(err.msg, "nope.npy"), "names the member: %s", err.msg);
    /* every truncation and a flipped byte in each member's data fail cleanly */
    unsigned char *buf;
    size_t n;
    CHECK_INT(avmit_read_file(path, &buf, &n, &err), 0);
    const char *cut = test_path("cut.npz");
    for (size_t k = 0; k < n; k += 7) {
        test_write_bytes(cut, buf, k);
        int r = avmit_npz_read(&a, cut, "audio", &err);
        if (!r) avmit_array_free(&a);
        CHECK(r != 0 || k == n, "truncated at %zu must fail", k);
    }
    unsigned char *flip = malloc(n);
    memcpy(flip, buf, n);
    for (size_t k = 0; k + 4 < n; k++) /* the first data byte after a "\x93NUMPY" magic */
        if (!memcmp(flip + k, "\x93NUMPY", 6)) { flip[k + 200 < n ? k + 130 : k + 6] ^= 0x40; break; }
    test_write_bytes(cut, flip, n);
    int r = avmit_npz_read(&a, cut, "audio", &err);
    CHECK(r == AVMIT_E_CRC || r == AVMIT_E_FORMAT, "flipped byte: %d %s", r, err.msg);
    free(flip);
    free(buf);
}

static void test_tb_event_bytes(void) {
    avmit_error err;
    uint8_t *ev;
    size_t n;
    CHECK_INT(avmit_tb_encode_scalar(&ev, &n, "a", 1, 1.0, 1.5, &err), 0);
    /* Event{wall_time(1, fixed64) 1.5, step(2) 1, summary(5){value(1){tag(1) "a", simple_value(2, fixed32) 1.0f}}} */
    const uint8_t want[] = {0x09, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0x10, 0x01, 0x2a, 0x0a, 0x0a, 0x08,
                            0x0a, 0x01, 'a', 0x15, 0x00, 0x00, 0x80, 0x3f};
    CHECK(n == sizeof want && !memcmp(ev, want, n), "scalar event bytes (%zu)", n);
    free(ev);
    avmit_tb_writer *w;
    CHECK_INT(avmit_tb_open(&w, test_path("tb"), 2.0, &err), 0);
    CHECK(test_contains(avmit_tb_path(w), "/events.out.tfevents.2."), "file name %s", avmit_tb_path(w));
    CHECK_INT(avmit_tb_text(w, "config", 0, "| a | b |", 2.0, &err), 0);
    avmit_tb_close(w);
    CHECK(avmit_tb_open(&w, "/proc/nonexistent/x", 0, &err) != 0, "unwritable dir must fail");
}

int main(void) {
    test_mwu();
    test_projection_similarity();
    test_npz();
    test_tb_event_bytes();
    return test_finish("test_analysis");
}
