/*
 * cmd_search_mpi.h — the MPI side of `avmit search` (cmd_search_mpi.c), shared
 * with cmd_search.c only. Built with OpenMPI when AVMIT_HAVE_MPI is defined
 * (CMake option AVMIT_WITH_MPI); otherwise the functions report that MPI is
 * not available.
 *
 * Rank 0 owns trials.csv and hands out trial keys one at a time (dynamic
 * dispatch: trials differ in cost by 10x, so a static split would leave ranks
 * idle); every rank, rank 0 included, runs --jobs trials at a time. Workers
 * send back only the key and the metrics: rank 0 redraws the config from the
 * key, so a row cannot disagree with the draw.
 */
#ifndef AVMIT_CMD_SEARCH_MPI_H
#define AVMIT_CMD_SEARCH_MPI_H

#include "avmit/search.h"

/* Was this process started by an MPI launcher (mpirun/mpiexec, srun with
 * PMI/PMIx)? Detected from the launcher's environment, so a plain run never
 * initialises MPI. */
int search_mpi_launched(void);

/* MPI_Init_thread (MPI_THREAD_SERIALIZED). 0, or -1 with a message in err. */
int search_mpi_init(int *rank, int *size, avmit_error *err);
void search_mpi_finalize(void);

/* Rank 0's value of *v reaches every rank. */
void search_mpi_bcast_int(int *v);
/* The maximum / minimum over ranks. */
long long search_mpi_max(long long v);
long long search_mpi_min(long long v);

/* Run the pending trials of opts across all ranks. On rank 0, log is the open
 * trials.csv and gets every result; on the others log is NULL. Returns the
 * first error on rank 0 (other ranks return their own trainer errors, if
 * any); the caller then broadcasts rank 0's outcome. */
int search_mpi_run(const avmit_search_opts *opts, avmit_search_log *log, int rank, int size,
                   avmit_error *err);

#endif
