"""OpenAI-compatible structured-output client: `LLMClient.structured(messages, Model, step=…)`.

Small modules behind one call: `modes` (how to ask for JSON and read it back), `errors`
(classes and what each means), `limiter` (shared rate limits), `capabilities` (what an
endpoint refused), `cache`, `usage`, `prices`, `health` (down/up) and `endpoint` (config).
"""
