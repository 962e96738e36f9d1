"""The fake as a standalone process (``reportkit sim serve``): serve a document, write an ``oci`` config,
print how to use it, and run until interrupted."""
from __future__ import annotations

import dataclasses
import tempfile
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from reportkit.errors import InputError
from reportkit.sim.documents import home_region, load_document
from reportkit.sim.models import WireDict


@dataclasses.dataclass(frozen=True)
class ServeOptions:
    """What ``reportkit sim serve`` was asked for."""

    tenancy: str = "demo"  #: 'demo' or a tenancy document JSON file
    port: int = 0  #: TCP port on 127.0.0.1 (0: any free port)
    config_dir: Path | None = None  #: where to write the oci config and key (None: a new temporary folder)
    clock_rate: float = 0.0  #: simulated seconds per real second (0: frozen; moved only by /_sim/clock/advance)


def _busiest_compartment(doc: WireDict, region: str, default: str) -> str:
    """The compartment of ``region`` holding the most backups, so the example command shows something."""
    per_compartment = Counter(b.get("compartmentId") for b in doc.get("bootVolumeBackups", {}).get(region, []))
    return per_compartment.most_common(1)[0][0] if per_compartment else default


def serve_until_interrupted(options: ServeOptions, *, echo: Callable[[str], None] = print,
                            stop: threading.Event | None = None) -> int:
    """Serve ``options.tenancy`` on 127.0.0.1 until Ctrl-C (or ``stop`` is set); return the exit code 0.

    Prints the endpoint template, the ``oci`` config written, the regions, the simulated clock, an
    example ``oci`` command and the admin URL, each on its own line, before waiting.
    """
    from reportkit.sim import SimServer, write_oci_config
    from reportkit.sim.server import SIM_TIME_HEADER

    if not options.clock_rate >= 0:  # also refuses NaN
        raise InputError(f"--clock-rate {options.clock_rate}: give a number >= 0 (0 = frozen, 1 = real time, "
                         "3600 = an hour per second)")
    doc = load_document(options.tenancy)
    try:  # bind now (start() binds): a port in use is bad input, said before anything is printed
        server = SimServer(doc, port=options.port, clock_rate=options.clock_rate).start()
    except (OSError, OverflowError) as exc:
        raise InputError(f"cannot listen on 127.0.0.1:{options.port} ({exc}); pick another --port") from None
    home = home_region(doc)
    config_dir = options.config_dir or Path(tempfile.mkdtemp(prefix="reportkit-sim-"))
    with server:
        config_path, profile = write_oci_config(config_dir, server.endpoint_template,
                                                tenancy_id=server.tenancy_id, region=home)
        first = _busiest_compartment(doc, home, server.tenancy_id)
        echo(f"endpoint template: {server.endpoint_template}")
        echo(f"oci config: {config_path} (profile {profile})")
        echo(f"tenancy: {server.tenancy_id}  regions: {', '.join(server.backend.identity.subscribed_region_names())}")
        pace = "frozen (advance it with POST /_sim/clock/advance)" if not options.clock_rate \
            else f"running at {options.clock_rate:g}x real time"
        echo(f"clock: {server.now()} {pace}; every response carries it in the {SIM_TIME_HEADER} header")
        echo("try:")
        echo(f"  oci --config-file {config_path} --profile {profile} bv boot-volume-backup list --all "
             f"--compartment-id {first} --endpoint {server.endpoint(home)}")
        echo(f"admin: {server.url}/_sim/requests  (Ctrl-C to stop)")
        try:
            (stop or threading.Event()).wait()
        except KeyboardInterrupt:
            echo("stopped")
    return 0
