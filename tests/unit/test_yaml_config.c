/*
 * test_yaml_config.c — the YAML tree (anchors/aliases, folded scalars,
 * dotted lookups, typed getters with file:line:key errors) and the typed
 * experiment-1 config; with ../shared, every released train.yaml (both
 * experiments) parses, and the experiment-1 ones give the Table 5 models.
 */
#include <stdio.h>
#include <string.h>

#include "avmit/config.h"
#include "testutil.h"

static const char k_yaml[] =
    "# comment\n"
    "tfrecords_loc: >-\n"
    "  AVMIT_YamNet_EffNetB0/\n"
    "model_path: &dest \"GRU_AVMIT/\"\n"
    "log_dir: *dest\n"
    "rnn:\n"
    "  function: tf.keras.layers.GRU\n"
    "  units: 128\n"
    "  dropout: 0.5\n"
    "audio: True\n"
    "visual: no\n"
    "list: [1, 2, 3]\n";

int main(void) {
    avmit_yaml *y;
    avmit_error err;
    avmit_error_clear(&err);
    CHECK_INT(avmit_yaml_parse(&y, k_yaml, strlen(k_yaml), "t.yaml", &err), 0);
    const char *s;
    long long v;
    double d;
    int b;
    CHECK_INT(avmit_yaml_get_str(y, 1, "tfrecords_loc", &s, &err), 0);
    CHECK_STR(s, "AVMIT_YamNet_EffNetB0/");
    CHECK_INT(avmit_yaml_get_str(y, 1, "log_dir", &s, &err), 0);
    CHECK_STR(s, "GRU_AVMIT/");
    CHECK_INT(avmit_yaml_get(y, 1, "log_dir"), avmit_yaml_get(y, 1, "model_path"));
    CHECK_INT(avmit_yaml_get_int(y, 1, "rnn.units", &v, &err), 0);
    CHECK_INT(v, 128);
    CHECK_INT(avmit_yaml_get_double(y, 1, "rnn.dropout", &d, &err), 0);
    CHECK(d == 0.5, "dropout %g", d);
    CHECK_INT(avmit_yaml_get_bool(y, 1, "audio", &b, &err), 0);
    CHECK_INT(b, 1);
    CHECK_INT(avmit_yaml_get_bool(y, 1, "visual", &b, &err), 0);
    CHECK_INT(b, 0);
    int l = avmit_yaml_get(y, 1, "list");
    CHECK_INT(avmit_yaml_kind_of(y, l), AVMIT_YAML_SEQ);
    CHECK_INT(avmit_yaml_size(y, l), 3);
    CHECK_STR(avmit_yaml_scalar(y, avmit_yaml_seq_item(y, l, 2)), "3");
    CHECK_INT(avmit_yaml_get_int(y, 1, "rnn.function", &v, &err), AVMIT_E_FORMAT);
    CHECK(test_contains(err.msg, "t.yaml: line 7: rnn.function: expected an integer, found 'tf.keras.layers.GRU'"),
          "%s", err.msg);
    CHECK_INT(avmit_yaml_get_int(y, 1, "rnn.nope", &v, &err), AVMIT_E_NOTFOUND);
    CHECK_INT(avmit_yaml_get_str(y, 1, "rnn", &s, &err), AVMIT_E_FORMAT);
    CHECK_INT(avmit_yaml_get(y, 1, "rnn.units.deeper"), 0);
    avmit_yaml_free(y);
    CHECK_INT(avmit_yaml_parse(&y, "a: [1,\n", 7, "bad.yaml", &err), AVMIT_E_FORMAT);
    CHECK(test_contains(err.msg, "bad.yaml") && test_contains(err.msg, "YAML syntax error"), "%s", err.msg);

    const char *shared = test_shared_dir();
    if (shared) {
        static const char *const ar[] = {"VGGish_VGG_FRNN", "VGGish_VGG_GRU", "VGGish_VGG_LSTM",
                                         "YamNet_EffNet_FRNN", "YamNet_EffNet_GRU", "YamNet_EffNet_LSTM"};
        static const size_t want[] = {366352, 413968, 956944, 675472, 248976, 740112};
        char path[2048];
        for (int i = 0; i < 6; i++)
            for (int set = 0; set < 2; set++) {
                snprintf(path, sizeof path, "%s/data/models/action_recognition/%s_%s/train.yaml", shared, ar[i],
                         set ? "MIT_16" : "AVMIT");
                avmit_exp1_config c;
                CHECK(avmit_exp1_config_load(&c, path, &err) == 0, "%s: %s", path, err.msg);
                CHECK(avmit_model_trainable_count(&c.model) == want[i], "%s count", path);
                CHECK_INT(c.batch_size, 16);
                CHECK_INT(c.patience, 20);
                CHECK_INT(c.model.timesteps, 7);
                CHECK(test_contains(c.train_csv, set ? "MIT16_train.csv" : "AVMIT_train.csv"), "%s", c.train_csv);
            }
        /* SAVC configs parse into the generic tree */
        static const char *const sv[] = {"VGGish_VGG16", "YamNet_EffNet"}, *const rn[] = {"FRNN", "GRU", "LSTM"},
                                 *const st[] = {"AVMIT", "MIT16"};
        for (int a = 0; a < 2; a++)
            for (int r = 0; r < 3; r++)
                for (int t = 0; t < 2; t++) {
                    snprintf(path, sizeof path, "%s/data/models/savc/%s_%s_%s_avcorr/train.yaml", shared, sv[a], rn[r],
                             st[t]);
                    CHECK(avmit_yaml_load(&y, path, &err) == 0, "%s: %s", path, err.msg);
                    if (!y) continue;
                    CHECK(avmit_yaml_get_int(y, 1, "training.training_batch_size", &v, &err) == 0 && v == 512,
                          "%s batch", path);
                    CHECK(avmit_yaml_get_str(y, 1, "tfrecords_loc2", &s, &err) == 0, "%s: empty folded value", path);
                    avmit_yaml_free(y);
                }
        snprintf(path, sizeof path, "%s/data/models/savc/example_train.yaml", shared);
        CHECK(avmit_yaml_load(&y, path, &err) == 0, "%s: %s", path, err.msg);
        avmit_yaml_free(y);
    }
    return test_finish("yaml_config");
}
