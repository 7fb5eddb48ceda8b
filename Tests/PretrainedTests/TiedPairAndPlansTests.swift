import Foundation
import Testing
@testable import Pretrained

/// The tied registry (`[TiedPair]`) and the parallel plans (`ParallelPlans` of `Rule`s and
/// `Stage`s) are value types: equal exactly when every field is, in order, and `Codable` with
/// named fields, so a host can store and compare them.
@Suite struct TiedPairAndPlansTests {
    static func sortedJSON(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test(arguments: ["GPT2LMHeadModel", "LlamaForCausalLM", "MixtralForCausalLM", "Qwen3NextForCausalLM", "T5ForConditionalGeneration"])
    func loadedRegistriesAndPlansSurviveACodableRoundTrip(name: String) throws {
        let model = try load(pretrained: Fixtures.path("models/\(name)"))
        #expect(!model.tiedWeights.isEmpty || !model.plans.isEmpty, "\(name) has nothing to round-trip")
        let tied = try JSONDecoder().decode([TiedPair].self, from: JSONEncoder().encode(model.tiedWeights))
        #expect(tied == model.tiedWeights)
        let plans = try JSONDecoder().decode(ParallelPlans.self, from: JSONEncoder().encode(model.plans))
        #expect(plans == model.plans)
        #expect(plans.tp.count + plans.pp.count + plans.ep.count
                == model.plans.tp.count + model.plans.pp.count + model.plans.ep.count)
    }

    @Test func loadedValuesAreTheDeclaredOnes() throws {
        let gpt2 = try load(pretrained: Fixtures.path("models/GPT2LMHeadModel"))
        #expect(gpt2.tiedWeights == [TiedPair(target: "lm_head.weight", source: "transformer.wte.weight")])
        let llama = try load(pretrained: Fixtures.path("models/LlamaForCausalLM"))
        #expect(llama.plans.tp.contains(ParallelPlans.Rule(pattern: "lm_head", strategy: "colwise_gather_output")))
        #expect(llama.plans.pp.contains(
            ParallelPlans.Stage(pattern: "model.layers", inputs: ["hidden_states", "attention_mask"], outputs: ["hidden_states"])))
    }

    @Test func theEncodedFormNamesEveryField() throws {
        #expect(try Self.sortedJSON(TiedPair(target: "lm_head.weight", source: "wte.weight"))
                == #"{"source":"wte.weight","target":"lm_head.weight"}"#)
        let plans = ParallelPlans(tp: [("a", "colwise")], pp: [("layers", ["x"], ["y"])], ep: [("e", "grouped_gemm")])
        #expect(try Self.sortedJSON(plans) == #"{"ep":[{"pattern":"e","strategy":"grouped_gemm"}],"#
                + #""pp":[{"inputs":["x"],"outputs":["y"],"pattern":"layers"}],"tp":[{"pattern":"a","strategy":"colwise"}]}"#)
    }

    @Test func equalityComparesEveryFieldInOrder() {
        let tp = [("a", "colwise"), ("b", "rowwise")]
        let pp = [("layers", ["x"], ["y"])]
        let base = ParallelPlans(tp: tp, pp: pp)
        #expect(base == ParallelPlans(tp: tp, pp: pp))
        #expect(base != ParallelPlans(tp: tp.reversed(), pp: pp))
        #expect(base != ParallelPlans(tp: [("a", "colwise"), ("b", "colwise")], pp: pp))
        #expect(base != ParallelPlans(tp: tp, pp: [("layers", ["x"], ["z"])]))
        #expect(base != ParallelPlans(tp: tp, pp: [("layers", ["w"], ["y"])]))
        #expect(base != ParallelPlans(tp: tp, pp: pp, ep: [("e", "grouped_gemm")]))
        #expect(Set([base, ParallelPlans(tp: tp, pp: pp), ParallelPlans()]).count == 2)
        #expect(TiedPair(target: "a", source: "b") != TiedPair(target: "b", source: "a"))
        #expect(Set([TiedPair(target: "a", source: "b"), TiedPair(target: "a", source: "b")]).count == 1)
    }
}
