"""Dialogue data types in Rasa 3.x's shapes, shared by the engine, the stores and the
action-server client: tracker events and the tracker that replays them (events, tracker), the
domain (domain), and stories, rules and test stories (stories)."""
