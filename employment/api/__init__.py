"""The provincial platform's API (/api/v1/): read-only JSON of public postings and fairs.

Documented in docs/api.md; the OpenAPI schema is served at /api/v1/schema/.
"""
