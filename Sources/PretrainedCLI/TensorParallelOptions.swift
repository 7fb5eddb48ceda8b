import ArgumentParser
import Foundation
import Pretrained

/// `--tp-size N --tp-rank R`: load one rank's slices; without them, the launcher's environment
/// (`OMPI_COMM_WORLD_RANK`/`_SIZE`, `PMI_RANK`/`PMI_SIZE`, `RANK`/`WORLD_SIZE`) decides.
struct TensorParallelOptions: ParsableArguments {
    @Option(name: .customLong("tp-size"), help: "Tensor-parallel group size (default: the launcher's world size).")
    var size: Int?

    @Option(name: .customLong("tp-rank"), help: "This process's tensor-parallel rank (default: the launcher's rank).")
    var rank: Int?

    func validate() throws {
        if let size, size < 1 { throw ValidationError("--tp-size must be at least 1, not \(size)") }
        if let rank, rank < 0 { throw ValidationError("--tp-rank must be non-negative, not \(rank)") }
        if let size, let rank, rank >= size {
            throw ValidationError("--tp-rank \(rank) must be below --tp-size \(size)")
        }
    }

    /// Explicit flags win over the environment; `nil` when neither gives a size.
    func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws(PretrainedError) -> TensorParallelRank? {
        try TensorParallelRank.resolve(rank: rank, size: size, environment: environment)
    }
}

extension TensorSlice {
    /// `{"dim": d, "start": s, "length": l}`; a packed slice adds `"parts"`, each part's
    /// `{"start", "length"}` in order (the local tensor is the parts concatenated along `dim`), and
    /// its `"start"` and `"length"` are the first part's start and the total.
    var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            (key: "dim", value: .int(dim)), (key: "start", value: .int(start)), (key: "length", value: .int(length)),
        ]
        if isPacked {
            members.append((key: "parts", value: .array(ranges.map {
                .object([(key: "start", value: .int($0.lowerBound)), (key: "length", value: .int($0.count))])
            })))
        }
        return .object(members)
    }
}

extension TensorParallelLayout {
    /// `{"rank": R, "size": N}`.
    var json: JSONValue { .object([(key: "rank", value: .int(rank)), (key: "size", value: .int(size))]) }
}
