import Synchronization

/// The architectures `load(pretrained:)` can build, by class name, with a default class per
/// `model_type` (the base model, as `AutoModel` picks). Thread-safe; register your own with
/// `ArchitectureRegistry.shared.register(_:)`.
public final class ArchitectureRegistry: Sendable {
    private struct State {
        var byName: [String: any Architecture] = [:]
        var defaultByModelType: [String: String] = [:]
    }

    private let state = Mutex(State())

    /// The registry used by default, holding every built-in family.
    public static let shared: ArchitectureRegistry = {
        let registry = ArchitectureRegistry()
        for architecture in BuiltinArchitectures.all { registry.register(architecture) }
        return registry
    }()

    /// An empty registry.
    public init() {}

    /// Adds `architecture` (replacing one of the same name). A base model becomes the default for
    /// its `model_type`.
    public func register(_ architecture: any Architecture) {
        state.withLock { state in
            state.byName[architecture.name] = architecture
            if architecture.isBaseModel { state.defaultByModelType[architecture.modelType] = architecture.name }
        }
    }

    /// The architecture named `name`, if registered.
    public func architecture(named name: String) -> (any Architecture)? {
        state.withLock { $0.byName[name] }
    }

    /// Every registered class name, sorted.
    public var names: [String] {
        state.withLock { $0.byName.keys.sorted() }
    }

    /// The architecture for `config`: `name` when given, else `architectures[0]`, else the
    /// default class of `model_type`.
    ///
    /// - Throws: `PretrainedError.unknownArchitecture`, or `.invalidConfig` when the config names
    ///   neither an architecture nor a model type.
    public func resolve(_ config: ModelConfig, name: String? = nil) throws(PretrainedError) -> any Architecture {
        if let wanted = name ?? config.architectures.first {
            guard let architecture = architecture(named: wanted) else {
                throw .unknownArchitecture(name: wanted, known: names)
            }
            return architecture
        }
        guard let modelType = config.modelType else {
            throw .invalidConfig(file: config.file, reason: "neither 'architectures' nor 'model_type' is set")
        }
        guard let found = state.withLock({ $0.defaultByModelType[modelType] }), let architecture = architecture(named: found) else {
            throw .unknownArchitecture(name: "model_type '\(modelType)'", known: names)
        }
        return architecture
    }
}
