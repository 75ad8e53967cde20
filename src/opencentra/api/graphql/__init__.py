"""The GraphQL Integration API."""
