#include "CSupport.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#endif

int csupport_open_readonly(const char *path, int *out_fd) {
    int fd;
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever. It changes
    // nothing for regular files, and csupport_file_size rejects everything else right after.
    do {
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return errno;
    *out_fd = fd;
    return 0;
}

int csupport_close(int fd) {
    return close(fd) == 0 ? 0 : errno;
}

int csupport_file_size(int fd, uint64_t *out_size) {
    struct stat st;
    if (fstat(fd, &st) != 0) return errno;
    if (S_ISDIR(st.st_mode)) return EISDIR;
    if (!S_ISREG(st.st_mode)) return EINVAL;
    *out_size = (uint64_t)st.st_size;
    return 0;
}

int csupport_map(int fd, size_t length, int populate, void **out_base) {
    int flags = MAP_PRIVATE;
#ifdef MAP_POPULATE
    if (populate) flags |= MAP_POPULATE;
#else
    (void)populate;
#endif
    void *base = mmap(NULL, length, PROT_READ | PROT_WRITE, flags, fd, 0);
    if (base == MAP_FAILED) return errno;
    *out_base = base;
    return 0;
}

int csupport_map_anonymous(size_t length, int huge_pages, void **out_base) {
    void *base = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) return errno;
#ifdef MADV_HUGEPAGE
    if (huge_pages) (void)madvise(base, length, MADV_HUGEPAGE);
#else
    (void)huge_pages;
#endif
    *out_base = base;
    return 0;
}

int csupport_unmap(void *base, size_t length) {
    return munmap(base, length) == 0 ? 0 : errno;
}

int csupport_madvise(void *base, size_t length, csupport_advice advice) {
    int flag;
    switch (advice) {
    case CSUPPORT_ADVICE_NORMAL: flag = MADV_NORMAL; break;
    case CSUPPORT_ADVICE_SEQUENTIAL: flag = MADV_SEQUENTIAL; break;
    case CSUPPORT_ADVICE_WILLNEED: flag = MADV_WILLNEED; break;
    case CSUPPORT_ADVICE_DONTNEED: flag = MADV_DONTNEED; break;
    case CSUPPORT_ADVICE_RANDOM: flag = MADV_RANDOM; break;
    case CSUPPORT_ADVICE_HUGEPAGE:
#ifdef MADV_HUGEPAGE
        flag = MADV_HUGEPAGE;
        break;
#else
        return ENOTSUP;
#endif
    case CSUPPORT_ADVICE_POPULATE_READ:
#ifdef MADV_POPULATE_READ
        flag = MADV_POPULATE_READ;
        break;
#elif defined(__linux__)
        flag = 22; // MADV_POPULATE_READ (Linux 5.14) where the C library's headers predate it
        break;
#else
        return ENOTSUP;
#endif
    default: return EINVAL;
    }
    return madvise(base, length, flag) == 0 ? 0 : errno;
}

void csupport_touch_pages(const void *base, size_t length, size_t page_size) {
    const volatile unsigned char *bytes = base;
    for (size_t offset = 0; offset < length; offset += page_size) (void)bytes[offset];
}

int csupport_fadvise(int fd, uint64_t offset, uint64_t length, csupport_advice advice) {
#if defined(POSIX_FADV_NORMAL)
    int flag;
    switch (advice) {
    case CSUPPORT_ADVICE_NORMAL: flag = POSIX_FADV_NORMAL; break;
    case CSUPPORT_ADVICE_SEQUENTIAL: flag = POSIX_FADV_SEQUENTIAL; break;
    case CSUPPORT_ADVICE_WILLNEED: flag = POSIX_FADV_WILLNEED; break;
    case CSUPPORT_ADVICE_DONTNEED: flag = POSIX_FADV_DONTNEED; break;
    case CSUPPORT_ADVICE_RANDOM: flag = POSIX_FADV_RANDOM; break;
    default: return ENOTSUP;
    }
    // posix_fadvise returns the error number instead of setting errno.
    return posix_fadvise(fd, (off_t)offset, (off_t)length, flag);
#else
    (void)fd; (void)offset; (void)length; (void)advice;
    return ENOTSUP;
#endif
}

int csupport_cached_bytes(int fd, uint64_t offset, uint64_t length, uint64_t *out_cached) {
#if defined(__linux__)
    // cachestat(2) has the same number on every architecture (the unified table from 6.5 on);
    // older kernels answer ENOSYS. The structures are the kernel's uapi ones, spelled out here
    // so that older headers build too.
    struct { uint64_t offset, length; } range = { offset, length };
    struct { uint64_t cache, dirty, writeback, evicted, recently_evicted; } stat = {0};
    if (syscall(451, fd, &range, &stat, 0) != 0) return errno;
    *out_cached = stat.cache * (uint64_t)sysconf(_SC_PAGESIZE);
    return 0;
#else
    (void)fd; (void)offset; (void)length; (void)out_cached;
    return ENOSYS;
#endif
}

int csupport_pread_full(int fd, void *buffer, size_t length, uint64_t offset, size_t *out_read) {
    size_t done = 0;
    while (done < length) {
        ssize_t n = pread(fd, (char *)buffer + done, length - done, (off_t)(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            *out_read = done;
            return errno;
        }
        if (n == 0) break;
        done += (size_t)n;
    }
    *out_read = done;
    return done == length ? 0 : EIO;
}

int csupport_fsync(int fd) {
    return fsync(fd) == 0 ? 0 : errno;
}

int csupport_create_temporary(char *template_path, int *out_fd) {
    int fd = mkostemp(template_path, O_CLOEXEC);
    if (fd < 0) return errno;
    *out_fd = fd;
    return 0;
}

int csupport_write_full(int fd, const void *buffer, size_t length) {
    size_t done = 0;
    while (done < length) {
        ssize_t n = write(fd, (const char *)buffer + done, length - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        done += (size_t)n;
    }
    return 0;
}

int csupport_chmod(int fd, unsigned int mode) {
    return fchmod(fd, (mode_t)mode) == 0 ? 0 : errno;
}

int csupport_rename(const char *from, const char *to) {
    return rename(from, to) == 0 ? 0 : errno;
}

int csupport_unlink(const char *path) {
    return unlink(path) == 0 ? 0 : errno;
}

int csupport_sync_directory(const char *path) {
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno;
    int result = fsync(fd) == 0 ? 0 : errno;
    close(fd);
    return result;
}

size_t csupport_page_size(void) {
    long size = sysconf(_SC_PAGESIZE);
    return size > 0 ? (size_t)size : 4096;
}
