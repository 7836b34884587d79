"""The stream mode: the official `dingtalk-stream` SDK keeps a WebSocket open to DingTalk, so
the server needs no public address.

The SDK is not asyncio-friendly: opening a connection is a blocking `requests.post` inside
its `async start()`, and its reconnect loop swallows a cancellation. So it runs on an event
loop of its own in a daemon thread, and the bot's event loop (where the dialogue and its
stores live) never waits on it. The SDK calls our `ChatbotHandler.process` on its loop; that
hands the message over to the bot's loop (`run_coroutine_threadsafe`), where the channel
checks and classifies it and starts the answer as a task; the SDK acknowledges the frame as
soon as the message is taken (200), or says what is wrong with it (400). Should the SDK's
client ever end by itself, it is started again.

    runner = DingTalkStreamRunner(settings, channel)
    await runner.start()     # in the app's lifespan, on the bot's event loop
    ...
    await runner.stop()      # closes the connection, waits for answers being sent
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any

from hrbot.channels.dingtalk.channel import DingTalkChannel
from hrbot.channels.dingtalk.settings import DingTalkSettings
from hrbot.channels.rest import ChannelPayloadError
from hrbot.shared.errors import MissingDependencyError

logger = logging.getLogger(__name__)

SDK_PACKAGE = "dingtalk-stream"
ACK_OK, ACK_BAD_REQUEST, ACK_FAILED = 200, 400, 500  # the SDK's AckMessage.STATUS_*

ClientFactory = Callable[[DingTalkSettings], Any]


def dingtalk_sdk() -> ModuleType:
    """The `dingtalk_stream` module, or MissingDependencyError saying what to install."""
    try:
        import dingtalk_stream  # type: ignore[import-untyped, import-not-found, unused-ignore]

        # The SDK names `websockets.exceptions` in an `except` clause without importing it; with
        # the lazily-importing websockets releases that clause itself raises AttributeError
        # (and ends the SDK's reconnect loop) unless the submodule is already loaded.
        import websockets.exceptions  # noqa: F401
    except ImportError:
        raise MissingDependencyError(SDK_PACKAGE, "the DingTalk stream mode", extra="dingtalk") from None
    module: ModuleType = dingtalk_stream
    return module


def sdk_client(settings: DingTalkSettings) -> Any:
    """The SDK's stream client for the app, logging through hrbot's logger tree."""
    sdk = dingtalk_sdk()
    credential = sdk.Credential(settings.client_id, settings.client_secret)
    return sdk.DingTalkStreamClient(credential, logger=logging.getLogger(f"{__name__}.sdk"))


class DingTalkStreamRunner:
    """Runs the SDK's connection in a thread and feeds its robot messages to `channel`.
    `client_factory` builds the SDK client (tests pass a fake one)."""

    def __init__(
        self,
        settings: DingTalkSettings,
        channel: DingTalkChannel,
        *,
        client_factory: ClientFactory = sdk_client,
        stop_timeout: float = 10.0,
        restart_delay: float = 10.0,
    ) -> None:
        self.settings = settings
        self.channel = channel
        self._client_factory = client_factory
        self._stop_timeout = stop_timeout
        self._restart_delay = restart_delay
        self._answers: set[asyncio.Task[None]] = set()
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._sdk_loop: asyncio.AbstractEventLoop | None = None
        self._stop_requested: asyncio.Event | None = None

    @property
    def running(self) -> bool:
        """Whether the SDK's thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    # ------------------------------------------------------------------ on the bot's loop

    async def take(self, data: Any) -> tuple[int, str]:
        """Receive one robot message (a frame's `data`) and start answering it; the SDK's
        acknowledgement code and message."""
        try:
            reception = await self.channel.receive(data)
        except ChannelPayloadError as error:
            logger.warning("DingTalk stream message refused: %s", error)
            return ACK_BAD_REQUEST, f"not a DingTalk robot message: {error}"
        except Exception:
            logger.exception("DingTalk stream message could not be received")
            return ACK_FAILED, "the bot failed to take this message; its log has the details"
        if reception.handling.answers:
            task = asyncio.create_task(self.channel.respond(reception))
            self._answers.add(task)
            task.add_done_callback(self._answers.discard)
        return ACK_OK, "OK"

    async def drain(self, timeout: float | None = None) -> None:
        """Wait until the answers started so far are sent (or `timeout` seconds pass)."""
        if self._answers:
            await asyncio.wait(set(self._answers), timeout=timeout)

    def chatbot_handler(self, bot_loop: asyncio.AbstractEventLoop) -> Any:
        """The SDK `ChatbotHandler` that hands each message to `take` on `bot_loop`."""
        sdk = dingtalk_sdk()
        take = self.take

        class HrbotChatbotHandler(sdk.ChatbotHandler):  # type: ignore[misc, name-defined]
            async def process(self, callback: Any) -> tuple[int, str]:
                future = asyncio.run_coroutine_threadsafe(take(callback.data), bot_loop)
                return await asyncio.wrap_future(future)

        return HrbotChatbotHandler()

    async def start(self) -> None:
        """Connect to DingTalk in the background; messages are answered on the running loop."""
        if self._thread is not None:
            raise RuntimeError("the DingTalk stream runner is already started")
        sdk = dingtalk_sdk()
        client = self._client_factory(self.settings)
        handler = self.chatbot_handler(asyncio.get_running_loop())
        client.register_callback_handler(sdk.ChatbotMessage.TOPIC, handler)
        self._ready.clear()
        self._thread = threading.Thread(target=self._run, args=(client,), name="dingtalk-stream", daemon=True)
        self._thread.start()
        await asyncio.to_thread(self._ready.wait, self._stop_timeout)
        logger.info("DingTalk stream mode started for app %s", self.settings.client_id)

    async def stop(self) -> None:
        """Close the connection and wait for the answers being sent."""
        thread, loop, stop = self._thread, self._sdk_loop, self._stop_requested
        if thread is not None and loop is not None and stop is not None:
            with contextlib.suppress(RuntimeError):  # the SDK's loop has already ended
                loop.call_soon_threadsafe(stop.set)
            await asyncio.to_thread(thread.join, self._stop_timeout)
            if thread.is_alive():
                logger.warning("the DingTalk stream thread is still in a blocking call after %.0f s; it is "
                               "left to end with the process", self._stop_timeout)
        await self.drain(self._stop_timeout)
        self._thread = None

    # ------------------------------------------------------------------ on the SDK's thread

    def _run(self, client: Any) -> None:
        loop = asyncio.new_event_loop()
        self._sdk_loop = loop
        self._stop_requested = asyncio.Event()
        self._ready.set()
        try:
            loop.run_until_complete(self._serve(client, self._stop_requested))
        except Exception:
            logger.exception("the DingTalk stream connection failed")
        finally:
            leftovers = asyncio.all_tasks(loop)
            for task in leftovers:
                task.cancel()
            if leftovers:
                loop.run_until_complete(asyncio.wait(leftovers, timeout=1.0))
            loop.close()

    async def _serve(self, client: Any, stop: asyncio.Event) -> None:
        """Run the SDK's client until `stop` is set, starting it again should it ever end."""
        stopping = asyncio.ensure_future(stop.wait())
        while not stop.is_set():
            connection = asyncio.ensure_future(client.start())
            await asyncio.wait({connection, stopping}, return_when=asyncio.FIRST_COMPLETED)
            # The SDK's reconnect loop catches one cancellation and sleeps; cancel until it ends.
            while not connection.done():
                connection.cancel()
                await asyncio.wait({connection}, timeout=0.2)
            failure = None if connection.cancelled() else connection.exception()
            if not stop.is_set():
                logger.error("the DingTalk stream client ended (%s); starting it again in %.0f s",
                             failure or "without an error", self._restart_delay)
                await asyncio.wait({stopping}, timeout=self._restart_delay)
        stopping.cancel()
