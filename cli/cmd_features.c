/* cmd_features.c — `avmit features <audio|visual>` dispatch. */
#include "cli.h"

int cmd_features(int argc, char **argv) {
    static const cli_subcommand subs[] = {{"audio", cmd_features_audio},
                                          {"visual", cmd_features_visual}};
    static const char usage[] =
        "usage: avmit features audio IN --model vggish|yamnet -o patches.npy [...]\n"
        "       avmit features visual VIDEO --interval-ms 480|960 -o frames.npy [...]\n"
        "run `avmit features audio --help` / `avmit features visual --help` for details\n";
    return cli_dispatch("features", usage, subs, sizeof subs / sizeof *subs, argc, argv);
}
