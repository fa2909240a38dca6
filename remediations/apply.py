"""``remediate apply`` / ``apply --resume`` / ``undo``: a plan (or a journaled run) -> cloud changes.

Order of work for a new run: read every resource's live tags; refuse the plan when any resource
changed since the plan (neither its plan-time nor its planned tags); journal every change as
pending; then write tags, send notices, stop what a person approved; mark each change applied or
failed with the cloud's own error. Nothing is changed without ``execute=True`` (the CLI's ``--yes``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from tagwarden.engine.store import Store
from tagwarden.remediations.clouds.interface import TagWriter, WriterError, WriterOptions, WriterStats
from tagwarden.remediations.clouds.registry import writer_for
from tagwarden.remediations.journal import (
    APPLIED,
    DEFERRED,
    FAILED,
    PENDING,
    RETRIED_ON_RESUME,
    SKIPPED,
    Journal,
    JournalEntry,
    new_run_id,
)
from tagwarden.remediations.plan_model import Plan, PlanItem, PlannedNotice, after_edits, tags_digest
from tagwarden.remediations.targets import TagEdit, TagWrite, Target

WriterFactory = Callable[[str], TagWriter]


class ApplyRefused(Exception):
    """The plan (or run) is refused as a whole; nothing was changed. ``problems`` name the resources."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


@dataclass(frozen=True)
class ApplyOptions:
    approved_by: str
    execute: bool = False  # False: say what would be done, change nothing
    max_changes: int | None = None
    skip_changed: bool = False  # skip resources changed since the plan instead of refusing the plan


@dataclass
class ApplyReport:
    run: str | None
    applied: int = 0
    failed: int = 0
    skipped: int = 0
    lines: list[str] = field(default_factory=list)  # what was (or would be) done, for stderr/stdout
    failures: list[str] = field(default_factory=list)
    skips: list[str] = field(default_factory=list)  # "resource: why", for changes left alone
    stats: dict[str, WriterStats] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # for stderr
    entries: list[JournalEntry] = field(default_factory=list)  # what was (or would be) done

    @property
    def planned_edits(self) -> int:
        return sum(len(entry.edits) for entry in self.entries if entry.state == PENDING)

    def as_json(self) -> dict[str, Any]:
        return {"run": self.run, "applied": self.applied, "failed": self.failed, "skipped": self.skipped}


class Writers:
    """One writer per provider, made on first use, with its stats kept for the report."""

    def __init__(self, options: WriterOptions, factory: Callable[[str, WriterOptions, WriterStats], TagWriter]) -> None:
        self.options = options
        self.factory = factory
        self.stats: dict[str, WriterStats] = {}
        self._writers: dict[str, TagWriter] = {}

    def get(self, provider: str) -> TagWriter:
        if provider not in self._writers:
            stats = self.stats.setdefault(provider, WriterStats())
            self._writers[provider] = self.factory(provider, self.options, stats)
        return self._writers[provider]


def default_writers(options: WriterOptions) -> Writers:
    return Writers(options, writer_for)


# --- reading live tags -------------------------------------------------------------------------


def live_tags(writers: Writers, targets: Sequence[Target]) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """Tags by resource id, and why some could not be read (by resource id)."""
    by_provider: dict[str, list[Target]] = defaultdict(list)
    for target in targets:
        by_provider[target.provider].append(target)
    found: dict[str, dict[str, str]] = {}
    unreadable: dict[str, str] = {}
    for provider, group in by_provider.items():
        writer = writers.get(provider)
        found.update(writer.current_tags(group))
        unreadable.update(writers.stats[provider].read_failures)
    return found, unreadable


def _classify(item: PlanItem, found: Mapping[str, dict[str, str]], unreadable: Mapping[str, str]) -> str:
    """todo | done | a description of how the resource changed."""
    resource_id = item.target.resource_id
    if resource_id in unreadable:
        return f"its tags cannot be read: {unreadable[resource_id]}"
    tags = found.get(resource_id)
    if tags is None:
        # The AWS Tagging API does not return resources that never had tags: absent means "no tags"
        # for a plan made when the resource had none; otherwise the resource is gone or was stripped.
        if item.tags_digest == tags_digest(item.target.provider, {}):
            tags = {}
        else:
            return "it no longer exists (or lost all of its tags) since the plan"
    digest = tags_digest(item.target.provider, tags)
    if digest == item.tags_digest:
        return _consistent(item, tags)
    if digest == item.after_digest:
        return "done"
    return "its tags changed since the plan"


def _consistent(item: PlanItem, tags: Mapping[str, str]) -> str:
    """todo, unless the item's edits do not start from its tags or do not end at its after_digest: such an
    item was not made by `remediate plan`, and the journal would record wrong values to undo to."""
    wrong = [edit.key for edit in item.edits if tags.get(edit.key) != edit.before]
    if wrong:
        return f"its edits do not start from its tags ({', '.join(wrong)}): the plan is not as it was made"
    if tags_digest(item.target.provider, after_edits(tags, item.edits)) != item.after_digest:
        return "its edits do not lead to its after_digest: the plan is not as it was made"
    return "todo"


# --- a new run ---------------------------------------------------------------------------------


def apply_plan(
    store: Store,
    plan: Plan,
    plan_digest: str,
    options: ApplyOptions,
    writers: Writers,
    notifier_for: Callable[[Mapping[str, Any]], Any] | None = None,
) -> ApplyReport:
    found, unreadable = live_tags(writers, [item.target for item in plan.items])
    states = {item.target.resource_id: _classify(item, found, unreadable) for item in plan.items}
    changed = [f"{rid}: {state}" for rid, state in states.items() if state not in ("todo", "done")]
    if changed and not options.skip_changed:
        raise ApplyRefused(
            f"the plan is refused: {len(changed)} resource(s) changed since it was made "
            "(make a new plan, or pass --skip-changed to leave them out)",
            changed,
        )
    journal = Journal(store)
    sent = journal.sent_notices(plan_digest)
    entries = _entries(plan, states, options, sent)
    report = ApplyReport(run=None, stats=writers.stats)
    report.lines = [_describe(entry) for entry in entries]
    report.entries = entries
    if not options.execute:
        report.skipped = sum(1 for entry in entries if entry.state != PENDING)
        return report
    run_id = new_run_id(datetime.now(UTC))
    report.run = run_id
    journal.begin_run(
        run_id,
        kind="apply",
        plan_digest=plan_digest,
        policy_name=str(plan.policy.get("name", "")),
        approved_by=options.approved_by,
        options={"max_changes": options.max_changes, "notify": dict(plan.notify)},
    )
    _audit(
        store,
        "remediation.approve",
        options.approved_by,
        {"run": run_id, "plan_digest": plan_digest, "changes": plan.change_count},
    )
    journal.record(run_id, entries)  # before anything is changed
    _execute(
        journal, run_id, [entry for entry in entries if entry.state == PENDING], writers, plan.notify, notifier_for
    )
    return _finish(store, journal, run_id, "remediation.apply", options.approved_by, plan_digest, report)


def _entries(plan: Plan, states: Mapping[str, str], options: ApplyOptions, sent: set[str]) -> list[JournalEntry]:
    entries: list[JournalEntry] = []
    budget = options.max_changes
    for item in plan.items:
        state = states[item.target.resource_id]
        base: dict[str, Any] = {
            "rules": sorted({change.rule for change in item.changes}),
            "approvers": list(item.approvers),
        }
        if item.edits:
            edits = item.edits
            if state == "done":
                entries.append(_entry(entries, "tags", item.target, edits, base, SKIPPED, "already applied"))
            elif state != "todo":
                entries.append(_entry(entries, "tags", item.target, edits, base, SKIPPED, state))
            elif budget is not None and len(edits) > budget:
                budget = 0
                entries.append(
                    _entry(
                        entries, "tags", item.target, edits, base, DEFERRED, f"over --max-changes {options.max_changes}"
                    )
                )
            else:
                if budget is not None:
                    budget -= len(edits)
                entries.append(_entry(entries, "tags", item.target, edits, base, PENDING, None))
        for notice in item.notices:
            key = notice_key(item.target, notice)
            payload = {**base, "notice": _notice_json(notice), "notice_key": key}
            skip = "already sent for this plan" if key in sent else None
            entries.append(_entry(entries, "notice", item.target, (), payload, SKIPPED if skip else PENDING, skip))
        if item.stop is not None:
            approved = options.approved_by.casefold() in {name.casefold() for name in item.approvers}
            why = None if approved else f"a stop needs approval by one of: {', '.join(item.approvers) or '(nobody)'}"
            if state != "todo" and state != "done":
                why = state
            payload = {**base, "stop": {"rule": item.stop.rule, "deadline": item.stop.deadline}}
            entries.append(_entry(entries, "stop", item.target, (), payload, SKIPPED if why else PENDING, why))
    return entries


def _entry(
    entries: list[JournalEntry],
    kind: str,
    target: Target,
    edits: tuple[TagEdit, ...],
    payload: Mapping[str, Any],
    state: str,
    error: str | None,
) -> JournalEntry:
    return JournalEntry(len(entries) + 1, kind, target, edits, payload, state, error)


def notice_key(target: Target, notice: PlannedNotice) -> str:
    return f"{notice.level}|{notice.channel}|{notice.to}|{target.resource_id}"


def _notice_json(notice: PlannedNotice) -> dict[str, Any]:
    return {
        "level": notice.level,
        "channel": notice.channel,
        "to": notice.to,
        "rules": list(notice.rules),
        "findings": list(notice.findings),
        "deadline": notice.deadline,
    }


def _describe(entry: JournalEntry) -> str:
    state = "" if entry.state == PENDING else f"  [{entry.state}: {entry.error}]"
    resource = entry.target.resource_id
    if entry.kind == "tags":
        edits = ", ".join(f"{e.key}: {e.before!r} -> {e.after!r}" for e in entry.edits)
        return f"tag     {resource}  {edits}{state}"
    if entry.kind == "notice":
        notice = entry.payload["notice"]
        return f"notify  {resource}  level {notice['level']} {notice['to']} via {notice['channel']}{state}"
    return f"stop    {resource}{state}"


# --- doing the work ----------------------------------------------------------------------------


def _execute(
    journal: Journal,
    run_id: str,
    entries: Sequence[JournalEntry],
    writers: Writers,
    notify: Mapping[str, Any],
    notifier_for: Callable[[Mapping[str, Any]], Any] | None,
) -> None:
    tag_entries = [entry for entry in entries if entry.kind == "tags"]
    notice_entries = [entry for entry in entries if entry.kind == "notice"]
    stop_entries = [entry for entry in entries if entry.kind == "stop"]
    journal.mark(run_id, _write_tags(tag_entries, writers))
    journal.mark(run_id, _send_notices(notice_entries, notify, notifier_for, run_id))
    journal.mark(run_id, _stop(stop_entries, writers))


def _write_tags(entries: Sequence[JournalEntry], writers: Writers) -> list[tuple[int, str, str | None]]:
    by_provider: dict[str, list[JournalEntry]] = defaultdict(list)
    for entry in entries:
        by_provider[entry.target.provider].append(entry)
    marks: list[tuple[int, str, str | None]] = []
    for provider, group in by_provider.items():
        try:
            outcomes = writers.get(provider).write([TagWrite(entry.target, entry.edits) for entry in group])
        except WriterError as error:
            marks.extend((entry.seq, FAILED, str(error)) for entry in group)
            continue
        for entry, outcome in zip(group, outcomes, strict=True):
            marks.append((entry.seq, APPLIED if outcome.ok else FAILED, None if outcome.ok else outcome.error))
    return marks


def _send_notices(
    entries: Sequence[JournalEntry],
    notify: Mapping[str, Any],
    notifier_for: Callable[[Mapping[str, Any]], Any] | None,
    run_id: str,
) -> list[tuple[int, str, str | None]]:
    from tagwarden.remediations.notify.interface import Notice, NoticeItem, NotifyError

    groups: dict[tuple[str, str, int], list[JournalEntry]] = defaultdict(list)
    for entry in entries:
        notice = entry.payload["notice"]
        groups[(notice["channel"], notice["to"], int(notice["level"]))].append(entry)
    marks: list[tuple[int, str, str | None]] = []
    channels = notify.get("channels") or {}
    for (channel, recipient, level), group in groups.items():
        config = channels.get(channel)
        if config is None or notifier_for is None:
            why = f"no notification channel {channel!r}" if config is None else "notifications are not available"
            marks.extend((entry.seq, FAILED, why) for entry in group)
            continue
        deadlines = sorted(d for entry in group if (d := entry.payload["notice"].get("deadline")))
        items = tuple(
            NoticeItem(
                resource_id=entry.target.resource_id,
                resource_type=entry.target.type,
                account=entry.target.account,
                findings=tuple(entry.payload["notice"]["findings"]),
            )
            for entry in group
        )
        subject = (
            f"tagwarden: {len(items)} resource(s) need their tags fixed"
            if level == 0
            else f"tagwarden escalation (level {level}): {len(items)} resource(s) past their tagging deadline"
        )
        notice = Notice(recipient, subject, items, level, deadlines[0] if deadlines else None, run_id)
        try:
            notifier_for(config).send([notice])
        except (NotifyError, OSError, ValueError) as error:
            marks.extend((entry.seq, FAILED, str(error)) for entry in group)
            continue
        marks.extend((entry.seq, APPLIED, None) for entry in group)
    return marks


def _stop(entries: Sequence[JournalEntry], writers: Writers) -> list[tuple[int, str, str | None]]:
    marks: list[tuple[int, str, str | None]] = []
    by_provider: dict[str, list[JournalEntry]] = defaultdict(list)
    for entry in entries:
        by_provider[entry.target.provider].append(entry)
    for provider, group in by_provider.items():
        stopper = getattr(writers.get(provider), "stop", None)
        if stopper is None:
            marks.extend((entry.seq, FAILED, f"the {provider} writer cannot stop resources") for entry in group)
            continue
        for entry, outcome in zip(group, stopper([entry.target for entry in group]), strict=True):
            marks.append((entry.seq, APPLIED if outcome.ok else FAILED, None if outcome.ok else outcome.error))
    return marks


def _finish(
    store: Store, journal: Journal, run_id: str, kind: str, actor: str, plan_digest: str, report: ApplyReport
) -> ApplyReport:
    counts = journal.state_counts(run_id)
    report.applied = counts.get(APPLIED, 0)
    report.failed = counts.get(FAILED, 0) + counts.get(PENDING, 0)
    report.skipped = counts.get(SKIPPED, 0) + counts.get(DEFERRED, 0)
    report.failures = [
        f"{entry.target.resource_id}: {entry.error}" for entry in journal.entries(run_id, {FAILED, PENDING})
    ]
    report.skips = [
        f"{entry.target.resource_id} ({entry.kind}): {entry.error}"
        for entry in journal.entries(run_id, {SKIPPED, DEFERRED})
    ]
    journal.finish_run(run_id, "failed" if report.failed else "complete", counts)
    _audit(store, kind, actor, {"run": run_id, "plan_digest": plan_digest, **report.as_json()})
    return report


def _audit(store: Store, kind: str, actor: str, payload: Mapping[str, Any]) -> None:
    from tagwarden.engine.audit.trail import record_event

    record_event(store, kind, actor, payload)


# --- resume and undo ---------------------------------------------------------------------------


def resume_run(
    store: Store,
    run_id: str,
    options: ApplyOptions,
    writers: Writers,
    notifier_for: Callable[[Mapping[str, Any]], Any] | None = None,
    plan_digest: str | None = None,
) -> ApplyReport:
    journal = Journal(store)
    run = journal.run(run_id)
    if run is None or run.kind != "apply":
        raise ApplyRefused(f"no apply run {run_id!r} in the store (see `remediate runs`)")
    if plan_digest is not None and plan_digest != run.plan_digest:
        raise ApplyRefused(f"run {run_id} applied another plan ({run.plan_digest}), not this one ({plan_digest})")
    retry = journal.entries(run_id, set(RETRIED_ON_RESUME))
    if not retry:
        return _nothing_to_resume(journal, run_id, writers)
    marks, pending = _recheck(journal, retry, writers, options.max_changes)
    pending = [replace(entry, state=PENDING, error=None) for entry in pending]  # what is retried now
    report = ApplyReport(run=run_id, stats=writers.stats)
    report.lines = [_describe(entry) for entry in pending]
    report.entries = list(pending)
    if not options.execute:
        report.skipped = len(retry) - len(pending)
        report.skips = _left_out(retry, marks)
        return report
    journal.mark(run_id, marks)
    journal.mark(run_id, [(entry.seq, PENDING, None) for entry in pending])
    _execute(journal, run_id, pending, writers, run.options.get("notify") or {}, notifier_for)
    return _finish(store, journal, run_id, "remediation.resume", options.approved_by, run.plan_digest, report)


def _left_out(entries: Sequence[JournalEntry], marks: Sequence[tuple[int, str, str | None]]) -> list[str]:
    """For a dry run: what would not be done, and why."""
    by_seq = {entry.seq: entry for entry in entries}
    return [
        f"{by_seq[seq].target.resource_id} ({by_seq[seq].kind}): {error or 'already in place'}"
        for seq, _, error in marks
    ]


def _nothing_to_resume(journal: Journal, run_id: str, writers: Writers) -> ApplyReport:
    """Every change of the run is applied or skipped: the run's own counts, and no new audit record."""
    counts = journal.state_counts(run_id)
    report = ApplyReport(run=run_id, stats=writers.stats, applied=counts.get(APPLIED, 0))
    report.skipped = counts.get(SKIPPED, 0) + counts.get(DEFERRED, 0)
    report.notes.append(f"run {run_id} has nothing left to retry: every change is applied or skipped")
    return report


def _recheck(
    journal: Journal, entries: Sequence[JournalEntry], writers: Writers, max_changes: int | None
) -> tuple[list[tuple[int, str, str | None]], list[JournalEntry]]:
    """Tag changes already in place are applied; changed ones fail; the rest (within the limit) go ahead."""
    tag_entries = [entry for entry in entries if entry.kind == "tags"]
    found, unreadable = live_tags(writers, [entry.target for entry in tag_entries])
    marks: list[tuple[int, str, str | None]] = []
    pending: list[JournalEntry] = []
    budget = max_changes
    for entry in entries:
        if entry.kind != "tags":
            pending.append(entry)
            continue
        verdict = _edits_state(entry, found, unreadable)
        if verdict == "done":
            marks.append((entry.seq, APPLIED, None))
        elif verdict != "todo":
            marks.append((entry.seq, FAILED, verdict))
        elif budget is not None and len(entry.edits) > budget:
            budget = 0
            marks.append((entry.seq, DEFERRED, f"over --max-changes {max_changes}"))
        else:
            budget = None if budget is None else budget - len(entry.edits)
            pending.append(entry)
    return marks, pending


def _edits_state(entry: JournalEntry, found: Mapping[str, dict[str, str]], unreadable: Mapping[str, str]) -> str:
    resource_id = entry.target.resource_id
    if resource_id in unreadable:
        return f"its tags cannot be read: {unreadable[resource_id]}"
    tags = found.get(resource_id, {})
    if all(tags.get(edit.key) == edit.after for edit in entry.edits):
        return "done"
    if all(tags.get(edit.key) == edit.before for edit in entry.edits):
        return "todo"
    keys = [edit.key for edit in entry.edits if tags.get(edit.key) not in (edit.before, edit.after)]
    return f"changed since it was journaled ({', '.join(keys) or 'a partial change'})"


def undo_run(store: Store, run_id: str, options: ApplyOptions, writers: Writers) -> ApplyReport:
    """Restore every tag ``run_id`` changed to its previous value; a new run of kind undo."""
    journal = Journal(store)
    run = journal.run(run_id)
    if run is None:
        raise ApplyRefused(f"no run {run_id!r} in the store (see `remediate runs`)")
    complete = [undo.id for undo in journal.undos_of(run_id) if undo.status == "complete"]
    if complete:
        raise ApplyRefused(f"run {run_id} was already undone by {complete[0]}; there is nothing left to restore")
    done = [entry for entry in journal.entries(run_id, {APPLIED}) if entry.kind == "tags"]
    inverse = [
        JournalEntry(
            index,
            "tags",
            entry.target,
            tuple(edit.inverse() for edit in reversed(entry.edits)),
            {"undoes": run_id, "seq": entry.seq},
        )
        for index, entry in enumerate(done, start=1)
    ]
    marks, pending = _recheck(journal, inverse, writers, options.max_changes)
    # a tag already back at its old value was restored by someone (an earlier, partial undo): not by this run
    marks = [(seq, SKIPPED, "already as before the run") if state == APPLIED else (seq, state, error)
             for seq, state, error in marks]  # fmt: skip
    report = ApplyReport(run=None, stats=writers.stats)
    report.lines = [_describe(entry) for entry in pending]
    report.entries = list(pending)
    if not options.execute:
        report.skipped = len(inverse) - len(pending)
        report.skips = _left_out(inverse, marks)
        return report
    undo_id = new_run_id(datetime.now(UTC))
    report.run = undo_id
    journal.begin_run(
        undo_id,
        kind="undo",
        plan_digest=run.plan_digest,
        policy_name=run.policy_name,
        approved_by=options.approved_by,
        undoes=run_id,
    )
    states = {seq: (state, error) for seq, state, error in marks}
    journal.record(
        undo_id,
        [
            JournalEntry(e.seq, e.kind, e.target, e.edits, e.payload, *states.get(e.seq, (PENDING, None)))
            for e in inverse
        ],
    )
    journal.mark(undo_id, _write_tags(pending, writers))
    return _finish(store, journal, undo_id, "remediation.undo", options.approved_by, run.plan_digest, report)
