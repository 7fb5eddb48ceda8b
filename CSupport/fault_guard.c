// The fault guard: a process-wide SIGBUS handler for the file mappings registered with it.
//
// When another process truncates a mapped file, touching a page past the new end raises SIGBUS,
// whose default action kills the process. For a registered mapping the handler instead replaces
// the pages from the faulting one to the end of the mapping with zero-filled anonymous memory
// (mmap with MAP_FIXED, which swaps them in one step), marks the mapping damaged, and returns: the
// access is retried and reads zeros. Faults anywhere else go to the handler installed before.
//
// The handler runs in signal context, so it takes no locks that a thread could hold while
// interrupted: the registry is a fixed table read with atomic loads, and replacements are
// serialized by a spin lock only the handler takes.

#include "CSupport.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

enum { GUARD_CAPACITY = 65536 };  // Linux allows 65,530 mappings per process by default.

struct guarded_range {
    _Atomic(uintptr_t) base;           // 0 when the slot is free
    _Atomic(uintptr_t) end;            // base + length, rounded up to whole pages
    _Atomic(uintptr_t) replaced_from;  // pages from here to `end` are anonymous zeros
};

static struct guarded_range ranges[GUARD_CAPACITY];
static _Atomic(int) slots_in_use;  // every used slot lies below this bound
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_flag replacing = ATOMIC_FLAG_INIT;
static struct sigaction previous_action;
static int installed;
static uintptr_t page_size;

// Hands the signal to the handler installed before ours. With the default action (or an ignored
// SIGBUS, which the kernel does not honour for faults) the disposition is restored and the
// faulting access, retried on return, ends the process as it would have without us.
static void chain(int signal_number, siginfo_t *info, void *context) {
    if (previous_action.sa_flags & SA_SIGINFO) {
        previous_action.sa_sigaction(signal_number, info, context);
    } else if (previous_action.sa_handler != SIG_DFL && previous_action.sa_handler != SIG_IGN) {
        previous_action.sa_handler(signal_number);
    } else {
        struct sigaction fallback;
        memset(&fallback, 0, sizeof fallback);
        fallback.sa_handler = SIG_DFL;
        sigemptyset(&fallback.sa_mask);
        sigaction(SIGBUS, &fallback, NULL);
    }
}

static struct guarded_range *range_containing(uintptr_t address) {
    int count = atomic_load_explicit(&slots_in_use, memory_order_acquire);
    for (int slot = 0; slot < count; slot++) {
        uintptr_t base = atomic_load_explicit(&ranges[slot].base, memory_order_acquire);
        if (base == 0 || address < base) continue;
        uintptr_t end = atomic_load_explicit(&ranges[slot].end, memory_order_acquire);
        // A slot freed and reused while we read it changes `base`: read it again.
        if (address < end && atomic_load_explicit(&ranges[slot].base, memory_order_acquire) == base) {
            return &ranges[slot];
        }
    }
    return NULL;
}

// Replaces [page, replaced_from) of `range` with zeros. Returns 0 when the access can be retried.
static int replace_lost_pages(struct guarded_range *range, uintptr_t page) {
    while (atomic_flag_test_and_set_explicit(&replacing, memory_order_acquire)) {}
    int result = 0;
    uintptr_t replaced_from = atomic_load_explicit(&range->replaced_from, memory_order_relaxed);
    if (page < replaced_from) {  // else another thread's handler replaced it first
        void *zeros = mmap((void *)page, replaced_from - page, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        if (zeros == MAP_FAILED) {
            result = -1;
        } else {
            atomic_store_explicit(&range->replaced_from, page, memory_order_release);
        }
    }
    atomic_flag_clear_explicit(&replacing, memory_order_release);
    return result;
}

static void on_sigbus(int signal_number, siginfo_t *info, void *context) {
    int saved_errno = errno;
    uintptr_t address = (uintptr_t)info->si_addr;
    struct guarded_range *range = info->si_code == BUS_ADRERR ? range_containing(address) : NULL;
    if (range == NULL || replace_lost_pages(range, address & ~(page_size - 1)) != 0) {
        chain(signal_number, info, context);
    }
    errno = saved_errno;
}

static int install_handler(void) {
    if (installed) return 0;
    page_size = (uintptr_t)sysconf(_SC_PAGESIZE);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_sigbus;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGBUS, &action, &previous_action) != 0) return errno;
    installed = 1;
    return 0;
}

int csupport_guard_register(void *base, size_t length, int *out_slot) {
    pthread_mutex_lock(&registry_lock);
    int result = install_handler();
    if (result == 0) {
        int count = atomic_load_explicit(&slots_in_use, memory_order_relaxed);
        int slot = 0;
        while (slot < count && atomic_load_explicit(&ranges[slot].base, memory_order_relaxed) != 0) slot++;
        if (slot == GUARD_CAPACITY) {
            result = ENOMEM;
        } else {
            uintptr_t end = ((uintptr_t)base + length + page_size - 1) & ~(page_size - 1);
            atomic_store_explicit(&ranges[slot].end, end, memory_order_relaxed);
            atomic_store_explicit(&ranges[slot].replaced_from, end, memory_order_relaxed);
            atomic_store_explicit(&ranges[slot].base, (uintptr_t)base, memory_order_release);
            if (slot == count) atomic_store_explicit(&slots_in_use, count + 1, memory_order_release);
            *out_slot = slot;
        }
    }
    pthread_mutex_unlock(&registry_lock);
    return result;
}

int csupport_guard_unregister(int slot) {
    if (slot < 0 || slot >= GUARD_CAPACITY) return EINVAL;
    pthread_mutex_lock(&registry_lock);
    atomic_store_explicit(&ranges[slot].base, 0, memory_order_release);
    pthread_mutex_unlock(&registry_lock);
    return 0;
}

int csupport_guard_damaged(int slot) {
    if (slot < 0 || slot >= GUARD_CAPACITY) return 0;
    uintptr_t replaced_from = atomic_load_explicit(&ranges[slot].replaced_from, memory_order_acquire);
    return replaced_from < atomic_load_explicit(&ranges[slot].end, memory_order_acquire);
}
