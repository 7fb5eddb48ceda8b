import Pretrained

/// Prints a command's result on standard output, escaped by `TerminalText` (the one place text
/// from files is made safe): human-readable text line by line, JSON with the scalars its
/// serializer leaves raw written as `\uXXXX` (the same JSON value).
func printOutput(_ text: String, json: Bool) {
    print(json ? TerminalText.json(text) : TerminalText.escapedLines(text))
}

/// Prints the contract's `error:` line on standard error: always exactly one line, whatever the
/// message holds.
func printErrorLine(_ message: String) {
    printError("error: " + TerminalText.escaped(message))
}
