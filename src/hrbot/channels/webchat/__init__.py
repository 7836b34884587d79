"""A web chat page served by hrbot itself, for trying the bot and for staff without WeCom or
DingTalk: plain HTML/CSS/JS in static/ (no build step, nothing from a CDN) that talks to the REST
webhook, plus the routes that serve it and the conversation history it reloads.

    history.py   stored events -> the messages the page shows
    routes.py    /webchat, its files, /webchat/config, /webchat/history; GET / for browsers
"""

from hrbot.channels.webchat.routes import webchat_routes, with_browser_root

__all__ = ["webchat_routes", "with_browser_root"]
