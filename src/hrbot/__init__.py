"""hrbot: a Chinese-first HR assistant and the Rasa-compatible framework it runs on.

Importing the package does nothing but define the version.
"""

__version__ = "0.1.0"
