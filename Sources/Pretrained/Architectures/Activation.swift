/// Activation modules as `transformers`' `ACT2FN` builds them: stateless children whose class name
/// `accelerate` sees (a `_no_split_modules` entry could name one) and whose attribute name shows in
/// device maps when their parent is split.
enum Activation {
    /// `ACT2CLS` of `transformers` 5.23: the config's activation name -> the module's class. `prelu`
    /// and `xielu` are left out: they hold parameters, which these skeletons do not model.
    static let classNames: [String: String] = [
        "gelu": "GELUActivation", "gelu_10": "ClippedGELUActivation", "gelu_fast": "FastGELUActivation",
        "gelu_new": "NewGELUActivation", "gelu_python": "GELUActivation", "gelu_pytorch_tanh": "GELUTanh",
        "gelu_python_tanh": "GELUTanh", "gelu_accurate": "AccurateGELUActivation", "hardswish": "Hardswish",
        "laplace": "LaplaceActivation", "leaky_relu": "LeakyReLU", "linear": "LinearActivation",
        "mish": "MishActivation", "quick_gelu": "QuickGELUActivation", "relu": "ReLU",
        "relu2": "ReLUSquaredActivation", "relu6": "ReLU6", "sigmoid": "Sigmoid", "silu": "SiLUActivation",
        "sqrtsoftplus": "SqrtSoftplusActivation", "swish": "SiLU", "tanh": "Tanh",
    ]

    /// The stateless module `ACT2FN[name]` builds. An unknown name (which `transformers` rejects
    /// when it runs the model) keeps the name itself as the class, so a skeleton still builds.
    static func module(_ name: String) -> Module {
        .stateless(classNames[name] ?? name)
    }

    /// The module for the config's `key` activation (`hidden_act`, `activation_function`).
    static func module(_ config: ModelConfig, key: String, default fallback: String) throws(PretrainedError) -> Module {
        module(try config.string(key, default: fallback))
    }
}
