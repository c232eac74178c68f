/*
 * cmd_search_mpi.c — `mpirun -n R avmit search ...` (cmd_search_mpi.h).
 *
 * Protocol (MPI_BYTE messages of one fixed struct; all ranks run the same
 * binary): a worker thread with id t on rank r > 0 sends rank 0 a request on
 * tag t, carrying the result of its previous trial if it has one, and waits
 * for the reply on tag t: WORK (a trial key) or DONE. Rank 0 runs one server
 * thread (the only thread of rank 0 that calls MPI while the search runs;
 * MPI_THREAD_SERIALIZED suffices) that polls with MPI_Test and a 1 ms sleep
 * instead of a blocking receive, which in OpenMPI would spin a core, plus
 * --jobs local worker threads that take keys from the same queue directly.
 * On worker ranks a mutex serialises each thread's send + receive.
 *
 * Results are recorded one at a time under the queue's mutex (the log
 * rewrites trials.csv atomically), so a trial is recorded once; a trial that
 * was handed out but whose rank died is simply not recorded, and a resume
 * (same command, any R) runs it again.
 */
#include "cmd_search_mpi.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"

int search_mpi_launched(void) {
    static const char *const k_env[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK",
                                        "PMI_SIZE", "MPI_LOCALNRANKS"};
    for (size_t i = 0; i < sizeof k_env / sizeof *k_env; i++)
        if (getenv(k_env[i])) return 1;
    return 0;
}

#ifdef AVMIT_HAVE_MPI
#include <mpi.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "avmit/parallel.h"

int search_mpi_init(int *rank, int *size, avmit_error *err) {
    int provided = 0;
    if (MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS)
        return avmit_error_set(err, AVMIT_E_IO, NULL, -1, -1, -1, "mpi", "MPI_Init_thread failed"),
               -1;
    if (provided < MPI_THREAD_SERIALIZED) {
        MPI_Finalize();
        return avmit_error_set(err, AVMIT_E_UNSUPPORTED, NULL, -1, -1, -1, "mpi",
                               "the MPI library gives thread level %d, the search needs "
                               "MPI_THREAD_SERIALIZED",
                               provided),
               -1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, size);
    return 0;
}

void search_mpi_finalize(void) { MPI_Finalize(); }

void search_mpi_bcast_int(int *v) { MPI_Bcast(v, 1, MPI_INT, 0, MPI_COMM_WORLD); }

long long search_mpi_max(long long v) {
    long long r;
    MPI_Allreduce(&v, &r, 1, MPI_LONG_LONG, MPI_MAX, MPI_COMM_WORLD);
    return r;
}

long long search_mpi_min(long long v) {
    long long r;
    MPI_Allreduce(&v, &r, 1, MPI_LONG_LONG, MPI_MIN, MPI_COMM_WORLD);
    return r;
}

#ifdef AVMIT_HAVE_BLAS /* the search itself (src/train); extract uses only the helpers above */
enum { MSG_ASK = 0, MSG_RESULT = 1, MSG_WORK = 2, MSG_DONE = 3 };

typedef struct search_msg {
    int32_t kind;
    int32_t code;   /* MSG_RESULT: 0, or the trainer's AVMIT_E_* */
    int32_t emb, rnn;
    int64_t trial;
    int32_t epochs, status;
    double loss, top1, top5, seconds;
    char msg[AVMIT_ERROR_MSG_MAX]; /* the error text when code != 0 */
} search_msg;

typedef struct {
    const avmit_search_opts *o;
    avmit_search_log *log;    /* rank 0 */
    avmit_search_key *keys;   /* rank 0: pending trials */
    size_t n_keys, next, done, total;
    pthread_mutex_t lock;     /* rank 0: queue + log; others: MPI calls */
    int stop, code;
    avmit_error first;
    int rank, size;
} mpi_run;

static void note_error(mpi_run *c, int code, const avmit_error *e) {
    if (!c->code) {
        c->code = code;
        c->first = *e;
    }
    c->stop = 1;
}

/* Rank 0, under c->lock: the next key, or 0 when none is left or we stop. */
static int take_key(mpi_run *c, avmit_search_key *key) {
    if (c->stop || c->next == c->n_keys) return 0;
    *key = c->keys[c->next++];
    return 1;
}

/* Rank 0, under c->lock: record a finished trial. */
static void record(mpi_run *c, avmit_search_key key, const avmit_search_metrics *m) {
    avmit_search_row row;
    avmit_error e;
    avmit_search_draw(&c->o->space, c->o->seed, key, &row.cfg);
    row.m = *m;
    if (avmit_search_log_add(c->log, &row, &e)) {
        note_error(c, e.code, &e);
        return;
    }
    c->done++;
    if (c->o->progress) c->o->progress(c->o->progress_ctx, &row.cfg, &row.m, c->done, c->total);
}

static void local_worker(void *vctx, size_t item, int tid) {
    (void)item, (void)tid;
    mpi_run *c = vctx;
    for (;;) {
        avmit_search_key key;
        pthread_mutex_lock(&c->lock);
        int got = take_key(c, &key);
        pthread_mutex_unlock(&c->lock);
        if (!got) return;
        avmit_search_row row;
        avmit_error e;
        avmit_error_clear(&e);
        int r = avmit_search_run_trial(c->o, key, c->o->n_threads, &row, &e);
        pthread_mutex_lock(&c->lock);
        if (r)
            note_error(c, r, &e);
        else
            record(c, key, &row.m);
        pthread_mutex_unlock(&c->lock);
    }
}

static void sleep_ms(long ms) {
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
}

/* Rank 0's server: answer requests until every remote worker thread got DONE. */
static void *server(void *vctx) {
    mpi_run *c = vctx;
    long remaining = (long)(c->size - 1) * c->o->n_jobs;
    search_msg in, out;
    while (remaining > 0) {
        MPI_Request req;
        MPI_Status st;
        int flag = 0;
        MPI_Irecv(&in, sizeof in, MPI_BYTE, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &req);
        while (MPI_Test(&req, &flag, &st), !flag) sleep_ms(1);
        memset(&out, 0, sizeof out);
        pthread_mutex_lock(&c->lock);
        if (in.kind == MSG_RESULT) {
            avmit_search_key key = {(avmit_synth_set)in.emb, (avmit_search_rnn)in.rnn,
                                    (long)in.trial};
            if (in.code) {
                avmit_error e;
                avmit_error_set(&e, in.code, NULL, -1, -1, -1, "", "rank %d: %s", st.MPI_SOURCE,
                                in.msg);
                note_error(c, in.code, &e);
            } else {
                avmit_search_metrics m = {in.loss, in.top1, in.top5, in.epochs, in.seconds,
                                          (avmit_search_status)in.status};
                record(c, key, &m);
            }
        }
        avmit_search_key key;
        if (take_key(c, &key)) {
            out.kind = MSG_WORK;
            out.emb = key.embeddings;
            out.rnn = key.rnn;
            out.trial = key.trial;
        } else {
            out.kind = MSG_DONE;
            remaining--;
        }
        pthread_mutex_unlock(&c->lock);
        MPI_Send(&out, sizeof out, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD);
    }
    return NULL;
}

static void remote_worker(void *vctx, size_t item, int tid) {
    (void)item;
    mpi_run *c = vctx;
    search_msg req, rep;
    memset(&req, 0, sizeof req);
    req.kind = MSG_ASK;
    for (;;) {
        pthread_mutex_lock(&c->lock);
        MPI_Send(&req, sizeof req, MPI_BYTE, 0, tid, MPI_COMM_WORLD);
        MPI_Recv(&rep, sizeof rep, MPI_BYTE, 0, tid, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        pthread_mutex_unlock(&c->lock);
        if (rep.kind != MSG_WORK) return;
        avmit_search_key key = {(avmit_synth_set)rep.emb, (avmit_search_rnn)rep.rnn,
                                (long)rep.trial};
        avmit_search_row row;
        avmit_error e;
        avmit_error_clear(&e);
        int r = avmit_search_run_trial(c->o, key, c->o->n_threads, &row, &e);
        memset(&req, 0, sizeof req);
        req.kind = MSG_RESULT;
        req.code = r;
        req.emb = key.embeddings;
        req.rnn = key.rnn;
        req.trial = key.trial;
        req.epochs = row.m.epochs;
        req.status = row.m.status;
        req.loss = row.m.oob_loss;
        req.top1 = row.m.oob_top1;
        req.top5 = row.m.oob_top5;
        req.seconds = row.m.seconds;
        if (r) {
            snprintf(req.msg, sizeof req.msg, "%s", e.msg);
            pthread_mutex_lock(&c->lock);
            note_error(c, r, &e);
            pthread_mutex_unlock(&c->lock);
        }
    }
}

int search_mpi_run(const avmit_search_opts *o, avmit_search_log *log, int rank, int size,
                   avmit_error *err) {
    mpi_run c;
    memset(&c, 0, sizeof c);
    c.o = o;
    c.log = log;
    c.rank = rank;
    c.size = size;
    pthread_mutex_init(&c.lock, NULL);
    int r = 0;
    if (rank == 0) {
        if ((r = avmit_search_pending(log, o, &c.keys, &c.n_keys, err))) goto done;
        c.total = (size_t)o->n_trials * o->n_rnn;
        c.done = c.total - c.n_keys;
        pthread_t th;
        int have_server = size > 1 && !pthread_create(&th, NULL, server, &c);
        if (size > 1 && !have_server) {
            r = avmit_error_set(err, AVMIT_E_IO, NULL, -1, -1, -1, "mpi",
                                "cannot start the MPI server thread");
            goto done;
        }
        r = avmit_parallel_for(o->n_jobs, (size_t)o->n_jobs, local_worker, &c);
        if (have_server) pthread_join(th, NULL);
    } else {
        r = avmit_parallel_for(o->n_jobs, (size_t)o->n_jobs, remote_worker, &c);
    }
    if (r) r = avmit_error_set(err, r, NULL, -1, -1, -1, "jobs", "cannot start worker threads");
    if (!r && c.code) {
        if (err) *err = c.first;
        r = c.code;
    }
done:
    free(c.keys);
    pthread_mutex_destroy(&c.lock);
    return r;
}

#endif /* AVMIT_HAVE_BLAS */

#else /* no MPI in this build */

static int no_mpi(avmit_error *err) {
    return avmit_error_set(err, AVMIT_E_UNSUPPORTED, NULL, -1, -1, -1, "mpi",
                           "started by an MPI launcher, but this avmit was built without MPI "
                           "(cmake -DAVMIT_WITH_MPI=ON)");
}
int search_mpi_init(int *rank, int *size, avmit_error *err) {
    *rank = 0, *size = 1;
    return no_mpi(err), -1;
}
void search_mpi_finalize(void) {}
void search_mpi_bcast_int(int *v) { (void)v; }
long long search_mpi_max(long long v) { return v; }
long long search_mpi_min(long long v) { return v; }
int search_mpi_run(const avmit_search_opts *opts, avmit_search_log *log, int rank, int size,
                   avmit_error *err) {
    (void)opts, (void)log, (void)rank, (void)size;
    return no_mpi(err);
}
#endif
