"""A fast path for reading plain YAML files with libyaml (PyYAML's C parser), giving what the careful loader gives.

ruamel.yaml's pure-Python round-trip loader reads about 100 kB/s: a second for a big claim file,
an hour for a million claims. libyaml reads the same file 20-50 times faster. This module takes
the fast path only where the answer is provably the same: a document of mappings, sequences and
scalars that YAML 1.2 (ruamel's own resolver decides) reads as strings, without duplicate keys,
anchors, aliases, tags, oversized values, deep nesting or the characters `kg.yamlio` refuses. It keeps every key's and item's line, in the `lc`
shape ruamel gives, so messages about the file still say where. Anything else returns None, and
`kg.yamlio.load_yaml` reads the file with ruamel as before, which reports the problem precisely.
"""

from __future__ import annotations

from functools import lru_cache

from kg.inputs.limits import BAD_CHARS, MAX_LITERAL_CHARS, MAX_NESTING, NUMBER

# libyaml asks `resolve` for the tag of every node without an explicit one; answering with tags of
# our own tells an implicit string from an explicit `!!str` (which the careful loader refuses).
STR = "tag:govkg,implicit:str"
SEQ = "tag:govkg,implicit:seq"
MAP = "tag:govkg,implicit:map"
CORE_STR = "tag:yaml.org,2002:str"


class NotPlain(Exception):
    """The document needs the careful loader."""


class LineCols:
    """The part of ruamel's `lc` that govkg uses: the node's line, and each key's or item's (line, column)."""

    __slots__ = ("line", "col", "_at")

    def __init__(self, line: int, col: int):
        self.line, self.col = line, col
        self._at: dict = {}

    def key(self, key):
        return self._at[key]

    def item(self, index: int):
        return self._at[index]


class LineDict(dict):
    __slots__ = ("lc",)
    lc: LineCols


class LineList(list):
    __slots__ = ("lc",)
    lc: LineCols


@lru_cache(maxsize=1)
def _loader_class():
    try:
        import yaml
        from yaml import CSafeLoader
    except ImportError:  # PyYAML without libyaml: no fast path
        return None
    from ruamel.yaml.resolver import VersionedResolver

    table = VersionedResolver(version=(1, 2)).versioned_resolver
    ScalarNode, SequenceNode, MappingNode = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode

    class Loader(CSafeLoader):
        yaml_constructors = {}

        def resolve(self, kind, value, implicit):
            if kind is ScalarNode:
                if implicit[0]:  # a plain scalar: YAML 1.2 decides, as ruamel does
                    for tag, regexp in table.get(value[:1], []) + table.get(None, []):
                        if regexp.match(value):
                            return STR if tag == CORE_STR else tag
                return STR
            return SEQ if kind is SequenceNode else MAP

        def construct_object(self, node, deep=0):
            if node.tag == STR and isinstance(node, ScalarNode):
                value = node.value
                if len(value) > MAX_LITERAL_CHARS or BAD_CHARS.search(value):
                    raise NotPlain("value the careful loader refuses")
                if node.style is None and len(value) > 100 and NUMBER.fullmatch(value):
                    raise NotPlain("an overlong number")
                return value
            if deep >= MAX_NESTING:
                raise NotPlain("nested too deep")
            if node.tag == MAP and isinstance(node, MappingNode):
                mapping = LineDict()
                mapping.lc = lc = LineCols(node.start_mark.line, node.start_mark.column)
                for key_node, value_node in node.value:
                    key = self.construct_object(key_node, deep + 1)
                    if key in mapping:
                        raise NotPlain("duplicate key")
                    lc._at[key] = (key_node.start_mark.line, key_node.start_mark.column)
                    mapping[key] = self.construct_object(value_node, deep + 1)
                return mapping
            if node.tag == SEQ and isinstance(node, SequenceNode):
                items = LineList()
                items.lc = lc = LineCols(node.start_mark.line, node.start_mark.column)
                for i, item in enumerate(node.value):
                    lc._at[i] = (item.start_mark.line, item.start_mark.column)
                    items.append(self.construct_object(item, deep + 1))
                return items
            raise NotPlain(f"a value of type {node.tag}")

        def construct_document(self, node):
            return self.construct_object(node)

    return Loader


def load_plain_yaml(text: str):
    """The document as dicts, lists and strings with line info, or None when it needs the careful loader."""
    loader_class = _loader_class()
    if loader_class is None or "&" in text or "*" in text:
        # Anchors and aliases need the careful loader's refusal; '&' or '*' anywhere (also inside
        # a quote) is only a slower path, never a wrong one.
        return None
    loader = loader_class(text)
    try:
        return loader.get_single_data()
    except Exception:  # any YAML error or anything not plain: the careful loader says what is wrong
        return None
    finally:
        loader.dispose()
