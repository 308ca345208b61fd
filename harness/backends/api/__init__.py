"""OpenAI-compatible API backend: the client loop, request kwargs and reachability check."""
