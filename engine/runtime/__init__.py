"""The runtime: a rulebook's procedures walked step by step, every answer journaled.

Only this package imports `transitions` (engine.runtime.machine). The runner
talks to people through a `Driver` (engine.runtime.prompts): the terminal,
a scenario file, or a test.
"""
