"""`slskit article-check` offline: the seed's text (ja) and its English rendering pass with their
declared differences, an HTML copy reads as the text, and edited copies fail naming the step and
the label. The copies in tests/inprocess/article_copies/ are the seed's files as they are (checked against
../shared/seeds/ where that folder is) and the seed as the knowledge base serves a page."""
import http.server
import json
import re
import shutil
import threading
from functools import partial
from pathlib import Path

import pytest

from flows.cli import main
from flows.command import article
from flows.command.article import STEP_LABELS, check, compare, kit_steps, names, parse_steps, read_source
from flows.labels import LABELS


ROOT = Path(__file__).resolve().parents[2]
COPIES = Path(__file__).parent / "article_copies"
SEED = {"ja": COPIES / "000_872059ef0c9e01c6.txt", "en": COPIES / "000_872059ef0c9e01c6.en.md"}
HTML = COPIES / "000_872059ef0c9e01c6.ja.html"
SHARED_SEEDS = ROOT.parent / "shared" / "seeds"


def run(source, lang="ja", revision="seed", **kw):
    lines = []
    code = check(str(source), lang, revision, out=lines.append, **kw)
    return code, "\n".join(lines)


def edited(tmp_path, lang, *replacements):
    """A copy of the seed with each (old, new) replaced once; `old` must be there."""
    text = SEED[lang].read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / SEED[lang].name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="../shared/seeds/ (where the seed came from) is not beside this checkout")
def test_the_committed_copies_are_the_seeds_files():
    for path in SEED.values():
        assert path.read_bytes() == (SHARED_SEEDS / path.name).read_bytes(), path.name


@pytest.mark.parametrize("lang, declared", [("ja", 5), ("en", 10)])
def test_the_seed_passes_with_its_declared_differences_listed(lang, declared):
    code, said = run(SEED[lang], lang)
    assert code == 0, said
    assert said.count("  declared  ") == declared and "DRIFT" not in said
    assert len(re.findall(r"^            because: \S", said, re.M)) == declared
    assert said.endswith(f"OK: no drift; {declared} declared difference(s) (article_declared.json)")


def test_the_seeds_typo_and_step_7_are_declared_with_their_reasons():
    said = run(SEED["ja"])[1]
    assert "step 2  declared  label renamed: the kit's 「ポータル・ログイン」 is 「ポータル・ロングイン」" in said
    assert re.search(r"step 7  declared  reworded: the article says 「[^」]*送信されます", said)
    assert "送信されます → 表示されます" in said


def test_an_html_copy_reads_as_the_text():
    text, page = parse_steps(read_source(str(SEED["ja"]))), parse_steps(read_source(str(HTML)))
    assert [s.words for s in page] == [s.words for s in text]
    # Its bold words name only what the text names or the kit's labels.
    for step in page:
        assert set(names(step.text, "ja")) <= set(names(text[step.number - 1].text, "ja")) | set(LABELS["ja"].values())
    (code_text, said_text), (code_page, said_page) = run(SEED["ja"]), run(HTML)
    assert code_text == code_page == 0
    assert said_page.splitlines()[1:] == said_text.splitlines()[1:]


RENUMBERED = [("4. 左側", "5. 左側"), ("5. 「セキュア", "6. 「セキュア"), ("6.\n「", "7.\n「"), ("7. 設定更新", "8. 設定更新")]


@pytest.mark.parametrize("edits, expected", [
    pytest.param([("「セキュア・ログイン設定」", "「セキュア・ログイン構成」")],
                 ["step 5  DRIFT     label renamed: the kit's 「セキュア・ログイン設定」 is 「セキュア・ログイン構成」 in the article"],
                 id="label-renamed"),
    pytest.param([("次に進むをクリック", "続行をクリック")],
                 ["step 6  DRIFT     label renamed: the kit's 「次に進む」 is 「続行」 in the article"],
                 id="unquoted-label-renamed"),
    pytest.param([("次に進むをクリックしてください", "進んでください")],
                 ["step 6  DRIFT     label missing: the kit's 「次に進む」 is not in the article's step",
                  "step 6  DRIFT     reworded: the article says"], id="label-gone"),
    pytest.param([*RENUMBERED, ("5. 左側", "4. 確認画面の「次へ」をクリックしてください。\n5. 左側")],
                 ["step 4  DRIFT     step added: 「確認画面の「次へ」をクリックしてください」"], id="step-inserted"),
    pytest.param([("3. ログイン情報を入力し、セキュリティデバイスを利用して認証作業を完了させてください\n", ""),
                   ("4. 左側", "3. 左側"), ("5. 「セキュア", "4. 「セキュア"), ("6.\n「", "5.\n「"), ("7. 設定更新", "6. 設定更新")],
                 ["step 3  DRIFT     step removed: the kit's step 3 「ログイン情報を入力し、"], id="step-removed"),
    pytest.param([("設定>\nユーザー設定", "設定>\nアカウント>\nユーザー設定")],
                 ["step 4  DRIFT     menu path changed: the kit's 設定 > ユーザー設定 is 設定 > アカウント > ユーザー設定 in the article"],
                 id="menu-path-changed"),
])
def test_an_edited_copy_fails_naming_the_step_and_the_label(tmp_path, edits, expected):
    code, said = run(edited(tmp_path, "ja", *edits))
    assert code == 1, said
    for line in expected:
        assert line in said
    # The differences the kit declared stay declared beside the new one, and only it is drift.
    assert said.count("DRIFT  ") == len(expected) and "STALE" not in said, said


def test_an_edited_english_rendering_fails_naming_the_step_and_the_label(tmp_path):
    code, said = run(edited(tmp_path, "en", ("(Continue)", "(Next)")), "en")
    assert code == 1
    assert "step 6  DRIFT     label renamed: the kit's \"Continue\" is \"Next\" in the article" in said


def test_the_current_revisions_steps_against_the_seed_drift_in_steps_4_to_6(capsys):
    assert main(["article-check", str(SEED["ja"]), "--revision", "current"]) == 1
    said = capsys.readouterr().out
    drifted = {int(n) for n in re.findall(r"^  step (\d)  DRIFT", said, re.M)}
    assert {4, 5, 6} <= drifted and not drifted & {1, 3}
    assert "ユーザーメニュー" in said and "「取引にセキュアログインが必要ではありません」" in said


def test_a_declaration_no_difference_needs_fails(tmp_path):
    declared = json.loads(article.DECLARED.read_text(encoding="utf-8"))
    declared["differences"].append({"lang": "ja", "revision": "seed", "step": 1, "kind": "label", "kit": "ログイン",
                                    "article": "サインイン", "reason": "an old spelling"})
    path = tmp_path / "declared.json"
    path.write_text(json.dumps(declared, ensure_ascii=False), encoding="utf-8")
    code, said = run(SEED["ja"], declared_path=path)
    assert code == 1 and "step 1  STALE     declared label, not found any more" in said


def test_a_feature_file_that_says_another_sentence_is_drift(tmp_path, monkeypatch):
    shutil.copytree(article.FEATURES, tmp_path / "features")
    feature = tmp_path / "features/ja/1_cancel_opt_out.feature"
    feature.write_text(feature.read_text(encoding="utf-8").replace("確認通知が表示されます", "確認が表示されます", 1),
                       encoding="utf-8")
    monkeypatch.setattr(article, "FEATURES", tmp_path / "features")
    code, said = run(SEED["ja"])
    assert code == 1
    assert "step 7  DRIFT     the feature file says 「設定更新の確認が表示されます。" in said


@pytest.mark.parametrize("revision", ["seed", "current"])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_step_label_table_is_what_the_kits_sentences_say(lang, revision):
    for step in kit_steps(lang, revision):
        templated = "{choice}" in step.text
        for label, key in zip(step.labels, [k for key in STEP_LABELS[revision][step.number - 1]
                                            for k in (key if isinstance(key, tuple) else (key,))]):
            assert label in step.text or (templated and key.startswith("choice_")), (step.number, label)
        for path in step.paths:
            assert " > ".join(path) in step.text
    # With the kit itself as the article, nothing differs.
    as_text = "\n".join(f"{s.number}. {s.text}" for s in kit_steps(lang, "seed"))
    assert compare(parse_steps(as_text), lang, "seed") == []


@pytest.fixture
def served_copies():
    """The copies over HTTP on loopback, as a URL source is read."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # the test reads stderr: only the command's line belongs there
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(COPIES)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_a_url_is_read_as_its_page(served_copies):
    code, said = run(f"{served_copies}/{HTML.name}")
    assert code == 0, said


@pytest.mark.parametrize("make, expected", [
    (lambda tmp: tmp / "missing.txt", "cannot read {}: No such file or directory"),
    (lambda tmp: tmp, "cannot read {}: Is a directory"),
    (lambda tmp: (tmp / "sjis.txt", (tmp / "sjis.txt").write_bytes("手順".encode("shift_jis")))[0],
     "cannot read {}: not utf-8 text"),
    (lambda tmp: (tmp / "prose.txt", (tmp / "prose.txt").write_text("手順はありません", encoding="utf-8"))[0],
     "cannot read {}: no numbered steps (1., 2., ...) found"),
])
def test_a_source_it_cannot_read_is_one_line_and_exit_2(tmp_path, capsys, make, expected):
    source = str(make(tmp_path))
    assert main(["article-check", source]) == 2
    err = capsys.readouterr().err
    assert err == f"slskit article-check: {expected.format(source)}\n"


def test_an_unreachable_url_is_one_line_and_exit_2(served_copies, capsys):
    assert main(["article-check", f"{served_copies}/no-such-article.html"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"slskit article-check: cannot fetch {served_copies}/no-such-article.html: File not found"]


def test_a_saved_page_in_shift_jis_reads_by_its_meta_charset(tmp_path):
    page = HTML.read_text(encoding="utf-8")
    page = re.sub(r'<meta charset="[^"]*">', "", page, flags=re.I)
    page = page.replace("<head>", '<head><meta charset="shift_jis">', 1) if "<head>" in page \
        else '<meta charset="shift_jis">' + page
    saved = tmp_path / "kb_sjis.html"
    saved.write_bytes(page.encode("shift_jis"))
    assert read_source(str(saved)) == read_source(str(HTML))
