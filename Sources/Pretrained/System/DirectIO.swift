/// When a load reads owned copies with direct I/O (`O_DIRECT`): from the device straight into
/// the slots, bypassing the page cache (`LoadOptions.directIO`, `pretrained load --direct` /
/// `--buffered`).
///
/// A read through the page cache costs the kernel a copy on top of the device's transfer; on a
/// cold checkpoint that copy (and the page cache's memory, as much again as the copies) is what
/// keeps a buffered owned load below the device's speed, while a direct load keeps up with it
/// (BENCHMARKS.md, "Direct reads by default for cold shards"). A warm checkpoint is the other way round: a buffered load
/// copies from memory, a direct one reads the device again. Hence the default, `automatic`.
public enum DirectIO: String, Sendable, CaseIterable {
    /// Direct reads for a shard of which the page cache holds at most a quarter
    /// (`cachedFractionForDirect`, as `cachestat(2)` tells, Linux 6.5), for the tensors read as
    /// stored, straight into their slots; conversions (`dtype`, dequantization) and a
    /// tensor-parallel rank's slices read through the page cache, where they measured faster.
    /// Buffered where the system cannot tell what is cached, or cannot read directly. A shard
    /// read directly stays out of the page cache: the next load reads it from the device again,
    /// at the device's speed.
    case automatic
    /// Every owned read directly, conversions and slices too, wherever the file system allows: a
    /// tensor-parallel rank then reads the device's blocks (often 512 bytes) around its slices
    /// instead of whole pages.
    case always
    /// Every read through the page cache (the behaviour before direct reads existed).
    case never

    /// The most of a shard the page cache may hold for `automatic` to read the shard directly.
    /// Reading a cached byte through the cache is a memory copy, several times cheaper than
    /// reading it again from the device, so a shard switches to direct reads only once most of
    /// it would come from the device anyway.
    public static let cachedFractionForDirect = 0.25
}
