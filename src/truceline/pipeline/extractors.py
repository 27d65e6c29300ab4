"""Which extractors there are: the built-in ones listed here, plugins registered by the code that uses them.

Nothing registers at import: the registry is made, with the built-in extractors, when it is first asked for.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import date
from types import MappingProxyType

from truceline.errors import NotFound
from truceline.pipeline.claims import ClaimValue
from truceline.pipeline.context import ExtractionContext
from truceline.pipeline.document import SourceDocument
from truceline.pipeline.extract import Extractor, RulesExtractor

ExtractorFactory = Callable[[], Extractor]

BUILT_IN_EXTRACTORS: Mapping[str, ExtractorFactory] = MappingProxyType({"rules": RulesExtractor})


class ExtractorRegistry:
    """Extractor factories by name; each extractor is made once, on first use."""

    def __init__(self, factories: Mapping[str, ExtractorFactory] = BUILT_IN_EXTRACTORS) -> None:
        self._factories = dict(factories)
        self._instances: dict[str, Extractor] = {}

    def register(self, name: str, factory: ExtractorFactory) -> None:
        """Make an extractor available by name; registering a name again replaces it."""
        self._factories[name] = factory
        self._instances.pop(name, None)

    def get(self, name: str = "rules") -> Extractor:
        """The extractor registered under `name` (made once), or NotFound."""
        if name not in self._instances:
            factory = self._factories.get(name)
            if factory is None:
                raise NotFound("extractor", name)
            self._instances[name] = factory()
        return self._instances[name]

    def names(self) -> list[str]:
        return sorted(self._factories)


@functools.cache
def default_registry() -> ExtractorRegistry:
    """The process's registry: the built-in extractors and whatever was registered since."""
    return ExtractorRegistry()


def register_extractor(name: str, factory: ExtractorFactory) -> None:
    default_registry().register(name, factory)


def get_extractor(name: str = "rules") -> Extractor:
    return default_registry().get(name)


def list_extractors() -> list[str]:
    return default_registry().names()


def extract_claims(
    doc: SourceDocument, *, context: ExtractionContext, today: date, extractor: str = "rules"
) -> list[ClaimValue]:
    """Claims about the happenings one document reports, in evidence order, ids `<doc id>-c<n>`.

    `today` is the caller's clock: a document without a publication date is read as published today."""
    return get_extractor(extractor).extract(doc, context, today=today)
