"""PostgreSQL pieces of the catalogue search (apps/site/selectors.py), next to the migration that
creates what they read (migrations/0007_session_search_postgresql.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db.models import Expression, Func, Lookup


class AnyOf(Lookup):  # type: ignore[type-arg]
    """``lhs = ANY(ARRAY(subquery))`` (PostgreSQL). Unlike ``lhs IN (subquery)``, which the planner
    can only check row by row, this is an index condition: OR-ed with trigram matches on the
    session's own columns the whole condition stays a BitmapOr of index scans."""

    lookup_name = "any_of"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)  # "(SELECT ...)"
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


class SessionColumn(Expression):
    """A column of the sessions table that is not a model field (the stored search vectors)."""

    output_field = SearchVectorField()

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[str | int, ...]]:
        alias = compiler.query.get_initial_alias()  # the sessions table, aliased or not
        return f"{compiler.quote_name(alias)}.{connection.ops.quote_name(self.name)}", ()


def session_vector() -> Func:
    """Title (A), topics (B), the mentor's name (B) and description (C), in that order: the stored
    ``search_head`` and ``search_tail`` around the mentor's name, the one part in another table."""
    return Func(
        SessionColumn("search_head"),
        SearchVector("mentor__full_name", weight="B", config="simple"),
        SessionColumn("search_tail"),
        arg_joiner=" || ",
        template="(%(expressions)s)",
        output_field=SearchVectorField(),
    )
