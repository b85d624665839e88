"""`ocop webhooks serve`: the receiver of the marketplaces' status pushes, one address per platform.

    POST /push/shopee    Shopee's push URL (the app's "Live Call Back URL")
    POST /push/lazada    Lazada's push URL
    POST /push/tiktok    TikTok Shop's webhook address

A push is verified before anything is read (`pushes.receive`): a forged or unsigned one is answered
401 and nothing is noted. Each platform gets the answer it expects (Shopee a 2xx with an empty body,
Lazada and TikTok a 200 at once); reading an item a push named without its outcome happens after the
answer. Shopee signs the callback URL as registered with it: behind a proxy, `--public-url` says
what that URL's base is.
"""

from __future__ import annotations

import logging
from typing import Optional

import typer
from fastapi import BackgroundTasks, FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from connectors.by_channel import connector_for
from ocop.channels import Channel
from ocop.settings import load_settings
from ocop.store import make_engine, migrate
from pushes.receive import PLATFORMS, Forged, PushReceiver, Unreadable
from shops.file import load_shops

app = typer.Typer(help="Receive the marketplaces' status pushes.", no_args_is_help=True)
log = logging.getLogger("ocop.webhooks")

DEFAULT_PORT = 8792   # beside `ocop reports serve` (8790) and the loopback redirect (8791)


def push_app(receiver: PushReceiver, public_url: str | None = None) -> FastAPI:
    """The receiver's HTTP app; `public_url` is the base of the URLs registered with the platforms
    (default: the address the request came to)."""
    web = FastAPI(title="OCOP status pushes", docs_url=None, redoc_url=None, openapi_url=None)

    @web.post("/push/{channel}")
    async def push(channel: str, request: Request, background: BackgroundTasks) -> Response:
        if channel not in PLATFORMS:
            return Response(status_code=404)
        platform = Channel(channel)
        body = await request.body()
        base = (public_url or str(request.base_url)).rstrip("/")
        url = f"{base}{request.url.path}"
        try:
            noted, later = await run_in_threadpool(receiver.receive, platform, url,
                                                   request.headers.get("authorization", ""), body)
        except Forged as error:
            log.warning("refused: %s", error)
            return Response(status_code=401)
        except Unreadable as error:
            log.warning("refused: %s", error)
            return Response(status_code=400)
        for done in noted:
            log.info("%s push: %s %s%s", platform.value, done.shop_key, done.what, "" if done.changed else " (known)")
        for task in later:
            background.add_task(run_in_threadpool, task)
        status, content = PLATFORMS[platform].ANSWER
        return Response(status_code=status, content=content)

    return web


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="The address to listen on."),
    port: int = typer.Option(DEFAULT_PORT, help="The port to listen on."),
    public_url: Optional[str] = typer.Option(None, help="The base of the push URLs registered with the platforms, "
                                             "e.g. https://ocop.example.vn (default: the address requests come to)."),
) -> None:
    """Receive status pushes until Ctrl-C: listing statuses to the ledger, authorisation warnings to
    the token store, Prefect events where someone must act."""
    import uvicorn

    settings = load_settings()
    if settings.shops_file is None:
        raise typer.BadParameter("set OCOP_SHOPS_FILE: pushes are verified with the shops' app secrets")
    migrate(settings.database_url)
    receiver = PushReceiver(make_engine(settings.database_url), load_shops(settings.shops_file),
                            connector_for=connector_for)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", datefmt="%H:%M:%S")
    typer.echo(f"Receiving pushes on http://{host}:{port}/push/<shopee|lazada|tiktok>; Ctrl-C stops.")
    uvicorn.run(push_app(receiver, public_url), host=host, port=port, log_level="warning")
