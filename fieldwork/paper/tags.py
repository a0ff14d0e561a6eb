"""The structure tree (the tags) of a print run: one copy of the body's per sheet.

A tagged PDF says, for the marked content on each page, which element it belongs to:
elements point at their page (`/Pg`) and content (marked-content ids), and each page has
an entry in the parent tree listing its content's elements. A sheet made of copies of
the body's pages needs its own elements pointing at its own pages, or a screen reader
would find the text of the first sheet only. `SheetTags` adds them, hung under the body's
one document element.

Copies are made by qpdf itself (`copy_foreign`) from a fresh reading of a `skeleton` of
the body (its pages and tree, without drawing or fonts), after that reading's pages: qpdf
then points the copied elements at the copied pages. `slim` first folds the bare `Span`
elements WeasyPrint wraps each run of text in into their parents: they say nothing a
reader needs, and a run of hundreds of sheets then holds a third fewer objects.
"""

from __future__ import annotations

from io import BytesIO

import pikepdf
from pikepdf import Array, Dictionary, Name, Object, Pdf

BARE_SPAN = frozenset({"/Type", "/S", "/P", "/Pg", "/K"})
"""The keys of a Span that carries nothing of its own (no language, no alternate text)."""


def slim(body: bytes) -> bytes:
    """`body` with its bare Spans folded into their parents (the same text, fewer tags)."""
    pdf = pikepdf.open(BytesIO(body))
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return body
    folded: dict[tuple[int, int], Object] = {}
    _fold(root.K, folded)
    entries = []
    for key, elements in number_tree(root.ParentTree):
        kept = Array([folded.get(e.objgen, e) if e is not None else e for e in elements])
        entries += [key, pdf.make_indirect(kept)]
    root.ParentTree = pdf.make_indirect(Dictionary(Nums=Array(entries)))
    return _saved(pdf)


def skeleton(body: bytes) -> bytes:
    """`body` without what its sheets share (drawing, fonts, outline, metadata): the pages
    and the structure tree, the part each further sheet copies."""
    pdf = pikepdf.open(BytesIO(body))
    for page in pdf.pages:
        for shared in ("/Resources", "/Contents", "/Annots"):
            if shared in page.obj:
                del page.obj[shared]
    for shared in ("/Outlines", "/Metadata"):
        if shared in pdf.Root:
            del pdf.Root[shared]
    return _saved(pdf)


class SheetTags:
    """The output's structure tree, growing by one copy of the body's per sheet."""

    def __init__(self, pdf: Pdf) -> None:
        self.pdf = pdf
        self.root = pdf.Root.get("/StructTreeRoot")
        self.pages = len(pdf.pages)
        self.keys = [page.obj.get("/StructParents") for page in pdf.pages]
        if self.root is None:
            return
        self.document = _document(self.root)
        self.kids = list(self.document.K)
        self.entries = dict(number_tree(self.root.ParentTree))
        self.next_key = int(self.root.get("/ParentTreeNextKey", max(self.entries, default=-1) + 1))

    def add_sheet(self, skeleton: bytes) -> list[Object]:
        """Append a copy of the body's pages, read from its `skeleton`, with their own tags;
        the new pages have neither drawing nor resources yet."""
        source = pikepdf.open(BytesIO(skeleton))
        for page in source.pages:
            self.pdf.pages.append(page)  # first, so the tree's copy points at these pages
        pages: list[Object] = [page.obj for page in self.pdf.pages[-self.pages :]]
        if self.root is not None:
            copied = self.pdf.copy_foreign(source.make_indirect(self._bundle(source)))
            self._adopt(list(copied), pages)
        source.close()
        return pages

    def finish(self) -> None:
        """Write the copies into the tree, once every sheet is added."""
        if self.root is None:
            return
        self.document.K = Array(self.kids)
        nums = [item for key in sorted(self.entries) for item in (key, self.entries[key])]
        self.root.ParentTree = self.pdf.make_indirect(Dictionary(Nums=Array(nums)))
        self.root.ParentTreeNextKey = self.next_key

    def _bundle(self, source: Pdf) -> Array:
        """What a sheet copies: the document's children, then each page's parent tree
        entry, in one piece so the copies point at each other."""
        root = source.Root.StructTreeRoot
        entries = dict(number_tree(root.ParentTree))
        numbered = (entries.get(int(key), Array()) for key in self.keys if key is not None)
        return Array([Array(list(_document(root).K)), *numbered])

    def _adopt(self, copied: list[Object], pages: list[Object]) -> None:
        """Hang the copied children under the document and number the copied pages."""
        kids, *entries = copied
        for kid in kids:
            if isinstance(kid, Dictionary) and Name.P in kid:
                kid.P = self.document
            self.kids.append(kid)
        numbered = (page for page, key in zip(pages, self.keys, strict=True) if key is not None)
        for page, entry in zip(numbered, entries, strict=True):
            page.StructParents = self.next_key
            self.entries[self.next_key] = entry
            self.next_key += 1


def number_tree(node: Object) -> list[tuple[int, Object]]:
    """The (key, value) pairs of a PDF number tree, in order."""
    found: list[tuple[int, Object]] = []
    if Name.Nums in node:
        nums = list(node.Nums)
        found += [(int(nums[i]), nums[i + 1]) for i in range(0, len(nums), 2)]
    for kid in node.get("/Kids", Array()):
        found += number_tree(kid)
    return found


def _document(root: Object) -> Object:
    """The tree's one top element (WeasyPrint's Document)."""
    top = root.K
    return top[0] if isinstance(top, Array) else top


def _fold(kids: Object, folded: dict[tuple[int, int], Object]) -> None:
    """Fold the bare Spans among each element's children (under `kids`) into it."""
    for element in kids if isinstance(kids, Array) else [kids]:
        if not isinstance(element, Dictionary) or Name.K not in element:
            continue
        kept: list[Object | int] = []
        for child in _listed(element.K):
            if _bare_span(child):
                kept += _marks(child, element)
                folded[child.objgen] = element
            else:
                kept.append(child)
                _fold(child, folded)
        element.K = Array(kept)


def _listed(value: Object) -> list[Object]:
    return list(value) if isinstance(value, Array) else [value]


def _bare_span(child: Object) -> bool:
    if not isinstance(child, Dictionary) or child.get("/S") != Name.Span:
        return False
    marks = _listed(child.K) if Name.K in child else []
    return set(child.keys()) <= BARE_SPAN and all(isinstance(m, int) for m in marks)


def _marks(span: Object, parent: Object) -> list[Object | int]:
    """The span's marked-content ids as its parent's children: plain numbers on the
    parent's page, references naming the page otherwise."""
    marks = [int(m) for m in _listed(span.K)]
    page, own = span.get("/Pg"), parent.get("/Pg")
    if page is None or (own is not None and own.objgen == page.objgen):
        return list(marks)
    return [Dictionary(Type=Name.MCR, Pg=page, MCID=mark) for mark in marks]


def _saved(pdf: Pdf) -> bytes:
    out = BytesIO()
    pdf.save(out)
    return out.getvalue()
