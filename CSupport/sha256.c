#include "CSupport.h"

#include <errno.h>

#if defined(__APPLE__)
#include <CommonCrypto/CommonDigest.h>

int csupport_sha256(const void *data, size_t length, uint8_t *out_digest) {
    // CC_SHA256_Update takes a 32-bit length: feed larger inputs in pieces.
    CC_SHA256_CTX context;
    CC_SHA256_Init(&context);
    const uint8_t *bytes = data;
    while (length > 0) {
        CC_LONG piece = length > (1u << 30) ? (1u << 30) : (CC_LONG)length;
        CC_SHA256_Update(&context, bytes, piece);
        bytes += piece;
        length -= piece;
    }
    CC_SHA256_Final(out_digest, &context);
    return 0;
}

#else
#include <openssl/evp.h>

int csupport_sha256(const void *data, size_t length, uint8_t *out_digest) {
    static const uint8_t empty = 0;
    unsigned int size = 0;
    int ok = EVP_Digest(length > 0 ? data : &empty, length, out_digest, &size, EVP_sha256(), NULL);
    return ok == 1 && size == 32 ? 0 : EIO;
}
#endif
