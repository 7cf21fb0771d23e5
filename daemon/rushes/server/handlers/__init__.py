"""One mixin per domain; server/service.py composes them into the servicer."""
