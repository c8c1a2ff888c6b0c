"""slskit article-check: the article as a user saves it (its text, an HTML page of the knowledge
base, or a URL) against the kit: the step sentences (ARTICLE_STEPS, the current revision's
STEPS), the labels of flows/labels.py and the feature files. Every difference the kit keeps on
purpose is declared, with its reason, in flows/command/article_declared.json; any other is drift.

    from flows.command.article import check
    code = check("000_872059ef0c9e01c6.txt", lang="ja", revision="seed")   # 0, 1 (drift) or 2
"""
import difflib
import json
import re
import unicodedata
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from ..labels import LABELS

DECLARED = Path(__file__).with_name("article_declared.json")
FEATURES = Path(__file__).parents[1] / "features"
FEATURE_FILES = {"seed": "1_cancel_opt_out.feature", "current": "3_current_revision.feature"}
# The labels each of the kit's step sentences names (a tuple inside is a menu path, A > B).
# tests/inprocess/test_article_check.py holds this table to the sentences themselves.
STEP_LABELS = {
    "seed": [(), (("home_login", "portal_login"),), (), (("settings", "user_settings"), "secure_login_system"),
             ("secure_login_settings",), ("always_use_device", "continue"), ("ok",)],
    "current": [(), (("home_login", "portal_login"),), (), ("user_menu", "settings"),
                ("user_settings", "security", "secure_login_system"),
                ("choice_ibkr_mobile", "choice_without_ibkr_mobile", "choice_other_username", "continue"),
                ("ok",)],
}
BOLD = ("\ue000", "\ue001")  # private-use marks around the bold or linked words of an HTML page
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
HIRAGANA_OR_PUNCT = r"\u3040-\u309f\s、。「」()（）,.:;"
# Between two characters of Japanese text a line break or a space is layout, not wording.
CJK_GAP = re.compile(r"(?<=[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef])")
ITEM = re.compile(r"^(\d{1,2})[.．)]\s*(.*)$")
IMAGE_LINE = re.compile(r"^\s*(<[\w:]*image\b|!\[)")  # the saved text's images (and what trails them)
HOST = re.compile(r"[\w-]+(\.[\w-]+)*\.[a-z]{2,}")
EN_VERBS = {"Click", "Select", "Choose", "Open", "Tap", "Press", "Then", "Go", "In", "The", "And", "Under"}


class ArticleError(Exception):
    """A source the check cannot read: one line for the person at the terminal (exit 2)."""


def normalize(text):
    """The words of a sentence, without its layout: NFKC, the bold marks and line breaks gone,
    `A>B` as `A > B`, no final full stop."""
    text = unicodedata.normalize("NFKC", text).replace(BOLD[0], "").replace(BOLD[1], "")
    text = re.sub(r"\s*>\s*", " > ", re.sub(r"\s+", " ", text))
    text = re.sub(r"(?<=[。、])\s+", "", CJK_GAP.sub("", text))
    return text.strip().rstrip("。.").strip()


# -- reading the article -----------------------------------------------------------------------

def read_source(source):
    """The article's text from a file or an http(s) URL; an HTML page becomes its text form."""
    if re.match(r"https?://", source):
        try:
            request = urllib.request.Request(source, headers={"User-Agent": "slskit-article-check"})
            with urllib.request.urlopen(request, timeout=30) as answer:
                raw, charset = answer.read(), answer.headers.get_content_charset() or "utf-8"
        except (urllib.error.URLError, OSError, ValueError) as e:
            raise ArticleError(f"cannot fetch {source}: {getattr(e, 'reason', e)}") from None
    else:
        try:
            raw = Path(source).read_bytes()
        except OSError as e:
            raise ArticleError(f"cannot read {source}: {e.strerror or e}") from None
        # A saved page says its own encoding (a Japanese one may be Shift_JIS); text is UTF-8.
        declared = re.search(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_-]+)""", raw[:4096], re.I)
        charset = declared.group(1).decode("ascii") if declared else "utf-8"
    try:
        text = raw.decode(charset).lstrip("\ufeff")
    except (UnicodeDecodeError, LookupError):
        raise ArticleError(f"cannot read {source}: not {charset} text") from None
    looks_html = source.lower().endswith((".html", ".htm")) or re.search(r"<(html|body|ol|li|p)\b", text, re.I)
    return html_to_text(text) if looks_html else text


class _HtmlText(HTMLParser):
    """The text form of a knowledge-base page: numbered list items as `N. `, a list item's other
    lines (after a <br>, its sub-lists) indented under it, headings as `# `, a blank line after a
    list, images dropped, bold and linked words marked."""

    BLOCKS = {"p", "div", "br", "li", "ol", "ul", "tr", "table", "section", "article", "figure",
              "blockquote", "h1", "h2", "h3", "h4", "h5", "h6"}
    SKIPPED = {"script", "style", "head", "noscript", "template"}
    MARKED = {"strong", "b", "a"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines, self.line, self.lists, self.skipping = [], "", [], 0

    def _newline(self):
        if self.line.strip():
            self.lines.append(self.line.rstrip())
        elif not self.lists and self.lines and self.lines[-1]:
            self.lines.append("")  # what follows a list is not its last item's
        self.line = ""

    def _write(self, text):
        if not self.line:
            text = text.lstrip()
            if not text:
                return
            self.line = "   " * len(self.lists)
        self.line += text

    def handle_starttag(self, tag, attrs):
        self.skipping += tag in self.SKIPPED
        if tag in self.BLOCKS:
            self._newline()
        if tag in ("ol", "ul"):
            self.lists.append(int(dict(attrs).get("start") or 1) - 1 if tag == "ol" else None)
        elif tag == "li" and self.lists:
            if self.lists[-1] is not None:
                self.lists[-1] += 1
            self.line = "   " * (len(self.lists) - 1) + ("- " if self.lists[-1] is None else f"{self.lists[-1]}. ")
        elif tag[:1] == "h" and tag[1:].isdigit():
            self._write("# ")
        elif tag in self.MARKED:
            self._write(BOLD[0])

    def handle_endtag(self, tag):
        self.skipping = max(0, self.skipping - (tag in self.SKIPPED))
        if tag in ("ol", "ul") and self.lists:
            self.lists.pop()
        if tag in self.MARKED:
            self.line += BOLD[1]
        if tag in self.BLOCKS:
            self._newline()

    def handle_data(self, data):
        if not self.skipping:
            self._write(re.sub(r"\s+", " ", data))


def html_to_text(html):
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    parser._newline()
    return "\n".join(parser.lines)


@dataclass
class Step:
    number: int
    text: str  # as the article says it, bold marks kept (they name things)

    @property
    def words(self):
        return normalize(self.text)


def parse_steps(text):
    """The article's first numbered list: an item goes on over its following lines (line breaks
    inside a step, a sub-list) until a blank line and unindented text, a heading, or a line that
    heads the next list (the seed's 留意点 before its own 1.)."""
    lines = [line for line in text.splitlines() if not IMAGE_LINE.match(line)]
    steps, blank = [], False
    for i, line in enumerate(lines):
        item = ITEM.match(line)
        if item and (int(item[1]) == 1 if not steps else True):
            if steps and int(item[1]) != steps[-1].number + 1:
                break
            steps.append(Step(int(item[1]), item[2]))
            blank = False
            continue
        if not steps:
            continue
        if not line.strip():
            blank = True
            continue
        following = next((l for l in lines[i + 1:] if l.strip()), "")
        heads_a_list = (m := ITEM.match(following)) and int(m[1]) == 1
        if line.startswith("#") or (not line[0].isspace() and (blank or heads_a_list)):
            break
        steps[-1].text += "\n" + line.strip()
    return steps


# -- the names a step gives -----------------------------------------------------------------------

def _quoted(match, lang):
    """「ja」 (en gloss): the gloss in English, the Japanese in Japanese."""
    name, gloss = match[1], match[2]
    if lang == "en" and gloss:
        return gloss.strip().strip('"“”')
    return None if lang == "en" and JAPANESE.search(name) else name.strip()


def _leading_name(text, lang):
    """(the name text starts with, what follows it)."""
    text = text.lstrip()
    for pattern in (r"「([^」]+)」(?:\s*\(([^)]+)\))?", r'["“]([^"”]+)["”]()'):
        if m := re.match(pattern, text):
            return (_quoted(m, lang) or m[1]), text[m.end():]
    labels = sorted((l for l in LABELS[lang].values() if text.startswith(l)
                     and (lang == "ja" or not text[len(l):len(l) + 1].isalnum())), key=len)
    if labels:
        return labels[-1], text[len(labels[-1]):]
    m = re.match(rf"[^{HIRAGANA_OR_PUNCT}]+" if lang == "ja" else r"[A-Z0-9][\w'-]*(?: [A-Z0-9][\w'-]*)*", text)
    return (m[0], text[m.end():]) if m else ("", text)


def _trailing_name(text, lang):
    text = text.rstrip()
    for pattern in (r"「([^」]+)」(?:\s*\(([^)]+)\))?$", r'["“]([^"”]+)["”]()$'):
        if m := re.search(pattern, text):
            return _quoted(m, lang) or m[1]
    labels = sorted((l for l in LABELS[lang].values() if text.endswith(l)
                     and (lang == "ja" or not text[-len(l) - 1:-len(l)].isalnum())), key=len)
    if labels:
        return labels[-1]
    m = re.search(rf"[^{HIRAGANA_OR_PUNCT}]+$" if lang == "ja" else r"[A-Z0-9][\w'-]*(?: [A-Z0-9][\w'-]*)*$", text)
    words = m[0].split(" ") if m else []
    while lang == "en" and len(words) > 1 and words[0] in EN_VERBS:
        words.pop(0)
    return " ".join(words)


def menu_paths(text, lang):
    """Every `A > B [> C]` of a sentence, as lists of names."""
    parts = re.split(r"\s*[>＞]\s*", unicodedata.normalize("NFKC", _unmarked(text)))
    paths, path = [], None
    for i, part in enumerate(parts):
        rest = part
        if path is not None:
            name, rest = _leading_name(part, lang)
            path.append(name)
            if rest.strip():  # the path ends inside this part; another may start at its end
                paths.append(path)
                path = None
        if path is None and i < len(parts) - 1:
            path = [_trailing_name(rest, lang)]
    return paths + ([path] if path else [])


def _unmarked(text):
    return re.sub(r"\s+", " ", text.replace(BOLD[0], "").replace(BOLD[1], ""))


def names(text, lang):
    """What a step calls things: bold or linked words, 「…」 (in English their glosses), quoted
    English, and the items of its menu paths; in order, once each."""
    found = [m.strip() for m in re.findall(f"{BOLD[0]}(.*?){BOLD[1]}", text, re.S)]
    plain = _unmarked(text)
    found += [_quoted(m, lang) for m in re.finditer(r"「([^」]+)」(?:\s*\(([^)]+)\))?", plain)]
    found += [m for m in re.findall(r'["“]([^"”]+)["”]', plain) if lang == "en" or JAPANESE.search(m)]
    found += [name for path in menu_paths(text, lang) for name in path]
    cleaned = (normalize(n.strip("「」\"“”")).strip(" >") for n in found if n)
    # A linked host name (ibkr.com) is where to go, not what the portal calls something.
    return list(dict.fromkeys(n for n in cleaned if n and not HOST.fullmatch(n)))


# -- the kit's side ------------------------------------------------------------------------------

@dataclass
class KitStep:
    number: int
    text: str                                  # may hold {choice}: any of the choices
    labels: list = field(default_factory=list)
    paths: list = field(default_factory=list)


def kit_steps(lang, revision):
    """The kit's numbered steps of a revision with the labels each names. The current revision's
    eighth step (each choice's end) is the kit's own split of the article's step 6."""
    from ..current import STEPS
    from ..flow import ARTICLE_STEPS
    texts = ARTICLE_STEPS[lang] if revision == "seed" else STEPS[lang]
    steps = []
    for number, (text, keys) in enumerate(zip(texts, STEP_LABELS[revision]), 1):
        step = KitStep(number, text)
        for key in keys:
            if isinstance(key, tuple):
                step.paths.append([LABELS[lang][k] for k in key])
                step.labels += step.paths[-1]
            else:
                step.labels.append(LABELS[lang][key])
        steps.append(step)
    return steps


def feature_steps(lang, revision):
    """The when-steps of the revision's first scenario in the shipped feature file, as written
    (an outline's <choice> as {choice})."""
    from pytest_bdd.feature import get_features
    feature = get_features([str(FEATURES / lang / FEATURE_FILES[revision])])[0]
    scenario = next(iter(feature.scenarios.values()))
    said = [s.name.replace("<choice>", "{choice}") for s in scenario.steps if s.type == "when"]
    return said[:len(STEP_LABELS[revision])]


# -- comparing -----------------------------------------------------------------------------------

@dataclass
class Difference:
    kind: str      # added, removed, reworded, label, label-missing, name, menu-path, feature
    step: int      # the kit's step (the article's for an added step)
    kit: str = ""
    article: str = ""
    renames: list = field(default_factory=list, repr=False)  # (kit's, article's) names and paths of the step
    reason: str = ""                                          # set when declared

    def describe(self, lang):
        q = (lambda s: f"「{s}」") if lang == "ja" else (lambda s: f'"{s}"')
        return {
            "added": lambda: f"step added: {q(self.article)}",
            "removed": lambda: f"step removed: the kit's step {self.step} {q(self.kit)} has no step in the article",
            "reworded": lambda: f"reworded: the article says {q(self.article)}; the kit says {q(self.kit)}",
            "label": lambda: f"label renamed: the kit's {q(self.kit)} is {q(self.article)} in the article",
            "label-missing": lambda: f"label missing: the kit's {q(self.kit)} is not in the article's step",
            "name": lambda: f"the article names {q(self.article)}, which is no label of the kit's step",
            "menu-path": lambda: f"menu path changed: the kit's {self.kit} is {self.article} in the article",
            "feature": lambda: f"the feature file says {q(self.article)}; the kit's step says {q(self.kit)}",
        }[self.kind]()


def _similarity(a, b):
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _kit_pattern(text):
    """A kit sentence as a pattern of normalized words: {choice} stands for any text."""
    return re.compile(".+?".join(re.escape(normalize(part)) for part in text.split("{choice}")))


def align(article, kit):
    """Pairs (article step or None, kit step or None) in order, matching similar sentences."""
    a, k = [s.words for s in article], [normalize(s.text.replace("{choice}", "")) for s in kit]
    score = [[0.0] * (len(k) + 1) for _ in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(k) + 1):
            score[i][j] = max(score[i - 1][j], score[i][j - 1],
                              score[i - 1][j - 1] + _similarity(a[i - 1], k[j - 1]) - 0.25)
    pairs, i, j = [], len(a), len(k)
    while i or j:
        if i and j and score[i][j] == score[i - 1][j - 1] + _similarity(a[i - 1], k[j - 1]) - 0.25:
            pairs.append((article[i - 1], kit[j - 1]))
            i, j = i - 1, j - 1
        elif i and (not j or score[i][j] == score[i - 1][j]):
            pairs.append((article[i - 1], None))
            i -= 1
        else:
            pairs.append((None, kit[j - 1]))
            j -= 1
    return pairs[::-1]


def _renames(kit, words, given, lang):
    """(renamed labels as (kit label, article name), the kit's labels the step lost, names the
    kit does not know) of one step."""
    known = {normalize(l) for l in LABELS[lang].values()}
    labels = [normalize(l) for l in kit.labels]
    missing = [label for label in labels if label not in words]
    # The kit's sentence names a few things that are no label (the seed's 「ギア」, "the gear").
    kit_words = normalize(kit.text)
    for label in sorted(labels, key=len, reverse=True):
        kit_words = kit_words.replace(label, " ")
    extra = [n for n in given if n not in labels and n not in kit_words]
    renames, unpaired = [], []
    for name in extra:  # a name close to a label the step lost (or to any label): renamed
        candidates = missing or ([] if name in known else
                                 [l for l in known if _similarity(l.lower(), name.lower()) >= 0.8])
        best = max(candidates, key=lambda l: _similarity(l, name), default=None)
        if best and _similarity(best, name) >= 0.5:
            renames.append((best, name))
            missing = [l for l in missing if l != best]
        else:
            unpaired.append(name)
    if len(missing) == len(unpaired) == 1:  # the one label lost, the one new name
        renames.append((missing.pop(), unpaired.pop()))
    kit_side = normalize(kit.text.replace("{choice}", ""))
    ops = difflib.SequenceMatcher(None, kit_side, words, autojunk=False).get_opcodes()
    for label in list(missing):  # a label said without quotes, replaced by other words
        span = next((words[j1:j2] for op, i1, i2, j1, j2 in ops if op == "replace" and kit_side[i1:i2] == label), "")
        if span.strip():
            renames.append((label, span.strip()))
            missing.remove(label)
    return renames, missing, [n for n in unpaired if n not in known]


def compare_step(article, kit, lang):
    """The differences between one article step and the kit's step it stands for."""
    words = article.words
    renames, missing, unknown = _renames(kit, words, names(article.text, lang), lang)
    found = [Difference("label", kit.number, label, name) for label, name in renames]
    found += [Difference("label-missing", kit.number, label) for label in missing]
    renamed = {name: label for label, name in renames}
    said_paths = menu_paths(article.text, lang)
    substitutions = list(renames)
    if [[renamed.get(n, n) for n in path] for path in said_paths] != kit.paths:
        found.append(Difference("menu-path", kit.number, "; ".join(" > ".join(p) for p in kit.paths) or "none",
                                "; ".join(" > ".join(p) for p in said_paths) or "none"))
        substitutions += [(" > ".join(k), " > ".join(a)) for k, a in zip(kit.paths, said_paths)]
        in_paths = {n for p in said_paths for n in p}
        unknown = [n for n in unknown if n not in in_paths]  # said once, by the path
    found += [Difference("name", kit.number, article=name) for name in unknown]
    # The sentence around them: reworded only if it differs beyond the names already reported.
    said = normalize(kit.text)
    for old, new in substitutions:
        said = said.replace(old, new)
    if not _kit_pattern(said).fullmatch(words):
        found.append(Difference("reworded", kit.number, normalize(kit.text), words, substitutions))
    return found


def compare(article, lang, revision):
    """Every difference between the article's steps and the kit's, feature files included."""
    kit = kit_steps(lang, revision)
    found = [Difference("feature", n, normalize(k), normalize(f))
             for n, (k, f) in enumerate(zip([s.text for s in kit], feature_steps(lang, revision)), 1)
             if normalize(k) != normalize(f)]
    for a, k in align(article, kit):
        if k is None:
            found.append(Difference("added", a.number, article=a.words))
        elif a is None:
            found.append(Difference("removed", k.number, normalize(k.text)))
        else:
            found += compare_step(a, k, lang)
    return found


# -- declared differences ----------------------------------------------------------------------

def load_declared(path=DECLARED):
    try:
        entries = json.loads(Path(path).read_text(encoding="utf-8"))["differences"]
    except (OSError, ValueError, KeyError) as e:
        raise ArticleError(f"cannot read the declared differences {path}: {e}") from None
    for n, entry in enumerate(entries):
        if not all(str(entry.get(key, "")).strip() for key in ("lang", "revision", "step", "kind", "reason")):
            raise ArticleError(f"{path}: differences[{n}] needs lang, revision, step, kind and a reason")
    return entries


def _declares(entry, diff, lang, revision):
    if (entry["lang"], entry["revision"], entry["step"], entry["kind"]) != (lang, revision, diff.step, diff.kind):
        return False
    article = entry.get("article", "")
    for label, name in diff.renames:  # a rename beside a declared rewording is its own difference
        article = article.replace(label, name)
    return normalize(entry.get("kit", "")) == normalize(diff.kit) and normalize(article) == normalize(diff.article)


def sort_out(found, declared, lang, revision):
    """(declared differences with their reasons, drift, declarations of this language and revision
    that no difference needs any more)."""
    kept, drift, used = [], [], set()
    for diff in found:
        entry = next((n for n, e in enumerate(declared) if _declares(e, diff, lang, revision)), None)
        if entry is None:
            drift.append(diff)
        else:
            used.add(entry)
            diff.reason = declared[entry]["reason"]
            kept.append(diff)
    # A declaration superseded by a drift of its step and kind is said by that drift's line.
    drifted = {(d.step, d.kind) for d in drift}
    stale = [e for n, e in enumerate(declared) if n not in used and (e["lang"], e["revision"]) == (lang, revision)
             and (e["step"], e["kind"]) not in drifted]
    return kept, drift, stale


def check(source, lang="ja", revision="seed", declared_path=DECLARED, out=print):
    """Print, per step, each difference (declared ones with their reason); 0 with no drift, 1 on
    drift (or a declaration no longer needed). ArticleError for a source it cannot read."""
    article = parse_steps(read_source(source))
    if not article:
        raise ArticleError(f"cannot read {source}: no numbered steps (1., 2., ...) found")
    declared = load_declared(declared_path)
    kept, drift, stale = sort_out(compare(article, lang, revision), declared, lang, revision)
    out(f"{source} ({lang}, the {revision} revision): {len(article)} steps; "
        f"the kit's {len(kit_steps(lang, revision))}")
    for diff in sorted(kept + drift, key=lambda d: (d.step, bool(d.reason))):
        if diff.reason:
            out(f"  step {diff.step}  declared  {diff.describe(lang)}\n            because: {diff.reason}")
        else:
            out(f"  step {diff.step}  DRIFT     {diff.describe(lang)}")
    for entry in stale:
        out(f"  step {entry['step']}  STALE     declared {entry['kind']}, not found any more: "
            f"remove it from {Path(declared_path).name}")
    if drift or stale:
        out(f"DRIFT: {len(drift)} difference(s) not declared, {len(stale)} declaration(s) not needed: "
            f"fix the kit or declare each with its reason in {Path(declared_path).name}")
        return 1
    out(f"OK: no drift; {len(kept)} declared difference(s) ({Path(declared_path).name})")
    return 0
