/*
 * avmit/yaml.h — YAML files (libyaml) as a small generic tree with dotted
 * lookups that any train.yaml reader can use (the typed experiment-1 and SAVC
 * readers are in avmit/config.h and avmit/savc.h).
 *
 * Nodes are small integers (0 = "no node"); anchors and aliases (&dest / *dest
 * in the released files) resolve to the same node. Every error names the
 * file, the 1-based line and the key, e.g.
 *   "train.yaml: line 14: rnn.units: expected an integer, found 'many'".
 *
 * Built only with libyaml (AVMIT_HAVE_YAML; option AVMIT_WITH_YAML).
 * Thread-safety: a loaded tree is immutable and may be shared.
 */
#ifndef AVMIT_YAML_H
#define AVMIT_YAML_H

#include <stddef.h>

#include "avmit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- generic tree ------------------------------------------------------------ */
typedef struct avmit_yaml avmit_yaml;
typedef enum avmit_yaml_kind {
    AVMIT_YAML_NONE = 0,
    AVMIT_YAML_SCALAR,
    AVMIT_YAML_MAP,
    AVMIT_YAML_SEQ
} avmit_yaml_kind;

/* Parse the first document of a file / a buffer (`name` is used in errors). */
int avmit_yaml_load(avmit_yaml **out, const char *path, avmit_error *err);
int avmit_yaml_parse(avmit_yaml **out, const char *text, size_t n, const char *name,
                     avmit_error *err);
void avmit_yaml_free(avmit_yaml *y);
const char *avmit_yaml_name(const avmit_yaml *y);

int avmit_yaml_root(const avmit_yaml *y);
avmit_yaml_kind avmit_yaml_kind_of(const avmit_yaml *y, int node);
/* Scalar text (NUL-terminated; folded/literal scalars already folded), or NULL. */
const char *avmit_yaml_scalar(const avmit_yaml *y, int node);
long avmit_yaml_line(const avmit_yaml *y, int node); /* 1-based, 0 for no node */
/* Number of pairs (map) or items (sequence); 0 otherwise. */
size_t avmit_yaml_size(const avmit_yaml *y, int node);
int avmit_yaml_map_key(const avmit_yaml *y, int map, size_t i);
int avmit_yaml_map_value(const avmit_yaml *y, int map, size_t i);
int avmit_yaml_seq_item(const avmit_yaml *y, int seq, size_t i);
/* Follow a dotted path of map keys from `node` ("training.learning_rate");
 * 0 when any part is absent. */
int avmit_yaml_get(const avmit_yaml *y, int node, const char *dotted);

/* Typed lookups of a dotted key under `node`: AVMIT_E_NOTFOUND when absent,
 * AVMIT_E_FORMAT when the value has the wrong type (file, line, key). Booleans
 * accept YAML 1.1's true/false/yes/no/on/off in any case; integers are decimal;
 * the string of an empty value is "". */
int avmit_yaml_get_str(const avmit_yaml *y, int node, const char *key, const char **out,
                       avmit_error *err);
int avmit_yaml_get_int(const avmit_yaml *y, int node, const char *key, long long *out,
                       avmit_error *err);
int avmit_yaml_get_double(const avmit_yaml *y, int node, const char *key, double *out,
                          avmit_error *err);
int avmit_yaml_get_bool(const avmit_yaml *y, int node, const char *key, int *out,
                        avmit_error *err);

#ifdef __cplusplus
}
#endif
#endif /* AVMIT_YAML_H */
