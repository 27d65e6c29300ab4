"""The web app: app factory, request dependencies, JSON API and HTML pages."""
