/*
 * tfrecord_int.h — internals of the TFRecord module shared with its tests.
 */
#ifndef AVMIT_TFRECORD_INT_H
#define AVMIT_TFRECORD_INT_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32C through the portable slicing-by-8 path whatever the CPU, so tests
 * can compare it against the hardware path of avmit_crc32c. */
uint32_t avmit_crc32c_portable(uint32_t crc, const void *data, size_t n);

#endif
