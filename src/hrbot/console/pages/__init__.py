"""The console's sections (see `hrbot.console.sections`), one module each."""
