import Testing
@testable import Pretrained
@testable import PretrainedCLI

/// `--max-memory` specs and sizes, read as `accelerate`'s `convert_file_size_to_int` reads them
/// (expected values produced by accelerate 1.15 itself).
@Suite struct DeviceMapMaxMemoryTests {
    static let accepted: [(String, Int)] = [
        ("10GB", 10_000_000_000), ("10GiB", 10_737_418_240), ("1.5GiB", 1_610_612_736), ("500MB", 500_000_000),
        ("500MiB", 524_288_000), ("64KB", 64_000), ("64KiB", 65_536),
        // A decimal unit ending in a lower-case b counts bits.
        ("10gb", 1_250_000_000), ("10Gb", 1_250_000_000), ("500mb", 62_500_000), ("1.5kib", 1536),
        // Python float syntax: spaces, underscores, exponents, bare points, signs; truncation to int.
        (" 2 GB", 2_000_000_000), ("1_000MB", 1_000_000_000), ("1e3MB", 1_000_000_000), (".5GB", 500_000_000),
        ("5.GB", 5_000_000_000), ("+2GB", 2_000_000_000), ("0GB", 0), ("-0.0000000001GB", 0),
        ("3.999999999GB", 3_999_999_999),
        // Plain digits: bytes (accelerate receives them as an int).
        ("123456", 123_456), ("0", 0),
    ]

    static let rejected = ["10TB", "abc", "GB", "1__0GB", "inf GB", "nan GB", "-5GB", "1,5GB", "0x10GB", "10 B", "",
                           "1e400GB", "99999999999999999999"]

    @Test(arguments: accepted)
    func sizesReadAsAccelerateReadsThem(text: String, bytes: Int) throws {
        #expect(try MemorySize.parse(text) == bytes)
    }

    @Test(arguments: rejected)
    func malformedSizesAreTypedErrors(text: String) {
        #expect(throws: PretrainedError.self) { try MemorySize.parse(text) }
    }

    @Test func specsListDevicesInFillOrder() throws {
        let budget = try MaxMemory(parsing: "cpu=30GB, 1=10GiB,disk=1000GB,0=10GB")
        #expect(budget.devices == [.accelerator(0), .accelerator(1), .cpu, .disk])
        #expect(budget[.accelerator(1)] == 10_737_418_240)
        #expect(budget[.cpu] == 30_000_000_000)
        #expect(budget.description == "0=10000000000,1=10737418240,cpu=30000000000,disk=1000000000000")
        #expect(try MaxMemory(parsing: budget.description) == budget)
    }

    @Test func badSpecsNameTheProblem() {
        #expect(throws: PretrainedError.invalidMaxMemory(
            spec: "gpu=1GB", reason: "unknown device 'gpu': use accelerator ordinals (0, 1, ...), cpu or disk")) {
            try MaxMemory(parsing: "gpu=1GB")
        }
        #expect(throws: PretrainedError.invalidMaxMemory(spec: "0=1GB,0=2GB", reason: "device 0 is given twice")) {
            try MaxMemory(parsing: "0=1GB,0=2GB")
        }
        #expect(throws: PretrainedError.invalidMaxMemory(spec: "cpu=4TB", reason:
            "the size '4TB' has the unit 'TB', which is not one: accelerate accepts GB, MB, KB (powers of 1000), "
                + "GiB, MiB, KiB (powers of 1024), or plain digits for bytes; there is no TB")) {
            try MaxMemory(parsing: "cpu=4TB")
        }
        for spec in ["", " ", "cpu", "cpu=1GB,", "=1GB", "-1=1GB", "mps=1GB", "CPU=1GB", "0=1GB;cpu=1GB"] {
            #expect(throws: PretrainedError.self, "\(spec)") { try MaxMemory(parsing: spec) }
        }
        #expect(throws: PretrainedError.self) { try MaxMemory([.accelerator(-1): 5]) }
        #expect(throws: PretrainedError.self) { try MaxMemory([.cpu: -5]) }
    }

    @Test func errorDescriptionsAreOneSentence() {
        let error = PretrainedError.invalidMaxMemory(spec: "cpu=4TB", reason: "the size '4TB' has no unit")
        #expect(error.description == "max memory 'cpu=4TB': the size '4TB' has no unit")
    }

    @Test func devicesOrderAndPrintAsAccelerateNamesThem() {
        #expect([Device.disk, .cpu, .accelerator(2), .accelerator(0)].sorted() == [.accelerator(0), .accelerator(2), .cpu, .disk])
        #expect(Device.accelerator(3).json == .int(3))
        #expect(Device.cpu.json == "cpu")
        #expect(Device.disk.description == "disk")
    }
}
