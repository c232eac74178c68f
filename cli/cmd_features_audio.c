/*
 * cmd_features_audio.c — `avmit features audio`: a media file's audio as the
 * log-mel patches VGGish or YAMNet consume (FEATURES.md §2–3):
 * the audio chain of avmit/frontend.h (decode -> resample to 16 kHz -> patches).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#if defined(AVMIT_HAVE_FFMPEG) && defined(AVMIT_HAVE_FFTW)
#include "avmit/frontend.h"
#include "avmit/npy.h"

static void audio_usage(FILE *f) {
    fprintf(f,
            "usage: avmit features audio IN --model vggish|yamnet -o PATCHES.npy [options]\n\n"
            "Decodes IN's audio with FFmpeg (mono, 16-bit, as pydub did), resamples it to\n"
            "16 kHz and writes the model's log-mel patches as float32 [n, 96, 64] .npy.\n"
            "A file without audio gives 3 s of silence (reported on stderr).\n\n"
            "options:\n"
            "  --model vggish|yamnet   front end: VGGish (offset 0.01, hop 96 frames, no\n"
            "                          padding) or YAMNet (offset 0.001, hop 48, padding)\n"
            "  -o, --out FILE          patches output (.npy)\n"
            "  --waveform FILE         also write the 16 kHz mono waveform (float32 .npy)\n"
            "  --resampler NAME        kaiser_best (resampy 0.2.2, the reference; default)\n"
            "                          or soxr (libsoxr very high quality)\n"
            "  --vggish-pad            apply YAMNet's waveform padding to VGGish too\n"
            "  --fft double|single     FFT precision (default double; see logmel.h)\n"
            "  --threads N             worker threads (default: all cores); the output\n"
            "                          does not depend on N\n"
            "  --embed                 run the network on the patches and write its\n"
            "                          embeddings float32 [n, D] to -o instead (D 128 / 1024)\n"
            "  --weights PATH          the network's weights (with --embed; see avmit cnn embed)\n"
            "  -v, --verbose           print stream facts and per-stage times to stderr\n"
            "  -h, --help              this help\n");
}

int cmd_features_audio(int argc, char **argv) {
    static const struct option longopts[] = {
        {"model", required_argument, NULL, 'm'},
        {"waveform", required_argument, NULL, 'w'},
        {"resampler", required_argument, NULL, 'r'},
        {"vggish-pad", no_argument, NULL, 'p'},
        {"fft", required_argument, NULL, 'f'},
        CLI_FEATURES_COMMON_OPTIONS,
    };
    const char *model_name = NULL, *out_path = NULL, *wav_path = NULL, *weights = NULL;
    int embed = 0;
    avmit_resampler rs = AVMIT_RESAMPLER_KAISER_BEST;
    int vggish_pad = 0, verbose = 0, threads = 0;
    avmit_logmel_fft fft = AVMIT_LOGMEL_FFT_DOUBLE;
    long long v;
    avmit_error err;
    avmit_error_clear(&err);
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:vh", longopts, NULL)) != -1) {
        switch (c) {
        case 'm': model_name = optarg; break;
        case 'o': out_path = optarg; break;
        case 'w': wav_path = optarg; break;
        case 'r':
            if (avmit_resampler_parse(optarg, &rs, &err))
                return cli_usage_error("features audio", "--resampler: %s", err.msg);
            break;
        case 'p': vggish_pad = 1; break;
        case 'f':
            if (!strcmp(optarg, "double")) fft = AVMIT_LOGMEL_FFT_DOUBLE;
            else if (!strcmp(optarg, "single")) fft = AVMIT_LOGMEL_FFT_SINGLE;
            else return cli_usage_error("features audio", "--fft: expected double or single");
            break;
        case 't':
            if (cli_parse_int("features audio", "--threads", optarg, 0, 4096, &v))
                return CLI_USAGE;
            threads = cli_threads(v);
            break;
        case 'E': embed = 1; break;
        case 'W': weights = optarg; break;
        case 'v': verbose = 1; break;
        case 'h': audio_usage(stdout); return CLI_OK;
        default: audio_usage(stderr); return CLI_USAGE;
        }
    }
    if (optind >= argc) return cli_usage_error("features audio", "an input media file is required");
    if (optind + 1 < argc)
        return cli_usage_error("features audio", "unexpected argument '%s'", argv[optind + 1]);
    const char *in_path = argv[optind];
    if (!model_name) return cli_usage_error("features audio", "--model vggish|yamnet is required");
    if (embed != !!weights)
        return cli_usage_error("features audio", "--embed and --weights PATH go together");
    if (!out_path) return cli_usage_error("features audio", "-o PATCHES.npy is required");
    avmit_logmel_model model;
    if (avmit_logmel_model_parse(model_name, &model, &err))
        return cli_usage_error("features audio", "--model: %s", err.msg);
    avmit_audio_frontend_opts fo = avmit_audio_frontend_default_opts(model);
    if (vggish_pad) fo.logmel.pad_waveform = 1;
    fo.logmel.fft = fft;
    fo.resampler = rs;
    fo.n_threads = threads;
    fo.keep_waveform = wav_path != NULL;

    avmit_audio_features af;
    if (avmit_audio_frontend_run(in_path, &fo, &af, &err)) return cli_report(&err);
    const avmit_audio_pcm *pcm = &af.source;
    if (pcm->silent)
        fprintf(stderr, "avmit features audio: %s: no audio stream; using 3 s of silence\n",
                in_path);
    if (verbose && !pcm->silent)
        fprintf(stderr, "%s: %s, %d channels, %d Hz, %lld samples, %d-bit quantisation, "
                "%d rejected packets\n", in_path, pcm->codec, pcm->n_channels,
                pcm->sample_rate_hz, (long long)pcm->n_samples, pcm->quant_bits,
                pcm->n_bad_packets);
    int rc = CLI_OK;
    int64_t shape[3] = {af.n_patches, AVMIT_LOGMEL_PATCH_FRAMES, AVMIT_LOGMEL_BANDS};
    if ((embed ? cli_cnn_embed(model_name, weights, af.patches, (size_t)af.n_patches, threads, 0,
                               0, 0, 1, out_path, 0, &err)
               : avmit_npy_write(out_path, AVMIT_DTYPE_F32, 3, shape, af.patches, &err)) ||
        (wav_path &&
         avmit_npy_write(wav_path, AVMIT_DTYPE_F32, 1, &af.n_waveform, af.waveform, &err)))
        rc = cli_report(&err);
    else if (verbose)
        fprintf(stderr, "decode %.1f ms, resample (%s) %.1f ms, log-mel %.1f ms; %lld samples "
                "at 16 kHz -> %lld patches\n", af.timings.decode_s * 1e3,
                avmit_resampler_name(rs), af.timings.resample_s * 1e3,
                af.timings.logmel_s * 1e3, (long long)af.n_waveform, (long long)af.n_patches);
    avmit_audio_features_free(&af);
    return rc;
}

#else
int cmd_features_audio(int argc, char **argv) {
    (void)argc;
    return cli_usage_error(argv[0], "this build has no audio front end (needs FFmpeg and "
                                    "FFTW3/soxr: AVMIT_WITH_FFMPEG, AVMIT_WITH_FFTW)");
}
#endif
