"""`truceline init` and `truceline serve`."""

from __future__ import annotations

import click

from truceline.cli.context import Context, pass_context
from truceline.workflows.reclustering import recluster
from truceline.workflows.setup import DEMO_PASSWORD, DEMO_USERS, initialize, load_demo


@click.command()
@click.option("--demo", is_flag=True, help="Also load the founding report and the illustrative demo reports.")
@pass_context
def init(ctx: Context, demo: bool) -> None:
    """Create the database, the log key and the scenario's records; safe to run again.

    With --demo, also load demo reports, their extracted claims and one demo account per role.

    \b
    Example:
      truceline init --demo
    """
    runtime = ctx.runtime
    demo_keys = runtime.settings.keys_dir / "demo"
    with runtime.transaction() as session:
        added = initialize(session, scenario=runtime.scenario, now=ctx.now())
        if demo:
            added += len(
                load_demo(
                    session,
                    scenario=runtime.scenario,
                    now=ctx.now(),
                    extract=runtime.extract,
                    key_dir=demo_keys,
                ).added
            )
            recluster(session, scenario=runtime.scenario, author="system:setup", now=ctx.now())
    checkpoint = runtime.sealer.seal()  # the latest one: the commit above sealed the new entries
    size = checkpoint.size if checkpoint is not None else 0
    click.echo(
        f"scenario {runtime.scenario.id}: {added} new records; ledger size {size}",
        err=True,
    )
    click.echo(f"database {runtime.settings.resolved_database_url}", err=True)
    if demo:
        names = ", ".join(name for name, _, _ in DEMO_USERS)
        click.echo(f"demo accounts (password {DEMO_PASSWORD!r}, demo only): {names}", err=True)
        click.echo(f"demo mediators' finding-signing keys: {demo_keys}/<username>.key", err=True)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@pass_context
def serve(ctx: Context, host: str, port: int) -> None:
    """Run the web app.

    As it starts it builds the desk's incident index and the ledger's trees in
    the background; until they are built the first map, dashboard and record
    pages wait for them (about 40 s at a million claims, instant on the demo).

    \b
    Example:
      truceline serve --port 8000
    """
    import uvicorn

    from truceline.web.app import create_app
    from truceline.web.warm import start_warming

    app = create_app(ctx.runtime)
    start_warming(ctx.runtime)
    click.echo(f"Truceline is running on http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    # X-Forwarded-* is believed only from settings.trusted_proxies (web/proxies.py), not uvicorn's own list.
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)
