import Pretrained

/// The fixed checkpoint folder the `index` target resolves fuzzed index files against.
///
/// ```
/// checkpoint/
///   model-00001-of-00002.safetensors   a: F32 [2], b: BF16 [3]
///   model-00002-of-00002.safetensors   c: I64 []
///   sub/model.safetensors              d: U8 [4]
///   dir.safetensors/                   a folder named like a shard
///   broken.safetensors                 a file whose header is invalid
///   inner.safetensors -> model-00002-of-00002.safetensors   (a link that stays inside)
///   escape.safetensors -> ../outside/secret.safetensors     (a link that escapes)
/// outside/secret.safetensors           e: F16 [1]
/// ```
public enum IndexFixture {
    /// The checkpoint folder's name inside the workspace.
    public static let folder = "checkpoint"
    /// Tensor name -> the shard that holds it, for every tensor inside the folder.
    public static let holdings: [String: String] = [
        "a": "model-00001-of-00002.safetensors", "b": "model-00001-of-00002.safetensors",
        "c": "model-00002-of-00002.safetensors", "d": "sub/model.safetensors",
    ]

    static func make(in workspace: FuzzWorkspace) throws(PretrainedError) {
        try workspace.makeFolder(folder)
        try workspace.makeFolder(folder + "/sub")
        try workspace.makeFolder(folder + "/dir.safetensors")
        try workspace.makeFolder("outside")
        let root = workspace.file(folder)
        try SafetensorsWriter.write([
            try Tensor(name: "a", dtype: .f32, shape: [2], bytes: [0, 0, 128, 63, 0, 0, 0, 64]),
            try Tensor(name: "b", dtype: .bf16, shape: [3], bytes: [128, 63, 0, 64, 64, 64]),
        ], metadata: ["format": "pt"], to: root + "/model-00001-of-00002.safetensors")
        try SafetensorsWriter.write([try Tensor(name: "c", dtype: .i64, shape: [], bytes: [7, 0, 0, 0, 0, 0, 0, 0])],
                                    to: root + "/model-00002-of-00002.safetensors")
        try SafetensorsWriter.write([try Tensor(name: "d", dtype: .u8, shape: [4], bytes: [1, 2, 3, 4])],
                                    to: root + "/sub/model.safetensors")
        try SafetensorsWriter.write([try Tensor(name: "e", dtype: .f16, shape: [1], bytes: [0, 60])],
                                    to: workspace.file("outside/secret.safetensors"))
        try workspace.write(folder + "/broken.safetensors", bytes: [2, 0, 0, 0, 0, 0, 0, 0, 0x5B, 0x5D])
        try workspace.link(folder + "/inner.safetensors", to: "model-00002-of-00002.safetensors")
        try workspace.link(folder + "/escape.safetensors", to: "../outside/secret.safetensors")
    }
}
