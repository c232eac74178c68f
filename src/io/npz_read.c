/*
 * npz_read.c — one member of a NumPy .npz archive (avmit/npz.h): the ZIP central
 * directory is searched for "<name>.npy" (APPNOTE.TXT §4.3.12; ZIP64 extra field 0x0001
 * when a 32-bit size or offset is 0xFFFFFFFF, as numpy's force_zip64 writes them), the
 * local header is skipped, the data inflated (method 8, raw deflate) or copied
 * (method 0), its CRC-32 checked, and the .npy image parsed by avmit_npy_parse.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../core/error_int.h"
#include "avmit/fileio.h"
#include "avmit/npz.h"

static uint32_t le16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t le32(const uint8_t *p) { return le16(p) | le16(p + 2) << 16; }
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }
/* [off, off + len) lies inside a file of n bytes (no overflow for any 64-bit off, len). */
static int fits(uint64_t off, uint64_t len, size_t n) { return off <= n && len <= n - off; }
/* Deflate expands at most 1032:1 (zlib's limit); a larger claimed size is a lie, and
 * allocating it would let a 4 KiB file ask for gigabytes. */
#define DEFLATE_MAX_RATIO 1032u

/* Inflate raw deflate in[n_in] into out[n_out]: 0, or -1 when the stream is bad or sized wrongly. */
static int inflate_raw(const uint8_t *in, size_t n_in, uint8_t *out, size_t n_out) {
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, -15) != Z_OK) return -1;
    z.next_in = (Bytef *)in, z.avail_in = (uInt)n_in;
    z.next_out = out, z.avail_out = (uInt)n_out;
    int r = inflate(&z, Z_FINISH);
    int ok = r == Z_STREAM_END && z.total_out == n_out;
    inflateEnd(&z);
    return ok ? 0 : -1;
}

int avmit_npz_read(avmit_array *out, const char *path, const char *name, avmit_error *err) {
    memset(out, 0, sizeof *out);
    uint8_t *f;
    size_t n;
    int r = avmit_read_file(path, &f, &n, err);
    if (r) return r;
    char want[512];
    snprintf(want, sizeof want, "%s.npy", name);
    size_t wn = strlen(want);
    /* End of central directory: last 22+ bytes, signature 0x06054b50. */
    size_t eocd = (size_t)-1;
    for (size_t i = n >= 22 ? n - 22 : 0; n >= 22; i--) {
        if (le32(f + i) == 0x06054b50) { eocd = i; break; }
        if (i == 0 || n - i > 22 + 65535) break;
    }
    r = AVMIT_ERR(err, AVMIT_E_FORMAT, path, name, "not a zip (.npz) archive: no end of central directory");
    if (eocd == (size_t)-1) goto done;
    uint64_t n_entries = le16(f + eocd + 10), cd = le32(f + eocd + 16);
    if (cd == 0xFFFFFFFFu && eocd >= 20 && le32(f + eocd - 20) == 0x07064b50) {
        uint64_t z64 = le64(f + eocd - 20 + 8); /* ZIP64 end of central directory record */
        if (fits(z64, 56, n) && le32(f + z64) == 0x06064b50) n_entries = le64(f + z64 + 32), cd = le64(f + z64 + 48);
    }
    uint64_t p = cd;
    for (uint64_t e = 0; e < n_entries; e++) {
        if (!fits(p, 46, n) || le32(f + p) != 0x02014b50) {
            r = AVMIT_ERR(err, AVMIT_E_FORMAT, path, name, "central directory entry %llu is damaged",
                          (unsigned long long)e);
            goto done;
        }
        uint32_t method = le16(f + p + 10), crc = le32(f + p + 16);
        uint64_t csize = le32(f + p + 20), usize = le32(f + p + 24), loc = le32(f + p + 42);
        uint32_t nlen = le16(f + p + 28), xlen = le16(f + p + 30), clen = le16(f + p + 32);
        if (!fits(p + 46, (uint64_t)nlen + xlen, n)) break;
        const uint8_t *nm = f + p + 46, *x = nm + nlen, *xe = x + xlen;
        if (nlen == wn && !memcmp(nm, want, wn)) {
            while (x + 4 <= xe) { /* ZIP64: the 0xFFFFFFFF fields, in order usize, csize, offset */
                uint32_t id = le16(x), len = le16(x + 2);
                const uint8_t *q = x + 4, *qe = q + len > xe ? xe : q + len;
                if (id == 1) {
                    if (usize == 0xFFFFFFFFu && q + 8 <= qe) usize = le64(q), q += 8;
                    if (csize == 0xFFFFFFFFu && q + 8 <= qe) csize = le64(q), q += 8;
                    if (loc == 0xFFFFFFFFu && q + 8 <= qe) loc = le64(q), q += 8;
                }
                x += 4 + len;
            }
            if (!fits(loc, 30, n) || le32(f + loc) != 0x04034b50) {
                r = AVMIT_ERR(err, AVMIT_E_FORMAT, path, name, "local header of '%s' is damaged", want);
                goto done;
            }
            uint64_t data = loc + 30 + le16(f + loc + 26) + le16(f + loc + 28);
            if (!fits(data, csize, n)) {
                r = AVMIT_ERR(err, AVMIT_E_TRUNCATED, path, name, "member '%s' runs past the end", want);
                goto done;
            }
            if (method != 0 && method != 8) {
                r = AVMIT_ERR(err, AVMIT_E_UNSUPPORTED, path, name,
                              "member '%s': compression method %u (only stored and deflate)", want, method);
                goto done;
            }
            if (method == 0 ? csize != usize : usize > csize * DEFLATE_MAX_RATIO + 64) {
                r = AVMIT_ERR(err, AVMIT_E_FORMAT, path, name,
                              "member '%s': size %llu does not fit its %llu %s bytes", want,
                              (unsigned long long)usize, (unsigned long long)csize,
                              method ? "compressed" : "stored");
                goto done;
            }
            if (usize > 0xFFFFFFFFu) {
                r = AVMIT_ERR(err, AVMIT_E_UNSUPPORTED, path, name,
                              "member '%s' is %llu bytes: members over 4 GiB are not supported", want,
                              (unsigned long long)usize);
                goto done;
            }
            uint8_t *img = malloc(usize ? usize : 1);
            if (!img) {
                r = AVMIT_NOMEM(err, "npz member");
                goto done;
            }
            if (method == 8 && inflate_raw(f + data, csize, img, usize) != 0) {
                free(img);
                r = AVMIT_ERR(err, AVMIT_E_FORMAT, path, name, "member '%s': bad %s data", want,
                              method ? "deflate" : "stored");
                goto done;
            }
            if (method == 0) memcpy(img, f + data, usize);
            if ((uint32_t)crc32(0L, img, (uInt)usize) != crc) {
                free(img);
                r = AVMIT_ERR(err, AVMIT_E_CRC, path, name, "member '%s': CRC-32 mismatch", want);
                goto done;
            }
            char label[1024];
            snprintf(label, sizeof label, "%s:%s", path, want);
            r = avmit_npy_parse(out, img, usize, label, err);
            free(img);
            goto done;
        }
        p += 46 + nlen + xlen + clen;
    }
    r = AVMIT_ERR(err, AVMIT_E_NOTFOUND, path, name, "archive has no member '%s'", want);
done:
    free(f);
    return r;
}
