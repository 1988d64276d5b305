"""Settings for bench/api.py: Stride's, plus the hand-optimized DRF view it compares against."""

from backend.settings import *  # noqa: F403

ROOT_URLCONF = "bench.api_urls"
