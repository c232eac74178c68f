/*
 * loop.c — the training-loop skeleton shared by both trainers (train/loop.h).
 */
#include "train/loop.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error_int.h"

double avmit_train_clock(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void avmit_train_stream(avmit_rng *rng, uint64_t seed, uint64_t purpose, int epoch, avmit_stream_mix mix) {
    avmit_rng_seed(rng, seed, mix == AVMIT_STREAM_XOR ? purpose ^ (uint64_t)epoch : purpose + (uint64_t)epoch);
}

int avmit_loop_state_alloc(avmit_loop_state *st, const avmit_loop_hooks *h, avmit_error *err) {
    memset(st, 0, sizeof *st);
    st->adam_m = calloc(h->n_w + 1, sizeof(float));
    st->adam_v = calloc(h->n_w + 1, sizeof(float));
    st->best_w = malloc(sizeof(float) * (h->n_w + 1));
    st->best_s = malloc(sizeof(float) * (h->n_s + 1));
    if (!st->adam_m || !st->adam_v || !st->best_w || !st->best_s) {
        avmit_loop_state_free(st);
        return AVMIT_NOMEM(err, "training state");
    }
    memcpy(st->best_w, h->w, sizeof(float) * h->n_w);
    if (h->n_s) memcpy(st->best_s, h->s, sizeof(float) * h->n_s);
    return 0;
}

void avmit_loop_state_free(avmit_loop_state *st) {
    free(st->adam_m);
    free(st->adam_v);
    free(st->best_w);
    free(st->best_s);
    memset(st, 0, sizeof *st);
}

int avmit_loop_run(const avmit_loop_hooks *h, avmit_loop_state *st, int max_epochs, int *stopped_early,
                   avmit_error *err) {
    int rc = 0, stop = 0;
    float *grads = malloc(sizeof(float) * (h->n_w + 1));
    if (!grads) return AVMIT_NOMEM(err, "gradients");
    *stopped_early = 0;
    for (int epoch = st->epoch + 1; epoch <= max_epochs && !stop; epoch++) {
        const double t0 = avmit_train_clock();
        avmit_adam_params ap;
        const int n_steps = h->begin_epoch(h->u, epoch, &ap);
        for (int s = 0; s < n_steps; s++) {
            memset(grads, 0, sizeof(float) * h->n_w);
            h->step(h->u, epoch, s, n_steps, grads);
            avmit_adam_step(h->w, grads, st->adam_m, st->adam_v, h->n_w, &ap, ++st->adam_t);
            if (h->should_stop && h->should_stop(h->user)) {
                rc = AVMIT_ERR(err, AVMIT_E_CANCELLED, h->out_dir, NULL,
                               "stopped during epoch %d; --resume continues after epoch %d", epoch, st->epoch);
                goto done;
            }
        }
        int improved = 0;
        if ((rc = h->end_epoch(h->u, epoch, &improved, err))) goto done;
        if (improved) {
            memcpy(st->best_w, h->w, sizeof(float) * h->n_w);
            if (h->n_s) memcpy(st->best_s, h->s, sizeof(float) * h->n_s);
            if ((rc = h->save_best(h->u, err))) goto done;
        }
        st->epoch = epoch;
        avmit_metrics_row row = {epoch, 0, NULL, NULL};
        if ((rc = h->write_epoch(h->u, epoch, avmit_train_clock() - t0, improved, st, &row, err))) goto done;
        if (h->epoch_end) h->epoch_end(h->user, &row);
        stop = h->stop_early && h->stop_early(h->u, epoch);
    }
    *stopped_early = stop;
done:
    free(grads);
    return rc;
}
