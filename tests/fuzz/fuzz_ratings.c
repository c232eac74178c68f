/* fuzz_ratings.c — the split / ratings CSV layouts through the loaders `avmit ratings`
 * and `avmit split` use, on a file: avmit_split_read (every layout, detected by the
 * header) then validate, the four selection rules and the per-class statistics; and
 * avmit_ratings_aggregate (the raw per-rater layout) on the same bytes. Every input
 * loads or fails with a message; an aggregated video has >= 3 ratings; a filtered list
 * only keeps rows that pass the rule. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/ratings.h"
#include "avmit/split.h"
#include "fuzz_tmpfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void rules_and_stats(const char *path, const avmit_split *s0) {
    avmit_error err;
    const avmit_split *lists[1] = {s0};
    avmit_ratings_stats st;
    avmit_error_clear(&err);
    if (avmit_ratings_stats_compute(lists, 1, &st, &err) == 0)
        avmit_ratings_stats_free(&st);
    else if (!err.msg[0])
        abort();
    for (int rule = 0; rule < AVMIT_N_RULES; rule++) {
        avmit_split s;
        avmit_error_clear(&err);
        if (avmit_split_read(&s, path, &err)) abort(); /* it read once: it reads again */
        if (avmit_ratings_filter(&s, (avmit_rule)rule, &err) == 0) {
            for (size_t i = 0; i < s.n; i++)
                if (!avmit_rule_pass((avmit_rule)rule, s.v[i].r1, s.v[i].r2, s.v[i].r3))
                    abort();
        } else if (!err.msg[0]) {
            abort();
        }
        avmit_split_free(&s);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *path = fuzz_tmp_write(".csv", data, size);
    avmit_error err;
    avmit_error_clear(&err);
    avmit_split s;
    if (avmit_split_read(&s, path, &err) == 0) {
        avmit_error_clear(&err);
        if (avmit_split_validate(&s, &err) && !err.msg[0]) abort();
        rules_and_stats(path, &s);
        avmit_split_free(&s);
    } else if (!err.msg[0]) {
        abort();
    }
    size_t dropped;
    avmit_error_clear(&err);
    if (avmit_ratings_aggregate(path, &s, &dropped, &err) == 0) {
        for (size_t i = 0; i < s.n; i++)
            if (s.v[i].r1 + s.v[i].r2 + s.v[i].r3 < 3) abort();
        avmit_split_free(&s);
    } else if (!err.msg[0]) {
        abort();
    }
    return 0;
}
