"""The structure tree (the tags) of a print run: one copy of the body's per sheet.

A tagged PDF says, for the marked content on each page, which element it belongs to:
elements point at their page (`/Pg`) and content (marked-content ids), and each page has
an entry in the parent tree listing its content's elements. A sheet made of copies of
the body's pages needs its own elements pointing at its own pages, or a screen reader
would find the text of the first sheet only.

`append_sheets` writes them as an incremental update: the first sheet's elements are
unparsed once and written again for each further sheet with new object numbers and that
sheet's pages, packed into compressed object streams, then the document element, the
parent tree and the tree root are replaced. Made with qpdf objects instead, a run of 500
thirteen-page sheets (350,000 elements, about 2 KB each in memory) would need 800 MB.
`slim` first folds the bare `Span` elements WeasyPrint wraps each run of text in into
their parents: they say nothing a reader needs, and each sheet then has fewer elements.
"""

from __future__ import annotations

import re
import struct
import zlib
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


def append_sheets(run: bytes, per_sheet: int) -> bytes:
    """`run` with a structure for each sheet after the first, appended as an update.

    `run` holds the sheets' pages in order, `per_sheet` each, only the first sheet's
    tagged; the other pages already carry the parent tree keys that follow the first
    sheet's (`next_keys`). Their elements are written out as text, sheet by sheet, into
    compressed object streams: qpdf would hold every one of them in memory, about 2 KB
    each, and a run of 500 long sheets has hundreds of thousands.
    """
    pdf = pikepdf.open(BytesIO(run))
    root = pdf.Root.get("/StructTreeRoot")
    pages = [page.obj.objgen for page in pdf.pages]
    if root is None or len(pages) <= per_sheet:
        return run
    update = _Update(run, int(pdf.trailer.Size))
    sheet = _SheetTree(pdf, root, pages[:per_sheet])
    kids, entries = sheet.kids_and_entries(update, pages, per_sheet)
    update.replace(_document(root).objgen, sheet.document_with(kids))
    tree = update.add(b"<< /Nums [ " + b" ".join(entries) + b" ] >>")
    update.replace(root.objgen, sheet.root_with(tree, len(entries) // 2))
    return update.finish(pdf.trailer)


def next_keys(body: bytes) -> int:
    """The first parent tree key free after the body's own pages."""
    pdf = pikepdf.open(BytesIO(body))
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return 0
    return max((key for key, _ in number_tree(root.ParentTree)), default=-1) + 1


REFERENCE = re.compile(rb"\((?:\\.|[^\\()])*\)|<[0-9A-Fa-f\s]*>|(\d+) (\d+) R")
"""A reference in unparsed PDF, skipping strings (qpdf escapes parentheses in them)."""


class _SheetTree:
    """The first sheet's structure, unparsed once, to write again for each other sheet
    with its own object numbers and pages."""

    def __init__(self, pdf: Pdf, root: Object, pages: list[tuple[int, int]]) -> None:
        self.root = root
        self.document = _document(root)
        self.pages = pages
        self.objects: list[tuple[int, bytes]] = []  # (first sheet's number, unparsed)
        self.seen: set[tuple[int, int]] = {self.document.objgen, root.objgen}
        self.kids = [_unparse(kid) for kid in _listed(self.document.K)]
        for kid in _listed(self.document.K):
            self._collect(kid)
        entries = dict(number_tree(root.ParentTree))
        self.keys = [pdf.get_object(page).get("/StructParents") for page in pages]
        listed = [entries.get(int(key), Array()) for key in self.keys if key is not None]
        for element in (e for entry in listed for e in entry):
            self._collect_with_parents(element)
        self.entries = [entry.unparse(resolved=True) for entry in listed]
        self.first_entries = [b"%d %s" % (k, _unparse(v)) for k, v in sorted(entries.items())]
        self.next_key = max(entries, default=-1) + 1

    def _collect(self, element: Object) -> None:
        """Every indirect element under `element`, parents before children."""
        if not isinstance(element, Dictionary) or element.get("/Type") in ("/MCR", "/OBJR"):
            return
        if element.is_indirect:
            if element.objgen in self.seen:
                return
            self.seen.add(element.objgen)
            self.objects.append((element.objgen[0], element.unparse(resolved=True)))
        for kid in _listed(element.K) if Name.K in element else []:
            self._collect(kid)

    def _collect_with_parents(self, element: Object | None) -> None:
        """An element the parent tree names but the document's children do not reach
        (WeasyPrint tags page margin text so), with its parents."""
        while isinstance(element, Dictionary) and element.is_indirect:
            if element.objgen in self.seen:
                return
            self._collect(element)
            element = element.get("/P")

    def kids_and_entries(
        self, update: _Update, pages: list[tuple[int, int]], per_sheet: int
    ) -> tuple[list[bytes], list[bytes]]:
        """Write each further sheet's elements and parent tree entries; the document's
        children and the tree's numbers, all sheets'."""
        kids, entries, key = list(self.kids), list(self.first_entries), self.next_key
        for start in range(per_sheet, len(pages), per_sheet):
            numbers = {old: update.reserve() for old, _ in self.objects}
            numbers |= {old[0]: new[0] for old, new in zip(self.pages, pages[start:], strict=False)}
            for old, text in self.objects:
                update.put(numbers[old], _renumber(text, numbers))
            kids += [_renumber(kid, numbers) for kid in self.kids]
            for entry in self.entries:
                entries.append(b"%d %d 0 R" % (key, update.add(_renumber(entry, numbers))))
                key += 1
        return kids, entries

    def document_with(self, kids: list[bytes]) -> bytes:
        return _fields(self.document, {"/K": b"[ " + b" ".join(kids) + b" ]"})

    def root_with(self, tree: int, count: int) -> bytes:
        return _fields(
            self.root, {"/ParentTree": b"%d 0 R" % tree, "/ParentTreeNextKey": b"%d" % count}
        )


def _fields(dictionary: Object, changed: dict[str, bytes]) -> bytes:
    """`dictionary` as PDF text, with the `changed` values (already PDF text)."""
    kept = {key: _unparse(value) for key, value in dictionary.items() if key not in changed}
    pairs = {**kept, **changed}
    return (
        b"<< "
        + b" ".join(b"%s %s" % (key.encode(), value) for key, value in pairs.items())
        + b" >>"
    )


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Sorted object numbers as (first, count) runs of consecutive ones."""
    runs: list[tuple[int, int]] = []
    for number in numbers:
        if runs and runs[-1][0] + runs[-1][1] == number:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((number, 1))
    return runs


def _renumber(text: bytes, numbers: dict[int, int]) -> bytes:
    def swap(match: re.Match[bytes]) -> bytes:
        if match.group(1) is None:
            return match.group(0)
        number = int(match.group(1))
        return b"%d 0 R" % numbers[number] if number in numbers else match.group(0)

    return REFERENCE.sub(swap, text)


def _unparse(value: Object) -> bytes:
    """A value as PDF text; an indirect object as its reference."""
    if isinstance(value, Object) and value.is_indirect:
        return b"%d %d R" % value.objgen
    if isinstance(value, int):
        return b"%d" % value
    return bytes(value.unparse())


class _Update:
    """An incremental update appended to a PDF: new and replaced objects, packed into
    compressed object streams, and a cross-reference stream after the previous one."""

    PACK = 500  # objects an object stream holds

    def __init__(self, pdf: bytes, size: int) -> None:
        self.out = bytearray(pdf if pdf.endswith(b"\n") else pdf + b"\n")
        found = re.findall(rb"startxref\s+(\d+)", pdf[-1024:])
        self.previous = int(found[-1])
        self.next = size
        self.pending: list[tuple[int, bytes]] = []
        self.entries: dict[int, tuple[int, int, int]] = {}  # number: (type, field 2, field 3)

    def reserve(self) -> int:
        self.next += 1
        return self.next - 1

    def add(self, text: bytes) -> int:
        number = self.reserve()
        self.put(number, text)
        return number

    def put(self, number: int, text: bytes) -> None:
        self.pending.append((number, text))
        if len(self.pending) >= self.PACK:
            self._pack()

    def replace(self, objgen: tuple[int, int], text: bytes) -> None:
        if objgen[1] != 0:
            raise ValueError("an object stream holds generation 0 objects only")
        self.put(objgen[0], text)

    def _pack(self) -> None:
        if not self.pending:
            return
        stream_number = self.reserve()
        offsets, bodies, at = [], [], 0
        for index, (number, text) in enumerate(self.pending):
            offsets.append(b"%d %d" % (number, at))
            bodies.append(text)
            at += len(text) + 1
            self.entries[number] = (2, stream_number, index)
        header = b" ".join(offsets) + b"\n"
        data = zlib.compress(header + b"\n".join(bodies) + b"\n")
        self._write(
            stream_number,
            b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>"
            % (len(self.pending), len(header), len(data)),
            data,
        )
        self.pending = []

    def _write(self, number: int, dictionary: bytes, data: bytes) -> None:
        self.entries[number] = (1, len(self.out), 0)
        self.out += b"%d 0 obj\n%s\nstream\n%s\nendstream\nendobj\n" % (number, dictionary, data)

    def finish(self, trailer: Object) -> bytes:
        """Write what is pending and the cross-reference stream; the updated PDF."""
        self._pack()
        xref = self.reserve()
        self.entries[xref] = (1, len(self.out), 0)
        numbers = sorted(self.entries)
        rows = b"".join(struct.pack(">BIH", *self.entries[n]) for n in numbers)
        data = zlib.compress(rows)
        index = b" ".join(b"%d %d" % run for run in _runs(numbers))
        kept = b"".join(
            b" /%s %s" % (key.encode()[1:], _unparse(trailer[key]))
            for key in ("/Root", "/Info", "/ID")
            if key in trailer
        )
        dictionary = (
            b"<< /Type /XRef /Size %d /Prev %d /W [ 1 4 2 ] /Index [ %s ]%s"
            b" /Filter /FlateDecode /Length %d >>"
            % (self.next, self.previous, index, kept, len(data))
        )
        start = len(self.out)
        self.out += b"%d 0 obj\n%s\nstream\n%s\nendstream\nendobj\n" % (xref, dictionary, data)
        self.out += b"startxref\n%d\n%%%%EOF\n" % start
        return bytes(self.out)


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
