#include "CSupport.h"

#include <errno.h>
#include <string.h>

#define LZ4F_STATIC_LINKING_ONLY  // the LZ4F_errorCodes constants (no static-only functions are called)
#include <lz4.h>
#include <lz4frame.h>
#include <lz4hc.h>
#include <zstd.h>
#include <zstd_errors.h>

const char *csupport_zstd_version(void) {
    return ZSTD_versionString();
}

int csupport_lz4_version(void) {
    return LZ4_versionNumber();
}

// MARK: zstd

static int zstd_code(size_t result) {
    return ZSTD_isError(result) ? (int)ZSTD_getErrorCode(result) : 0;
}

int csupport_zstd_dctx_create(void **out_dctx) {
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    if (dctx == NULL) return ENOMEM;
    *out_dctx = dctx;
    return 0;
}

void csupport_zstd_dctx_free(void *dctx) {
    ZSTD_freeDCtx(dctx);
}

int csupport_zstd_decompress(void *dctx, void *dst, size_t dst_size, size_t *dst_pos,
                             const void *src, size_t src_size, size_t *src_pos, int *out_frame_done) {
    ZSTD_outBuffer output = {dst, dst_size, *dst_pos};
    ZSTD_inBuffer input = {src, src_size, *src_pos};
    size_t hint = ZSTD_decompressStream(dctx, &output, &input);
    *dst_pos = output.pos;
    *src_pos = input.pos;
    if (ZSTD_isError(hint)) return zstd_code(hint);
    *out_frame_done = hint == 0;
    return 0;
}

const char *csupport_zstd_error_name(int code) {
    return ZSTD_getErrorString((ZSTD_ErrorCode)code);
}

csupport_codec_error_kind csupport_zstd_error_kind(int code) {
    switch ((ZSTD_ErrorCode)code) {
    case ZSTD_error_checksum_wrong: return CSUPPORT_CODEC_ERROR_CHECKSUM;
    case ZSTD_error_srcSize_wrong: return CSUPPORT_CODEC_ERROR_TRUNCATED;
    default: return CSUPPORT_CODEC_ERROR_OTHER;
    }
}

int csupport_zstd_min_level(void) {
    return ZSTD_minCLevel();
}

int csupport_zstd_max_level(void) {
    return ZSTD_maxCLevel();
}

int csupport_zstd_cctx_create(int level, void **out_cctx) {
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    if (cctx == NULL) return ENOMEM;
    if (ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level))
        || ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1))
        || ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1))) {
        ZSTD_freeCCtx(cctx);
        return EINVAL;
    }
    *out_cctx = cctx;
    return 0;
}

void csupport_zstd_cctx_free(void *cctx) {
    ZSTD_freeCCtx(cctx);
}

size_t csupport_zstd_compress_bound(size_t size) {
    return ZSTD_compressBound(size);
}

int csupport_zstd_compress_frame(void *cctx, void *dst, size_t capacity, const void *src, size_t size,
                                 size_t *out_written) {
    size_t written = ZSTD_compress2(cctx, dst, capacity, src, size);
    if (ZSTD_isError(written)) return zstd_code(written);
    *out_written = written;
    return 0;
}

// MARK: lz4 frames

// LZ4F encodes error `code` as the size_t value `(size_t)-code`.
static int lz4_code(size_t result) {
    return LZ4F_isError(result) ? (int)(0 - result) : 0;
}

int csupport_lz4_dctx_create(void **out_dctx) {
    LZ4F_dctx *dctx = NULL;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION)) || dctx == NULL) return ENOMEM;
    *out_dctx = dctx;
    return 0;
}

void csupport_lz4_dctx_free(void *dctx) {
    LZ4F_freeDecompressionContext(dctx);
}

int csupport_lz4_decompress(void *dctx, void *dst, size_t dst_size, size_t *dst_pos,
                            const void *src, size_t src_size, size_t *src_pos, int *out_frame_done) {
    size_t produced = dst_size - *dst_pos;
    size_t consumed = src_size - *src_pos;
    size_t hint = LZ4F_decompress(dctx, dst == NULL ? NULL : (char *)dst + *dst_pos, &produced,
                                  src == NULL ? NULL : (const char *)src + *src_pos, &consumed, NULL);
    if (LZ4F_isError(hint)) return lz4_code(hint);
    *dst_pos += produced;
    *src_pos += consumed;
    *out_frame_done = hint == 0;
    return 0;
}

const char *csupport_lz4_error_name(int code) {
    return LZ4F_getErrorName((size_t)0 - (size_t)code);
}

csupport_codec_error_kind csupport_lz4_error_kind(int code) {
    switch ((LZ4F_errorCodes)code) {
    case LZ4F_ERROR_contentChecksum_invalid:
    case LZ4F_ERROR_blockChecksum_invalid:
    case LZ4F_ERROR_headerChecksum_invalid:
        return CSUPPORT_CODEC_ERROR_CHECKSUM;
    case LZ4F_ERROR_frameHeader_incomplete: return CSUPPORT_CODEC_ERROR_TRUNCATED;
    case LZ4F_ERROR_frameSize_wrong: return CSUPPORT_CODEC_ERROR_FRAME_SIZE;
    default: return CSUPPORT_CODEC_ERROR_OTHER;
    }
}

int csupport_lz4_max_level(void) {
    return LZ4HC_CLEVEL_MAX;
}

static LZ4F_preferences_t lz4_preferences(size_t size, int level) {
    LZ4F_preferences_t preferences;
    memset(&preferences, 0, sizeof preferences);
    preferences.frameInfo.blockSizeID = LZ4F_max4MB;
    preferences.frameInfo.blockMode = LZ4F_blockIndependent;
    preferences.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
    preferences.frameInfo.contentSize = size;
    preferences.compressionLevel = level;
    return preferences;
}

size_t csupport_lz4_compress_bound(size_t size, int level) {
    LZ4F_preferences_t preferences = lz4_preferences(size, level);
    return LZ4F_compressFrameBound(size, &preferences);
}

int csupport_lz4_compress_frame(void *dst, size_t capacity, const void *src, size_t size, int level,
                                size_t *out_written) {
    LZ4F_preferences_t preferences = lz4_preferences(size, level);
    size_t written = LZ4F_compressFrame(dst, capacity, src, size, &preferences);
    if (LZ4F_isError(written)) return lz4_code(written);
    *out_written = written;
    return 0;
}
