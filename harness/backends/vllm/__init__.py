"""vLLM offline engine backend: layout, prompts, sampling, runtime checks and replicas."""
