"""What `sop notify` did, one line a message, for the log cron keeps."""

from __future__ import annotations

from engine.i18n import Lang, messages
from engine.notify.send import Done, Report
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
        "summary": (
            "通知: 已发送 {sent}, 失败 {failed}, 可能未送达 {doubt}, 之前已处理 {earlier}, "
            "稍后重试 {later}, 无人可通知 {nobody}",
            "notify: {sent} sent, {failed} failed, {doubt} in doubt, {earlier} done before, "
            "{later} to retry later, {nobody} with no one to tell",
        ),
        "no_site": ("(未指定案场)", "(no site)"),
        "moved": (
            "⏰ #{run}「{step}」已超过期限 ({text}), 转入: {to}",
            '⏰ #{run} "{step}" is past its deadline ({text}): moved to {to}',
        ),
    },
)

SHOWN = ("sent", "failed", "gave-up", "in-doubt", "would-send")


def _line(d: Done, lang: Lang) -> str | None:
    if d.outcome == "nobody":
        site = d.site or SAID["no_site"].say(lang)
        return SAID["nobody"].say(lang, run=d.run, site=visible(site), role=d.role)
    if d.outcome not in SHOWN or d.planned is None:
        return None
    p = d.planned
    why = f": {visible(d.error)}" if d.error else ""
    return SAID["line"].say(
        lang,
        what=SAID[d.outcome].say(lang),
        run=p.run.id,
        step=visible(str(p.due.get("title", ""))),
        role=visible(p.role_title),
        to=visible(p.address.said),
        why=why,
    )


def as_text(report: Report, lang: Lang) -> str:
    lines = [
        SAID["moved"].say(
            lang,
            run=m.run,
            step=visible(m.step_title),
            text=visible(m.text),
            to=visible(m.to_title),
        )
        for m in report.moved
    ]
    lines += [line for d in report.done if (line := _line(d, lang)) is not None]
    nobody = {(d.run, d.role) for d in report.done if d.outcome == "nobody"}
    lines.append(
        SAID["summary"].say(
            lang,
            sent=report.count("sent") + report.count("would-send"),
            failed=report.count("failed") + report.count("gave-up"),
            doubt=report.count("in-doubt"),
            earlier=report.count("earlier"),
            later=report.count("later"),
            nobody=len(nobody),
        )
    )
    return "\n".join(lines) + "\n"
