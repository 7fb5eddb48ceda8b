import ArgumentParser
import Pretrained

/// Where a command's PATH argument may lead: a local path, else a model id found offline in the
/// Hugging Face cache at `--revision`.
struct SourceOptions: ParsableArguments {
    @Option(help: "Revision of a cached model id (a ref such as main, or a commit).")
    var revision = "main"

    /// The checkpoint at `path`, or of the cached model id `path`.
    func checkpoint(_ path: String) throws -> Checkpoint {
        try Checkpoint.locate(path, revision: revision)
    }

    /// The local folder or file `path` names, or the snapshot folder of the cached model id `path`.
    func folder(_ path: String) throws -> String {
        try HubCache.default().locate(path, revision: revision)
    }
}
