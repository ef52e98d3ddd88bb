"""The public JSON API (/api/v1) and the OpenAPI file that describes it."""
