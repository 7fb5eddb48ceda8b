/// What a load found: keys that did not line up between the checkpoint and the model, and how
/// tied pairs were resolved. Names are sorted.
public struct LoadReport: Sendable, Equatable {
    /// A checkpoint tensor whose shape differs from its slot's.
    public struct Mismatch: Sendable, Hashable {
        public var name: String
        public var checkpointShape: [Int]
        public var modelShape: [Int]
    }

    /// A tied slot filled from the other side of its pair, which the checkpoint held alone.
    public struct TiedFill: Sendable, Hashable {
        public var filled: String
        public var from: String
    }

    /// A slot assembled or renamed from differently named checkpoint tensors.
    public struct Conversion: Sendable, Hashable {
        public var name: String
        public var from: [String]
    }

    /// A tied pair the checkpoint holds with different values on each side: both keep their own
    /// values and the pair leaves the tied registry, as `transformers` does.
    public struct Untied: Sendable, Hashable {
        public var target: String
        public var source: String
    }

    /// Model keys the checkpoint did not provide and nothing filled (initialized, see
    /// `initialized`, or zero-filled).
    public var missing: [String] = []
    /// Checkpoint keys, as named in the checkpoint, that the model has no slot for.
    public var unexpected: [String] = []
    /// Shape conflicts (only with `ignoreMismatchedSizes`; otherwise the load fails).
    public var mismatched: [Mismatch] = []
    /// Tied slots filled from the side of their pair the checkpoint held.
    public var tiedFromCheckpoint: [TiedFill] = []
    /// Checkpoint keys the architecture ignores (`_keys_to_ignore_on_load_unexpected`).
    public var ignored: [String] = []
    /// Slots filled through a conversion (renames, fused experts).
    public var converted: [Conversion] = []
    /// Tied pairs left untied because the checkpoint's two sides differ.
    public var untied: [Untied] = []
    /// Tied pairs with neither side in the checkpoint: the checkpoint looks corrupted.
    public var tiedBothMissing: [Untied] = []
    /// Parameters the checkpoint did not provide at all (missing, or reinitialized after a shape
    /// mismatch), initialized as the family's `_init_weights` does, from a seeded generator
    /// (`LoadOptions.initializationSeed`); buffers and partly filled slots stay zero-filled.
    public var initialized: [String] = []
    /// What `transformers` warns about while loading (for example a config whose `model_type` is
    /// not the class's), one sentence each.
    public var warnings: [String] = []

    /// The slots are the checkpoint's own tensors (`LoadOptions.generic`): nothing can be known to
    /// be missing.
    public var structureFromCheckpoint = false

    public init() {}
}
