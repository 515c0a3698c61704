import pytest


@pytest.mark.django_db
def test_schema_is_openapi3(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/estates/" in schema["paths"]
    assert "/api/v1/enterprises/{id}/" in schema["paths"]
    assert "/api/v1/auth/token/" in schema["paths"]


@pytest.mark.django_db
def test_docs_use_the_sidecar_assets(client):
    body = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in body


@pytest.mark.django_db
def test_sidecar_static_file_is_served(client):
    from django.contrib.staticfiles import finders

    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
