"""The Zalo Official Account channel: a signed webhook in, the OA OpenAPI out."""
