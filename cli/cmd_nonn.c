/*
 * cmd_nonn.c — the commands that need the neural-network core, in a build
 * without it (AVMIT_WITH_BLAS=OFF leaves out src/nn, src/train, src/analysis and the CLI files
 * that call them, CMakeLists.txt): each says so and exits with the usage code.
 */
#include "cli.h"

#ifndef AVMIT_HAVE_BLAS
static int no_nn(const char *cmd) {
    return cli_usage_error(cmd, "this avmit was built without the neural-network core "
                                "(OpenBLAS: AVMIT_WITH_BLAS=OFF)");
}

int cmd_model(int argc, char **argv) { (void)argc, (void)argv; return no_nn("model"); }
int cmd_train(int argc, char **argv) { (void)argc, (void)argv; return no_nn("train"); }
int cmd_eval(int argc, char **argv) { (void)argc, (void)argv; return no_nn("eval"); }
int cmd_predict(int argc, char **argv) { (void)argc, (void)argv; return no_nn("predict"); }
int cmd_search(int argc, char **argv) { (void)argc, (void)argv; return no_nn("search"); }
int cmd_savc_train(int argc, char **argv) { (void)argc, (void)argv; return no_nn("savc train"); }
int cmd_savc_eval(int argc, char **argv) { (void)argc, (void)argv; return no_nn("savc eval"); }
int cmd_savc_score(int argc, char **argv) { (void)argc, (void)argv; return no_nn("savc score"); }
int cmd_savc_summary(int argc, char **argv) { (void)argc, (void)argv; return no_nn("savc summary"); }
int cmd_report(int argc, char **argv) { (void)argc, (void)argv; return no_nn("report"); }
int cmd_similarity(int argc, char **argv) { (void)argc, (void)argv; return no_nn("similarity"); }
#else
typedef int cmd_nonn_unused; /* ISO C: a translation unit is not empty */
#endif
