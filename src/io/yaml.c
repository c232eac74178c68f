/*
 * yaml.c — the generic YAML tree over libyaml's document API
 * (include/avmit/yaml.h). The typed train.yaml readers built on it live in
 * src/train (yaml_exp1.c, yaml_savc.c: they fill model configs).
 *
 * libyaml's loader resolves aliases to node references, so an alias and its
 * anchor are the same node id here. Node ids are libyaml's (1-based).
 */
#include "avmit/yaml.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "avmit/fileio.h"
#include "core/error_int.h"

struct avmit_yaml {
    yaml_document_t doc;
    char *name;
};

void avmit_yaml_free(avmit_yaml *y) {
    if (!y) return;
    yaml_document_delete(&y->doc);
    free(y->name);
    free(y);
}

const char *avmit_yaml_name(const avmit_yaml *y) { return y->name; }

int avmit_yaml_parse(avmit_yaml **out, const char *text, size_t n, const char *name,
                     avmit_error *err) {
    *out = NULL;
    avmit_yaml *y = calloc(1, sizeof *y);
    if (!y || !(y->name = strdup(name ? name : "<yaml>"))) {
        free(y);
        return AVMIT_NOMEM_AT(err, name, "yaml_parse");
    }
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        free(y->name);
        free(y);
        return AVMIT_NOMEM_AT(err, name, "yaml_parse");
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)text, n);
    if (!yaml_parser_load(&p, &y->doc)) {
        int rc = avmit_error_set(err, AVMIT_E_FORMAT, name, -1, (long long)p.problem_mark.line + 1,
                                 (long long)p.problem_mark.index, NULL, "YAML syntax error: %s%s%s",
                                 p.problem ? p.problem : "unknown", p.context ? " " : "",
                                 p.context ? p.context : "");
        yaml_parser_delete(&p);
        free(y->name);
        free(y);
        return rc;
    }
    yaml_parser_delete(&p);
    if (!yaml_document_get_root_node(&y->doc)) {
        avmit_yaml_free(y);
        return AVMIT_ERR(err, AVMIT_E_FORMAT, name, NULL, "empty YAML document");
    }
    *out = y;
    return 0;
}

int avmit_yaml_load(avmit_yaml **out, const char *path, avmit_error *err) {
    unsigned char *buf;
    size_t n;
    *out = NULL;
    int rc = avmit_read_file(path, &buf, &n, err);
    if (rc) return rc;
    rc = avmit_yaml_parse(out, (const char *)buf, n, path, err);
    free(buf);
    return rc;
}

static yaml_node_t *node_of(const avmit_yaml *y, int id) {
    return id > 0 ? yaml_document_get_node((yaml_document_t *)&y->doc, id) : NULL;
}

int avmit_yaml_root(const avmit_yaml *y) { return y ? 1 : 0; }

avmit_yaml_kind avmit_yaml_kind_of(const avmit_yaml *y, int id) {
    yaml_node_t *n = node_of(y, id);
    if (!n) return AVMIT_YAML_NONE;
    return n->type == YAML_SCALAR_NODE ? AVMIT_YAML_SCALAR
           : n->type == YAML_MAPPING_NODE ? AVMIT_YAML_MAP
           : n->type == YAML_SEQUENCE_NODE ? AVMIT_YAML_SEQ
                                           : AVMIT_YAML_NONE;
}

const char *avmit_yaml_scalar(const avmit_yaml *y, int id) {
    yaml_node_t *n = node_of(y, id);
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

long avmit_yaml_line(const avmit_yaml *y, int id) {
    yaml_node_t *n = node_of(y, id);
    return n ? (long)n->start_mark.line + 1 : 0;
}

size_t avmit_yaml_size(const avmit_yaml *y, int id) {
    yaml_node_t *n = node_of(y, id);
    if (!n) return 0;
    if (n->type == YAML_MAPPING_NODE)
        return (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    if (n->type == YAML_SEQUENCE_NODE)
        return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    return 0;
}

int avmit_yaml_map_key(const avmit_yaml *y, int id, size_t i) {
    yaml_node_t *n = node_of(y, id);
    if (!n || n->type != YAML_MAPPING_NODE || i >= avmit_yaml_size(y, id)) return 0;
    return n->data.mapping.pairs.start[i].key;
}

int avmit_yaml_map_value(const avmit_yaml *y, int id, size_t i) {
    yaml_node_t *n = node_of(y, id);
    if (!n || n->type != YAML_MAPPING_NODE || i >= avmit_yaml_size(y, id)) return 0;
    return n->data.mapping.pairs.start[i].value;
}

int avmit_yaml_seq_item(const avmit_yaml *y, int id, size_t i) {
    yaml_node_t *n = node_of(y, id);
    if (!n || n->type != YAML_SEQUENCE_NODE || i >= avmit_yaml_size(y, id)) return 0;
    return n->data.sequence.items.start[i];
}

int avmit_yaml_get(const avmit_yaml *y, int node, const char *dotted) {
    const char *p = dotted;
    while (node && *p) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        int found = 0;
        for (size_t i = 0, n = avmit_yaml_size(y, node); i < n && !found; i++) {
            const char *k = avmit_yaml_scalar(y, avmit_yaml_map_key(y, node, i));
            if (k && strlen(k) == len && !strncmp(k, p, len)) found = avmit_yaml_map_value(y, node, i);
        }
        if (avmit_yaml_kind_of(y, node) != AVMIT_YAML_MAP) found = 0;
        node = found;
        p = dot ? dot + 1 : p + len;
    }
    return node;
}

static int scalar_at(const avmit_yaml *y, int node, const char *key, const char **s, int *id,
                     avmit_error *err) {
    *id = avmit_yaml_get(y, node, key);
    if (!*id)
        return AVMIT_ERR(err, AVMIT_E_NOTFOUND, y->name, key, "required key is missing");
    *s = avmit_yaml_scalar(y, *id);
    if (!*s)
        return avmit_error_set(err, AVMIT_E_FORMAT, y->name, -1, avmit_yaml_line(y, *id), -1, key,
                               "expected a scalar value, found a %s",
                               avmit_yaml_kind_of(y, *id) == AVMIT_YAML_MAP ? "mapping" : "sequence");
    return 0;
}

int avmit_yaml_get_str(const avmit_yaml *y, int node, const char *key, const char **out,
                       avmit_error *err) {
    int id;
    return scalar_at(y, node, key, out, &id, err);
}

/* A scalar parsed as an integer (is_int) or a double; the error names what was expected. */
static int get_number(const avmit_yaml *y, int node, const char *key, int is_int, long long *iv,
                      double *dv, avmit_error *err) {
    const char *s;
    int id, rc = scalar_at(y, node, key, &s, &id, err);
    if (rc) return rc;
    char *end;
    errno = 0;
    if (is_int) *iv = strtoll(s, &end, 10);
    else *dv = strtod(s, &end);
    if (!*s || *end || errno || (!is_int && *dv != *dv))
        return avmit_error_set(err, AVMIT_E_FORMAT, y->name, -1, avmit_yaml_line(y, id), -1, key,
                               "expected %s, found '%s'", is_int ? "an integer" : "a number", s);
    return 0;
}

int avmit_yaml_get_int(const avmit_yaml *y, int node, const char *key, long long *out,
                       avmit_error *err) {
    long long v;
    int rc = get_number(y, node, key, 1, &v, NULL, err);
    if (!rc) *out = v;
    return rc;
}

int avmit_yaml_get_double(const avmit_yaml *y, int node, const char *key, double *out,
                          avmit_error *err) {
    double v;
    int rc = get_number(y, node, key, 0, NULL, &v, err);
    if (!rc) *out = v;
    return rc;
}

int avmit_yaml_get_bool(const avmit_yaml *y, int node, const char *key, int *out,
                        avmit_error *err) {
    const char *s;
    int id, rc = scalar_at(y, node, key, &s, &id, err);
    if (rc) return rc;
    static const char *const yes[] = {"true", "yes", "on", "y"}, *const no[] = {"false", "no", "off", "n"};
    for (int i = 0; i < 4; i++) {
        if (!strcasecmp(s, yes[i])) return *out = 1, 0;
        if (!strcasecmp(s, no[i])) return *out = 0, 0;
    }
    return avmit_error_set(err, AVMIT_E_FORMAT, y->name, -1, avmit_yaml_line(y, id), -1, key,
                           "expected a boolean (True/False), found '%s'", s);
}
