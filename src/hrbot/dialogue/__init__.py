"""The dialogue engine: conversation state, policies, forms, fallback and handoff, processor."""
