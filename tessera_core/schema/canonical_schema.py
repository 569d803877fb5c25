"""``CanonicalSchema``: a schema known to be canonical, which the engine never normalizes again.

Every normalizer entry point (:func:`tessera_core.normalize`, :func:`tessera_core.normalize_jsonschema`)
returns one. :func:`tessera_core.check_compatibility` normalizes plain dicts first (they may be any
JSON Schema a user wrote) and takes a ``CanonicalSchema`` as it is, so a caller that keeps canonical
schemas pays for the structural diff only.

There are exactly two ways to get one, so that user input cannot skip normalization by accident:

* normalize a document (``normalize(doc, fmt)`` / ``normalize_jsonschema(doc)``);
* :meth:`CanonicalSchema.trusted` for a schema that *was* produced by the normalizer and came back
  from storage (a database column, a file): the caller vouches for it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any, NoReturn, final

_READ_ONLY = (
    "a CanonicalSchema is read-only; derive a new schema from copy.deepcopy(schema), a plain dict "
    "that is normalized again when compared"
)


@final
class CanonicalSchema(dict[str, Any]):
    """A canonical JSON Schema 2020-12 document, as produced by :func:`tessera_core.normalize`.

    It is a ``dict`` (JSON-serializable as is, equal to the plain dict with the same content, usable
    wherever a schema dict is read) whose top level is read-only: ``schema["x"] = ...``,
    ``update``, ``pop``... raise ``TypeError``. Nested values must not be mutated either (they are
    not copied, for speed). To derive a modified schema, start from ``copy.deepcopy(schema)``: copies
    (``copy.copy``, ``copy.deepcopy``, ``dict(schema)``, ``{**schema}``) are plain dicts, which the
    engine normalizes again. Pickling keeps the mark (it reproduces the same schema).

    The constructor is closed: get one from a normalizer, or from storage with :meth:`trusted`.
    """

    __slots__ = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError(
            "CanonicalSchema cannot be constructed directly: use tessera_core.normalize(...) "
            "(or CanonicalSchema.trusted(...) for a schema that normalize() produced and you stored)"
        )

    @classmethod
    def trusted(cls, schema: Mapping[str, Any]) -> CanonicalSchema:
        """Mark ``schema`` as canonical without normalizing it (O(number of top-level keys)).

        Only for schemas that the normalizer produced and that were stored and loaded back, e.g. the
        canonical schema of a published contract read from the database (JSON round trips keep a
        canonical schema canonical). Never use it on documents a user wrote: the diff of a schema
        that is not canonical is not meaningful (equal meaning would not be equal structure).
        """
        if isinstance(schema, CanonicalSchema):
            return schema
        if not isinstance(schema, Mapping):
            raise TypeError(f"a canonical schema is a mapping, not {type(schema).__name__}")
        return _seal(schema)

    # -- read-only ------------------------------------------------------------------------

    def _read_only(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError(_READ_ONLY)

    __setitem__ = _read_only
    __delitem__ = _read_only
    __ior__ = _read_only
    clear = _read_only
    pop = _read_only
    popitem = _read_only
    setdefault = _read_only
    update = _read_only

    # -- copies are plain dicts (made to be modified); pickling keeps the mark ----------------

    def __copy__(self) -> dict[str, Any]:
        return dict(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        return copy.deepcopy(dict(self), memo)

    def __reduce__(self) -> tuple[Any, tuple[dict[str, Any]]]:
        return _seal, (dict(self),)

    def __repr__(self) -> str:
        return f"CanonicalSchema({dict.__repr__(self)})"


def _seal(items: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> CanonicalSchema:
    """Wrap normalizer output (internal: the normalizers' only way to make a ``CanonicalSchema``)."""
    schema = dict.__new__(CanonicalSchema)
    dict.update(schema, items)
    return schema
