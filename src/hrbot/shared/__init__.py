"""Plain data types and readers used everywhere. A leaf: imports nothing else from hrbot."""
