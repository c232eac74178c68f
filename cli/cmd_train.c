/* cmd_train.c — placeholder until the subcommand lands. */
#include "cli.h"

int cmd_train(int argc, char **argv) {
    (void)argc;
    return cli_usage_error(argv[0], "not available in this build yet");
}

int cmd_eval(int argc, char **argv) {
    (void)argc;
    return cli_usage_error(argv[0], "not available in this build yet");
}

int cmd_predict(int argc, char **argv) {
    (void)argc;
    return cli_usage_error(argv[0], "not available in this build yet");
}
