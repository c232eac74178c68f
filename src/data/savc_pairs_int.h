/*
 * savc_pairs_int.h — internals shared by savc_pairs.c and savc_pairs_io.c.
 */
#ifndef AVMIT_SAVC_PAIRS_INT_H
#define AVMIT_SAVC_PAIRS_INT_H

#include <stddef.h>

#include "avmit/savc_pairs.h"

/* Find or append `tfrecord` (class -1, first seen on `line`): *idx its entry,
 * *added 1 when it was new. */
int savc_videos_add(avmit_savc_videos *v, const char *tfrecord, long line, size_t *idx,
                    int *added, avmit_error *err);

#endif
