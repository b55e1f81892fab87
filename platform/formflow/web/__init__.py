"""The web layer: a thin Flask shell over the services (REST API and server-rendered pages).

Handlers parse input, call one service inside one unit of work, and render; they hold no
business rules and run no queries of their own.
"""
