"""The documents hold together: every relative link resolves, every committed ARIA snapshot is linked."""
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit


ROOT = Path(__file__).resolve().parents[2]
SNAPSHOTS = ROOT / "docs" / "aria"
# [text](target) in Markdown, href="target" and src="target" in the committed HTML pages.
LINK = re.compile(r"\]\(([^)\s]+)\)|(?:href|src)=\"([^\"]+)\"")


def documents():
    """README.md and every Markdown and HTML page under docs/."""
    yield ROOT / "README.md"
    yield from sorted((ROOT / "docs").rglob("*.md"))
    yield from sorted((ROOT / "docs").rglob("*.html"))


def anchors(path):
    """The anchors a Markdown page's headings make, as GitHub makes them."""
    found = set()
    for heading in re.findall(r"^#+ (.+)$", path.read_text(encoding="utf-8"), re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug)
    return found


def test_every_relative_link_resolves():
    broken = []
    for document in documents():
        text = document.read_text(encoding="utf-8")
        for match in LINK.finditer(text):
            target = match.group(1) or match.group(2)
            parts = urlsplit(target)
            if parts.scheme or target.startswith(("//", "mailto:")):
                continue  # another site's address: not this repository's to keep
            path = (document.parent / unquote(parts.path)).resolve() if parts.path else document
            if not path.exists():
                broken.append(f"{document.relative_to(ROOT)}: {target}")
            elif parts.fragment and path.suffix == ".md" and parts.fragment not in anchors(path):
                broken.append(f"{document.relative_to(ROOT)}: {target} (no such heading)")
    assert broken == []


def test_the_contract_links_every_committed_snapshot():
    contract = (SNAPSHOTS.parent / "contract.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\((aria/(?:ja|en)/[\w-]+\.aria\.yml)\)", contract))
    committed = {str(p.relative_to(SNAPSHOTS.parent)) for p in SNAPSHOTS.glob("*/*.aria.yml")}
    assert linked == committed and len(committed) == 2 * len(list(SNAPSHOTS.glob("ja/*.aria.yml")))


def test_the_readme_is_a_front_door():
    """The first test, the fixtures and the options within a newcomer's first 120 lines; the
    whole page within 200 (pytest-playwright's README is the model); the rest lives in docs/."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 200
    headings = {line: number for number, line in enumerate(lines, 1) if line.startswith("## ")}
    for heading in ("## Your first test", "## Fixtures", "## Options"):
        assert headings.get(heading, 999) <= 120, (heading, headings)


def paragraphs(text):
    """A page's paragraphs of prose (not tables, code or headings), white space folded."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    for block in re.split(r"\n\s*\n", text):
        if block.lstrip().startswith(("|", "#", "<", "!")):
            continue
        yield " ".join(block.split())


def test_no_paragraph_is_kept_in_two_places():
    """Each fact in one place: a paragraph of some length written twice is a topic kept twice."""
    seen, twice = {}, []
    for document in documents():
        if document.suffix != ".md":
            continue
        for paragraph in paragraphs(document.read_text(encoding="utf-8")):
            if len(paragraph) < 160:
                continue
            where = str(document.relative_to(ROOT))
            if paragraph in seen and seen[paragraph] != where:
                twice.append((seen[paragraph], where, paragraph[:80]))
            seen.setdefault(paragraph, where)
    assert twice == []
