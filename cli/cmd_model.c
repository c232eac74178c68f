/* cmd_model.c — `avmit model <summary|import|export|inspect>` dispatch. */
#include <string.h>

#include "cli.h"

int cmd_model(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fprintf(argc < 2 ? stderr : stdout,
                "usage: avmit model summary --config train.yaml\n"
                "       avmit model import --config train.yaml --weights PATH --out MODELDIR\n"
                "       avmit model export --model MODELDIR --format keras-h5|npz -o OUT\n"
                "       avmit model inspect PATH   (Keras HDF5 file or TF2 checkpoint prefix)\n");
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (!strcmp(argv[1], "import")) return cmd_model_import(argc - 1, argv + 1);
    if (!strcmp(argv[1], "export")) return cmd_model_export(argc - 1, argv + 1);
    if (!strcmp(argv[1], "inspect")) return cmd_model_inspect(argc - 1, argv + 1);
    return cli_usage_error("model", "unknown subcommand '%s' (summary, import, export, inspect)", argv[1]);
}
