"""Built-in NLU components. They are registered by name in `hrbot.nlu.builtins`."""
