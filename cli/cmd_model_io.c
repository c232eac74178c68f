/* cmd_model_io.c — placeholder until the subcommand lands. */
#include "cli.h"

int cmd_model_import(int argc, char **argv) {
    (void)argc;
    return cli_usage_error(argv[0], "not available in this build yet");
}

int cmd_model_export(int argc, char **argv) {
    (void)argc;
    return cli_usage_error(argv[0], "not available in this build yet");
}

int cmd_model_inspect(int argc, char **argv) {
    (void)argc;
    return cli_usage_error(argv[0], "not available in this build yet");
}
