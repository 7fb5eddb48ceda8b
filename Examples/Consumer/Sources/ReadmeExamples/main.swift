// The README's library examples, run from the repository root (`swift run --package-path
// Examples/Consumer`). Each region between `// README: NAME` and `// README: end` is a README code
// block, character for character after its indentation; the checks between regions make the run
// fail when an example stops doing what the README says.
import Foundation
import Pretrained

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ends the run with exit status 1 when `condition` is false.
func check(_ condition: Bool, _ message: String) {
    guard !condition else { return }
    print("README example failed: \(message)")
    exit(1)
}

// README: library
// Load a model as transformers' from_pretrained does (dtype "auto" by default).
let model = try load(pretrained: "Examples/tiny-gpt2")
print(model.architecture)               // GPT2LMHeadModel
print(model.tiedWeights)                // [TiedPair(target: "lm_head.weight", source: "transformer.wte.weight")]
print(model.report.missing)             // []
let head = model["lm_head.weight"]!     // a Tensor: name, dtype, shape, storage
let embedding = model["transformer.wte.weight"]!
print(head.sharesStorage(with: embedding))   // true: one storage, two names
let logits = try head.floats()

// Options: dtype conversion, another class, owned copies, the pread backend, mismatches.
let f32 = try load(pretrained: "Examples/tiny-gpt2", options: LoadOptions(dtype: .fixed(.f32), copy: true))
// README: end
check(model.architecture == "GPT2LMHeadModel", "architecture")
check(model.tiedWeights.map(\.target) == ["lm_head.weight"] && model.report.missing.isEmpty, "tied map and report")
check(head.sharesStorage(with: embedding) && logits.count == head.shape.reduce(1, *), "tied storage and values")
check(f32.parameters.allSatisfy { $0.dtype == .f32 }, "dtype option")

// README: prefetch
var cold = LoadOptions()
cold.prefetch = true                    // the CLI's --prefetch (and --checksums)
let prefetched = try load(pretrained: "Examples/tiny-gpt2", options: cold)
print(prefetched.prefetch!.totalBytes)  // the mapped weights' bytes, page-rounded
prefetched.prefetch?.wait()             // or: await prefetched.prefetch?.completion()
print(prefetched.prefetch!.bytesDone == prefetched.prefetch!.totalBytes)   // true
// README: end
check(prefetched.prefetch!.isComplete && prefetched.prefetch!.bytesDone == prefetched.prefetch!.totalBytes
      && prefetched.prefetch!.totalBytes >= model.totalBytes, "prefetch")

// README: lifecycle
// Build from the config without a checkpoint, initialized as the family's _init_weights does.
var fresh = try PretrainedModel(config: model.config, seed: 42)
fresh.config = fresh.config.setting("tie_word_embeddings", to: false)
try fresh.tieWeights()                  // re-expands the tied map from the config: unties
fresh.untieWeights()
try fresh.postInit()
// README: end
check(fresh.tiedWeights.isEmpty, "untied after tie_word_embeddings = false")
check(!fresh["lm_head.weight"]!.sharesStorage(with: fresh["transformer.wte.weight"]!), "untied storage")

// README: paths
// A path may also be a FilePath (swift-system: import SystemPackage) or a file: URL.
let fromURL = try load(pretrained: URL(filePath: "Examples/tiny-gpt2"))
try fromURL.save(pretrained: URL(filePath: "/tmp/tiny-gpt2-copy", directoryHint: .isDirectory))
do {
    _ = try load(pretrained: URL(string: "https://huggingface.co/gpt2")!)
} catch {
    print(error)                        // 'https://huggingface.co/gpt2' is not a file URL on this machine; ...
}
// README: end
let remote = Result { () throws(PretrainedError) in try load(pretrained: URL(string: "https://huggingface.co/gpt2")!) }
guard case .failure(.notAFileURL("https://huggingface.co/gpt2")) = remote else { check(false, "a remote URL is refused"); exit(1) }
check(fromURL.parameters.map { $0.sha256() } == model.parameters.map { $0.sha256() }, "load by URL")
check(try load(pretrained: "/tmp/tiny-gpt2-copy").parameters.count == model.parameters.count, "save by URL")

// README: placement
// Place a model that does not fit in one memory, and load it there.
let skeleton = try MetaModel(config: model.config)
let map = try skeleton.inferDeviceMap(maxMemory: MaxMemory(parsing: "0=60KB,cpu=60KB,disk=1GB"))
var placed = LoadOptions()
placed.deviceMap = map                  // cpu: owned copies; disk: lazy views; 0, 1, ...: your allocator
placed.allocator = HostAllocator()      // or your own TensorAllocator (pinned, Metal, CUDA host buffers)
let onDevices = try load(pretrained: "Examples/tiny-gpt2", options: placed)
print(map.entries.map { "\($0.module) -> \($0.device)" })
// README: end
check(Set(map.entries.map(\.device)).count > 1, "the map spreads the model over several devices")
check(onDevices.parameters.map { $0.sha256() } == model.parameters.map { $0.sha256() }, "placed load, same bytes")

// README: allocator
/// Gives the slots a device map places on accelerator 0 memory from a C engine's allocator
/// (`posix_memalign` and `free`, from Glibc or Darwin, stand in for the engine's own): the loader fills the engine's
/// buffers directly, and the engine's deallocator runs when the last tensor using one is released.
struct EngineAllocator: TensorAllocator {
    func allocate(_ slot: TensorSlot, device: Int) throws(PretrainedError) -> TensorStorage {
        var memory: UnsafeMutableRawPointer?
        guard posix_memalign(&memory, 64, max(slot.byteCount, 1)) == 0, let memory else {
            throw .allocationFailed(tensor: slot.name, bytes: slot.byteCount)
        }
        return TensorStorage(external: UnsafeMutableRawBufferPointer(start: memory, count: slot.byteCount)) { buffer in
            free(buffer.baseAddress)
        }
    }
}

var engine = LoadOptions()
engine.deviceMap = map
engine.allocator = EngineAllocator()
let inEngine = try load(pretrained: "Examples/tiny-gpt2", options: engine)
// README: end
check(inEngine.parameters.contains { if case .external = $0.storage.backing { true } else { false } }, "engine memory")
check(inEngine.parameters.map { $0.sha256() } == model.parameters.map { $0.sha256() }, "engine load, same bytes")

// README: skeleton
// The skeleton alone: every slot's name, shape and dtype, no weight memory.
let config = try ModelConfig.read(path: "Tests/PretrainedTests/Fixtures/configs/Llama-2-7b-hf/config.json")
let llama = try MetaModel(config: config)
print(llama.parameterCount)             // 6738415616
print(llama.plans.tp.prefix(2))         // [Rule(pattern: "lm_head", strategy: "colwise_gather_output"), ...]
print(llama.modules.count)              // per-module parameter counts and bytes, in model order
print(llama.tyingSavings)               // what sharing storage saves (nothing: Llama 2 is untied)
// README: end
check(llama.parameterCount == 6_738_415_616, "Llama-2-7B parameter count")

// README: files
// One file: a validated header, tensors as zero-copy views of the mapping.
let file = try SafetensorsFile(path: "Examples/tiny-gpt2/model-00001-of-00004.safetensors")
let first = try file.tensor(named: file.header.tensors[0].name)
let values: [Float] = try first.floats()                             // F32, F16 and BF16 widen exactly

// A checkpoint: a folder, a single file, an index JSON, or a model id in the local HF cache.
let checkpoint = try Checkpoint.locate("Examples/tiny-gpt2")
let opened = try OpenedCheckpoint.open(checkpoint)                   // every shard opened once, cross-checked with the index

// Writing, atomically (temporary file, fsync, rename); the sharded writer creates its folder.
let output = "/tmp/pretrained-readme-example"
try ShardedCheckpointWriter.write(model.parameters, maxShardBytes: 64 << 10, to: output)  // model-0000K-of-0000N + index
try SafetensorsWriter.write([first], metadata: ["format": "pt"], to: output + "/first.safetensors")
try model.save(pretrained: output + "-saved")   // as save_pretrained: config.json, shards, tied names once
// README: end
check(values.count == first.shape.reduce(1, *) && opened.shards.count == 4, "file and checkpoint reads")
let written = try OpenedCheckpoint.open(Checkpoint.resolve(output))
check(written.totalBytes == model.parameters.reduce(0) { $0 + $1.byteCount }, "the sharded writer wrote every tensor")

// README: architecture
struct TinyMLP: Architecture {
    let name = "TinyMLPForRegression"          // config.json's architectures[0]
    let modelType = "tiny-mlp"
    let baseModelPrefix = "mlp"
    let noSplitModules = ["TinyBlock"]
    var tiedWeightsKeys: [(target: String, source: String)] { [("head.weight", "mlp.embed.weight")] }

    func build(_ config: ModelConfig) throws(PretrainedError) -> Module {
        let width = try config.positiveInt("hidden_size", default: 64)
        let vocab = try config.positiveInt("vocab_size", default: 100)
        let block = Module("TinyBlock", children: [("fc", .linear(in: width, out: width)), ("norm", .layerNorm(width))])
        return Module(name, children: [
            ("mlp", Module("TinyMLP", children: [("embed", .embedding(vocab, width)),
                                                 ("blocks", .list(Array(repeating: block, count: 2)))],
                           plans: ParallelPlans(tp: [("blocks.*.fc", "colwise")]))),
            ("head", .linear(in: width, out: vocab, bias: false)),
        ])
    }
}

ArchitectureRegistry.shared.register(TinyMLP())
// README: end
let tiny = try MetaModel(config: ModelConfig(json: .object([("architectures", ["TinyMLPForRegression"]), ("vocab_size", 64)])))
check(tiny.slots.first?.name == "mlp.embed.weight" && tiny.slots.last?.name == "head.weight", "TinyMLP's slots")
check(tiny.plans.tp.map { $0.pattern } == ["mlp.blocks.*.fc"], "TinyMLP's plan, under its module's prefix")
check(tiny.tiedWeights.map { $0.target } == ["head.weight"], "TinyMLP's tied head")
let saved = try load(pretrained: output + "-saved")
check(saved.parameters.map { $0.sha256() } == model.parameters.map { $0.sha256() }, "save(pretrained:) round trip")
print("README examples: all ran")
