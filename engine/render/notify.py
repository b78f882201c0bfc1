"""What `sop notify` did, one line a message, for the log cron keeps."""

from __future__ import annotations

from engine.i18n import Lang, messages
from engine.notify.send import Done, Report
from engine.runtime.layout import WIDTH, wrap
from engine.screen import visible

SAID = messages(
    "notify.report",
    {
        "sent": ("已发送", "sent"),
        "failed": ("发送失败, 将重试", "failed, will retry"),
        "gave-up": ("发送失败, 不再重试", "failed, given up"),
        "in-doubt": ("可能未送达", "may not have arrived"),
        "would-send": ("将发送", "would send"),
        "nobody": (
            '#{run} {site}: 通知设置中没有岗位 "{role}" 的联系方式, 无法通知',
            '#{run} {site}: the notify settings give no way to reach role "{role}"',
        ),
        "line": (
            "{what} #{run} {step} → {role} ({to}){why}",
            "{what} #{run} {step} → {role} ({to}){why}",
        ),
        "summary": ("通知: {parts}", "notify: {parts}"),
        "nothing": ("通知: 现在没有要发送的", "notify: nothing to send now"),
        "n_sent": ("已发送 {n}", "{n} sent"),
        "n_would": ("将发送 {n}", "{n} to send"),
        "n_failed": ("失败 {n}", "{n} failed"),
        "n_doubt": ("可能未送达 {n}", "{n} in doubt"),
        "n_earlier": ("之前已处理 {n}", "{n} done before"),
        "n_later": ("稍后重试 {n}", "{n} to retry later"),
        "n_nobody": ("无人可通知 {n}", "{n} with no one to tell"),
        "no_site": ("(未指定案场)", "(no site)"),
        "moved": (
            "⏰ #{run}「{step}」已超过期限 ({text}), 转入: {to}",
            '⏰ #{run} "{step}" is past its deadline ({text}): moved to {to}',
        ),
    },
)

SHOWN = ("sent", "failed", "gave-up", "in-doubt", "would-send")


def _line(d: Done, lang: Lang) -> tuple[str, tuple[str, ...]] | None:
    """A line and the names in it not to break across lines."""
    if d.outcome == "nobody":
        site = d.site or SAID["no_site"].say(lang)
        said = SAID["nobody"].say(lang, run=d.run, site=visible(site), role=d.role)
        return said, (f'"{d.role}"', site)
    if d.outcome not in SHOWN or d.planned is None:
        return None
    p = d.planned
    why = f": {visible(d.error)}" if d.error else ""
    keep = (str(p.due.get("title", "")), p.role_title, f"({p.address.said})")
    return SAID["line"].say(
        lang,
        what=SAID[d.outcome].say(lang),
        run=p.run.id,
        step=visible(str(p.due.get("title", ""))),
        role=visible(p.role_title),
        to=visible(p.address.said),
        why=why,
    ), keep


def as_text(report: Report, lang: Lang, columns: int = WIDTH) -> str:
    lines: list[tuple[str, tuple[str, ...]]] = [
        (
            SAID["moved"].say(
                lang,
                run=m.run,
                step=visible(m.step_title),
                text=visible(m.text),
                to=visible(m.to_title),
            ),
            (visible(m.step_title), visible(m.to_title)),
        )
        for m in report.moved
    ]
    lines += [line for d in report.done if (line := _line(d, lang)) is not None]
    nobody = {(d.run, d.role) for d in report.done if d.outcome == "nobody"}
    counts = {
        "n_sent": report.count("sent"),
        "n_would": report.count("would-send"),
        "n_failed": report.count("failed") + report.count("gave-up"),
        "n_doubt": report.count("in-doubt"),
        "n_earlier": report.count("earlier"),
        "n_later": report.count("later"),
        "n_nobody": len(nobody),
    }
    parts = [SAID[key].say(lang, n=n) for key, n in counts.items() if n]
    said = ", " if lang == "en" else "，"
    summary = SAID["summary"].say(lang, parts=said.join(parts)) if parts else None
    lines.append((summary or SAID["nothing"].say(lang), ()))
    return "".join(
        line + "\n"
        for text, keep in lines
        for line in wrap(text, limit=columns, hang="  ", keep=keep)
    )
