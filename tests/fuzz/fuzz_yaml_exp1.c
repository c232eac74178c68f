/* fuzz_yaml_exp1.c — the experiment-1 train.yaml mapping (avmit/config.h) on arbitrary
 * bytes: libyaml's tree, then the typed experiment-1 config exactly as `avmit train
 * --config` reads it (avmit_exp1_config_load on a file). Every input loads or fails with
 * a message; a loaded config satisfies the documented ranges; the generic tree is walked
 * in full (every scalar, line and dotted lookup). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/config.h"
#include "fuzz_tmpfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aliases make the tree a DAG (a "billion laughs" document has exponentially many
 * paths): the walk visits at most a budget of nodes. */
static void walk(const avmit_yaml *y, int node, int depth, long *budget) {
    if (!node || depth > 64 || --*budget < 0) return;
    (void)avmit_yaml_line(y, node);
    const char *s = avmit_yaml_scalar(y, node);
    if (s) (void)strlen(s);
    size_t n = avmit_yaml_size(y, node);
    for (size_t i = 0; i < n; i++) {
        if (avmit_yaml_kind_of(y, node) == AVMIT_YAML_MAP) {
            int k = avmit_yaml_map_key(y, node, i);
            walk(y, k, depth + 1, budget);
            walk(y, avmit_yaml_map_value(y, node, i), depth + 1, budget);
            const char *ks = avmit_yaml_scalar(y, k);
            if (ks && ks[0] && !strchr(ks, '.') && avmit_yaml_get(y, node, ks) == 0) abort();
        } else {
            walk(y, avmit_yaml_seq_item(y, node, i), depth + 1, budget);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    avmit_error err;
    avmit_error_clear(&err);
    avmit_yaml *y;
    if (avmit_yaml_parse(&y, (const char *)data, size, "fuzz.yaml", &err) == 0) {
        long budget = 20000;
        walk(y, avmit_yaml_root(y), 0, &budget);
        avmit_yaml_free(y);
    } else if (!err.msg[0]) {
        abort();
    }
    avmit_exp1_config c;
    avmit_error_clear(&err);
    if (avmit_exp1_config_load(&c, fuzz_tmp_write(".yaml", data, size), &err) == 0) {
        if (c.num_epochs < 0 || c.batch_size <= 0 || !(c.learning_rate == c.learning_rate))
            abort();
    } else if (!err.msg[0]) {
        abort();
    }
    return 0;
}
