// Thin, policy-free wrappers over the system calls and codecs swift-pretrained needs.
//
// Every function returns 0 on success or the errno value of the failing call (never -1 with a
// global errno to read later). Decisions (what to map, when to advise, what an error means)
// live in Swift.
#ifndef CSUPPORT_H
#define CSUPPORT_H

#include <stddef.h>
#include <stdint.h>

#pragma clang assume_nonnull begin

/// Kernel advice for a mapped range, translated to `madvise` flags.
typedef enum {
    CSUPPORT_ADVICE_NORMAL = 0,     ///< `MADV_NORMAL`
    CSUPPORT_ADVICE_SEQUENTIAL = 1, ///< `MADV_SEQUENTIAL`
    CSUPPORT_ADVICE_WILLNEED = 2,   ///< `MADV_WILLNEED`
    CSUPPORT_ADVICE_DONTNEED = 3,   ///< `MADV_DONTNEED`
    CSUPPORT_ADVICE_HUGEPAGE = 4,   ///< `MADV_HUGEPAGE` (`ENOTSUP` where the system lacks it)
    CSUPPORT_ADVICE_RANDOM = 5,     ///< `MADV_RANDOM` / `POSIX_FADV_RANDOM`
    CSUPPORT_ADVICE_POPULATE_READ = 6, ///< `MADV_POPULATE_READ` (`ENOTSUP` where the system lacks it)
} csupport_advice;

/// Opens `path` read-only (`open(2)` with `O_RDONLY | O_CLOEXEC`), retrying `EINTR`.
int csupport_open_readonly(const char *path, int *out_fd);

/// Closes `fd` (`close(2)`).
int csupport_close(int fd);

/// The size in bytes of the regular file behind `fd` (`fstat(2)`); `EISDIR`/`EINVAL` otherwise.
int csupport_file_size(int fd, uint64_t *out_size);

/// Maps `length` bytes of `fd` from offset 0 (`mmap(2)`), copy-on-write: `PROT_READ | PROT_WRITE`
/// with `MAP_PRIVATE`, so writes through the mapping never reach the file. `populate` adds
/// `MAP_POPULATE` where the system has it. `length` must be greater than zero.
int csupport_map(int fd, size_t length, int populate, void *_Nullable *_Nonnull out_base);

/// Maps `length` bytes of fresh, zero-filled anonymous memory (`mmap(2)` with `MAP_ANONYMOUS |
/// MAP_PRIVATE`), advised `MADV_HUGEPAGE` when `huge_pages` is set and the system has it, so the
/// first touch faults once per huge page instead of once per 4 KiB page.
int csupport_map_anonymous(size_t length, int huge_pages, void *_Nullable *_Nonnull out_base);

/// Registers a file mapping with the fault guard, installing its `SIGBUS` handler on first use
/// (`sigaction(2)`, chained to the handler installed before). If the file shrinks under the
/// mapping, touching a lost page no longer kills the process: the pages from that one to the end
/// of the mapping become zero-filled anonymous memory and the mapping is marked damaged.
/// `ENOMEM` when 65,536 mappings are registered already.
int csupport_guard_register(void *base, size_t length, int *out_slot);

/// Removes a mapping from the fault guard; call before unmapping it.
int csupport_guard_unregister(int slot);

/// 1 when the fault guard has replaced lost pages of the mapping in `slot`, else 0.
int csupport_guard_damaged(int slot);

/// Unmaps a range returned by `csupport_map` or `csupport_map_anonymous` (`munmap(2)`).
int csupport_unmap(void *base, size_t length);

/// Advises the kernel about a page-aligned range of a mapping (`madvise(2)`).
int csupport_madvise(void *base, size_t length, csupport_advice advice);

/// Reads one byte of every `page_size` bytes of `[base, base + length)` (volatile loads), so that
/// each page is faulted in: the fallback of `MADV_POPULATE_READ` on systems without it.
void csupport_touch_pages(const void *base, size_t length, size_t page_size);

/// Advises the kernel about a file range (`posix_fadvise(2)`); `length` 0 means to the end.
/// `ENOTSUP` where the system lacks it.
int csupport_fadvise(int fd, uint64_t offset, uint64_t length, csupport_advice advice);

/// How many bytes of the file range `[offset, offset + length)` are in the page cache
/// (`cachestat(2)`, Linux 6.5: `nr_cache` pages times the page size). `ENOSYS` where the system
/// lacks it.
int csupport_cached_bytes(int fd, uint64_t offset, uint64_t length, uint64_t *out_cached);

/// Reads exactly `length` bytes at `offset` into `buffer` (`pread(2)`), looping over short reads
/// and retrying `EINTR`. Returns `EIO` with `*out_read` < `length` when the file ends first.
int csupport_pread_full(int fd, void *buffer, size_t length, uint64_t offset, size_t *out_read);

/// Opens `path` for direct reads that bypass the page cache (`open(2)` with `O_RDONLY |
/// O_CLOEXEC | O_DIRECT`) and tells the alignment such reads need (`statx(2)` with
/// `STATX_DIOALIGN`, Linux 6.1): file offsets and lengths must be multiples of
/// `*out_offset_align`, buffers aligned to `*out_memory_align`. `ENOTSUP` (nothing left open)
/// where the system, the file system or the kernel cannot tell.
int csupport_open_direct(const char *path, int *out_fd, uint32_t *out_offset_align, uint32_t *out_memory_align);

/// Flushes `fd` to stable storage (`fsync(2)`).
int csupport_fsync(int fd);

/// Creates a new, unique file from `template_path`, whose last six characters must be `XXXXXX`
/// and are replaced in place (`mkostemp(3)` with `O_CLOEXEC`); the file has mode 0600.
int csupport_create_temporary(char *template_path, int *out_fd);

/// Writes all `length` bytes of `buffer` (`write(2)`), looping over short writes, retrying `EINTR`.
int csupport_write_full(int fd, const void *buffer, size_t length);

/// Sets the permission bits of the file behind `fd` (`fchmod(2)`).
int csupport_chmod(int fd, unsigned int mode);

/// Atomically renames `from` to `to` (`rename(2)`).
int csupport_rename(const char *from, const char *to);

/// Removes `path` (`unlink(2)`).
int csupport_unlink(const char *path);

/// Flushes a directory's entries to stable storage (`open(2)` + `fsync(2)` + `close(2)`).
int csupport_sync_directory(const char *path);

/// The size of a memory page (`sysconf(_SC_PAGESIZE)`).
size_t csupport_page_size(void);

/// The version string of the linked libzstd (`ZSTD_versionString`).
const char *csupport_zstd_version(void);

/// The version number of the linked liblz4 (`LZ4_versionNumber`), e.g. 10904 for 1.9.4.
int csupport_lz4_version(void);

// MARK: zstd and lz4 frames
//
// Streaming decoders and one-shot frame encoders over caller buffers. Functions return 0 or the
// codec's own error code (a positive number; `csupport_*_error_name` spells it), except where a
// comment says errno (context creation). Decoding stops at the end of each frame.

/// What a codec error code means, for callers that do not include the codec headers.
typedef enum {
    CSUPPORT_CODEC_ERROR_OTHER = 0,     ///< Corrupt data, an unsupported parameter, ...
    CSUPPORT_CODEC_ERROR_CHECKSUM = 1,  ///< A content or block checksum does not match.
    CSUPPORT_CODEC_ERROR_TRUNCATED = 2, ///< The input ends inside a frame.
    CSUPPORT_CODEC_ERROR_FRAME_SIZE = 3,///< The frame decodes to another size than it declares.
} csupport_codec_error_kind;

/// Creates a zstd decompression context (`ZSTD_createDCtx`). Returns 0 or `ENOMEM` (errno).
int csupport_zstd_dctx_create(void *_Nullable *_Nonnull out_dctx);

/// Frees a context from `csupport_zstd_dctx_create` (`ZSTD_freeDCtx`).
void csupport_zstd_dctx_free(void *dctx);

/// One streaming step (`ZSTD_decompressStream`): reads `src[*src_pos..<src_size]`, writes
/// `dst[*dst_pos..<dst_size]`, and advances both positions. `*out_frame_done` becomes 1 when a
/// frame has been completely decoded, checksum verified, and flushed.
int csupport_zstd_decompress(void *dctx, void *_Nullable dst, size_t dst_size, size_t *dst_pos,
                             const void *_Nullable src, size_t src_size, size_t *src_pos,
                             int *out_frame_done);

/// The name of a zstd error code (`ZSTD_getErrorString`).
const char *csupport_zstd_error_name(int code);

/// What a zstd error code means.
csupport_codec_error_kind csupport_zstd_error_kind(int code);

/// The lowest and highest compression levels libzstd accepts (`ZSTD_minCLevel`, `ZSTD_maxCLevel`).
int csupport_zstd_min_level(void);
int csupport_zstd_max_level(void);

/// Creates a zstd compression context (`ZSTD_createCCtx`) that writes, per frame, the content size
/// and an XXH64 content checksum at `level`. Returns 0, `ENOMEM`, or `EINVAL` (errno values) when
/// libzstd rejects a parameter.
int csupport_zstd_cctx_create(int level, void *_Nullable *_Nonnull out_cctx);

/// Frees a context from `csupport_zstd_cctx_create` (`ZSTD_freeCCtx`).
void csupport_zstd_cctx_free(void *cctx);

/// The largest compressed size of `size` bytes in one frame (`ZSTD_compressBound`).
size_t csupport_zstd_compress_bound(size_t size);

/// Compresses `src` into one whole frame in `dst` (`ZSTD_compress2`); `*out_written` is its size.
int csupport_zstd_compress_frame(void *cctx, void *dst, size_t capacity, const void *src, size_t size,
                                 size_t *out_written);

/// Creates an lz4 frame decompression context (`LZ4F_createDecompressionContext`). Returns 0 or
/// `ENOMEM` (errno).
int csupport_lz4_dctx_create(void *_Nullable *_Nonnull out_dctx);

/// Frees a context from `csupport_lz4_dctx_create` (`LZ4F_freeDecompressionContext`).
void csupport_lz4_dctx_free(void *dctx);

/// One streaming step (`LZ4F_decompress`), with the same contract as `csupport_zstd_decompress`.
/// Skippable frames are passed over.
int csupport_lz4_decompress(void *dctx, void *_Nullable dst, size_t dst_size, size_t *dst_pos,
                            const void *_Nullable src, size_t src_size, size_t *src_pos,
                            int *out_frame_done);

/// The name of an lz4 frame error code (`LZ4F_getErrorName`).
const char *csupport_lz4_error_name(int code);

/// What an lz4 frame error code means.
csupport_codec_error_kind csupport_lz4_error_kind(int code);

/// The highest lz4 compression level (`LZ4HC_CLEVEL_MAX`); levels below 3 use the fast compressor.
int csupport_lz4_max_level(void);

/// The largest compressed size of `size` bytes in one frame at `level` (`LZ4F_compressFrameBound`).
size_t csupport_lz4_compress_bound(size_t size, int level);

/// Compresses `src` into one whole lz4 frame in `dst` (`LZ4F_compressFrame`): 4 MiB independent
/// blocks, the content size and an XXH32 content checksum in the frame; `*out_written` is its size.
int csupport_lz4_compress_frame(void *dst, size_t capacity, const void *src, size_t size, int level,
                                size_t *out_written);

// MARK: SHA-256

/// Writes the SHA-256 digest of `length` bytes at `data` into `out_digest` (32 bytes): OpenSSL's
/// libcrypto (`EVP_Digest`) on Linux, CommonCrypto on Apple platforms. `data` may be NULL when
/// `length` is 0. Returns 0, or `EIO` when the library reports a failure.
int csupport_sha256(const void *_Nullable data, size_t length, uint8_t *out_digest);

#pragma clang assume_nonnull end

#endif
