"""Persistence: SQLAlchemy models, Alembic migrations, the database handle and SQL queries.

Depends on the pure core, never on services or web.
"""
