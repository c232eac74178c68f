/*
 * keras_h5.c — Keras save_weights HDF5 files through libhdf5 (FORMATS.md §5,
 * tensorflow/python/keras/saving/hdf5_format.py). The only file that includes
 * hdf5.h. See avmit/keras_h5.h for the contract.
 *
 * libhdf5 prints its error stack to stderr by default; every entry point
 * turns that off with H5Eset_auto2(H5E_DEFAULT, NULL, NULL) (process-wide
 * state in libhdf5, documented in the header) and reports through
 * avmit_error instead, quoting libhdf5's innermost message.
 */
#include <errno.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avmit/fileio.h"
#include "avmit/keras_h5.h"
#include "core/error_int.h"

/* Keras splits attributes over 64,512 bytes into name0, name1, ...
 * (HDF5_OBJECT_HEADER_LIMIT in hdf5_format.py); more chunks than this is absurd. */
#define MAX_ATTR_CHUNKS 4096
/* A single weight above 2^31 floats is not a Keras model of this project. */
#define MAX_WEIGHT_FLOATS ((int64_t)1 << 31)

static void h5_quiet(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

static herr_t h5_first_desc(unsigned n, const H5E_error2_t *e, void *data) {
    char *buf = data;
    if (n == 0 && e->desc) snprintf(buf, 160, "%s", e->desc);
    return 0;
}

/* libhdf5's innermost message for the last failure ("" if none), then clear it. */
static const char *h5_why(char buf[160]) {
    buf[0] = '\0';
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, h5_first_desc, buf);
    H5Eclear2(H5E_DEFAULT);
    return buf;
}

static void free_strs(char **s, size_t n) {
    for (size_t i = 0; s && i < n; i++) free(s[i]);
    free(s);
}

/* ---- reading ---------------------------------------------------------------- */

/* Read attribute `name` of obj (which exists) as a list of strings: a string
 * array (fixed or variable length, scalar or 1-D), or an empty array of any
 * type. *vlen says which string form it had. `where` names obj in errors. */
static int read_str_attr(hid_t obj, const char *name, const char *where, char ***out, size_t *n,
                         int *vlen, const char *path, avmit_error *err) {
    char why[160];
    int rc = 0;
    hid_t a = -1, space = -1, type = -1, mem = -1;
    char **strs = NULL;
    void *buf = NULL;
    hssize_t np = 0;
    *out = NULL;
    *n = 0;
    if ((a = H5Aopen(obj, name, H5P_DEFAULT)) < 0 || (space = H5Aget_space(a)) < 0 ||
        (type = H5Aget_type(a)) < 0) {
        rc = AVMIT_ERR(err, AVMIT_E_FORMAT, path, name, "%s: cannot read the attribute (%s)",
                       where, h5_why(why));
        goto done;
    }
    int ndims = H5Sget_simple_extent_ndims(space);
    np = H5Sget_simple_extent_npoints(space);
    if (ndims < 0 || ndims > 1 || np < 0) {
        rc = AVMIT_ERR(err, AVMIT_E_FORMAT, path, name,
                       "%s: expected a 1-D array of strings, found %d dimensions", where, ndims);
        goto done;
    }
    if (np == 0) goto done; /* Keras writes an empty float64 array for "no weights" */
    if (H5Tget_class(type) != H5T_STRING) {
        rc = AVMIT_ERR(err, AVMIT_E_FORMAT, path, name,
                       "%s: expected strings, found %lld values of another type", where,
                       (long long)np);
        goto done;
    }
    strs = calloc((size_t)np, sizeof *strs);
    mem = H5Tcopy(H5T_C_S1);
    if (!strs || mem < 0) {
        rc = AVMIT_NOMEM_AT(err, path, "read_str_attr");
        goto done;
    }
    *vlen = H5Tis_variable_str(type) > 0;
    if (*vlen) {
        char **v = calloc((size_t)np, sizeof *v);
        if (!v || H5Tset_size(mem, H5T_VARIABLE) < 0 || H5Aread(a, mem, v) < 0) {
            free(v);
            rc = AVMIT_ERR(err, AVMIT_E_FORMAT, path, name, "%s: cannot read the strings (%s)",
                           where, h5_why(why));
            goto done;
        }
        for (hssize_t i = 0; i < np && !rc; i++) {
            strs[i] = strdup(v[i] ? v[i] : "");
            if (!strs[i]) rc = AVMIT_NOMEM_AT(err, path, "read_str_attr");
        }
        H5Dvlen_reclaim(mem, space, H5P_DEFAULT, v);
        free(v);
        if (rc) goto done;
    } else {
        size_t size = H5Tget_size(type);
        buf = size ? calloc((size_t)np, size) : NULL;
        if (!size || !buf || H5Tset_size(mem, size) < 0 ||
            H5Tset_strpad(mem, H5T_STR_NULLPAD) < 0 || H5Aread(a, mem, buf) < 0) {
            rc = AVMIT_ERR(err, AVMIT_E_FORMAT, path, name, "%s: cannot read the strings (%s)",
                           where, h5_why(why));
            goto done;
        }
        for (hssize_t i = 0; i < np; i++) {
            const char *s = (const char *)buf + (size_t)i * size;
            strs[i] = strndup(s, strnlen(s, size));
            if (!strs[i]) {
                rc = AVMIT_NOMEM_AT(err, path, "read_str_attr");
                goto done;
            }
        }
    }
    *out = strs;
    *n = (size_t)np;
    strs = NULL;
done:
    free_strs(strs, (size_t)np);
    free(buf);
    if (mem >= 0) H5Tclose(mem);
    if (type >= 0) H5Tclose(type);
    if (space >= 0) H5Sclose(space);
    if (a >= 0) H5Aclose(a);
    return rc;
}

/* Read attribute `name`, or its Keras chunks name0, name1, ... concatenated.
 * AVMIT_E_NOTFOUND (with a message) when neither exists. */
static int read_str_list(hid_t obj, const char *name, const char *where, char ***out, size_t *n,
                         int *vlen, const char *path, avmit_error *err) {
    if (H5Aexists(obj, name) > 0) return read_str_attr(obj, name, where, out, n, vlen, path, err);
    char chunk[AVMIT_ERROR_FIELD_MAX];
    char **all = NULL;
    size_t n_all = 0;
    int k = 0;
    for (; k < MAX_ATTR_CHUNKS; k++) {
        snprintf(chunk, sizeof chunk, "%s%d", name, k);
        if (H5Aexists(obj, chunk) <= 0) break;
        char **part;
        size_t n_part;
        int rc = read_str_attr(obj, chunk, where, &part, &n_part, vlen, path, err);
        char **grown = rc ? NULL : realloc(all, (n_all + n_part + 1) * sizeof *all);
        if (!grown) {
            if (!rc) rc = AVMIT_NOMEM_AT(err, path, "read_str_list");
            free_strs(part, rc ? 0 : n_part);
            free_strs(all, n_all);
            return rc;
        }
        all = grown;
        if (n_part) memcpy(all + n_all, part, n_part * sizeof *part);
        n_all += n_part;
        free(part);
    }
    H5Eclear2(H5E_DEFAULT);
    if (k == 0)
        return AVMIT_ERR(err, AVMIT_E_NOTFOUND, path, name,
                         "%s has no attribute '%s': not a Keras weights file", where, name);
    *out = all;
    *n = n_all;
    return 0;
}

/* Read dataset /<layer>/<wt->name> as float32 LE. */
static int read_weight(hid_t layer_g, const char *layer, avmit_keras_weight *wt, unsigned flags,
                       const char *path, avmit_error *err) {
    char why[160], field[AVMIT_ERROR_FIELD_MAX];
    snprintf(field, sizeof field, "%s/%s", layer, wt->name);
    int rc = 0;
    hid_t d = -1, type = -1, space = -1;
    if ((d = H5Dopen2(layer_g, wt->name, H5P_DEFAULT)) < 0) {
        rc = AVMIT_ERR(err, AVMIT_E_NOTFOUND, path, field,
                       "weight listed in '%s' weight_names but no such dataset (%s)", layer,
                       h5_why(why));
        goto done;
    }
    type = H5Dget_type(d);
    space = H5Dget_space(d);
    if (type < 0 || space < 0) {
        rc = AVMIT_ERR(err, AVMIT_E_FORMAT, path, field,
                       "cannot read the dataset's type or shape (%s)", h5_why(why));
        goto done;
    }
    if ((flags & AVMIT_KERAS_READ_INTS) && H5Tequal(type, H5T_STD_I64LE) > 0)
        wt->dtype = AVMIT_KERAS_I64;
    else if ((flags & AVMIT_KERAS_READ_INTS) && H5Tequal(type, H5T_STD_I32LE) > 0)
        wt->dtype = AVMIT_KERAS_I32;
    else if (H5Tequal(type, H5T_IEEE_F32LE) <= 0) {
        H5T_class_t cls = H5Tget_class(type);
        const char *what = cls == H5T_FLOAT ? "float" : cls == H5T_INTEGER ? "integer"
                           : cls == H5T_STRING ? "string" : "non-numeric";
        rc = AVMIT_ERR(err, AVMIT_E_UNSUPPORTED, path, field,
                       "dtype: expected float32 little-endian, found %s of %zu bytes%s", what,
                       H5Tget_size(type), H5Tget_order(type) == H5T_ORDER_BE ? " big-endian" : "");
        goto done;
    }
    int ndims = H5Sget_simple_extent_ndims(space);
    if (ndims < 0 || ndims > AVMIT_KERAS_MAX_DIMS) {
        rc = AVMIT_ERR(err, AVMIT_E_UNSUPPORTED, path, field,
                       "expected at most %d dimensions, found %d", AVMIT_KERAS_MAX_DIMS, ndims);
        goto done;
    }
    hsize_t dims[AVMIT_KERAS_MAX_DIMS];
    H5Sget_simple_extent_dims(space, dims, NULL);
    wt->ndim = ndims;
    int64_t count = 1;
    for (int i = 0; i < ndims; i++) {
        wt->shape[i] = (int64_t)dims[i];
        if (dims[i] > (hsize_t)MAX_WEIGHT_FLOATS || (dims[i] && count > MAX_WEIGHT_FLOATS / (int64_t)dims[i])) {
            rc = AVMIT_ERR(err, AVMIT_E_RANGE, path, field, "more than 2^31 values");
            goto done;
        }
        count *= (int64_t)dims[i];
    }
    wt->data = malloc(count ? (size_t)count * sizeof(float) : 1);
    if (!wt->data) {
        rc = AVMIT_NOMEM_AT(err, path, "read_weight");
        goto done;
    }
    if (count && H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, wt->data) < 0)
        rc = AVMIT_ERR(err, AVMIT_E_FORMAT, path, field, "cannot read the data (%s)", h5_why(why));
done:
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
    if (d >= 0) H5Dclose(d);
    return rc;
}

/* Fill layer l (whose name is set) from group /<l->name>. */
/* A layer name usable as an HDF5 path: non-empty components, no "." / "..". */
static int bad_layer_name(const char *nm) {
    if (!nm || !nm[0] || nm[0] == '/' || nm[strlen(nm) - 1] == '/' || strstr(nm, "//")) return 1;
    for (const char *p = nm; p; p = strchr(p, '/') ? strchr(p, '/') + 1 : NULL) {
        size_t n = strcspn(p, "/");
        if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) return 1;
    }
    return 0;
}

static int read_layer(hid_t file, avmit_keras_layer *l, unsigned flags, const char *path,
                      avmit_error *err) {
    char why[160];
    char where[AVMIT_ERROR_FIELD_MAX + 16];
    snprintf(where, sizeof where, "layer '%s'", l->name);
    if (bad_layer_name(l->name) || H5Oexists_by_name(file, l->name, H5P_DEFAULT) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return AVMIT_ERR(err, AVMIT_E_NOTFOUND, path, "layer_names",
                         "layer '%s' is listed but the file has no group /%s", l->name, l->name);
    }
    hid_t g = H5Gopen2(file, l->name, H5P_DEFAULT);
    if (g < 0)
        return AVMIT_ERR(err, AVMIT_E_FORMAT, path, l->name, "/%s is not a group (%s)", l->name,
                         h5_why(why));
    char **names = NULL;
    size_t n = 0;
    int vlen = 0;
    int rc = read_str_list(g, "weight_names", where, &names, &n, &vlen, path, err);
    if (!rc && n) {
        l->weights = calloc(n, sizeof *l->weights);
        if (!l->weights) rc = AVMIT_NOMEM_AT(err, path, "read_layer");
    }
    for (size_t i = 0; !rc && i < n; i++) {
        l->weights[i].name = names[i];
        names[i] = NULL;
        l->n_weights = i + 1;
        rc = read_weight(g, l->name, &l->weights[i], flags, path, err);
    }
    free_strs(names, n);
    H5Gclose(g);
    return rc;
}

/* Probe with stdio first so a missing file gets errno's words, and a
 * non-HDF5 file a plain sentence rather than libhdf5's stack. */
static int open_for_read(hid_t *file, const char *path, avmit_error *err) {
    char why[160];
    FILE *f = fopen(path, "rb");
    if (!f) return avmit_error_path(err, AVMIT_E_IO, path, "cannot open: %s", strerror(errno));
    fclose(f);
    htri_t is = H5Fis_hdf5(path);
    if (is <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return avmit_error_path(err, AVMIT_E_FORMAT, path,
                                "not an HDF5 file (no HDF5 signature): expected a Keras weights "
                                "file (.h5 / random_seed.ckpt)");
    }
    *file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (*file < 0)
        return avmit_error_path(err, AVMIT_E_FORMAT, path, "libhdf5 cannot open it (%s)",
                                h5_why(why));
    return 0;
}

int avmit_keras_h5_read(avmit_keras_h5 *out, const char *path, avmit_error *err) {
    return avmit_keras_h5_read_flags(out, path, 0, err);
}

int avmit_keras_h5_read_flags(avmit_keras_h5 *out, const char *path, unsigned flags,
                              avmit_error *err) {
    memset(out, 0, sizeof *out);
    h5_quiet();
    hid_t file = -1;
    int rc = open_for_read(&file, path, err);
    if (rc) return rc;
    char **names = NULL;
    size_t n = 0;
    int vlen = 0;
    rc = read_str_list(file, "layer_names", "the root group", &names, &n, &vlen, path, err);
    if (!rc) {
        out->strings = vlen ? AVMIT_KERAS_STR_VLEN : AVMIT_KERAS_STR_FIXED;
        out->layers = calloc(n ? n : 1, sizeof *out->layers);
        if (!out->layers) rc = AVMIT_NOMEM_AT(err, path, "keras_h5_read");
    }
    for (size_t i = 0; !rc && i < n; i++) {
        out->layers[i].name = names[i];
        names[i] = NULL;
        out->n_layers = i + 1;
        rc = read_layer(file, &out->layers[i], flags, path, err);
    }
    free_strs(names, n);
    /* backend / keras_version are reported, not required (FORMATS.md §10) */
    const char *const keys[2] = {"backend", "keras_version"};
    char **dst[2] = {&out->backend, &out->keras_version};
    out->no_root_attrs = 1;
    for (int k = 0; !rc && k < 2; k++) {
        char **v = NULL;
        size_t nv = 0;
        if (H5Aexists(file, keys[k]) > 0) {
            out->no_root_attrs = 0;
            rc = read_str_attr(file, keys[k], "the root group", &v, &nv, &vlen, path, err);
            if (rc) break;
        }
        *dst[k] = strdup(nv ? v[0] : "");
        free_strs(v, nv);
        if (!*dst[k]) rc = AVMIT_NOMEM_AT(err, path, "keras_h5_read");
    }
    H5Eclear2(H5E_DEFAULT);
    H5Fclose(file);
    if (rc) avmit_keras_h5_free(out);
    return rc;
}

/* ---- writing ---------------------------------------------------------------- */

/* Attribute `name` = the n strings, as a fixed NULLPAD or variable-length
 * array; n == 0 writes Keras's empty float64 array. */
static int write_str_attr(hid_t obj, const char *name, char *const *s, size_t n, int vlen) {
    hsize_t dim = n;
    hid_t space = H5Screate_simple(1, &dim, NULL), type = -1, a = -1;
    int ok = space >= 0;
    void *buf = NULL;
    if (ok && n == 0) {
        double dummy = 0;
        ok = (a = H5Acreate2(obj, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT)) >= 0 &&
             H5Awrite(a, H5T_NATIVE_DOUBLE, &dummy) >= 0;
    } else if (ok) {
        size_t size = 1;
        for (size_t i = 0; i < n; i++)
            if (strlen(s[i]) > size) size = strlen(s[i]);
        ok = (type = H5Tcopy(H5T_C_S1)) >= 0 &&
             (vlen ? H5Tset_size(type, H5T_VARIABLE) >= 0
                   : H5Tset_size(type, size) >= 0 && H5Tset_strpad(type, H5T_STR_NULLPAD) >= 0);
        if (ok && !vlen) {
            buf = calloc(n, size);
            ok = buf != NULL;
            for (size_t i = 0; ok && i < n; i++) memcpy((char *)buf + i * size, s[i], strlen(s[i]));
        }
        ok = ok && (a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT)) >= 0 &&
             H5Awrite(a, type, vlen ? (const void *)s : buf) >= 0;
    }
    free(buf);
    if (a >= 0) H5Aclose(a);
    if (type >= 0) H5Tclose(type);
    if (space >= 0) H5Sclose(space);
    return ok ? 0 : -1;
}

/* Scalar variable-length string attribute (backend, keras_version). */
static int write_scalar_str(hid_t obj, const char *name, const char *v) {
    hid_t space = H5Screate(H5S_SCALAR), type = H5Tcopy(H5T_C_S1), a = -1;
    int ok = space >= 0 && type >= 0 && H5Tset_size(type, H5T_VARIABLE) >= 0 &&
             (a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT)) >= 0 &&
             H5Awrite(a, type, &v) >= 0;
    if (a >= 0) H5Aclose(a);
    if (type >= 0) H5Tclose(type);
    if (space >= 0) H5Sclose(space);
    return ok ? 0 : -1;
}

static int write_weight(hid_t g, hid_t lcpl, const avmit_keras_weight *wt) {
    hsize_t dims[AVMIT_KERAS_MAX_DIMS];
    if (wt->ndim < 0 || wt->ndim > AVMIT_KERAS_MAX_DIMS) return -1;
    for (int i = 0; i < wt->ndim; i++) dims[i] = (hsize_t)wt->shape[i];
    hid_t space = wt->ndim ? H5Screate_simple(wt->ndim, dims, NULL) : H5Screate(H5S_SCALAR);
    hid_t d = -1;
    int ok = space >= 0 &&
             (d = H5Dcreate2(g, wt->name,
                             wt->dtype == AVMIT_KERAS_I64   ? H5T_STD_I64LE
                             : wt->dtype == AVMIT_KERAS_I32 ? H5T_STD_I32LE
                                                            : H5T_IEEE_F32LE,
                             space, lcpl, H5P_DEFAULT, H5P_DEFAULT)) >= 0 &&
             (avmit_keras_weight_count(wt) == 0 ||
              H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, wt->data) >= 0);
    if (d >= 0) H5Dclose(d);
    if (space >= 0) H5Sclose(space);
    return ok ? 0 : -1;
}

static int cmp_layer_name(const void *a, const void *b) {
    const avmit_keras_layer *const *x = a, *const *y = b;
    return strcmp((*x)->name, (*y)->name);
}

/* Everything but the file: the tree of avmit/keras_h5.h. On failure *what
 * names the object that failed. */
static int write_tree(hid_t file, const avmit_keras_h5 *w, int vlen, const char **what) {
    int rc = -1;
    char **names = calloc(w->n_layers + 1, sizeof *names);
    const avmit_keras_layer **sorted = calloc(w->n_layers + 1, sizeof *sorted);
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    *what = "layer_names";
    if (!names || !sorted || lcpl < 0 || H5Pset_create_intermediate_group(lcpl, 1) < 0) goto done;
    for (size_t i = 0; i < w->n_layers; i++) {
        names[i] = w->layers[i].name;
        sorted[i] = &w->layers[i];
    }
    const char *backend = w->backend && w->backend[0] ? w->backend : "tensorflow";
    const char *version = w->keras_version && w->keras_version[0] ? w->keras_version : "2.4.0";
    if (write_str_attr(file, "layer_names", names, w->n_layers, vlen) ||
        (!w->no_root_attrs && (write_scalar_str(file, "backend", backend) ||
                               write_scalar_str(file, "keras_version", version))))
        goto done;
    /* Keras creates the layer groups in name order ("to avoid prefix issues") */
    qsort(sorted, w->n_layers, sizeof *sorted, cmp_layer_name);
    for (size_t i = 0; i < w->n_layers; i++) {
        const avmit_keras_layer *l = sorted[i];
        *what = l->name;
        /* a nested name's parent may exist already (sorted: parents first) */
        hid_t g = H5Oexists_by_name(file, l->name, H5P_DEFAULT) > 0
                      ? H5Gopen2(file, l->name, H5P_DEFAULT)
                      : H5Gcreate2(file, l->name, lcpl, H5P_DEFAULT, H5P_DEFAULT);
        H5Eclear2(H5E_DEFAULT);
        if (g < 0) goto done;
        char **wn = calloc(l->n_weights + 1, sizeof *wn);
        int bad = !wn;
        for (size_t j = 0; !bad && j < l->n_weights; j++) wn[j] = l->weights[j].name;
        bad = bad || write_str_attr(g, "weight_names", wn, l->n_weights, vlen);
        for (size_t j = 0; !bad && j < l->n_weights; j++) {
            *what = l->weights[j].name;
            bad = write_weight(g, lcpl, &l->weights[j]);
        }
        free(wn);
        H5Gclose(g);
        if (bad) goto done;
    }
    if (vlen) { /* Keras >= 2.11 adds the model's own (here: no) weights */
        *what = "top_level_model_weights";
        hid_t g = H5Gcreate2(file, "top_level_model_weights", H5P_DEFAULT, H5P_DEFAULT,
                             H5P_DEFAULT);
        if (g < 0) goto done;
        int bad = write_str_attr(g, "weight_names", NULL, 0, 1);
        H5Gclose(g);
        if (bad) goto done;
    }
    rc = 0;
done:
    if (lcpl >= 0) H5Pclose(lcpl);
    free(names);
    free(sorted);
    return rc;
}

int avmit_keras_h5_write(const char *path, const avmit_keras_h5 *w, avmit_keras_strings form,
                         int make_dirs, avmit_error *err) {
    char why[160];
    h5_quiet();
    for (size_t i = 0; i < w->n_layers; i++) {
        const char *nm = w->layers[i].name;
        if (bad_layer_name(nm) || !strcmp(nm, "top_level_model_weights"))
            return avmit_error_set(err, AVMIT_E_ARG, path, -1, -1, -1, "layer_names",
                                   "layer name '%s' cannot be an HDF5 group name here",
                                   nm ? nm : "(null)");
    }
    /* libhdf5 writes the temporary file by name; the atomic-file object
     * supplies the name, the fsync and the rename (its stdio stream is unused). */
    avmit_atomic_file *af;
    int rc = avmit_atomic_open(&af, path, make_dirs, err);
    if (rc) return rc;
    hid_t file = H5Fcreate(avmit_atomic_temp_path(af), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (file < 0) {
        rc = avmit_error_path(err, AVMIT_E_IO, path, "libhdf5 cannot create %s (%s)",
                              avmit_atomic_temp_path(af), h5_why(why));
        avmit_atomic_abort(af);
        return rc;
    }
    const char *what = "";
    int bad = write_tree(file, w, form == AVMIT_KERAS_STR_VLEN, &what);
    if (bad) rc = AVMIT_ERR(err, AVMIT_E_IO, path, what, "libhdf5 write failed (%s)", h5_why(why));
    if (H5Fclose(file) < 0 && !rc)
        rc = avmit_error_path(err, AVMIT_E_IO, path, "libhdf5 cannot close the file (%s)",
                              h5_why(why));
    if (rc) {
        avmit_atomic_abort(af);
        return rc;
    }
    return avmit_atomic_commit(af, err);
}
