"""What one web app holds for its lifetime, built by `create_app` (the composition root)."""

from dataclasses import dataclass

from starstats_web.api import ApiClient
from starstats_web.csrf import CsrfGuard
from starstats_web.metrics import WebMetrics
from starstats_web.render import Pages
from starstats_web.settings import WebSettings


@dataclass
class WebState:
    settings: WebSettings
    api: ApiClient
    metrics: WebMetrics
    pages: Pages
    guard: CsrfGuard
