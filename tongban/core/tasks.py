"""Background work of the kernel: sealing the audit chain, and running scheduled jobs.

Sealing does what ``tongban audit seal`` does. It is idempotent (a stream whose head has
not moved is not sealed again) and safe in several workers at once (a seal's range is
unique per stream: the second writer of the same seal gets nothing). The scheduler
(``tongban scheduler``, started by ``tongban serve``) enqueues it every five minutes as the
outbox kind ``audit.seal`` (``tongban/core/jobs.py``), which this module handles: it then
shares the outbox's retries, back-off and alert when it keeps failing. Without the
scheduler, run ``tongban audit seal`` from cron or a systemd timer, or enqueue
``seal_audit_chain`` from one. Each raises the ``audit.seal_problem`` alert for the audit
administrators when a stream's new records do not verify (the outbox handler once per set
of broken streams, not at every retry).

``run_scheduled_job`` is how the scheduler hands a claimed slot of a periodic job to the
worker (see ``tongban.core.scheduling``).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from tongban.core import outbox, scheduling
from tongban.core.alerts import Severity, raise_alert
from tongban.core.audit import AuditProblem, seal_streams

AUDIT_SEAL = "audit.seal"

SEAL_PROBLEM = _(
    "The audit chain was not sealed for %(count)s stream(s) (%(streams)s): their newest "
    "records do not verify. Run tongban audit verify and investigate at once."
)


def seal_problem_summary(problems: Sequence[AuditProblem]) -> str:
    """The streams that could not be sealed, as one comparable line (names only)."""
    streams = sorted({problem.stream for problem in problems})
    return f"{len(streams)} stream(s) not sealed: {', '.join(streams)}"


def alert_seal_problems(problems: Sequence[AuditProblem]) -> None:
    """Tell the audit administrators which streams could not be sealed (stream names and a
    count only: the problems' details stay in ``tongban audit verify``)."""
    streams = sorted({problem.stream for problem in problems})
    with transaction.atomic():
        raise_alert(
            "audit.seal_problem",
            audience="audit_admin",
            message=SEAL_PROBLEM,
            params={"count": len(streams), "streams": ", ".join(streams)},
            severity=Severity.CRITICAL,
        )


@task()
def seal_audit_chain() -> dict[str, list[str]]:
    """Seal every stream whose head moved; return what was sealed and what could not be
    (and alert the audit administrators about the latter)."""
    run = seal_streams()
    if run.problems:
        alert_seal_problems(run.problems)
    return {
        "sealed": [f"{s.stream}:{s.from_seq}-{s.seq}" for s in run.sealed],
        "problems": [str(problem) for problem in run.problems],
    }


class SealProblemsError(RuntimeError):
    """Some streams could not be sealed (the outbox row records it and retries)."""


@outbox.handler(AUDIT_SEAL)
def seal_from_outbox(payload: dict[str, object]) -> None:
    """The outbox handler of ``audit.seal``: seal every stream whose head moved. Raises
    ``SealProblemsError`` naming the streams that could not be sealed, after alerting the
    audit administrators unless the latest attempts already failed for the same streams."""
    run = seal_streams()
    if not run.problems:
        return
    summary = seal_problem_summary(run.problems)
    if not any(summary in error for error in outbox.recent_errors(AUDIT_SEAL, limit=2)):
        alert_seal_problems(run.problems)
    raise SealProblemsError(summary)


@task()
def run_scheduled_job(run_id: int) -> bool:
    """Run one claimed slot of a periodic job (``ScheduledRun`` ``run_id``), once."""
    return scheduling.execute(run_id, reraise=True)
