/// Every architecture that ships with swift-pretrained.
enum BuiltinArchitectures {
    static let all: [any Architecture] = {
        var list: [any Architecture] = [
            GPT2Architecture(name: "GPT2Model"), GPT2Architecture(name: "GPT2LMHeadModel"),
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
        list += BertLikeArchitecture.all
        list += DistilBertArchitecture.Head.allCases.map { DistilBertArchitecture(head: $0) }
        list += [MPNetArchitecture(isBaseModel: true), MPNetArchitecture(isBaseModel: false)]
        list += ElectraArchitecture.Head.allCases.map { ElectraArchitecture(head: $0) }
        list += ModernBertArchitecture.Head.allCases.map { ModernBertArchitecture(head: $0) }
        list += [DebertaV2Architecture(isBaseModel: true), DebertaV2Architecture(isBaseModel: false)]
        list.append(NomicBertArchitecture())
        list += [BartArchitecture(isBaseModel: true), BartArchitecture(isBaseModel: false)]
        list += [WhisperArchitecture(isBaseModel: true), WhisperArchitecture(isBaseModel: false)]
        list += [ViTArchitecture(isBaseModel: true), ViTArchitecture(isBaseModel: false)]
        list += CLIPArchitecture.Variant.allCases.map { CLIPArchitecture(variant: $0) }
        list += SiglipArchitecture.Variant.allCases.map { SiglipArchitecture(variant: $0) }
        return list
    }()
}
