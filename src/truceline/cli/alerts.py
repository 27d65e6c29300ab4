"""`truceline alerts`: alert rules, and running them (webhook and email deliveries, each recorded)."""

from __future__ import annotations

import json
import time

import click
from sqlalchemy.orm import Session

from truceline.alerts.rules import MECHANISM_KINDS, Channel
from truceline.alerts.schemas import AlertDeliveryRead, AlertRuleCreate, AlertRuleRead
from truceline.cli.acting import acting_author
from truceline.cli.context import Context, pass_context
from truceline.cli.ingest import parse_every
from truceline.users.rules import Action
from truceline.views import alerts as alert_views
from truceline.workflows import alerts as flow

AS_HELP = "Act as this user (must be allowed to manage alerts); default: the local administrator."
Format = click.Choice(["table", "json"])


def _author(session: Session, acting_as: str | None) -> str:
    return acting_author(session, acting_as, Action.MANAGE_ALERTS)


@click.group()
def alerts() -> None:
    """Alert rules: who hears about confirmed violations, deadly incidents, rising escalation and overdue
    replies, by webhook or e-mail. Each delivery is recorded with its outcome.

    `alerts run` checks every active rule once: run it from cron (every 5 minutes is plenty). An event a
    rule delivered is never sent again; a failed one is retried on the next run.

    \b
    Examples:
      truceline alerts add --name "Desk mail" --kind confirmed_violation --channel email \\
          --target desk@example.org
      truceline alerts add --name "Mass casualties" --kind fatalities_at_least --threshold 10 \\
          --channel webhook --target https://chat.example.org/hooks/abc123
      truceline alerts run
      */5 * * * *  truceline alerts run    (a crontab line)
    """


@alerts.command("add")
@click.option("--name", required=True, help="A short name for the rule.")
@click.option(
    "--kind",
    required=True,
    type=click.Choice([k.value for k in MECHANISM_KINDS]),
    help="What the rule watches for.",
)
@click.option(
    "--channel", required=True, type=click.Choice([c.value for c in Channel]), help="How it is delivered."
)
@click.option("--target", required=True, help="An http(s) URL (webhook) or an e-mail address (email).")
@click.option("--threshold", type=int, help="For fatalities_at_least: the number killed that triggers it.")
@click.option("--as", "acting_as", help=AS_HELP)
@click.option("--format", "fmt", type=Format, default="table", show_default=True)
@pass_context
def add_rule(
    ctx: Context,
    name: str,
    kind: str,
    channel: str,
    target: str,
    threshold: int | None,
    acting_as: str | None,
    fmt: str,
) -> None:
    """Create a rule; it watches from now on (earlier events are not sent). Prints the rule's id.

    \b
    Example:
      truceline alerts add --name "Overdue replies" --kind reply_deadline_passed \\
          --channel email --target desk@example.org
    """
    rule_in = AlertRuleCreate(name=name, kind=kind, channel=channel, target=target, threshold=threshold)
    runtime = ctx.runtime
    with runtime.transaction() as session:
        rule = flow.create_rule(session, rule_in=rule_in, author=_author(session, acting_as), now=ctx.now())
        read = AlertRuleRead.of(rule)
    _emit_rules(fmt, [read])


@alerts.command("list")
@click.option("--format", "fmt", type=Format, default="table", show_default=True)
@pass_context
def list_rules(ctx: Context, fmt: str) -> None:
    """List every rule: id, state, kind, channel, target, name.

    \b
    Example:
      truceline alerts list --format json
    """
    with ctx.runtime.sessions() as session:
        rules = [AlertRuleRead.of(r) for r in alert_views.list_rules(session)]
    _emit_rules(fmt, rules)


def _emit_rules(fmt: str, rules: list[AlertRuleRead]) -> None:
    if fmt == "json":
        click.echo(json.dumps([r.model_dump(mode="json") for r in rules], indent=2))
        return
    for r in rules:
        state = "active" if r.is_active else "disabled"
        kind = f"{r.kind}>={r.threshold}" if r.threshold is not None else r.kind
        click.echo(f"{r.id}\t{state}\t{kind}\t{r.channel}\t{r.target}\t{r.name}")


@alerts.command("disable")
@click.argument("rule_id")
@click.option("--as", "acting_as", help=AS_HELP)
@pass_context
def disable_rule(ctx: Context, rule_id: str, acting_as: str | None) -> None:
    """Disable a rule: it sends nothing more; the rule and its deliveries stay on record.

    \b
    Example:
      truceline alerts disable alr-1a2b3c4d5e6f
    """
    runtime = ctx.runtime
    with runtime.transaction() as session:
        flow.disable_rule(session, rule_id=rule_id, author=_author(session, acting_as), now=ctx.now())
    click.echo(f"{rule_id}\tdisabled")


@alerts.command("run")
@click.option("--as", "acting_as", help=AS_HELP)
@click.option("--every", help="Run again every period (30s, 5m, 1h) until stopped, instead of once.")
@click.option("--rounds", type=click.IntRange(min=1), help="With --every: stop after this many runs.")
@pass_context
def run(ctx: Context, acting_as: str | None, every: str | None, rounds: int | None) -> None:
    """Check every active rule and send what is new; one line per delivery.

    Exits 0 when the run completed, even if some deliveries failed (they are recorded, retried on the
    next run, and counted on stderr). SMTP settings come from TRUCELINE_SMTP_HOST, _PORT, _FROM,
    _STARTTLS, _USERNAME and _PASSWORD; TRUCELINE_WEBHOOK_TIMEOUT_S limits each delivery.

    \b
    Examples:
      TRUCELINE_SMTP_HOST=mail.example.org truceline alerts run
      truceline alerts run --every 5m        # beside `truceline serve`, instead of cron
    """
    if every is None and rounds is not None:
        raise click.UsageError("--rounds goes with --every")
    period_s = parse_every(every) if every is not None else 0.0
    done = 0
    while True:
        _run_once(ctx, acting_as)
        done += 1
        if every is None or (rounds is not None and done >= rounds):
            return
        time.sleep(period_s)


def _run_once(ctx: Context, acting_as: str | None) -> None:
    runtime = ctx.runtime
    with runtime.transaction() as session:
        author = _author(session, acting_as)
        deliveries = flow.run_alerts(
            session, runtime.scenario, runtime.settings, now=ctx.now(), author=author
        )
        lines = [
            f"{d.outcome}\t{d.rule_id}\t{d.event_key}\t{d.channel}\t{d.target}\t{d.detail}"
            for d in deliveries
        ]
    for line in lines:
        click.echo(line)
    failed = flow.count_failed(deliveries)
    if failed:
        click.echo(
            f"{failed} of {len(deliveries)} deliveries failed; they are retried on the next run", err=True
        )
    elif not deliveries:
        click.echo("nothing new to send", err=True)


@alerts.command("deliveries")
@click.option("--rule", "rule_id", help="Only this rule's deliveries.")
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
@click.option("--format", "fmt", type=Format, default="table", show_default=True)
@pass_context
def deliveries(ctx: Context, rule_id: str | None, limit: int, fmt: str) -> None:
    """Recent deliveries, newest first: time, outcome, attempt, rule, event, target, detail.

    \b
    Example:
      truceline alerts deliveries --rule alr-1a2b3c4d5e6f --limit 20
    """
    with ctx.runtime.sessions() as session:
        rows = [
            AlertDeliveryRead.of(d)
            for d in alert_views.list_deliveries(session, rule_id=rule_id, limit=limit)
        ]
    if fmt == "json":
        click.echo(json.dumps([r.model_dump(mode="json") for r in rows], indent=2))
        return
    for r in rows:
        when = r.created_at.strftime("%Y-%m-%d %H:%M:%S")
        click.echo(f"{when}\t{r.outcome}\t#{r.attempt}\t{r.rule_id}\t{r.event_key}\t{r.target}\t{r.detail}")
