"""The HTTP layer: endpoints of the five systems, request plumbing, the OpenAPI description."""
