/* avmit_h5_rewrite — test tool: read a Keras HDF5 weights file with libavmit
 * and write it back with avmit_keras_h5_write in the given string form.
 * usage: avmit_h5_rewrite IN.h5 OUT.h5 fixed|vlen */
#include <stdio.h>
#include <string.h>

#include "avmit/keras_h5.h"

int main(int argc, char **argv) {
    if (argc != 4 || (strcmp(argv[3], "fixed") && strcmp(argv[3], "vlen"))) {
        fprintf(stderr, "usage: avmit_h5_rewrite IN.h5 OUT.h5 fixed|vlen\n");
        return 2;
    }
    avmit_error err;
    avmit_keras_h5 w;
    if (avmit_keras_h5_read(&w, argv[1], &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    int rc = avmit_keras_h5_write(argv[2], &w,
                                  strcmp(argv[3], "vlen") ? AVMIT_KERAS_STR_FIXED
                                                          : AVMIT_KERAS_STR_VLEN,
                                  1, &err);
    if (rc) fprintf(stderr, "%s\n", err.msg);
    avmit_keras_h5_free(&w);
    return rc ? 1 : 0;
}
