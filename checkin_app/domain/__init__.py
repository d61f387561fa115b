"""Qt-free, I/O-free core: value types, verdicts, admission rules, codes and name keys."""
