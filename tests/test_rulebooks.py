"""The bundled rulebook: clean under --strict, and faithful to the sources:
every standard phrase (标准用语) of the encoded sections stands verbatim as a
`say` line (placeholders as inputs, obvious typos fixed as docs/sources.md
records), and every named form is a record of some procedure."""

from __future__ import annotations

from functools import lru_cache

import pytest

from engine.model import End, Rulebook
from engine.resources import bundled_rulebook
from engine.validate import load_rulebook
from tests.conftest import Runner

RETURNING = "您好,{{ surname }}{{ honorific }},欢迎再次光临"  # “您好,X先生或X女士,欢迎再次光临”

PHRASES: dict[str, list[str]] = {
    # 000 §3.2
    "entrance": [
        "欢迎光临",
        RETURNING,
        "谢谢光临,请慢走",
        "您好,有什么帮到您?",
        "请这边走。",
        "请稍等,我马上联系服务人员带您前往",
    ],
    # 000 §3.3 (“销售中心(或样板房)” is one line per destination)
    "shuttle": [
        "欢迎光临{{ project }}",
        RETURNING,
        "您好,有什么帮到您?",
        "您是要前往销售中心吗?",
        "您是要前往样板房吗?",
        "请这边搭乘看楼车前往",
        "抱歉,这个问题稍后咨询相关人员再给您做详细的介绍。",
        "您好,销售中心已经到了,感谢您乘坐",
        "您好,样板房已经到了,感谢您乘坐",
        "销售大厅请往这边走。",
    ],
    # 000 §3.4 (“雨伞(物品)” is one line per item)
    "lobby": [
        "{{ project }}欢迎您的光临",
        "请让我帮您把雨伞放好",
        "请让我帮您把物品放好",
        "抱歉,这个问题我不清楚,稍后会有销售人员为您做更详细的介绍",
        "请留下您的联络方式,稍后会有销售人员致电给您,为您做更详细的介绍",
        "请留下您的联络方式,便于我们能及时告知您最新的项目信息",
        "样板房请往这边走",
        "谢谢光临,请慢走",
    ],
    # 000 §3.5, 001 篇1 §4.3.1, 003 篇1 (written in simplified characters)
    "show-flat": [
        "欢迎光临{{ project }}样板房",
        "抱歉,这个问题我不清楚,如您方便稍后请前往销售中心详细咨询",
        "谢谢您的光临,请慢走",
        "您好,欢迎参观样板间",
        "您好,欢迎参观!",
        "您好!请穿鞋套!",
        "您好,请慢走!",
        "您好!请您稍坐,我来帮您联系销售人员陪同您一同参观并给您进行现场解说。",
        "您好!欢迎参观!",
        "{{ honorific }},很抱歉这里不允许拍照。",
        "{{ honorific }},很抱歉这里不允许吸烟。",
    ],
}

# Named forms and reports of the encoded sections (003's 《樣板間資產丟失損壞備案表》
# in simplified characters, as the rulebook writes 003's text).
FORMS = {
    "样板间客户接待记录表",
    "交接班记录表",
    "信息传递单",
    "事故情况和处理报告",
    "特别事件处理报告",
    "样板间资产丢失损坏备案表",
}

EMERGENCIES = {
    "fire",
    "power-cut",
    "criminal-incident",
    "robbery",
    "unsecured-vehicle",
    "crowd-disturbance",
}


@lru_cache(maxsize=1)
def rulebook() -> Rulebook:
    return load_rulebook(bundled_rulebook())


def test_bundled_rulebook_is_clean_even_strict(sop: Runner) -> None:
    result = sop("validate", "--strict", "--no-cache", str(bundled_rulebook()))
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("pid", sorted(PHRASES))
def test_standard_phrases_are_verbatim_say_lines(pid: str) -> None:
    proc = rulebook().procedures[pid]
    said = {item.text.source for step in proc.steps.values() for item in step.say}
    missing = [p for p in PHRASES[pid] if p not in said]
    assert not missing, f"{pid} lacks standard phrases: {missing}"


def test_every_named_form_is_recorded() -> None:
    rb = rulebook()
    recorded = {
        rb.forms[r.form.name].title
        for p in rb.procedures.values()
        for s in p.steps.values()
        for r in s.record
    }
    assert recorded >= FORMS, FORMS - recorded


def test_emergencies_have_trigger_priority_and_end_with_a_report() -> None:
    rb = rulebook()
    for pid in EMERGENCIES:
        proc = rb.procedures[pid]
        assert proc.kind == "emergency" and proc.trigger and proc.priority
        ends = [s for s in proc.steps.values() if isinstance(s.exit, End)]
        assert all(s.record for s in ends), f"{pid}: an end step without its report"


def test_every_procedure_and_step_cites_its_source() -> None:
    for proc in rulebook().procedures.values():
        assert proc.source, proc.id
        assert all(step.source or step.calls for step in proc.steps.values()), proc.id
        assert proc.document.number and proc.document.revisions, proc.id


def test_every_bundled_file_names_its_schema_for_the_editor() -> None:
    for path in sorted(bundled_rulebook().glob("*.yaml")):
        first = path.read_text(encoding="utf-8").split("\n", 1)[0]
        schema = "rulebook" if path.name == "rulebook.yaml" else "sop"
        assert first == f"# yaml-language-server: $schema=../schemas/{schema}.schema.json", path
