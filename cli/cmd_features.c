/* cmd_features.c — `avmit features <audio|visual>` dispatch. */
#include <string.h>

#include "cli.h"

int cmd_features(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fprintf(argc < 2 ? stderr : stdout,
                "usage: avmit features audio IN --model vggish|yamnet -o patches.npy [...]\n"
                "       avmit features visual VIDEO --interval-ms 480|960 -o frames.npy [...]\n"
                "run `avmit features audio --help` / `avmit features visual --help` for details\n");
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (!strcmp(argv[1], "audio")) return cmd_features_audio(argc - 1, argv + 1);
    if (!strcmp(argv[1], "visual")) return cmd_features_visual(argc - 1, argv + 1);
    return cli_usage_error("features", "unknown subcommand '%s' (audio, visual)", argv[1]);
}
