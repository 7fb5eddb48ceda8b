#include "CSupport.h"

#include <lz4.h>
#include <lz4frame.h>
#include <zstd.h>

const char *csupport_zstd_version(void) {
    return ZSTD_versionString();
}

int csupport_lz4_version(void) {
    return LZ4_versionNumber();
}
