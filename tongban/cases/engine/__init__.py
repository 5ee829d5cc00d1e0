"""The process-engine kernel of online approval (C2).

A pure kernel, no Django models: SpiffWorkflow 3.2 runs BPMN models behind this small
interface, so the engine can be replaced (Operaton, Flowable) without touching the case
tables. See docs/adr/0004-process-engine.md.

- :mod:`.profile` — the government BPMN profile: what a model may contain (``check_bpmn``).
- :mod:`.expressions` — the restricted expression language for gateway conditions.
- :mod:`.kernel` — start / ready tasks / complete / timers / cancel over JSON state.
- :mod:`.bundle` — the default single-item flow and the parallel bundle generator.
"""
