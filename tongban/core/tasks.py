"""Background work of the kernel: sealing the audit chain.

``seal_audit_chain`` does what ``tongban audit seal`` does. It is idempotent (a stream whose
head has not moved is not sealed again) and safe in several workers at once (a seal's
range is unique per stream: the second writer of the same seal gets nothing). Until tongban
has a scheduler, run ``tongban audit seal`` every five minutes from cron or a systemd timer,
or enqueue this task from one.
"""

from __future__ import annotations

from django_tasks import task

from tongban.core.audit import seal_streams


@task()
def seal_audit_chain() -> dict[str, list[str]]:
    """Seal every stream whose head moved; return what was sealed and what could not be."""
    run = seal_streams()
    return {
        "sealed": [f"{s.stream}:{s.from_seq}-{s.seq}" for s in run.sealed],
        "problems": [str(problem) for problem in run.problems],
    }
