"""Reading a page's section index (templates/clinic/_section_index.html) as a person would: its links, and the
sections they lead to, in page order."""

from html.parser import HTMLParser


class _Page(HTMLParser):
    """The entries of the section index named `label`, every id in page order, and the heading of each labelled
    section (the text of the element its aria-labelledby names)."""

    def __init__(self, label):
        super().__init__()
        self.label, self.in_index, self.link = label, False, None
        self.entries, self.ids, self.labelled_by, self.text, self.open = [], [], {}, {}, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and attrs.get("aria-label") == self.label:
            self.in_index = True
        if self.in_index and tag == "a":
            self.link = [attrs["href"], ""]
        if "id" in attrs:
            self.ids.append(attrs["id"])
            if "aria-labelledby" in attrs:
                self.labelled_by[attrs["id"]] = attrs["aria-labelledby"]
            if tag.startswith("h"):
                self.open.append(attrs["id"])
                self.text[attrs["id"]] = ""

    def handle_endtag(self, tag):
        if self.in_index and tag == "a":
            self.entries.append((self.link[0], self.link[1].strip()))
            self.link = None
        if tag == "nav":
            self.in_index = False
        if tag.startswith("h") and self.open:
            self.open.pop()

    def handle_data(self, data):
        if self.link is not None:
            self.link[1] += data
        for heading in self.open:
            self.text[heading] += data


def read(response, label="Chart sections"):
    page = _Page(label)
    page.feed(response.content.decode())
    return page


def assert_index_follows_the_page(page):
    """Each entry links to an element on the page, in page order, and reads as that section's heading."""
    anchors = [href.removeprefix("#") for href, _ in page.entries]
    assert all(href.startswith("#") for href, _ in page.entries)
    positions = [page.ids.index(anchor) for anchor in anchors]  # ValueError: a link to nothing
    assert positions == sorted(positions), anchors
    for anchor, (_, title) in zip(anchors, page.entries, strict=True):
        heading = page.labelled_by.get(anchor)
        assert heading and page.text[heading].strip() == title, (anchor, title)
