/// Every architecture that ships with swift-pretrained.
enum BuiltinArchitectures {
    static let all: [any Architecture] = {
        var list: [any Architecture] = [
            GPT2Architecture(name: "GPT2Model"), GPT2Architecture(name: "GPT2LMHeadModel"),
            T5Architecture(variant: .model), T5Architecture(variant: .conditionalGeneration), T5Architecture(variant: .encoder),
            MixtralArchitecture(isBaseModel: true), MixtralArchitecture(isBaseModel: false),
        ]
        for variant in [LlamaFamilyArchitecture.llama, LlamaFamilyArchitecture.mistral, LlamaFamilyArchitecture.qwen2,
                        LlamaFamilyArchitecture.qwen3] {
            list.append(LlamaFamilyArchitecture(variant: variant, isBaseModel: true))
            list.append(LlamaFamilyArchitecture(variant: variant, isBaseModel: false))
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
