"""A fake OpenAI-compatible HTTP server that injects faults, for tests and benchmarks.

with FakeOpenAI(FakeConfig(fault_rate=1.0, fault_kinds=("http_429",))) as server:
    client = OpenAI(base_url=server.base_url, api_key="test", max_retries=0)
"""

from tests.fake_openai.answers import keen
from tests.fake_openai.schema_fill import fill, violate
from tests.fake_openai.server import (
    ALL_FAULTS,
    KNOWN_FAULTS,
    MODES,
    PROXY_FAULTS,
    FakeConfig,
    FakeOpenAI,
    RequestRecord,
    TokenBucket,
    canonical_sha256,
)

__all__ = [
    "ALL_FAULTS",
    "KNOWN_FAULTS",
    "MODES",
    "PROXY_FAULTS",
    "FakeConfig",
    "FakeOpenAI",
    "RequestRecord",
    "TokenBucket",
    "canonical_sha256",
    "fill",
    "keen",
    "violate",
]
