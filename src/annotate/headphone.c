/*
 * annotate/headphone.c — stimuli of the optional headphone screening (avmit/annotate.h,
 * issue 15 item 3), generated rather than shipped:
 *
 *  - Huggins pitch (Milne et al. 2021, "An online headphone screening test based on
 *    dichotic pitch", Behav. Res. Methods 53:1551): three 1-s intervals of white noise,
 *    identical in both ears except in the target interval, where the right ear's noise
 *    passes a second-order all-pass filter centred on 600 Hz (bandwidth ~ 6 % of it). The
 *    all-pass turns the phase by 180 degrees at 600 Hz across a narrow band, which over
 *    headphones is heard as a faint tone inside noise; over loudspeakers the ears mix and
 *    nothing is heard.
 *  - Anti-phase (Woods et al. 2017, "Headphone screening to facilitate web-based auditory
 *    experiments", Atten. Percept. Psychophys. 79:2064): three 1-s 200 Hz tones; one is
 *    6 dB softer (the target: "which was quietest?"), one is in anti-phase between the ears
 *    (over loudspeakers it cancels and sounds quietest, over headphones it does not).
 *
 * Layout: 16-bit PCM stereo, 44,100 Hz, intervals at 0, 1.5 and 3.0 s (0.5 s silences),
 * 20-ms raised-cosine ramps, peak level -12 dBFS. Deterministic for a given seed.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "annotate/annotate_int.h"
#include "core/error_int.h"

#define HP_RATE 44100
#define HP_INTERVAL HP_RATE               /* 1 s */
#define HP_GAP (HP_RATE / 2)              /* 0.5 s */
#define HP_TOTAL (3 * HP_INTERVAL + 2 * HP_GAP)

static uint64_t splitmix(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Gaussian noise (Box-Muller), unit variance. */
static double gauss(uint64_t *s) {
    double u1 = ((double)(splitmix(s) >> 11) + 0.5) / 9007199254740992.0;
    double u2 = (double)(splitmix(s) >> 11) / 9007199254740992.0;
    return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

static void put16(unsigned char *p, unsigned v) { p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8); }
static void put32(unsigned char *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

int avmit_annotate_headphone_wav(int kind, int target, unsigned long long seed,
                                 unsigned char **wav, size_t *size, avmit_error *err) {
    *wav = NULL;
    AVMIT_RETURN_IF(kind < 0 || kind > 1 || target < 1 || target > 3, err, AVMIT_E_ARG, NULL,
                    "", "headphone stimulus: kind 0/1 and target 1..3");
    float *lr = calloc(2 * (size_t)HP_TOTAL, sizeof *lr);
    unsigned char *out = malloc(44 + 4 * (size_t)HP_TOTAL);
    if (!lr || !out) {
        free(lr), free(out);
        return AVMIT_NOMEM(err, "headphone stimulus");
    }
    uint64_t s = seed;
    const double peak = pow(10, -12 / 20.0);
    /* all-pass at f0 (RBJ cookbook): H = (a2 + a1 z^-1 + z^-2) / (1 + a1 z^-1 + a2 z^-2) */
    const double f0 = 600, q = 600 / 36.0; /* 36 Hz bandwidth (6 %) */
    double w0 = 2 * M_PI * f0 / HP_RATE, alpha = sin(w0) / (2 * q);
    double b0 = (1 - alpha) / (1 + alpha), b1 = -2 * cos(w0) / (1 + alpha), b2 = 1;
    double a1 = b1, a2 = b0;
    for (int iv = 0; iv < 3; iv++) {
        float *l = lr + 2 * (size_t)iv * (HP_INTERVAL + HP_GAP);
        int odd = iv + 1 == target;
        double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
        for (int i = 0; i < HP_INTERVAL; i++) {
            double ramp = 1;
            int edge = HP_RATE / 50; /* 20 ms */
            if (i < edge) ramp = 0.5 - 0.5 * cos(M_PI * i / edge);
            else if (i >= HP_INTERVAL - edge) ramp = 0.5 - 0.5 * cos(M_PI * (HP_INTERVAL - 1 - i) / edge);
            double left, right;
            if (kind == 0) {
                double x = gauss(&s) * peak / 4; /* 4 sigma under the peak */
                double y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
                x2 = x1, x1 = x, y2 = y1, y1 = y;
                left = x;
                right = odd ? y : x;
            } else {
                /* the Woods task: target = the softer tone; the anti-phase tone is the
                 * interval after it (cyclically) */
                int anti = (iv + 1) == (target % 3) + 1;
                double a = odd ? peak * 0.5011872336 : peak; /* -6 dB */
                left = a * sin(2 * M_PI * 200 * i / HP_RATE);
                right = anti ? -left : left;
            }
            l[2 * i] = (float)(left * ramp);
            l[2 * i + 1] = (float)(right * ramp);
        }
    }
    uint32_t data = 4u * HP_TOTAL;
    memcpy(out, "RIFF", 4), put32(out + 4, 36 + data), memcpy(out + 8, "WAVEfmt ", 8);
    put32(out + 16, 16), put16(out + 20, 1), put16(out + 22, 2), put32(out + 24, HP_RATE);
    put32(out + 28, 4 * HP_RATE), put16(out + 32, 4), put16(out + 34, 16);
    memcpy(out + 36, "data", 4), put32(out + 40, data);
    for (size_t i = 0; i < 2 * (size_t)HP_TOTAL; i++) {
        double v = lr[i] * 32767.0;
        long q16 = lrint(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
        put16(out + 44 + 2 * i, (unsigned)(q16 & 0xffff));
    }
    free(lr);
    *wav = out;
    *size = 44 + (size_t)data;
    return 0;
}
