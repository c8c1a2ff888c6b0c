"""Reading a page's structure in a test: its elements, their attributes and their text, so an
assertion says what the page shows ("a level-1 heading says X", "a link to /classic/ says Y")
rather than how its markup is spelled (attribute order, whitespace, one more attribute).

    page = parse(response.get_data(as_text=True))
    assert page.find("h1").text == "メッセージセンター"
    assert page.find("a", class_="switch", href="/classic/").text == "クラシック・ポータル"
    assert [row.find("td").text for row in page.find_all("tr")] == [...]
"""
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Element:
    def __init__(self, tag, attrs=(), parent=None):
        self.tag, self.attrs, self.parent = tag, {name: value or "" for name, value in attrs}, parent
        self.children = []  # elements and text, in order

    @property
    def text(self):
        """Its text and its descendants', white space folded as a browser shows it."""
        parts = [c if isinstance(c, str) else c.text for c in self.children]
        return " ".join(" ".join(parts).split())

    @property
    def classes(self):
        return set(self.attrs.get("class", "").split())

    def matches(self, tag=None, class_=None, **attrs):
        """`class_`: classes among the element's; any other attribute: its value (True: present).
        An attribute is named as Python allows: `for_` for `for`, `aria_label` for `aria-label`."""
        if tag is not None and self.tag != tag:
            return False
        if class_ is not None and not set(class_.split()) <= self.classes:
            return False
        named = {name.removesuffix("_").replace("_", "-"): value for name, value in attrs.items()}
        return all((name in self.attrs) if value is True else self.attrs.get(name) == value
                   for name, value in named.items())

    def find_all(self, tag=None, class_=None, **attrs):
        """Every descendant that matches, in document order (`data_x` names the attribute data-x)."""
        found = []
        for child in self.children:
            if isinstance(child, Element):
                if child.matches(tag, class_, **attrs):
                    found.append(child)
                found.extend(child.find_all(tag, class_, **attrs))
        return found

    def find(self, tag=None, class_=None, **attrs):
        """The first descendant that matches, or None."""
        found = self.find_all(tag, class_, **attrs)
        return found[0] if found else None

    def __repr__(self):
        return f"<{self.tag} {self.attrs}>{self.text[:60]}"


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.open = Element("#document")

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs, self.open)
        self.open.children.append(element)
        if tag not in VOID:
            self.open = element

    def handle_startendtag(self, tag, attrs):
        self.open.children.append(Element(tag, attrs, self.open))

    def handle_endtag(self, tag):
        closing = self.open
        while closing is not None and closing.tag != tag:
            closing = closing.parent
        if closing is not None and closing.parent is not None:  # an end tag nothing opened is ignored
            self.open = closing.parent

    def handle_data(self, data):
        self.open.children.append(data)


def parse(html):
    """The document as a tree of Elements (its root has no tag of its own)."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.root
