/// Every architecture that ships with swift-pretrained.
enum BuiltinArchitectures {
    static let all: [any Architecture] = {
        var list: [any Architecture] = [
            GPT2Architecture(name: "GPT2Model"), GPT2Architecture(name: "GPT2LMHeadModel"),
            BertArchitecture(head: .none), BertArchitecture(head: .maskedLM),
            T5Architecture(variant: .model), T5Architecture(variant: .conditionalGeneration), T5Architecture(variant: .encoder),
        ]
        for variant in LlamaFamilyArchitecture.variants {
            list += variant.heads.map { LlamaFamilyArchitecture(variant: variant, head: $0) }
        }
        for head in [DecoderHead.base, .causalLM] {
            list += [PhiArchitecture(head: head), Phi3Architecture(head: head), GPTNeoXArchitecture(head: head),
                     Starcoder2Architecture(head: head), DeepseekV3Architecture(head: head),
                     GptOssArchitecture(head: head), Qwen3NextArchitecture(head: head)] as [any Architecture]
        }
        return list
    }()
}
