/// This process's place in a tensor-parallel group: its rank and the group size, given
/// explicitly or read from the launcher's environment.
///
/// ```swift
/// let tp = try TensorParallelRank.resolve(rank: nil, size: nil, environment: ProcessInfo.processInfo.environment)
/// // under `mpirun -np 4`: OMPI_COMM_WORLD_RANK / OMPI_COMM_WORLD_SIZE; under torchrun: RANK / WORLD_SIZE
/// ```
public struct TensorParallelRank: Sendable, Hashable {
    /// This process's rank, `0 ..< size`.
    public var rank: Int
    /// The number of ranks.
    public var size: Int

    /// - Throws: `PretrainedError.invalidTensorParallel` when `size < 1` or `rank` is outside `0 ..< size`.
    public init(rank: Int, size: Int) throws(PretrainedError) {
        guard size >= 1 else { throw .invalidTensorParallel(reason: "the size must be at least 1, not \(size)") }
        guard (0..<size).contains(rank) else {
            throw .invalidTensorParallel(reason: "rank \(rank) is outside 0..<\(size) (the rank must be below the size)")
        }
        self.rank = rank
        self.size = size
    }

    /// The launchers' variables, (rank, size) per launcher, in the order they are consulted:
    /// Open MPI, PMI (MPICH, Slurm, Intel MPI), torchrun.
    public static let launcherVariables = [
        (rank: "OMPI_COMM_WORLD_RANK", size: "OMPI_COMM_WORLD_SIZE"),
        (rank: "PMI_RANK", size: "PMI_SIZE"),
        (rank: "RANK", size: "WORLD_SIZE"),
    ]

    /// Rank and size from the launcher's environment, or `nil` when no launcher variable is set.
    ///
    /// Every launcher whose variables are set must agree; a rank without its size (or the
    /// reverse), a value that is not a non-negative integer, and torchrun's `LOCAL_RANK` above its
    /// `RANK`'s group are errors.
    ///
    /// - Throws: `PretrainedError.invalidTensorParallel` naming the variables.
    public static func fromEnvironment(_ environment: [String: String]) throws(PretrainedError) -> TensorParallelRank? {
        var found: (rank: Int, size: Int, source: String)?
        for variables in launcherVariables {
            let rankText = environment[variables.rank], sizeText = environment[variables.size]
            if rankText == nil && sizeText == nil { continue }
            guard let rankText, let sizeText else {
                let (set, unset) = rankText == nil ? (variables.size, variables.rank) : (variables.rank, variables.size)
                throw .invalidTensorParallel(reason: "\(set) is set but \(unset) is not")
            }
            let rank = try integer(rankText, variable: variables.rank)
            let size = try integer(sizeText, variable: variables.size)
            let source = "\(variables.rank)=\(rank) \(variables.size)=\(size)"
            if let found, found.rank != rank || found.size != size {
                throw .invalidTensorParallel(reason: "the launchers' variables disagree: \(found.source) but \(source)")
            }
            found = found ?? (rank, size, source)
        }
        guard let found else { return nil }
        if let localText = environment["LOCAL_RANK"], environment["RANK"] != nil {
            let local = try integer(localText, variable: "LOCAL_RANK")
            guard local <= found.rank else {
                throw .invalidTensorParallel(reason: "LOCAL_RANK=\(local) is above RANK=\(found.rank)")
            }
        }
        do {
            return try TensorParallelRank(rank: found.rank, size: found.size)
        } catch {
            throw .invalidTensorParallel(reason: "\(found.source): \(error.reasonText)")
        }
    }

    /// Explicit values win over the environment's; a value not given comes from the environment.
    /// `nil` when neither gives a size. An explicit size without a rank takes the environment's
    /// rank, and rank 0 when the environment has none only if the size is 1.
    ///
    /// - Throws: `PretrainedError.invalidTensorParallel` for inconsistent or missing values.
    public static func resolve(rank: Int?, size: Int?,
                               environment: [String: String]) throws(PretrainedError) -> TensorParallelRank? {
        let launched = try fromEnvironment(environment)
        guard let size = size ?? launched?.size else {
            if let rank { throw .invalidTensorParallel(reason: "a rank (\(rank)) was given without a size") }
            return nil
        }
        guard let rank = rank ?? launched?.rank ?? (size == 1 ? 0 : nil) else {
            throw .invalidTensorParallel(reason: "a size (\(size)) was given without a rank, and no launcher set one")
        }
        return try TensorParallelRank(rank: rank, size: size)
    }

    private static func integer(_ text: String, variable: String) throws(PretrainedError) -> Int {
        guard let value = Int(text), value >= 0 else {
            throw .invalidTensorParallel(reason: "\(variable)='\(text)' is not a non-negative integer")
        }
        return value
    }
}

extension PretrainedError {
    /// The reason of an `invalidTensorParallel` error, else the description.
    var reasonText: String {
        if case .invalidTensorParallel(let reason) = self { return reason }
        return description
    }
}
