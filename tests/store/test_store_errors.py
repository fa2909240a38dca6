"""A store that cannot be opened says which one and why, never showing the password."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tagwarden.engine.store import Store, StoreError
from tagwarden.engine.store.errors import mask_url

SECRET = "s3cr3t-Pa55"


def _refused(url: str) -> str:
    with pytest.raises(StoreError) as raised:
        Store.open(url)
    message = str(raised.value)
    assert SECRET not in message
    return message


def _unopenable_urls(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, str]:
    """url -> what the message must say, for the backend under test."""
    if backend == "sqlite":
        not_a_folder = tmp_path / "plain-file"
        not_a_folder.write_text("x")
        not_a_database = tmp_path / "garbage.db"
        not_a_database.write_bytes(b"this is not a SQLite database, not even close" * 100)
        return {
            f"sqlite:///{not_a_folder}/tagwarden.db": f"cannot make the folder {not_a_folder} (File exists)",
            f"sqlite:///{not_a_database}": "file is not a database",
        }
    server = make_url(request.getfixturevalue("pg_server_url"))
    missing_database = server.set(database="tagwarden_no_such_database").render_as_string(hide_password=False)
    closed_port = f"postgresql+psycopg://tagwarden:{SECRET}@127.0.0.1:9/tagwarden"
    return {
        missing_database: 'database "tagwarden_no_such_database" does not exist',
        closed_port: "cannot open store postgresql+psycopg://tagwarden:***@127.0.0.1:9/tagwarden: ",
    }


def test_a_store_that_cannot_be_opened_is_a_store_error(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    for url, expected in _unopenable_urls(backend, tmp_path, request).items():
        message = _refused(url)
        assert expected in message, message
        assert message.startswith(f"cannot open store {mask_url(url)}: ")


def test_urls_that_are_not_for_a_store(backend: str) -> None:
    assert "not a database URL" in _refused("no scheme here")
    other = _refused(f"mysql+pymysql://tagwarden:{SECRET}@db/{backend}")
    assert other == (
        f"cannot open store mysql+pymysql://tagwarden:***@db/{backend}: unsupported database 'mysql' "
        "(use sqlite:///PATH or postgresql+psycopg://...)"
    )


def test_passwords_are_masked_even_where_sqlalchemy_cannot_parse(backend: str) -> None:
    assert mask_url(f"postgresql+psycopg://u:{SECRET}@h/db") == "postgresql+psycopg://u:***@h/db"
    assert mask_url(f"postgresql+psycopg://u:{SECRET}@h:notaport/db") == "postgresql+psycopg://u:***@h:notaport/db"
    assert mask_url(f"sqlite:///{backend}.db") == f"sqlite:///{backend}.db"
    assert SECRET not in _refused(f"postgresql+psycopg://u:{SECRET}@h:notaport/db")
