"""The JSON documents carecast prints with `--json` and serves under `/api`, each built in one
place, by typed (pydantic) models, from the results of the services: the command line and the web
application hand a result to the same builder, so the two cannot drift apart, and the API's
OpenAPI document describes exactly what the command line prints."""
