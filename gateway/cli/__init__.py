"""The command line: parse and delegate (`serve` is the default; `check`, `swagger`, `powerquery`)."""
