"""Background work of the kernel: sealing the audit chain, and running scheduled jobs.

``seal_audit_chain`` does what ``tongban audit seal`` does. It is idempotent (a stream whose
head has not moved is not sealed again) and safe in several workers at once (a seal's
range is unique per stream: the second writer of the same seal gets nothing). The
scheduler (``tongban scheduler``, started by ``tongban serve``) runs the sealing every five
minutes as the periodic job ``audit.seal`` (``tongban/core/jobs.py``); without the
scheduler, run ``tongban audit seal`` from cron or a systemd timer, or enqueue this task
from one. Both raise the ``audit.seal_problem`` alert for the audit administrators when a
stream's new records do not verify.

``run_scheduled_job`` is how the scheduler hands a claimed slot of a periodic job to the
worker (see ``tongban.core.scheduling``).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from tongban.core import scheduling
from tongban.core.alerts import Severity, raise_alert
from tongban.core.audit import AuditProblem, seal_streams

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


@task()
def run_scheduled_job(run_id: int) -> bool:
    """Run one claimed slot of a periodic job (``ScheduledRun`` ``run_id``), once."""
    return scheduling.execute(run_id, reraise=True)
