// Direct I/O (reads that bypass the page cache) where the system has it.
#if defined(__linux__)
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <linux/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include <errno.h>

#include "CSupport.h"

int csupport_open_direct(const char *path, int *out_fd, uint32_t *out_offset_align, uint32_t *out_memory_align) {
#if defined(__linux__) && defined(O_DIRECT) && defined(SYS_statx) && defined(STATX_DIOALIGN)
    int fd;
    do { fd = open(path, O_RDONLY | O_CLOEXEC | O_DIRECT); } while (fd < 0 && errno == EINTR);
    if (fd < 0) return errno;
    struct statx info = {0};
    if (syscall(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &info) != 0
        || !(info.stx_mask & STATX_DIOALIGN) || info.stx_dio_offset_align == 0 || info.stx_dio_mem_align == 0) {
        close(fd);
        return ENOTSUP;
    }
    *out_fd = fd;
    *out_offset_align = info.stx_dio_offset_align;
    *out_memory_align = info.stx_dio_mem_align;
    return 0;
#else
    (void)path; (void)out_fd; (void)out_offset_align; (void)out_memory_align;
    return ENOTSUP;
#endif
}
