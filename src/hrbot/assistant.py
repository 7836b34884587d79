"""A running assistant: a trained model wired to its stores and the action server.

`open_assistant` builds everything a served or shell conversation needs from a loaded model,
the project's endpoints.yml and a clock; `Assistant.close` releases connections."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hrbot.actions.remote import RemoteActionEndpoint
from hrbot.dialogue.processor import MessageProcessor, ProcessorSettings, ReviewEntry
from hrbot.model.loading import LoadedModel
from hrbot.shared.clock import Clock
from hrbot.shared.endpoints import EndpointConfig, Endpoints
from hrbot.stores.factory import Stores, create_stores
from hrbot.stores.review import ReviewItem


@dataclass
class Assistant:
    """The model and, when the model has a dialogue part, the processor that runs
    conversations with it."""

    model: LoadedModel
    stores: Stores
    processor: MessageProcessor | None
    closers: tuple[object, ...] = ()

    async def close(self) -> None:
        for closer in self.closers:
            close = getattr(closer, "aclose", None)
            if close is not None:
                await close()
        await self.stores.close()


def remote_endpoint(config: EndpointConfig | None) -> RemoteActionEndpoint | None:
    """The action server endpoint of endpoints.yml, as the remote-action client takes it."""
    if config is None or not config.url:
        return None
    return RemoteActionEndpoint(config.url, token=config.token, timeout=config.timeout(10.0))


def open_assistant(
    model: LoadedModel,
    project_dir: Path,
    endpoints: Endpoints,
    clock: Clock,
    *,
    settings: ProcessorSettings | None = None,
) -> Assistant:
    """Wire `model` to the stores and action server that `endpoints` name."""
    stores = create_stores(endpoints, project_dir)
    if model.dialogue is None:
        return Assistant(model, stores, None)
    from hrbot.actions.lookup import ActionResolver
    from hrbot.actions.responses import TemplateResponseGenerator

    domain = model.dialogue.domain
    resolver = ActionResolver(domain, remote_endpoint(endpoints.action_endpoint))
    review_log = stores.review_log

    async def review(entry: ReviewEntry) -> None:
        await review_log.record(ReviewItem(
            kind=entry.kind,  # type: ignore[arg-type]
            sender_id=entry.sender_id, reason=entry.reason, text=entry.text,
            timestamp=entry.timestamp, details=entry.details,
        ))

    processor = MessageProcessor(
        domain=domain,
        nlu=model.nlu,
        policies=model.dialogue.policies,
        actions=resolver,
        responses=TemplateResponseGenerator(domain),
        store=stores.tracker_store,
        locks=stores.lock_store,
        clock=clock,
        review=review,
        settings=settings or ProcessorSettings(),
    )
    return Assistant(model, stores, processor, (resolver,))
