"""The Gherkin specification without a browser: one source for the article's sentences (feature
files, demo, walkthrough, living documentation, the docs), every shipped step defined, every device
type in the outline, the undefined-step message and the living-documentation pages."""
import html
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from pytest_bdd.feature import get_features
from pytest_bdd.steps import step_function_context_registry

from flows import steps as kit_steps
from flows.command.spec import write_pages
from flows.current import current_steps
from flows.devices import device_for
from flows.flow import ARTICLE_STEPS, StepRunner
from flows.pages.current import CHOICES
from flows.users import FRESH_DEVICES


ROOT = Path(__file__).resolve().parents[2]


def shipped(lang):
    return {Path(f.filename).name: f for f in get_features([kit_steps.features(lang)])}


def article_scenario(lang):
    return next(iter(shipped(lang)["1_cancel_opt_out.feature"].scenarios.values()))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_article_scenario_says_the_seven_sentences_the_demo_prints(lang):
    # Its もし/かつ steps are the article's steps, word for word and in order ...
    assert [s.name for s in article_scenario(lang).steps if s.type == "when"] == ARTICLE_STEPS[lang]
    # ... and the demo prints (and the screenshots caption) what StepRunner hands out: the same list.
    run = StepRunner(lang)
    for number in range(1, 8):
        with run.step(number):
            pass
    assert [r.text for r in run.results] == ARTICLE_STEPS[lang]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_current_revision_outline_says_current_steps_for_each_of_the_three_choices(lang):
    outline = next(iter(shipped(lang)["3_current_revision.feature"].scenarios.values()))
    said = [[s.name for s in outline.render(context).steps if s.type == "when"]
            for e in outline.examples for context in e.as_contexts()]
    assert said == [current_steps(lang, choice) for choice in CHOICES]


def test_the_committed_pages_and_the_docs_say_the_same_sentences():
    walkthrough = (ROOT / "docs/walkthrough-ja/index.html").read_text(encoding="utf-8")
    assert [html.unescape(t) for t in re.findall(r"<li><p>(.*?)</p>", walkthrough)] == ARTICLE_STEPS["ja"]
    spec = (ROOT / "docs/spec-ja/1_cancel_opt_out.html").read_text(encoding="utf-8")
    first = spec.split("<h2>")[1]  # the article's scenario comes first, as in the feature file
    said = [html.unescape(t) for t in re.findall(r'<span class="kw">[^<]*</span>(.*?)<span', first)]
    assert [s for s in said if s in ARTICLE_STEPS["ja"]] == ARTICLE_STEPS["ja"]
    demo_output = (ROOT / "docs" / "development.md").read_text(encoding="utf-8")
    printed = re.findall(r"^  step (\d)\s+\d+ ms  (.+)$", demo_output, re.M)
    assert printed and all(text == ARTICLE_STEPS["ja"][int(n) - 1] for n, text in printed)


def kit_parsers():
    return [(c.type, c.parser) for c in list(step_function_context_registry.values())
            if c.step_func.__module__ == kit_steps.__name__]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_step_of_the_shipped_features_is_defined(lang):
    parsers = kit_parsers()
    undefined = []
    for feature in shipped(lang).values():
        for template in feature.scenarios.values():
            contexts = [c for e in template.examples for c in e.as_contexts()] or [{}]
            for context in contexts:
                for s in template.render(context).steps:
                    if not any(kind in (None, s.type) and parser.is_matching(s.name) for kind, parser in parsers):
                        undefined.append(f"{Path(feature.filename).name}:{s.line_number} {s.name}")
    assert undefined == []


def test_the_device_outline_covers_every_documented_device_type():
    documented = set(re.findall(r"^\| `(\w+)` \|", (ROOT / "docs/devices.md").read_text(encoding="utf-8"), re.M))
    documented.discard("type")  # the table's header
    assert set(FRESH_DEVICES) == documented
    for lang in ("ja", "en"):
        outline = next(t for t in shipped(lang)["1_cancel_opt_out.feature"].scenarios.values() if t.examples)
        assert {v for e in outline.examples for c in e.as_contexts() for v in c.values()} == documented
    for kind, fresh in FRESH_DEVICES.items():
        assert device_for(fresh()[0], username="someone").type == kind


def test_a_misspelled_step_names_itself_its_place_and_the_closest_sentences():
    step = SimpleNamespace(keyword="もし", name="「佐藤」がポータルにログインしてセキュア・ログイン設定を開きまう", line_number=7)
    scenario = SimpleNamespace(name="SMSのユーザー")
    message = kit_steps.undefined_step_message(step, scenario, "/p/features/sms.feature", kit_steps.defined_steps())
    lines = message.splitlines()
    assert lines[0] == "Undefined step: もし 「佐藤」がポータルにログインしてセキュア・ログイン設定を開きまう"
    assert lines[1] == "  at /p/features/sms.feature:7 (scenario: SMSのユーザー)"
    assert lines[3] == "    「{user}」がポータルにログインしてセキュア・ログイン設定を開きます"


def test_the_spec_pages_show_each_step_its_outcome_time_and_screen(tmp_path):
    feature = {"keyword": "機能", "name": "解約", "filename": "/f/1_x.feature", "description": "説明", "tags": [],
               "rel_filename": "1_x.feature", "language": "ja", "line_number": 2}

    def step(keyword, name, failed=False):
        return {"keyword": keyword, "name": name, "failed": failed, "duration": 0.25, "type": "when", "line_number": 1}

    records = [
        {"scenario": {"keyword": "シナリオ", "name": "後の方", "line_number": 9, "feature": feature,
                      "steps": [step("もし", "二つ目", True), step("ならば", "見えない", True)]},
         "outcome": "failed", "seconds": 1.5, "example": "", "error": "AssertionError: 違う", "shots": ["02-01.jpg", None]},
        {"scenario": {"keyword": "シナリオ", "name": "先の方", "line_number": 4, "feature": feature,
                      "steps": [step("前提", "一つ目"), step("もし", "<開く>")]},
         "outcome": "passed", "seconds": 0.5, "example": "", "error": "", "shots": [None, "01-02.jpg"]},
    ]
    write_pages(tmp_path, "ja", records, [("given", "「{user}」がいます"), (None, "ブラウザーを開きます")])
    page = (tmp_path / "1_x.html").read_text(encoding="utf-8")
    assert page.index("先の方") < page.index("後の方")  # the feature file's order, not the run's
    assert '<li class="passed"><span class="kw">もし</span>&lt;開く&gt;<span class="time">0.2 s · 成功</span>' \
           '<img src="01-02.jpg"' in page
    assert '<li class="failed"><span class="kw">もし</span>二つ目' in page
    assert '<li class="skipped"><span class="kw">ならば</span>見えない<span class="time">0.2 s · 未実行</span></li>' in page
    assert "AssertionError: 違う" in page and "失敗 · 1.5 s" in page
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert '<a href="1_x.html">解約</a>' in index and "1 / 2 シナリオ 成功" in index
    assert ('<li><span class="kw">前提</span>「{user}」がいます</li>'
            '<li><span class="kw">前提・もし・ならば</span>ブラウザーを開きます</li>') in index


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_sentences_a_new_scenario_can_use_are_listed_in_its_language(lang):
    listed = kit_steps.sentences(lang)
    assert [text for _, text in listed if text in ARTICLE_STEPS[lang]] == ARTICLE_STEPS[lang]
    other = "en" if lang == "ja" else "ja"
    assert not set(text for _, text in listed) & set(text for _, text in kit_steps.sentences(other))
    assert len(listed) == len(kit_parsers()) // 2  # every sentence is in both languages


def test_an_examples_rows_values_read_as_written_on_the_page():
    from flows.command.spec import _readable_id
    assert _readable_id(r"IBKR\u30e2\u30d0\u30a4\u30eb-ibkey-\u300c\u7530\u4e2d\u300d") == "IBKRモバイル-ibkey-「田中」"
    assert _readable_id("sms") == "sms"
