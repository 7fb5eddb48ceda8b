import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The physical limits, as plain loops with no loader code: what any loader of these files
/// must at least pay on this machine.
enum Kernels {
    /// A read-only private mapping of a whole file.
    struct Mapping {
        let base: UnsafeMutableRawPointer
        let size: Int

        init(path: String) throws {
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else { throw BenchError("open \(path): errno \(errno)") }
            defer { close(fd) }
            var info = stat()
            fstat(fd, &info)
            size = Int(info.st_size)
            guard let pointer = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), pointer != MAP_FAILED else {
                throw BenchError("mmap \(path): errno \(errno)")
            }
            base = pointer
        }

        func unmap() { munmap(base, size) }
    }

    /// Fresh anonymous memory, optionally backed by transparent huge pages.
    static func freshMemory(_ size: Int, hugePages: Bool) throws -> UnsafeMutableRawPointer {
        guard let pointer = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              pointer != MAP_FAILED else { throw BenchError("mmap of \(size) bytes: errno \(errno)") }
        if hugePages { madvise(pointer, size, MADV_HUGEPAGE) }
        return pointer
    }

    /// Maps each file and copies it into fresh memory (page faults included); returns bytes.
    static func mmapMemcpy(_ paths: [String], hugePages: Bool = false) throws -> Int {
        var total = 0
        var buffers: [(UnsafeMutableRawPointer, Int)] = []
        for path in paths {
            let mapping = try Mapping(path: path)
            let destination = try freshMemory(mapping.size, hugePages: hugePages)
            memcpy(destination, mapping.base, mapping.size)
            buffers.append((destination, mapping.size))
            mapping.unmap()
            total += mapping.size
        }
        for (pointer, size) in buffers { munmap(pointer, size) }
        return total
    }

    /// Maps each file and widens its bf16 elements into fresh F32 memory; returns source bytes.
    static func mmapWiden(_ paths: [String]) throws -> Int {
        var total = 0
        var buffers: [(UnsafeMutableRawPointer, Int)] = []
        for path in paths {
            let mapping = try Mapping(path: path)
            let count = mapping.size / 2
            let destination = try freshMemory(count * 4, hugePages: false)
            let input = UnsafeRawPointer(mapping.base)
            let output = destination.assumingMemoryBound(to: UInt32.self)
            for i in 0..<count {
                output[i] = UInt32(input.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) << 16
            }
            buffers.append((destination, count * 4))
            mapping.unmap()
            total += mapping.size
        }
        for (pointer, size) in buffers { munmap(pointer, size) }
        return total
    }

    /// Reads each file through the page cache into one reused 8 MiB buffer (as `cat > /dev/null`).
    static func readThrough(_ paths: [String]) throws -> Int {
        let chunk = 8 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 4096)
        defer { buffer.deallocate() }
        var total = 0
        for path in paths {
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else { throw BenchError("open \(path): errno \(errno)") }
            defer { close(fd) }
            while true {
                let n = read(fd, buffer, chunk)
                guard n > 0 else { break }
                total += n
            }
        }
        return total
    }

    /// Reads each file into fresh memory with `read` (what a cold load must at least do).
    static func readIntoFreshMemory(_ paths: [String]) throws -> Int {
        var total = 0
        for path in paths {
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else { throw BenchError("open \(path): errno \(errno)") }
            defer { close(fd) }
            var info = stat()
            fstat(fd, &info)
            let size = Int(info.st_size)
            let destination = try freshMemory(size, hugePages: false)
            var done = 0
            while done < size {
                let n = read(fd, destination + done, size - done)
                guard n > 0 else { break }
                done += n
            }
            munmap(destination, size)
            total += done
        }
        return total
    }

    /// Evicts the files from the page cache (`posix_fadvise(POSIX_FADV_DONTNEED)`) and returns
    /// the fraction of their pages still resident afterwards (0 when eviction worked).
    @discardableResult
    static func evict(_ paths: [String]) throws -> Double {
        sync()
        var resident = 0
        var pages = 0
        for path in paths {
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else { throw BenchError("open \(path): errno \(errno)") }
            posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED)
            close(fd)
            let (inCore, total) = try residency(path)
            resident += inCore
            pages += total
        }
        return pages == 0 ? 0 : Double(resident) / Double(pages)
    }

    /// Touches `bytes` of fresh anonymous memory (huge pages where the system gives them) and
    /// frees it again. On a VM that reports free memory to its host (Linux's free page reporting,
    /// `page_reporting_order` 9 on this machine kind), free 2 MiB blocks are handed back and the
    /// first touch of each costs a fault in the host as well: whichever case first allocates after
    /// an idle spell pays for it (a first `--copy` of 2.2 GB took 2.3 s instead of 0.14 s). Backing
    /// the free memory before every case (untimed) charges no case for it, so the figures compare
    /// the disk, the loads and their limits.
    static func backFreeMemory(_ bytes: Int) throws {
        let memory = try freshMemory(bytes, hugePages: true)
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        for offset in stride(from: 0, to: bytes, by: page) { memory.storeBytes(of: 1, toByteOffset: offset, as: UInt8.self) }
        munmap(memory, bytes)
    }

    /// Resident and total pages of a file (`mincore`).
    static func residency(_ path: String) throws -> (Int, Int) {
        let mapping = try Mapping(path: path)
        defer { mapping.unmap() }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let count = (mapping.size + page - 1) / page
        var vector = [UInt8](repeating: 0, count: count)
        mincore(mapping.base, mapping.size, &vector)
        return (vector.reduce(0) { $0 + Int($1 & 1) }, count)
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
