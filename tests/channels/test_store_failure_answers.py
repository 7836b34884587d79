"""When the conversation store fails, every API route answers 503 with Rasa's error body
naming the store, not a 500 with a traceback, so clients know to retry."""

from __future__ import annotations

from pathlib import Path

from webchat_project import Client, open_chat_assistant, train_chat_project

from hrbot.server import ServerState, create_app
from hrbot.shared.clock import fixed_clock
from hrbot_test_support import REFERENCE_TIME


def test_reading_a_conversation_while_the_store_is_down_answers_503(tmp_path: Path) -> None:
    project, model = train_chat_project(tmp_path / "project")
    assistant = open_chat_assistant(model, project)
    client = Client(create_app(ServerState(model, fixed_clock(REFERENCE_TIME), assistant=assistant,
                                           trust_sender=True)))
    assert client.call("GET", "/conversations/E1/tracker").status_code == 200

    database = assistant.stores.database
    assert database is not None
    database.dispose()  # the database goes away
    response = client.call("GET", "/conversations/E2/tracker")

    assert response.status_code == 503
    assert response.json()["reason"] == "ServiceUnavailable"
    assert response.json()["message"].startswith("the conversation store is unavailable")
    client.close()
