"""The web application: `create_app(settings)` builds it; routes call services, never the store."""

from carecast.web.app import create_app

__all__ = ["create_app"]
