"""Channel adapters: platform payloads in, `UserMessage`; bot messages out, platform JSON.
No HTTP framework here — the server wires these into routes.

    rest.py   Rasa's REST webhook payload and response list
    auth.py   the HTTP API's `?token=` and JWT authentication and its conversation scope rule
"""
