import Synchronization
import Testing
@testable import Pretrained

/// Loading with a device map: accelerator placements go through the caller's allocator, `cpu`
/// placements are owned copies, `disk` placements stay lazy views; the bytes equal a plain load.
@Suite struct DeviceMapLoadTests {
    /// Hands out external host buffers and records which slots asked for which device.
    final class RecordingAllocator: TensorAllocator {
        let requests = Mutex<[String: Int]>([:])

        func allocate(_ slot: TensorSlot, device: Int) throws(PretrainedError) -> TensorStorage {
            requests.withLock { $0[slot.name] = device }
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: slot.byteCount, alignment: 64)
            return TensorStorage(external: buffer) { $0.deallocate() }
        }
    }

    @Test(arguments: ["models/LlamaForCausalLM", "models/GPT2LMHeadModel", "cases/llama-bf16-as-f32"])
    func placementsDecideTheMemoryAndBytesMatchAPlainLoad(fixture: String) throws {
        let path = Fixtures.path(fixture)
        let plain = try load(pretrained: path)
        let skeleton = plain.meta
        let total = skeleton.slots.reduce(0) { $0 + $1.byteCount }
        // The smallest budgets (accelerate reserves room for the largest layer) that spread the
        // model over an accelerator, host memory and disk.
        var map = DeviceMap(entries: [], bytes: [:])
        for percent in stride(from: 40, through: 90, by: 5) {
            let share = total * percent / 100
            map = try skeleton.inferDeviceMap(maxMemory: try MaxMemory(parsing: "0=\(share),cpu=\(share),disk=\(10 * total)"))
            if Set(map.entries.map(\.device)).count >= 2 { break }
        }
        #expect(Set(map.entries.map(\.device)).count >= 2, "the map should use several devices: \(map.entries)")

        let allocator = RecordingAllocator()
        var options = LoadOptions()
        options.deviceMap = map
        options.allocator = allocator
        let placed = try load(pretrained: path, options: options)

        #expect(placed.parameters.map { $0.sha256() } == plain.parameters.map { $0.sha256() })
        let requests = allocator.requests.withLock { $0 }
        for tensor in placed.parameters where placed.storageName(of: tensor.name) == tensor.name {
            switch map.device(of: tensor.name) {
            case .accelerator(let ordinal)?:
                #expect(requests[tensor.name] == ordinal, "\(tensor.name)")
                if case .external = tensor.storage.backing {} else { Issue.record("\(tensor.name) not from the allocator") }
            case .cpu?:
                #expect(!tensor.storage.isMapped && requests[tensor.name] == nil, "\(tensor.name)")
            case .disk?:
                let converted = plain.parameters.first { $0.name == tensor.name }.map { !$0.storage.isMapped } ?? true
                #expect(tensor.storage.isMapped || converted, "\(tensor.name) should stay a lazy view")
            case nil:
                Issue.record("\(tensor.name) has no placement")
            }
        }
        #expect(placed.tiedWeights.map(\.target) == plain.tiedWeights.map(\.target))
    }

    @Test func anAllocatorReturningTheWrongSizeIsAnError() throws {
        struct Short: TensorAllocator {
            func allocate(_ slot: TensorSlot, device: Int) throws(PretrainedError) -> TensorStorage {
                TensorStorage(uninitializedByteCount: max(0, slot.byteCount - 1))
            }
        }
        var options = LoadOptions()
        options.deviceMap = DeviceMap(entries: [.init(module: "", device: .accelerator(0))], bytes: [:])
        options.allocator = Short()
        #expect(throws: PretrainedError.self) { try load(pretrained: Fixtures.path("models/LlamaForCausalLM"), options: options) }
    }
}
