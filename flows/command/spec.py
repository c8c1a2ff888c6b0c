"""`slskit spec`: the article's specification as living documentation. It runs the shipped
feature files of one language through pytest-bdd and writes one HTML page per feature: each
scenario with its steps, passed or failed, their times and the screen after each step, in the
article's order, for readers who never open the code.

    slskit spec --lang ja --out docs/spec-ja
"""
import html
import tempfile
import time
from pathlib import Path

import pytest

from .screenshots import TITLE

# The binding a team would write; here in a throwaway folder, so the run collects nothing else.
BINDING = """from pytest_bdd import scenarios
from flows.steps import features

scenarios(features({lang!r}))
"""
WORDS = {
    "ja": {"passed": "成功", "failed": "失敗", "skipped": "未実行", "features": "機能", "scenarios": "シナリオ",
           "made": "{when} の実行結果（slskit spec --lang ja）。各ステップの後の画面。", "back": "目次へ",
           "sentences": "新しいシナリオに使える文",
           "sentences_note": "Python を書かずに、これらの文で新しいシナリオを書けます。{…} には名前や値が入ります"
                             "（例: 「{user}」→「田中」）。",
           "given": "前提", "when": "もし", "then": "ならば", None: "前提・もし・ならば"},
    "en": {"passed": "passed", "failed": "failed", "skipped": "not run", "features": "Features", "scenarios": "scenarios",
           "made": "Made from a run on {when} (slskit spec --lang en); the screen after each step.", "back": "Contents",
           "sentences": "Sentences a new scenario can use",
           "sentences_note": "A new scenario made of these sentences needs no Python. {…} takes a name or a value "
                             '(e.g. "{user}" as "Smith").',
           "given": "Given", "when": "When", "then": "Then", None: "Given, When or Then"},
}
STYLE = """body{font-family:sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem;color:#1d2733}
h2{margin-top:2.5rem;border-bottom:1px solid #ccd}
.passed{color:#176b2c}.failed{color:#b00020}.skipped{color:#777}
.badge{font-size:.8em;font-weight:normal;margin-left:.6em}
ol.steps{list-style:none;padding:0}ol.steps li{margin:1rem 0}ul.sentences li{margin:.3rem 0}
.kw{font-weight:bold;margin-right:.4em}.time{color:#777;font-size:.85em;margin-left:.6em}
img{display:block;border:1px solid #ccc;margin-top:.4rem;max-width:100%;width:640px}
pre{background:#fff3f3;padding:.6rem;white-space:pre-wrap}p.description{white-space:pre-line}"""


class SpecRecorder:
    """A pytest plugin for one run: the screen after every Gherkin step, each scenario's outcome,
    and at the end the pages."""

    def __init__(self, out_dir, lang):
        self.out_dir, self.lang = Path(out_dir), lang
        self.shots = {}       # (nodeid, step index) -> image file name
        self.scenarios = []   # what the pages show, one dict per test

    def _page(self, request):
        if "scene" in request.fixturenames:
            return request.getfixturevalue("scene").page
        return request.getfixturevalue("page") if "page" in request.fixturenames else None

    def _shoot(self, request, scenario, step):
        page = self._page(request)
        if page is None or not page.url.startswith("http"):
            return  # nothing on screen yet (the steps that make users)
        page.wait_for_load_state()  # a step that navigates: the page it went to, loaded
        index = next(i for i, s in enumerate(scenario.steps) if s is step)
        name = f"{len(self.scenarios) + 1:02d}-{index + 1:02d}.jpg"
        page.screenshot(path=str(self.out_dir / name), type="jpeg", quality=70, animations="disabled", caret="hide")
        self.shots[(request.node.nodeid, index)] = name

    def pytest_bdd_after_step(self, request, feature, scenario, step):
        self._shoot(request, scenario, step)

    def pytest_bdd_step_error(self, request, feature, scenario, step):
        self._shoot(request, scenario, step)

    def pytest_runtest_logreport(self, report):
        from pytest_bdd.reporting import test_report_context_registry
        context = test_report_context_registry.get(report)
        if context is None or not (report.when == "call" or report.failed):
            return
        scenario = context.scenario
        self.scenarios.append({
            "scenario": scenario, "outcome": report.outcome, "seconds": report.duration,
            "example": _readable_id(context.name.partition("[")[2].rstrip("]")),
            "error": report.longreprtext.strip() if report.failed else "",
            "shots": [self.shots.get((report.nodeid, i)) for i in range(len(scenario["steps"]))],
        })

    def pytest_sessionfinish(self, session):
        if self.scenarios:
            from ..steps import sentences
            write_pages(self.out_dir, self.lang, self.scenarios, sentences(self.lang))


def _readable_id(test_id):
    """pytest writes an Examples row's non-ASCII values as \\uXXXX escapes in the test id; the
    page shows them as written in the feature file."""
    return test_id.encode("latin-1", "backslashreplace").decode("unicode_escape")


def _step_items(record, words):
    failed_seen = False
    for step, shot in zip(record["scenario"]["steps"], record["shots"]):
        if step["failed"] and failed_seen:
            state = "skipped"   # pytest-bdd marks every step after the failing one failed too
        else:
            state = "failed" if step["failed"] else "passed"
        failed_seen = failed_seen or step["failed"]
        image = f'<img src="{shot}" alt="{html.escape(step["name"])}" loading="lazy">' if shot else ""
        yield (f'<li class="{state}"><span class="kw">{html.escape(step["keyword"])}</span>{html.escape(step["name"])}'
               f'<span class="time">{step["duration"]:.1f} s · {words[state]}</span>{image}</li>')


def _feature_page(lang, feature, records, words, when):
    sections = []
    for record in records:
        scenario = record["scenario"]
        example = f' ({html.escape(record["example"])})' if record["example"] else ""
        error = f'<pre>{html.escape(record["error"])}</pre>' if record["error"] else ""
        sections.append(
            f'<h2>{html.escape(scenario["keyword"])}: {html.escape(scenario["name"])}{example}'
            f'<span class="badge {record["outcome"]}">{words[record["outcome"]]} · {record["seconds"]:.1f} s</span></h2>'
            f'<ol class="steps">{"".join(_step_items(record, words))}</ol>{error}')
    return (f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(feature["name"])}</title>'
            f'<link rel="stylesheet" href="spec.css"></head><body><p><a href="index.html">{words["back"]}</a></p>'
            f'<h1>{html.escape(feature["keyword"])}: {html.escape(feature["name"])}</h1>'
            f'<p class="description">{html.escape(feature["description"])}</p>'
            f'<p class="time">{words["made"].format(when=when)}</p>\n' + "\n".join(sections) + "\n</body></html>\n")


def write_pages(out_dir, lang, records, sentences=()):
    """One page per feature (named after its file) and an index, scenarios in file order, with
    the `sentences` (kind, text) a new scenario can use."""
    words, when = WORDS[lang], time.strftime("%Y-%m-%d %H:%M %Z")
    by_feature = {}
    for record in records:
        by_feature.setdefault(record["scenario"]["feature"]["filename"], []).append(record)
    items = []
    for filename in sorted(by_feature):
        group = sorted(by_feature[filename], key=lambda r: r["scenario"]["line_number"])
        feature = group[0]["scenario"]["feature"]
        page = Path(filename).stem + ".html"
        (Path(out_dir) / page).write_text(_feature_page(lang, feature, group, words, when), encoding="utf-8")
        passed = sum(r["outcome"] == "passed" for r in group)
        items.append(f'<li><a href="{page}">{html.escape(feature["name"])}</a> '
                     f'<span class="badge {"passed" if passed == len(group) else "failed"}">'
                     f'{passed} / {len(group)} {words["scenarios"]} {words["passed"]}</span></li>')
    (Path(out_dir) / "spec.css").write_text(STYLE + "\n", encoding="utf-8")
    (Path(out_dir) / "index.html").write_text(
        f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>{TITLE[lang]}</title>'
        f'<link rel="stylesheet" href="spec.css"></head><body><h1>{TITLE[lang]}</h1><h2>{words["features"]}</h2>'
        f'<ol>{"".join(items)}</ol>{_sentence_list(sentences, words)}</body></html>\n', encoding="utf-8")


def _sentence_list(sentences, words):
    if not sentences:
        return ""
    items = "".join(f'<li><span class="kw">{words[kind]}</span>{html.escape(text)}</li>' for kind, text in sentences)
    return f'<h2>{words["sentences"]}</h2><p>{html.escape(words["sentences_note"])}</p><ul class="sentences">{items}</ul>'


def run(lang, out_dir, pytest_args=()):
    """Run the `lang` feature files once, writing the pages into `out_dir`; pytest's exit code."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for old in [*out.glob("*.jpg"), *out.glob("*.html"), *out.glob("spec.css")]:
        old.unlink()  # a page never shows a screen from an earlier run
    with tempfile.TemporaryDirectory(prefix="slskit-spec-") as tmp:
        binding = Path(tmp) / f"test_spec_{lang}.py"
        binding.write_text(BINDING.format(lang=lang), encoding="utf-8")
        # One process: the screens and outcomes are gathered where the steps run.
        args = [str(binding), "--rootdir", tmp, "-p", "no:cacheprovider", "-p", "no:xdist", "-q", *pytest_args]
        return int(pytest.main(args, plugins=[SpecRecorder(out, lang)]))
