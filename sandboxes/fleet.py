"""Start every sandbox in-process, each a uvicorn server in its own thread, and stop them cleanly.

```python
with running_sandboxes(tmp_path) as fleet:
    shop = fleet.shop("shopee-dong-thap")            # connectors.types.ShopConfig
    fleet.set_faults(Channel.TIKTOK, FaultConfig.outage())
    fleet.admin(Channel.LAZADA).edit(item_id, price=99_000)
    fleet.write_calls(Channel.SHOPEE)
```
State lives under `state_dir` (one SQLite file per sandbox), so a second fleet on the same
directory sees what the first one left. Ports are free ones (0) unless `ports` says otherwise.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

import uvicorn

from connectors.types import ShopConfig
from ocop.channels import Channel, declaration
from sandboxes.admin import SandboxAdmin
from sandboxes.config import FaultConfig, SandboxConfig, default_config
from sandboxes.gateway import Sandbox
from sandboxes.image_host import IMAGE_HOST
from sandboxes.lazada import LazadaSandbox
from sandboxes.registry import RegistrySandbox, RegistryState
from sandboxes.sendo import SendoSandbox
from sandboxes.shopee import ShopeeSandbox
from sandboxes.state import SandboxState
from sandboxes.tiki import TikiSandbox
from sandboxes.tiktok import TikTokSandbox

SANDBOX_CLASSES: dict[Channel, type[Sandbox]] = {
    Channel.SHOPEE: ShopeeSandbox, Channel.LAZADA: LazadaSandbox, Channel.TIKTOK: TikTokSandbox,
    Channel.TIKI: TikiSandbox, Channel.SENDO: SendoSandbox,
}
REGISTRY = "registry"
START_TIMEOUT = 10.0


class ServerThread:
    """One ASGI app served by uvicorn on 127.0.0.1 in a daemon thread."""

    def __init__(self, app: Any, port: int = 0, *, name: str = "sandbox") -> None:
        # IPPROTO_TCP explicitly: asyncio turns on TCP_NODELAY only for sockets that say so, and without
        # it every answer (headers, then body) waits ~40 ms for a delayed ACK.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", port))
        self.port = self._socket.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                                timeout_graceful_shutdown=1, timeout_keep_alive=30)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]},
                                        name=f"{name}:{self.port}", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServerThread:
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"sandbox server on port {self.port} did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=START_TIMEOUT)
        self._socket.close()


@dataclass
class SandboxFleet:
    """The running sandboxes: where they are, the shops' connection details, and test hooks."""

    config: SandboxConfig
    sandboxes: dict[Channel, Sandbox]
    servers: dict[str, ServerThread]
    registry_state: RegistryState

    @property
    def shops(self) -> list[ShopConfig]:
        return [self.shop(shop.key) for shop in self.config.shops]

    def shop(self, key: str) -> ShopConfig:
        shop = self.config.shop(key)
        return shop.to_shop_config(self.base_url(shop.channel), self.auth_base_url(shop.channel),
                                   self.image_host_url(shop.channel))

    def base_url(self, channel: Channel) -> str:
        """Where a client points its base URL: Lazada's includes `/rest`, as api.lazada.vn/rest does."""
        url = self.servers[channel.value].url
        return f"{url}/rest" if channel == Channel.LAZADA else url

    def auth_base_url(self, channel: Channel) -> str:
        """The platform's authorisation host (auth.lazada.com, auth.tiktok-shops.com): here the
        sandbox's own server."""
        return self.servers[channel.value].url

    def image_host_url(self, channel: Channel) -> str | None:
        """Where a channel that takes pictures by URL has them published: the sandbox's own host."""
        return self.servers[channel.value].url + IMAGE_HOST if declaration(channel).images_by_url else None

    @property
    def registry_url(self) -> str:
        return self.servers[REGISTRY].url

    def set_faults(self, channel: Channel, faults: FaultConfig) -> None:
        self.sandboxes[channel].set_faults(faults)

    def write_calls(self, channel: Channel | None = None) -> int:
        """Write (mutating) API calls received so far, by one sandbox or by all."""
        channels = [channel] if channel else list(self.sandboxes)
        return sum(self.sandboxes[c].write_calls() for c in channels)

    def admin(self, channel: Channel) -> SandboxAdmin:
        return SandboxAdmin(self.sandboxes[channel])

    @property
    def registry(self) -> RegistryState:
        """The registry's rows: `fleet.registry.upsert([...])` publishes new or changed products."""
        return self.registry_state

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()
        for sandbox in self.sandboxes.values():
            sandbox.state.close()
        self.registry_state.close()


def start_sandboxes(state_dir: Path, *, config: SandboxConfig | None = None,
                    registry_rows: list[dict] | None = None, ports: Mapping[str, int] | None = None,
                    clock: Callable[[], float] | None = None) -> SandboxFleet:
    """Start every sandbox; `ports` maps a channel's name or "registry" to a port (default 0).
    The registry serves `registry_rows` (none by default: the sample catalogue is the pipeline's, not
    the stand-in's; `ocop sandboxes serve` hands it over)."""
    config = config or default_config()
    ports = ports or {}
    state_dir = Path(state_dir)
    options = {"clock": clock} if clock else {}
    sandboxes = {
        channel: cls(config.channels[channel], config.shops_of(channel),
                     SandboxState(state_dir / f"{channel.value}.sqlite3"), **options)
        for channel, cls in SANDBOX_CLASSES.items()
    }
    registry_state = RegistryState(state_dir / "registry.sqlite3", **options)
    registry_state.upsert(registry_rows or [])
    servers: dict[str, ServerThread] = {}
    try:
        for channel, sandbox in sandboxes.items():
            servers[channel.value] = ServerThread(sandbox, ports.get(channel.value, 0), name=channel.value).start()
        servers[REGISTRY] = ServerThread(RegistrySandbox(registry_state), ports.get(REGISTRY, 0), name=REGISTRY).start()
    except BaseException:
        for server in servers.values():
            server.stop()
        raise
    return SandboxFleet(config, sandboxes, servers, registry_state)


@contextlib.contextmanager
def running_sandboxes(state_dir: Path, *, config: SandboxConfig | None = None,
                      registry_rows: list[dict] | None = None, ports: Mapping[str, int] | None = None,
                      clock: Callable[[], float] | None = None) -> Iterator[SandboxFleet]:
    fleet = start_sandboxes(state_dir, config=config, registry_rows=registry_rows, ports=ports, clock=clock)
    try:
        yield fleet
    finally:
        fleet.stop()
