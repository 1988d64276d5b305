from pathlib import Path

from strawberry.printer import print_schema

from schema import schema

SDL = Path(__file__).resolve().parents[2] / "graphql-queries" / "schema.graphql"


def test_committed_sdl_matches_the_code():
    """A deliberate schema change is committed with `make schema`; an accidental one fails."""
    assert SDL.read_text().strip() == print_schema(schema).strip(), (
        "The schema changed: run `make schema` and commit graphql-queries/schema.graphql."
    )
