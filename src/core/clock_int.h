/*
 * core/clock_int.h — the monotonic wall clock the library times stages with
 * (CLOCK_MONOTONIC, seconds as double). Library code only.
 */
#ifndef AVMIT_CORE_CLOCK_INT_H
#define AVMIT_CORE_CLOCK_INT_H

#include <time.h>

static inline double avmit_now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#endif /* AVMIT_CORE_CLOCK_INT_H */
