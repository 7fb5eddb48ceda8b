import Testing
@testable import Pretrained

/// No quiet differences: a class of another `model_type` is warned about as `transformers` warns,
/// and a strict load fails on any key that did not line up.
@Suite struct StrictLoadTests {
    let gpt2 = Fixtures.path("models/GPT2LMHeadModel")

    @Test func anotherModelTypeIsWarnedAbout() throws {
        var options = LoadOptions(architecture: "BertModel")
        let model = try load(pretrained: gpt2, options: options)
        #expect(model.report.warnings.first == "You are using a model of type gpt2 to instantiate a model of type bert. "
            + "This is not supported for all configurations of models and can yield errors.")
        // BERT's defaults make 440 MB of missing parameters from a 100 KB checkpoint: left zero-filled.
        #expect(model.report.warnings.last?.hasSuffix("are left zero-filled instead of initialized") == true)
        #expect(model.report.initialized.isEmpty)
        options.architecture = "GPT2Model"
        #expect(try load(pretrained: gpt2, options: options).report.warnings.isEmpty)
    }

    @Test func strictFailsOnMissingUnexpectedOrMismatchedKeys() throws {
        var options = LoadOptions(architecture: "BertModel")
        options.strict = true
        #expect {
            try load(pretrained: gpt2, options: options)
        } throws: { error in
            guard case let .strictLoadFailed(_, missing, unexpected, mismatched, first) = error as? PretrainedError else { return false }
            return missing > 0 && unexpected > 0 && mismatched == 0 && first.hasSuffix("is unexpected")
        }
        // Tied fills are not missing: a head-only checkpoint passes; a complete one passes.
        options.architecture = nil
        #expect(try load(pretrained: Fixtures.path("cases/gpt2-lmhead-only"), options: options).report.missing.isEmpty)
        #expect(try load(pretrained: gpt2, options: options).report.missing.isEmpty)
        // A mismatched key fails too (reported only with ignoreMismatchedSizes).
        options.ignoreMismatchedSizes = true
        #expect {
            try load(pretrained: Fixtures.path("cases/llama-shape-mismatch"), options: options)
        } throws: { error in
            guard case let .strictLoadFailed(_, _, _, mismatched, first) = error as? PretrainedError else { return false }
            return mismatched > 0 && first.contains("has shape")
        }
    }

    @Test func theCommandLineWarnsAndFailsStrictly() throws {
        let warned = try CommandResult.run(["load", gpt2, "--architecture", "BertModel", "--json"])
        #expect(warned.status == 0)
        #expect(warned.stderr.contains("warning: You are using a model of type gpt2 to instantiate a model of type bert."))
        let strict = try CommandResult.run(["load", gpt2, "--architecture", "BertModel", "--strict"])
        #expect(strict.status == 1)
        #expect(strict.stderr.hasPrefix("error: ") && strict.stderr.contains("strict load found"))
    }
}
