"""GraphiQL works without internet: its page loads only files that Stride serves itself."""

import base64
import hashlib
import re

import pytest

ASSET = re.compile(r'<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"[^>]*?integrity="([^"]+)"')


@pytest.fixture
def page(client):
    response = client.get("/graphql/", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


def test_graphiql_page_loads_its_scripts_and_styles_from_local_static_files(page):
    assets = dict(ASSET.findall(page))
    assert len(assets) == 7
    assert all(url.startswith("/static/graphiql/") for url in assets)
    assert "unpkg.com" not in page
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page)


def test_graphiql_static_files_are_served_and_match_their_integrity_hashes(client, page):
    for url, integrity in ASSET.findall(page):
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content)
        digest = base64.b64encode(hashlib.sha384(body).digest()).decode()
        assert integrity == f"sha384-{digest}", url


def test_api_clients_get_json_from_the_same_url(client):
    response = client.get("/graphql/", {"query": "{ __typename }"})
    assert response.json() == {"data": {"__typename": "Query"}}
