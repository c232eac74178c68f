/*
 * config_noyaml.c — the train.yaml readers of avmit/config.h and avmit/savc.h
 * in a build without libyaml (AVMIT_WITH_YAML=OFF, which leaves out every
 * src/{io,train}/yaml*.c): each answers AVMIT_E_UNSUPPORTED naming the file.
 */
#ifndef AVMIT_HAVE_YAML
#include "avmit/config.h"
#include "avmit/savc.h"
#include "core/error_int.h"

#define NO_YAML(path, err)                                                           \
    AVMIT_ERR(err, AVMIT_E_UNSUPPORTED, path, "",                                    \
              "reading train.yaml needs libyaml (this avmit was built with "         \
              "AVMIT_WITH_YAML=OFF)")

int avmit_exp1_config_load(avmit_exp1_config *out, const char *path, avmit_error *err) {
    (void)out;
    return NO_YAML(path, err);
}

int avmit_config_detect(const char *path, avmit_config_kind *out, avmit_error *err) {
    *out = AVMIT_CONFIG_EXP1;
    return NO_YAML(path, err);
}

int avmit_savc_config_load(avmit_savc_file_config *out, const char *path, avmit_error *err) {
    (void)out;
    return NO_YAML(path, err);
}
#else
typedef int avmit_config_noyaml_unused; /* ISO C: a translation unit is not empty */
#endif
