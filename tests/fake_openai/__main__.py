"""Run the fake server in the foreground for manual checks and ad-hoc benchmarks.

    python -m tests.fake_openai --port 8099 --rpm 480 --latency 0.25,0.75 \
        --fault-rate 0.2 --faults all --refuse json_schema --lifetime 900

Prints the base URL on the first line, then a summary of outcomes when it stops.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tests.fake_openai.server import ALL_FAULTS, KNOWN_FAULTS, FakeConfig, FakeOpenAI


def _csv(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _latency(text: str) -> tuple[float, float]:
    """`0.25,0.75` → (0.25, 0.75); a single number means a fixed latency."""
    values = [float(v) for v in _csv(text)]
    if len(values) not in (1, 2):
        raise argparse.ArgumentTypeError("latency is LOW,HIGH or a single number of seconds")
    return values[0], values[-1]


def _faults(text: str) -> tuple[str, ...]:
    """`all` is ALL_FAULTS, `every` adds hang and truncated; else a comma-separated list."""
    return {"all": ALL_FAULTS, "every": KNOWN_FAULTS}.get(text, _csv(text))


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.fake_openai", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--models", type=_csv, default=("fake-model",))
    parser.add_argument("--rpm", type=int, default=None)
    parser.add_argument("--burst", type=int, default=1)
    parser.add_argument("--tpm", type=int, default=None)
    parser.add_argument("--latency", type=_latency, default=(0.0, 0.0))
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--faults", type=_faults, default=ALL_FAULTS, help="all, every or a list")
    parser.add_argument("--hang-s", type=float, default=30.0)
    parser.add_argument("--refuse", type=_csv, default=(), help="json_schema,tool,json_object")
    parser.add_argument("--retry-after", choices=("ms", "s", "both", "none"), default="both")
    parser.add_argument("--api-key", default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lifetime", type=float, default=900.0, help="seconds until it stops")
    return parser.parse_args(argv)


def config_from_args(args: argparse.Namespace) -> FakeConfig:
    return FakeConfig(
        models=tuple(args.models),
        latency=args.latency,
        rpm=args.rpm,
        burst=args.burst,
        tpm=args.tpm,
        retry_after_header=args.retry_after,
        fault_rate=args.fault_rate,
        fault_kinds=tuple(args.faults),
        hang_s=args.hang_s,
        refuse_modes=frozenset(args.refuse),
        api_key=args.api_key,
        seed=args.seed,
        max_lifetime_s=args.lifetime,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    server = FakeOpenAI(config_from_args(args), port=args.port).start()
    print(server.base_url, flush=True)
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    print(f"stopped; outcomes {server.stats()}, {server.achieved_rpm():.1f} rpm", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
