/*
 * test_search.c — the random search (avmit/search.h) with a cheap deterministic
 * fake trainer defined here: the space and its overrides, the draws (pure
 * functions of seed and key), the bootstrap / out-of-bag split, trials.csv
 * (strict reading, atomic rewrite, resume), the scheduler with several jobs,
 * and the reports.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "avmit/fileio.h"
#include "avmit/search.h"
#include "avmit/train.h"
#include "testutil.h"

/* fontconfig (loaded by cairo's text API for the plots) keeps a process-wide cache it
 * never frees; not an avmit leak (as tests/cli/lsan-fontconfig.supp for the CLI tests).
 * LeakSanitizer reads this hook when the test runs under ASan; otherwise it is unused. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libfontconfig.so\n"; }

/* ---- the fake trainer ---------------------------------------------------------------- */

typedef struct {
    size_t n_pool;
    int expect_threads;
    long fail_after;    /* >= 0: calls beyond this many return AVMIT_E_CANCELLED */
    long calls;         /* trials trained */
    int bad_inputs;     /* trials whose inputs broke the contract */
    pthread_mutex_t lock;
} fake_ctx;

/* Metrics are a fixed function of the config and the bootstrap, so two runs of
 * the same trial agree exactly and a different bootstrap changes them. */
static int fake_train(void *vctx, const avmit_search_trial *t, avmit_search_metrics *m,
                      avmit_error *err) {
    fake_ctx *c = vctx;
    pthread_mutex_lock(&c->lock);
    long call = c->calls++;
    pthread_mutex_unlock(&c->lock);
    if (c->fail_after >= 0 && call >= c->fail_after)
        return avmit_error_set(err, AVMIT_E_CANCELLED, NULL, -1, -1, -1, "", "killed");
    int ok = t->n_boot == c->n_pool && t->n_oob > 0 && t->n_oob < c->n_pool &&
             t->n_threads == c->expect_threads && t->patience == 8;
    unsigned char *in_boot = calloc(c->n_pool, 1);
    uint64_t h = 0;
    for (size_t i = 0; i < t->n_boot; i++) {
        in_boot[t->boot_idx[i]] = 1;
        h = h * 31 + t->boot_idx[i];
    }
    for (size_t i = 0; i < t->n_oob; i++) ok = ok && !in_boot[t->oob_idx[i]];
    free(in_boot);
    if (!ok) {
        pthread_mutex_lock(&c->lock);
        c->bad_inputs++;
        pthread_mutex_unlock(&c->lock);
    }
    const avmit_search_config *cfg = &t->cfg;
    memset(m, 0, sizeof *m);
    if (cfg->lr > 4.9e-3) { /* the top of the lr range "diverges" */
        m->status = AVMIT_SEARCH_DIVERGED;
        m->epochs = 1;
        return 0;
    }
    m->oob_top1 = 0.5 + 0.3 * cos(cfg->lr * 700.0) * (cfg->units / 256.0) +
                  (double)(h % 1000) * 1e-6;
    m->oob_top5 = fmin(1.0, m->oob_top1 + 0.2);
    m->oob_loss = 2.0 - m->oob_top1 + cfg->dropout * 0.1;
    m->epochs = 1 + (int)(cfg->train_seed % (uint64_t)t->max_epochs);
    return 0;
}

static avmit_search_opts fake_opts(fake_ctx *c, int jobs, int threads) {
    avmit_search_opts o = avmit_search_default_opts();
    o.seed = 42;
    o.embeddings = AVMIT_SYNTH_VGGISH_VGG16;
    o.n_rnn = 3;
    o.rnn[0] = AVMIT_SEARCH_FRNN;
    o.rnn[1] = AVMIT_SEARCH_GRU;
    o.rnn[2] = AVMIT_SEARCH_LSTM;
    o.n_trials = 20;
    o.n_pool = c->n_pool;
    o.n_jobs = jobs;
    o.n_threads = threads;
    o.max_epochs = 30;
    o.train = fake_train;
    o.train_ctx = c;
    c->expect_threads = threads;
    return o;
}

static void fake_init(fake_ctx *c, size_t n_pool, long fail_after) {
    memset(c, 0, sizeof *c);
    c->n_pool = n_pool;
    c->fail_after = fail_after;
    pthread_mutex_init(&c->lock, NULL);
}

/* Two logs hold the same trials with the same configs and metrics (seconds aside). */
static int same_rows(const avmit_search_log *a, const avmit_search_log *b) {
    size_t na, nb;
    const avmit_search_row *ra = avmit_search_log_rows(a, &na), *rb = avmit_search_log_rows(b, &nb);
    if (na != nb) return 0;
    for (size_t i = 0; i < na; i++) {
        avmit_search_row x = ra[i], y = rb[i];
        x.m.seconds = y.m.seconds = 0;
        if (memcmp(&x.cfg, &y.cfg, sizeof x.cfg)) return 0;
        if (x.m.status != y.m.status || x.m.epochs != y.m.epochs) return 0;
        if (x.m.status == AVMIT_SEARCH_OK &&
            (fabs(x.m.oob_top1 - y.m.oob_top1) > 1e-9 || fabs(x.m.oob_loss - y.m.oob_loss) > 1e-9))
            return 0;
    }
    return 1;
}

/* ---- tests ---------------------------------------------------------------------------- */

static void test_space(void) {
    avmit_search_space s = avmit_search_default_space();
    CHECK_INT(s.n_nb, 4);
    CHECK_INT(s.nb[3], 256);
    CHECK_INT(s.n_units, 4);
    CHECK_INT(s.n_act, 2);
    CHECK_INT(s.n_dropout, 5);
    CHECK(fabs(s.dropout[4] - 0.5) < 1e-12, "dropout choices end at 0.5");
    CHECK(s.lr_min == 1e-5 && s.lr_max == 5e-3 && !s.lr_log, "lr ~ U[1e-5, 5e-3] (SPEC §5)");
    avmit_error e;
    CHECK_INT(avmit_search_space_set(&s, "units", "64,128", &e), 0);
    CHECK(s.n_units == 2 && s.units[0] == 64 && s.units[1] == 128, "units override");
    CHECK_INT(avmit_search_space_set(&s, "lr-log", "1e-4:1e-2", &e), 0);
    CHECK(s.lr_log && s.lr_min == 1e-4 && s.lr_max == 1e-2, "log-uniform lr override");
    CHECK_INT(avmit_search_space_set(&s, "act", "swish", &e), 0);
    CHECK(s.n_act == 1 && s.act[0] == AVMIT_SEARCH_SWISH, "activation override");
    avmit_search_space before = s;
    CHECK_INT(avmit_search_space_set(&s, "dropout", "0.2,1.5", &e), AVMIT_E_ARG);
    CHECK(test_contains(e.msg, "dropout") && test_contains(e.msg, "1.5"), "message: %s", e.msg);
    CHECK_INT(avmit_search_space_set(&s, "lr", "5e-3:1e-5", &e), AVMIT_E_ARG);
    CHECK_INT(avmit_search_space_set(&s, "nb", "32,x", &e), AVMIT_E_ARG);
    CHECK_INT(avmit_search_space_set(&s, "act", "relu,relu", &e), AVMIT_E_ARG);
    CHECK_INT(avmit_search_space_set(&s, "momentum", "0.9", &e), AVMIT_E_ARG);
    CHECK(!memcmp(&before, &s, sizeof s), "a rejected override leaves the space unchanged");
}

static void test_draws(void) {
    avmit_search_space s = avmit_search_default_space();
    avmit_search_key k = {AVMIT_SYNTH_YAMNET_EFFNET, AVMIT_SEARCH_GRU, 7};
    avmit_search_config a, b;
    avmit_search_draw(&s, 5, k, &a);
    avmit_search_draw(&s, 5, k, &b);
    CHECK(!memcmp(&a, &b, sizeof a), "the same (seed, key) draws the same config");
    /* Golden values: a change to the draw order or the stream names would
     * silently change every published search; this pins them. */
    CHECK(a.nb == 64 && a.act == AVMIT_SEARCH_RELU && a.units == 128 &&
              fabs(a.dropout - 0.3) < 1e-12 && fabs(a.lr - 0.00378903788) < 1e-11,
          "draw(seed 5, yamnet-effnet gru 7) = nb %d act %s units %d dropout %g lr %.9g, pinned "
          "nb 64 relu units 128 dropout 0.3 lr 0.00378903788",
          a.nb, avmit_search_act_name(a.act), a.units, a.dropout, a.lr);
    int differs = 0, n_seed = 0;
    for (long t = 0; t < 50; t++) {
        avmit_search_key kt = {AVMIT_SYNTH_YAMNET_EFFNET, AVMIT_SEARCH_GRU, t};
        avmit_search_key kr = {AVMIT_SYNTH_YAMNET_EFFNET, AVMIT_SEARCH_LSTM, t};
        avmit_search_draw(&s, 5, kt, &a);
        avmit_search_draw(&s, 5, kr, &b);
        differs += a.lr != b.lr;
        avmit_search_draw(&s, 6, kt, &b);
        n_seed += a.lr != b.lr;
    }
    CHECK_INT(differs, 50);
    CHECK_INT(n_seed, 50);
    /* Uniform over the space: every choice appears, frequencies near 1/n, lr mean
     * near the midpoint (n = 20000: std of a frequency ~ 0.003, of the lr mean ~ 1e-5). */
    enum { N = 20000 };
    int nb[4] = {0}, units[4] = {0}, act[2] = {0}, drop[5] = {0};
    double lr_sum = 0, lr_lo = 1, lr_hi = 0;
    for (long t = 0; t < N; t++) {
        avmit_search_key kt = {AVMIT_SYNTH_VGGISH_VGG16, AVMIT_SEARCH_FRNN, t};
        avmit_search_draw(&s, 1, kt, &a);
        nb[__builtin_ctz((unsigned)a.nb) - 5]++;
        units[__builtin_ctz((unsigned)a.units) - 5]++;
        act[a.act]++;
        drop[(int)lround(a.dropout * 10) - 1]++;
        lr_sum += a.lr;
        lr_lo = fmin(lr_lo, a.lr);
        lr_hi = fmax(lr_hi, a.lr);
    }
    for (int i = 0; i < 4; i++) {
        CHECK(fabs(nb[i] / (double)N - 0.25) < 0.015, "nb choice %d frequency %d/%d", i, nb[i], N);
        CHECK(fabs(units[i] / (double)N - 0.25) < 0.015, "units choice %d: %d/%d", i, units[i], N);
    }
    for (int i = 0; i < 5; i++)
        CHECK(fabs(drop[i] / (double)N - 0.2) < 0.015, "dropout choice %d: %d/%d", i, drop[i], N);
    CHECK(fabs(act[0] / (double)N - 0.5) < 0.015, "relu frequency %d/%d", act[0], N);
    double mid = (1e-5 + 5e-3) / 2;
    CHECK(fabs(lr_sum / N - mid) < 6e-5, "lr mean %g, expected about %g", lr_sum / N, mid);
    CHECK(lr_lo >= 1e-5 && lr_hi < 5e-3 && lr_lo < 2e-5 && lr_hi > 4.99e-3,
          "lr range [%g, %g]", lr_lo, lr_hi);
}

static void test_bootstrap(void) {
    enum { N = 200000 };
    uint32_t *boot = malloc(N * sizeof *boot), *oob = malloc(N * sizeof *oob);
    uint32_t *boot2 = malloc(N * sizeof *boot), *oob2 = malloc(N * sizeof *oob);
    unsigned char *seen = calloc(N, 1);
    size_t n_oob, n_oob2;
    avmit_search_bootstrap(3, 11, N, boot, oob, &n_oob);
    /* P(never drawn) = (1 - 1/n)^n -> 1/e; the count's std is ~ sqrt(n e^-1 (1 - 2/e)) ~ 110. */
    double frac = (double)n_oob / N;
    CHECK(fabs(frac - exp(-1.0)) < 0.004, "OOB fraction %.5f, expected about 1/e = %.5f", frac,
          exp(-1.0));
    size_t bad = 0, unsorted = 0, unique = 0;
    for (size_t i = 0; i < N; i++) {
        bad += boot[i] >= N;
        if (boot[i] < N && !seen[boot[i]]) seen[boot[i]] = 1, unique++;
    }
    for (size_t i = 0; i < n_oob; i++) {
        bad += seen[oob[i]]; /* an OOB sample must never be in the bootstrap */
        unsorted += i && oob[i] <= oob[i - 1];
    }
    CHECK_INT(bad, 0);
    CHECK_INT(unsorted, 0);
    CHECK_INT(unique + n_oob, N); /* every sample is in exactly one of the two */
    avmit_search_bootstrap(3, 11, N, boot2, oob2, &n_oob2);
    CHECK(n_oob2 == n_oob && !memcmp(boot, boot2, N * sizeof *boot) &&
              !memcmp(oob, oob2, n_oob * sizeof *oob),
          "the same (seed, trial) gives the same bootstrap");
    avmit_search_bootstrap(3, 12, N, boot2, oob2, &n_oob2);
    CHECK(memcmp(boot, boot2, N * sizeof *boot), "another trial gives another bootstrap");
    /* Small pool: still a valid split. */
    avmit_search_bootstrap(1, 0, 10, boot, oob, &n_oob);
    memset(seen, 0, 10);
    for (int i = 0; i < 10; i++) seen[boot[i]] = 1;
    size_t in_boot = 0;
    for (int i = 0; i < 10; i++) in_boot += seen[i];
    CHECK_INT(in_boot + n_oob, 10);
    free(boot);
    free(oob);
    free(boot2);
    free(oob2);
    free(seen);
}

static void run_search(const char *csv, fake_ctx *c, int jobs, int threads, long fail_after,
                       int expect_rc) {
    fake_init(c, 500, fail_after);
    avmit_search_opts o = fake_opts(c, jobs, threads);
    avmit_search_log *log;
    avmit_error e;
    CHECK_INT(avmit_search_log_open(&log, csv, &e), 0);
    int r = avmit_search_run(&o, log, &e);
    CHECK(r == expect_rc, "search returned %d (%s), expected %d", r, e.msg, expect_rc);
    CHECK_INT(c->bad_inputs, 0);
    avmit_search_log_free(log);
}

static void test_run_and_resume(void) {
    const char *full = test_path("full_trials.csv"), *part = test_path("resumed_trials.csv");
    const char *par = test_path("jobs4_trials.csv");
    unlink(full), unlink(part), unlink(par);
    fake_ctx c;
    run_search(full, &c, 1, 1, -1, 0);
    CHECK_INT(c.calls, 60);
    /* Four jobs of two threads each: the same rows. */
    run_search(par, &c, 4, 2, -1, 0);
    CHECK_INT(c.calls, 60);
    /* A run that dies after 23 trials, then a resume: only the rest is trained. */
    run_search(part, &c, 3, 1, 23, AVMIT_E_CANCELLED);
    avmit_search_log *a, *b, *p;
    avmit_error e;
    CHECK_INT(avmit_search_log_open(&p, part, &e), 0);
    size_t n_part;
    avmit_search_log_rows(p, &n_part);
    CHECK_INT(n_part, 23); /* every trial that finished is on disk */
    avmit_search_log_free(p);
    run_search(part, &c, 2, 1, -1, 0);
    CHECK_INT(c.calls, 60 - 23);
    run_search(part, &c, 2, 1, -1, 0);
    CHECK_INT(c.calls, 0); /* nothing left to do */
    CHECK_INT(avmit_search_log_open(&a, full, &e), 0);
    CHECK_INT(avmit_search_log_open(&b, part, &e), 0);
    CHECK_INT(avmit_search_log_open(&p, par, &e), 0);
    CHECK(same_rows(a, b), "killed + resumed search = uninterrupted search");
    CHECK(same_rows(a, p), "4 jobs x 2 threads = 1 job x 1 thread");
    size_t n;
    const avmit_search_row *rows = avmit_search_log_rows(a, &n);
    CHECK_INT(n, 60);
    int diverged = 0;
    for (size_t i = 0; i < n; i++) {
        diverged += rows[i].m.status == AVMIT_SEARCH_DIVERGED;
        CHECK(i == 0 || rows[i - 1].cfg.key.rnn < rows[i].cfg.key.rnn ||
                  rows[i - 1].cfg.key.trial < rows[i].cfg.key.trial,
              "rows sorted by (rnn, trial) at %zu", i);
    }
    printf("fake search: %zu trials, %d diverged\n", n, diverged);

    /* Resuming with another seed is refused, naming the trial and field. */
    fake_init(&c, 500, -1);
    avmit_search_opts o = fake_opts(&c, 1, 1);
    o.seed = 43;
    CHECK_INT(avmit_search_run(&o, b, &e), AVMIT_E_ARG);
    CHECK(test_contains(e.msg, "trial 0 of vggish-vgg16 frnn") && test_contains(e.msg, "--seed"),
          "message: %s", e.msg);
    CHECK_INT(c.calls, 0);
    /* A second RNN set in the same file keeps the first one's rows. */
    o = fake_opts(&c, 1, 1);
    o.embeddings = AVMIT_SYNTH_YAMNET_EFFNET;
    o.n_rnn = 1;
    o.n_trials = 3;
    CHECK_INT(avmit_search_run(&o, b, &e), 0);
    avmit_search_log_rows(b, &n);
    CHECK_INT(n, 63);
    avmit_search_row dup = avmit_search_log_rows(b, &n)[0];
    CHECK_INT(avmit_search_log_add(b, &dup, &e), AVMIT_E_ARG);

    /* Reports. */
    const char *lb = test_path("leaderboard.csv"), *t5 = test_path("best.md");
    const char *yml = test_path("best_train.yaml");
    CHECK_INT(avmit_search_write_leaderboard(a, lb, &e), 0);
    CHECK_INT(avmit_search_write_table5(a, t5, NULL, NULL, &e), 0);
    const avmit_search_row *best = NULL;
    for (size_t i = 0; i < n; i++)
        if (!best || avmit_search_row_cmp(&rows[i], best) < 0) best = &rows[i];
    unsigned char *txt;
    size_t len;
    CHECK_INT(avmit_read_file(lb, &txt, &len, &e), 0);
    char want[64];
    snprintf(want, sizeof want, "\n1,%ld,vggish-vgg16,%s,", best->cfg.key.trial,
             avmit_search_rnn_name(best->cfg.key.rnn));
    CHECK(test_contains((char *)txt, want), "leaderboard rank 1 is the best trial (%s)", want);
    CHECK(test_contains((char *)txt, ",nan,nan,nan,") && test_contains((char *)txt, ",diverged\n"),
          "diverged trials are listed with nan metrics");
    free(txt);
    CHECK_INT(avmit_read_file(t5, &txt, &len, &e), 0);
    CHECK(test_contains((char *)txt, "| VGGish+VGG16 | FRNN |") &&
              test_contains((char *)txt, "| VGGish+VGG16 | GRU |") &&
              test_contains((char *)txt, "| VGGish+VGG16 | LSTM |"),
          "one Table-5 row per architecture:\n%s", (char *)txt);
    free(txt);
    CHECK_INT(avmit_search_write_train_yaml(&best->cfg, NULL, yml, &e), 0);
    CHECK_INT(avmit_read_file(yml, &txt, &len, &e), 0);
    char line[96];
    snprintf(line, sizeof line, "\n  units: %d\n", best->cfg.units);
    CHECK(test_contains((char *)txt, line), "yaml has %s", line);
    snprintf(line, sizeof line, "\nbottleneck_size: %d\n", best->cfg.nb);
    CHECK(test_contains((char *)txt, line), "yaml has %s", line);
    const char *lrl = strstr((char *)txt, "learning_rate: ");
    CHECK(lrl && fabs(atof(lrl + 15) / best->cfg.lr - 1) < 1e-7 && strchr(lrl, '.') &&
              !memchr(lrl + 15, 'e', 10),
          "yaml learning_rate is the trial's lr in fixed notation");
    CHECK(test_contains((char *)txt, "\n  whistling: 15\n"), "label_to_int");
    free(txt);
#ifdef AVMIT_HAVE_CAIRO
    const char *pd = test_path("plots");
    CHECK_INT(avmit_search_plot(b, pd, &e), 0);
    char *svg = avmit_path_join(pd, "search_vggish-vgg16_top1_vs_lr.svg");
    CHECK_INT(avmit_read_file(svg, &txt, &len, &e), 0);
    CHECK(len > 1000 && test_contains((char *)txt, "<svg"), "an SVG of %zu bytes", len);
    free(txt);
    free(svg);
    svg = avmit_path_join(pd, "search_yamnet-effnet_top1_vs_bottleneck.svg");
    CHECK(access(svg, R_OK) == 0, "one set of plots per embedding set");
    free(svg);
#endif
    avmit_search_log_free(a);
    avmit_search_log_free(b);
    avmit_search_log_free(p);
}

static void test_log_strict(void) {
    const char *path = test_path("bad_trials.csv");
    avmit_search_log *log;
    avmit_error e;
    const char *hdr = "trial,embeddings,rnn,nb,activation,units,dropout,lr,oob_loss,oob_top1,"
                      "oob_top5,epochs,seconds,seed,status\n";
    char buf[1024];
    snprintf(buf, sizeof buf, "%s0,vggish-vgg16,gru,64,relu,32,0.1,0.001,1.2,0.6,0.9,3,1.5,7,ok\n"
                              "1,vggish-vgg16,gru,64,tanh,32,0.1,0.001,1.2,0.6,0.9,3,1.5,7,ok\n",
             hdr);
    test_write_bytes(path, buf, strlen(buf));
    CHECK_INT(avmit_search_log_open(&log, path, &e), AVMIT_E_FORMAT);
    CHECK(test_contains(e.msg, "line 3") && test_contains(e.msg, "activation") &&
              test_contains(e.msg, "tanh"),
          "message: %s", e.msg);
    snprintf(buf, sizeof buf, "%s0,vggish-vgg16,gru,64,relu,32,0.1,0.001,1.2,0.6,0.9,3,1.5,7,ok\n"
                              "0,vggish-vgg16,gru,64,relu,32,0.1,0.001,1.2,0.6,0.9,3,1.5,7,ok\n",
             hdr);
    test_write_bytes(path, buf, strlen(buf));
    CHECK_INT(avmit_search_log_open(&log, path, &e), AVMIT_E_FORMAT);
    CHECK(test_contains(e.msg, "appears twice"), "message: %s", e.msg);
    snprintf(buf, sizeof buf, "%s0,vggish-vgg16,gru,64,relu,32,0.1,0.001,nan,0.6,0.9,3,1.5,7,ok\n",
             hdr);
    test_write_bytes(path, buf, strlen(buf));
    CHECK_INT(avmit_search_log_open(&log, path, &e), AVMIT_E_FORMAT);
    CHECK(test_contains(e.msg, "nan"), "message: %s", e.msg);
    snprintf(buf, sizeof buf, "trial,embeddings\n0,vggish-vgg16\n");
    test_write_bytes(path, buf, strlen(buf));
    CHECK_INT(avmit_search_log_open(&log, path, &e), AVMIT_E_FORMAT);
    snprintf(buf, sizeof buf, "%s0,vggish-vgg16,gru,64,relu,32,0.1,0.001,1.2,0.6,0.9,3,1.5,-7,ok\n",
             hdr);
    test_write_bytes(path, buf, strlen(buf));
    CHECK_INT(avmit_search_log_open(&log, path, &e), AVMIT_E_FORMAT);
    CHECK(test_contains(e.msg, "seed"), "message: %s", e.msg);
}

/* An index view (avmit_examples.rows, what search trials use instead of copies of
 * the bootstrap / out-of-bag rows) gathers exactly the rows a copy would, f32 and f16,
 * and freeing it leaves the pool's data alone. */
static void test_examples_view(void) {
    for (int fp16 = 0; fp16 < 2; fp16++) {
        enum { N = 5, T = 2, D = 3 };
        avmit_examples pool;
        memset(&pool, 0, sizeof pool);
        pool.n = N;
        pool.T = T;
        pool.D = D;
        pool.fp16 = fp16;
        float fx[N * T * D];
        unsigned short hx[N * T * D];
        for (int i = 0; i < N * T * D; i++) {
            fx[i] = (float)i * 0.5f;
            hx[i] = (unsigned short)(0x3C00 + i); /* 1.0 + small steps: exact halves */
        }
        pool.x = fp16 ? (void *)hx : (void *)fx;
        const uint32_t rows[4] = {3, 0, 3, 4};
        avmit_examples view;
        memset(&view, 0, sizeof view);
        view.n = 4;
        view.T = T;
        view.D = D;
        view.fp16 = fp16;
        view.x = pool.x;
        view.rows = rows;
        view.labels = malloc(4 * sizeof *view.labels);
        const uint32_t pick[3] = {2, 0, 3}; /* view samples -> pool rows 3, 3, 4 */
        float a[3 * T * D], b[3 * T * D];
        avmit_examples_gather(&view, pick, 3, a);
        const uint32_t direct[3] = {3, 3, 4};
        avmit_examples_gather(&pool, direct, 3, b);
        CHECK(!memcmp(a, b, sizeof a), "view gather == pool gather of the mapped rows (fp16 %d)",
              fp16);
        avmit_examples_free(&view); /* must not free pool.x (a stack array here) */
        CHECK(view.x == NULL && view.rows == NULL, "a freed view is zeroed");
    }
}

int main(void) {
    test_examples_view();
    test_space();
    test_draws();
    test_bootstrap();
    test_run_and_resume();
    test_log_strict();
    return test_finish("test_search");
}
