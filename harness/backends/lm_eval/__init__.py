"""lm-eval backend: model adapter, task build, sampling mapping and task rows."""
