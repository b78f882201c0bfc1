"""Reminders and escalation that reach people: `sop notify`.

What is due, overdue and escalated (the rulebooks' `escalate:` chains) is
turned into messages, each sent through the channels the settings give for
a role at a site — a WeCom group webhook, an SMS gateway over HTTP, e-mail
over SMTP, a local outbox file. Every message is journaled on its run before
it is sent, and its outcome after, so none is sent twice (across crashes and
concurrent runs of `sop notify`) and failures are retried with backoff.
"""
