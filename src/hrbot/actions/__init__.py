"""Actions: the built-in ones, responses, forms, and the client of the action-server protocol."""
