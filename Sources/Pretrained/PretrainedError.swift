#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Everything that can go wrong while reading, validating, writing or loading a checkpoint.
///
/// Each case names the file and, where there is one, the tensor, with the reason; its
/// `description` is one plain sentence, for example
/// `model-00002-of-00005.safetensors: tensor 'lm_head.weight' covers 9437200 bytes but its
/// dtype and shape need 9437184`.
public enum PretrainedError: Error, Sendable, Equatable, CustomStringConvertible {
    // MARK: File system

    /// A system call failed; `errno` is its error number.
    case io(file: String, operation: String, errno: Int32)
    /// A `URL` given as a path that is not a `file:` URL on this machine (`https:`, a `file:` URL
    /// naming another host): checkpoints are read and written as local files only.
    case notAFileURL(url: String)

    // MARK: safetensors header

    /// The file is shorter than the 8-byte header length prefix.
    case fileTooSmall(file: String, size: Int)
    /// The header length is below 2, too short for the smallest JSON object `{}`.
    case headerTooSmall(file: String, length: UInt64)
    /// The header length exceeds `SafetensorsHeader.maximumLength` (100,000,000 bytes).
    case headerTooLarge(file: String, length: UInt64)
    /// The header length points beyond the end of the file.
    case headerBeyondFile(file: String, length: UInt64, fileSize: Int)
    /// The header bytes are not valid UTF-8.
    case headerNotUTF8(file: String)
    /// The header does not start with `{`.
    case headerInvalidStart(file: String)
    /// The header is not valid JSON.
    case headerInvalidJSON(file: String, reason: String)
    /// `__metadata__` is not an object of strings.
    case invalidMetadata(file: String, reason: String)
    /// Two header entries share a name.
    case duplicateTensor(file: String, tensor: String)
    /// A tensor entry is not an object with `dtype`, `shape` and `data_offsets` of the right types.
    case invalidTensorInfo(file: String, tensor: String, reason: String)
    /// A tensor's dtype is not one of `DType`.
    case unknownDType(file: String, tensor: String, dtype: String)
    /// A shape entry is not a non-negative integer.
    case invalidShape(file: String, tensor: String, reason: String)
    /// The element count or the bit count of a tensor overflows.
    case sizeOverflow(file: String, tensor: String)
    /// A sub-byte dtype tensor whose bits do not end on a byte boundary.
    case partialByte(file: String, tensor: String, bits: Int)
    /// A tensor's `data_offsets` end before they begin.
    case offsetsReversed(file: String, tensor: String, begin: Int, end: Int)
    /// A tensor starts after the previous one ends, leaving bytes no tensor covers.
    case offsetsHole(file: String, tensor: String, expected: Int, found: Int)
    /// A tensor starts before the previous one ends.
    case offsetsOverlap(file: String, tensor: String, expected: Int, found: Int)
    /// A tensor's byte range does not match what its dtype and shape need.
    case byteCountMismatch(file: String, tensor: String, expected: Int, actual: Int)
    /// The data section is longer (trailing bytes) or shorter (truncated) than the tensors cover.
    case dataSizeMismatch(file: String, expected: Int, actual: Int)

    // MARK: Tensor access and writing

    /// No tensor of that name in the file.
    case tensorNotFound(file: String, tensor: String)
    /// Typed access asked for an element type that does not match the tensor's dtype.
    case elementTypeMismatch(tensor: String, dtype: DType, requested: String)
    /// Bytes handed to the writer do not match the tensor's dtype and shape.
    case invalidTensorData(tensor: String, reason: String)

    // MARK: Checkpoints and indexes

    /// The path does not name a checkpoint (no index, no `model.safetensors`, not a file).
    case noCheckpoint(path: String, reason: String)
    /// An index JSON is malformed.
    case invalidIndex(file: String, reason: String)
    /// An index names a shard path outside the checkpoint folder.
    case shardOutsideCheckpoint(file: String, shard: String)
    /// An index names a shard that does not exist.
    case missingShard(file: String, shard: String)
    /// An index names a shard that exists but is not a regular file; `kind` says what it is
    /// ("a folder", "a FIFO (named pipe)", "a socket", "a symbolic link loop", ...).
    case shardNotAFile(file: String, shard: String, kind: String)
    /// An index maps a tensor to a shard that does not hold it.
    case tensorNotInShard(file: String, tensor: String, shard: String)
    /// Two shards both hold a tensor.
    case tensorInTwoShards(tensor: String, first: String, second: String)

    // MARK: Configs and architectures

    /// `config.json` is missing, not JSON, or has a field of the wrong type.
    case invalidConfig(file: String, reason: String)
    /// No registered architecture has that name, and the config's `model_type` has no default.
    case unknownArchitecture(name: String, known: [String])
    /// An architecture's declarations cannot be applied to its own slots (a programming error in
    /// the architecture, or a config that produces an inconsistent tree).
    case invalidArchitecture(name: String, reason: String)

    // MARK: Loading

    /// A checkpoint tensor's shape differs from its slot's (and mismatches are not ignored).
    case shapeMismatch(file: String, tensor: String, checkpointShape: [Int], modelShape: [Int])
    /// A user key mapping (`LoadOptions.keyMapping`, `--key-mapping`) is not a valid regular expression.
    case invalidKeyMapping(pattern: String, reason: String)
    /// Two checkpoint keys land in the same slot (after the user's and the architecture's renames).
    case keysCollide(slot: String, first: String, second: String)
    /// A checkpoint tensor's dtype cannot be converted to its slot's.
    case unsupportedConversion(file: String, tensor: String, from: DType, to: DType)
    /// A shard changed size while it was being loaded (another process truncated or grew it), or
    /// a mapped shard shrank after the load (`PretrainedModel.checkIntact()`).
    case shardChanged(file: String)
    /// Memory for a tensor could not be allocated.
    case allocationFailed(tensor: String, bytes: Int)
    /// The task running an `async` load was cancelled; the load stopped between shards or tensors.
    case cancelled
    /// A strict load (`LoadOptions.strict`) found keys that did not line up: the counts, and the
    /// first such key with what was wrong with it.
    case strictLoadFailed(checkpoint: String, missing: Int, unexpected: Int, mismatched: Int, first: String)
    /// The slots the checkpoint does not provide (missing, or mismatched and kept at the model's
    /// shape) would take `bytes` of zero-filled memory, more than the checkpoint's `checkpointBytes`
    /// justify (`LoadOptions.unprovidedBytesLimit`, by default `LoadOptions.defaultUnprovidedLimit`).
    case unprovidedSlotsTooLarge(bytes: Int, limit: Int, checkpointBytes: Int)
    /// The load would allocate `bytes` of memory, more than `budget`: the caller's
    /// `LoadOptions.memoryBudget`, or (`addressSpace`) what the process's address-space limit leaves.
    case memoryBudgetExceeded(bytes: Int, budget: Int, addressSpace: Bool)

    // MARK: Compressed shards

    /// The file does not start with a frame of the codec its name announces (`.none`: of any
    /// codec); `found` shows its first bytes.
    case notCompressedAs(file: String, compression: ShardCompression, found: String)
    /// The codec rejected the frame at byte `offset`: corrupt data or a parameter it does not
    /// support; `reason` is the codec's message.
    case corruptFrame(file: String, offset: Int, reason: String)
    /// The frame at byte `offset` decodes to bytes whose checksum does not match the one it stores.
    case frameChecksumMismatch(file: String, offset: Int)
    /// The file ends inside the frame at byte `offset`.
    case truncatedFrame(file: String, offset: Int)
    /// `count` bytes from `offset` on, after the last frame, do not start a frame.
    case trailingGarbage(file: String, offset: Int, count: Int)
    /// The frame at byte `offset` decodes to another size than the `declared` one (`actual` is
    /// `nil` when decoding stopped before the real size was known).
    case frameSizeMismatch(file: String, offset: Int, declared: Int, actual: Int?)
    /// The stream decodes to more bytes than the `expected` length prefix, header and data.
    case decodedBeyondData(file: String, expected: Int)
    /// The header declares more decoded bytes than a stream of this size can decode to.
    case implausibleDecodedSize(file: String, compression: ShardCompression, declared: Int, compressedBytes: Int)
    /// A compression level, frame size or output folder `pretrained compress` cannot use.
    case invalidCompressionOptions(reason: String)
    /// A shard given to `pretrained compress` is already compressed.
    case alreadyCompressed(file: String)
    /// A compressed copy does not decode to the original's bytes.
    case verificationFailed(file: String, reason: String)

    // MARK: Quantization

    /// A config's `quantization_config` / `quantization` that cannot be used: an unknown
    /// `quant_method`, unsupported bits, a group or block size that is not positive.
    case invalidQuantization(file: String, reason: String)
    /// A quantized tensor or companion that does not fit its format (shape, dtype, a missing scale).
    case invalidQuantizedTensor(file: String, tensor: String, reason: String)

    // MARK: Placement

    /// A `--max-memory` spec (`0=10GB,cpu=30GB,disk=1000GB`) or a memory size in it cannot be read.
    case invalidMaxMemory(spec: String, reason: String)
    /// Device-map inference met a state `accelerate` would crash on (a tied parameter whose module
    /// is no longer waiting to be placed).
    case placementFailed(reason: String)
    /// A tensor-parallel rank or size that cannot be used (from the launcher's environment or the
    /// options), or a parameter the collected tp plan shards in a way not supported here.
    case invalidTensorParallel(reason: String)

    public var description: String {
        switch self {
        case let .invalidTensorParallel(reason):
            return "tensor parallelism: \(reason)"
        case let .invalidQuantization(file, reason):
            return "\(file): quantization: \(reason)"
        case let .invalidQuantizedTensor(file, tensor, reason):
            return "\(file): quantized tensor '\(tensor)' \(reason)"
        case let .invalidMaxMemory(spec, reason):
            return "max memory '\(spec)': \(reason)"
        case let .placementFailed(reason):
            return "cannot infer a device map: \(reason)"
        case let .io(file, operation, code):
            return "\(file): \(operation) failed: \(PretrainedError.message(errno: code)) (errno \(code))"
        case let .notAFileURL(url):
            return "'\(url)' is not a file URL on this machine; checkpoints are read and written as local files "
                + "(download it first, or pass a file: URL or a path)"
        case let .fileTooSmall(file, size):
            return "\(file): the file has \(size) bytes, fewer than the 8-byte header length of a safetensors file"
        case let .headerTooSmall(file, length):
            return "\(file): the header length is \(length) bytes, too short for a JSON object"
        case let .headerTooLarge(file, length):
            return "\(file): the header length is \(length) bytes, over the limit of \(SafetensorsHeader.maximumLength)"
        case let .headerBeyondFile(file, length, fileSize):
            return "\(file): the header length is \(length) bytes but the file has only \(fileSize) bytes"
        case let .headerNotUTF8(file):
            return "\(file): the header is not valid UTF-8"
        case let .headerInvalidStart(file):
            return "\(file): the header does not start with '{'"
        case let .headerInvalidJSON(file, reason):
            return "\(file): the header is not valid JSON: \(reason)"
        case let .invalidMetadata(file, reason):
            return "\(file): __metadata__ \(reason)"
        case let .duplicateTensor(file, tensor):
            return "\(file): tensor '\(tensor)' appears more than once in the header"
        case let .invalidTensorInfo(file, tensor, reason):
            return "\(file): tensor '\(tensor)' \(reason)"
        case let .unknownDType(file, tensor, dtype):
            return "\(file): tensor '\(tensor)' has unknown dtype '\(dtype)'"
        case let .invalidShape(file, tensor, reason):
            return "\(file): tensor '\(tensor)' has an invalid shape: \(reason)"
        case let .sizeOverflow(file, tensor):
            return "\(file): tensor '\(tensor)' has a shape whose size overflows"
        case let .partialByte(file, tensor, bits):
            return "\(file): tensor '\(tensor)' has \(bits) bits, which do not end on a byte boundary"
        case let .offsetsReversed(file, tensor, begin, end):
            return "\(file): tensor '\(tensor)' has data_offsets [\(begin), \(end)] that end before they begin"
        case let .offsetsHole(file, tensor, expected, found):
            return "\(file): tensor '\(tensor)' starts at byte \(found) but the previous tensor ends at \(expected), leaving a hole"
        case let .offsetsOverlap(file, tensor, expected, found):
            return "\(file): tensor '\(tensor)' starts at byte \(found), overlapping the previous tensor that ends at \(expected)"
        case let .byteCountMismatch(file, tensor, expected, actual):
            return "\(file): tensor '\(tensor)' covers \(actual) bytes but its dtype and shape need \(expected)"
        case let .dataSizeMismatch(file, expected, actual):
            let what = actual > expected ? "trailing bytes after the last tensor" : "the file is truncated"
            return "\(file): the tensors cover \(expected) bytes of data but the data section has \(actual) (\(what))"
        case let .tensorNotFound(file, tensor):
            return "\(file): no tensor named '\(tensor)'"
        case let .elementTypeMismatch(tensor, dtype, requested):
            return "tensor '\(tensor)' has dtype \(dtype.rawValue), which cannot be read as \(requested)"
        case let .noCheckpoint(path, reason):
            return "\(path): not a checkpoint: \(reason)"
        case let .invalidIndex(file, reason):
            return "\(file): invalid index: \(reason)"
        case let .shardOutsideCheckpoint(file, shard):
            return "\(file): shard '\(shard)' lies outside the checkpoint folder"
        case let .missingShard(file, shard):
            return "\(file): shard '\(shard)' named by the index does not exist"
        case let .shardNotAFile(file, shard, kind):
            return "\(file): shard '\(shard)' named by the index is \(kind), not a regular file"
        case let .tensorNotInShard(file, tensor, shard):
            return "\(file): tensor '\(tensor)' is mapped to shard '\(shard)', which does not hold it"
        case let .tensorInTwoShards(tensor, first, second):
            return "tensor '\(tensor)' is held by both '\(first)' and '\(second)'"
        case let .invalidConfig(file, reason):
            return "\(file): invalid config: \(reason)"
        case let .unknownArchitecture(name, known):
            return "unknown architecture '\(name)'; registered: \(known.joined(separator: ", ")); "
                + "pass generic / --generic to load the checkpoint's own tensors"
        case let .invalidArchitecture(name, reason):
            return "architecture \(name): \(reason)"
        case let .shapeMismatch(file, tensor, checkpointShape, modelShape):
            return "\(file): tensor '\(tensor)' has shape \(checkpointShape) but the model expects \(modelShape) "
                + "(pass ignoreMismatchedSizes / --ignore-mismatched-sizes to load it anyway)"
        case let .invalidKeyMapping(pattern, reason):
            return "key mapping '\(pattern)': \(reason)"
        case let .keysCollide(slot, first, second):
            return "checkpoint keys '\(first)' and '\(second)' both map to '\(slot)'; change the key mapping so each key has its own slot"
        case let .unsupportedConversion(file, tensor, from, to):
            return "\(file): tensor '\(tensor)' has dtype \(from.rawValue), which cannot be converted to \(to.rawValue)"
        case let .shardChanged(file):
            return "\(file): the file changed size after it was opened (another process truncated or rewrote it)"
        case let .allocationFailed(tensor, bytes):
            return "tensor '\(tensor)': cannot allocate \(bytes) bytes"
        case let .unprovidedSlotsTooLarge(bytes, limit, checkpointBytes):
            return "the slots the checkpoint does not provide would take \(bytes) bytes of zero-filled memory, over the "
                + "limit of \(limit) for a checkpoint of \(checkpointBytes) bytes (the config asks for a model far larger "
                + "than its weights; raise LoadOptions.unprovidedBytesLimit to load it anyway)"
        case let .memoryBudgetExceeded(bytes, budget, addressSpace):
            let what = addressSpace ? "what the process's address-space limit leaves" : "the memory budget"
            return "the load needs \(bytes) bytes of memory, over \(what) (\(budget) bytes)"
        case let .notCompressedAs(file, compression, found):
            let expected = compression == .none ? "a zstd or lz4 file" : compression == .lz4 ? "an lz4 file" : "a zstd file"
            return "\(file): not \(expected): it starts with \(found)"
        case let .corruptFrame(file, offset, reason):
            return "\(file): the frame at byte \(offset) is corrupt: \(reason)"
        case let .frameChecksumMismatch(file, offset):
            return "\(file): the frame at byte \(offset) fails its checksum (the data is corrupt)"
        case let .truncatedFrame(file, offset):
            return "\(file): the file ends inside the frame at byte \(offset) (it is truncated)"
        case let .trailingGarbage(file, offset, count):
            return "\(file): \(count) bytes at byte \(offset), after the last frame, are not a frame"
        case let .frameSizeMismatch(file, offset, declared, actual):
            return "\(file): the frame at byte \(offset) declares \(declared) decoded bytes but decodes to "
                + (actual.map { "\($0)" } ?? "a different number")
        case let .decodedBeyondData(file, expected):
            return "\(file): the stream decodes to more than the \(expected) bytes its header accounts for"
        case let .implausibleDecodedSize(file, compression, declared, compressedBytes):
            return "\(file): the header declares \(declared) decoded bytes, more than \(compressedBytes) bytes of "
                + "\(compression.rawValue) can hold"
        case let .invalidCompressionOptions(reason):
            return "cannot compress: \(reason)"
        case let .alreadyCompressed(file):
            return "\(file): the shard is already compressed; compress the plain checkpoint"
        case let .verificationFailed(file, reason):
            return "\(file): the compressed copy does not match the original: \(reason)"
        case let .invalidTensorData(tensor, reason):
            return "tensor '\(tensor)': \(reason)"
        case .cancelled:
            return "the load was cancelled"
        case let .strictLoadFailed(checkpoint, missing, unexpected, mismatched, first):
            return "\(checkpoint): the strict load found \(missing) missing, \(unexpected) unexpected and "
                + "\(mismatched) mismatched keys (first: \(first))"
        }
    }

    static func message(errno code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }
}
