/*
 * cmd_features_visual.c — `avmit features visual`: the frames the AVMIT
 * reference picks from a video, resized to 224x224 as cv2.resize does, as
 * uint8 RGB or preprocessed float32 model inputs: the visual chain of
 * include/avmit/frontend.h (FEATURES.md §6, §7, §9.1).
 */
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef AVMIT_HAVE_FFMPEG
#include "avmit/frontend.h"
#include "avmit/npy.h"
#include "cli.h"

#define CMD "features visual"

static void visual_usage(FILE *f) {
    fprintf(f,
            "usage: avmit features visual VIDEO -o FRAMES.npy [options]\n\n"
            "Decodes VIDEO (FFmpeg), picks frames as the AVMIT extract_features.py loop does\n"
            "with cv2.VideoCapture, resizes each to 224x224 exactly as cv2.resize\n"
            "(INTER_LINEAR) does and writes them as uint8 [n,224,224,3] RGB, or as float32\n"
            "model inputs with --preprocess.\n\n"
            "Frame choice: frame 0, then repeatedly the frame AFTER the first frame whose\n"
            "timestamp (OpenCV CAP_PROP_POS_MSEC) reaches the last trigger + interval.\n"
            "  --interval-ms 480   the released script (all model pairs); a 3 s 30 fps clip\n"
            "                      gives frames 0, 16, 31, 46, 61, 76\n"
            "  --interval-ms 960   the paper's value for VGG16; 30 fps: 0, 30, 59, 88\n\n"
            "options:\n"
            "  -o, --output FILE         output .npy (written atomically)\n"
            "  --interval-ms MS          frame interval; default 960 with --preprocess vgg16,\n"
            "                            480 with efficientnetb0, required otherwise\n"
            "  --preprocess MODEL        none (uint8 RGB, default), vgg16 (float32 BGR minus\n"
            "                            the caffe means), efficientnetb0 (float32 after the\n"
            "                            model's Rescaling + Normalization layers)\n"
            "  --efficientnet-variant V  tf2.3 (default: TF 2.3-2.9, which the paper used) or\n"
            "                            tf2.10 (Keras >= 2.10 adds a x1/sqrt(std) Rescaling)\n"
            "  --embed                   run the network of --preprocess on the frames and\n"
            "                            write its embeddings float32 [n, D] (512 / 1280)\n"
            "  --weights PATH            the network's weights (with --embed)\n"
            "  --timestamps              print 'index pos_ms' for each selected frame\n"
            "  --threads N               FFmpeg decoder threads (default: all cores)\n"
            "  --decode MODE             auto (default): for H.264 whose timestamps follow\n"
            "                            from the packets, decode only reference frames and\n"
            "                            selected frames up to the last selected one (same\n"
            "                            frames, faster), else every frame; full: every\n"
            "                            frame; partial: the former or fail saying why\n"
            "  -v, --verbose             let FFmpeg print its own warnings\n"
            "  -h, --help                this help\n");
}

int cmd_features_visual(int argc, char **argv) {
    static const struct option longopts[] = {
        {"interval-ms", required_argument, NULL, 'i'},
        {"preprocess", required_argument, NULL, 'p'},
        {"efficientnet-variant", required_argument, NULL, 'e'},
        {"timestamps", no_argument, NULL, 'T'},
        {"decode", required_argument, NULL, 'd'},
        CLI_FEATURES_COMMON_OPTIONS,
    };
    const char *out = NULL, *weights = NULL;
    int embed = 0;
    long long interval = 0, threads = 0;
    int verbose = 0;
    avmit_video_decode decode = AVMIT_VIDEO_DECODE_AUTO;
    avmit_preprocess pre = AVMIT_PREPROCESS_NONE;
    avmit_effnet_variant variant = AVMIT_EFFNET_TF23;
    int timestamps = 0;
    avmit_error err;
    avmit_error_clear(&err);
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:vh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'i':
            if (cli_parse_int(CMD, "--interval-ms", optarg, 1, 3600000, &interval))
                return CLI_USAGE;
            break;
        case 'p':
            if (avmit_preprocess_parse(optarg, &pre, &err))
                return cli_usage_error(CMD, "--preprocess: %s", err.msg);
            break;
        case 'e':
            if (avmit_effnet_variant_parse(optarg, &variant, &err))
                return cli_usage_error(CMD, "--efficientnet-variant: %s", err.msg);
            break;
        case 'T': timestamps = 1; break;
        case 'E': embed = 1; break;
        case 'W': weights = optarg; break;
        case 't':
            if (cli_parse_int(CMD, "--threads", optarg, 0, 256, &threads)) return CLI_USAGE;
            break;
        case 'd':
            if (!strcmp(optarg, "auto")) decode = AVMIT_VIDEO_DECODE_AUTO;
            else if (!strcmp(optarg, "full")) decode = AVMIT_VIDEO_DECODE_FULL;
            else if (!strcmp(optarg, "partial")) decode = AVMIT_VIDEO_DECODE_PARTIAL;
            else return cli_usage_error(CMD, "--decode: expected auto, full or partial, got '%s'",
                                        optarg);
            break;
        case 'v': verbose = 1; break;
        case 'h': visual_usage(stdout); return CLI_OK;
        default: visual_usage(stderr); return CLI_USAGE;
        }
    }
    if (optind >= argc) return cli_usage_error(CMD, "a VIDEO file is required (see --help)");
    if (optind + 1 < argc) return cli_usage_error(CMD, "unexpected argument '%s'", argv[optind + 1]);
    if (!out) return cli_usage_error(CMD, "-o FRAMES.npy is required");
    if (embed != !!weights) return cli_usage_error(CMD, "--embed and --weights PATH go together");
    if (embed && pre == AVMIT_PREPROCESS_NONE)
        return cli_usage_error(CMD, "--embed needs --preprocess vgg16|efficientnetb0 (the network)");
    if (!interval) {
        if (pre == AVMIT_PREPROCESS_NONE)
            return cli_usage_error(CMD, "--interval-ms is required (480: released script, "
                                        "960: the paper's VGG16 setting)");
        interval = (long long)avmit_visual_default_interval_ms(pre);
    }
    const char *video = argv[optind];
    if (!verbose) avmit_video_quiet_ffmpeg_log();

    avmit_visual_frontend_opts fo = avmit_visual_frontend_default_opts(AVMIT_NET_VGG16);
    fo.interval_ms = (double)interval;
    fo.preprocess = pre;
    fo.variant = variant;
    fo.decode = decode;
    fo.n_threads = cli_threads(threads);
    avmit_visual_frames vf;
    if (avmit_visual_frontend_run(video, &fo, &vf, &err)) return cli_report(&err);
    if (timestamps)
        for (int64_t i = 0; i < vf.n; i++)
            printf("%lld %.17g\n", (long long)vf.index[i], vf.pos_ms[i]);
    int64_t shape[4] = {vf.n, AVMIT_VISUAL_SIZE, AVMIT_VISUAL_SIZE, 3};
    int rc = pre == AVMIT_PREPROCESS_NONE
                 ? avmit_npy_write(out, AVMIT_DTYPE_U8, 4, shape, vf.rgb, &err)
             : embed ? cli_cnn_embed(pre == AVMIT_PREPROCESS_VGG16 ? "vgg16" : "efficientnetb0",
                                     weights, vf.input, (size_t)vf.n, cli_threads(threads), 0, 0,
                                     (int)variant, 1, out, 0, &err)
                     : avmit_npy_write(out, AVMIT_DTYPE_F32, 4, shape, vf.input, &err);
    if (!rc && verbose)
        fprintf(stderr, "select+decode %.1f ms, resize %.1f ms, preprocess %.1f ms; "
                "%lld frames\n", vf.timings.decode_s * 1e3, vf.timings.resize_s * 1e3,
                vf.timings.preprocess_s * 1e3, (long long)vf.n);
    avmit_visual_frames_free(&vf);
    return rc ? cli_report(&err) : CLI_OK;
}
#else /* built without FFmpeg (AVMIT_WITH_FFMPEG=OFF): src/media is left out */
#include "cli.h"

int cmd_features_visual(int argc, char **argv) {
    (void)argc;
    return cli_usage_error(argv[0], "this avmit was built without FFmpeg (AVMIT_WITH_FFMPEG=OFF)");
}
#endif
