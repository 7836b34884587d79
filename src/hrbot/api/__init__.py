"""The HTTP API's routes, in Rasa 3.x's shapes; `hrbot.server` assembles them."""
