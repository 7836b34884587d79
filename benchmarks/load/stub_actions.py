"""A stand-in action server for the load benchmark: every custom action answers at once with
one text and no events, so the benchmark measures hrbot's side of a custom action (building
and sending the tracker, reading the answer) and not the HR systems behind the real actions.

    python stub_actions.py --port 5055

A bare ASGI app on uvicorn without an access log: it reads the body (hrbot's request with the
whole tracker) and sends a fixed answer, so its own CPU time per call is small and the same in
every configuration.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

ANSWER = json.dumps(
    {"events": [], "responses": [{"text": "（基准测试）已为您查到结果。"}]}, ensure_ascii=False
).encode("utf-8")
HEALTH = b'{"status": "ok"}'


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    body = ANSWER if scope["method"] == "POST" else HEALTH
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    options = parser.parse_args()
    uvicorn.run(app, host="127.0.0.1", port=options.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
