"""Every URL pattern of the project, found by walking Django's resolver through every include."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern

# <converter:name> in a route; (?P<name>...) in a regex.
ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
REGEX_PARAMETER = re.compile(r"\(\?P<(?P<name>[^>]+)>(?P<body>[^()]*(?:\([^()]*\)[^()]*)*)\)")


@dataclass(frozen=True)
class Pattern:
    """One URL pattern: its key in the matrix, its route and whether it is language-prefixed."""

    key: str  # "namespace:name", or "route:<route>" for an unnamed pattern
    route: str  # the pattern's text after the language prefix, e.g. "programme/<slug:slug>/"
    localised: bool
    parameters: tuple[str, ...]
    is_regex: bool

    def path(self, values: dict[str, str], language: str | None) -> str:
        """The address with `values` put in; language None leaves the prefix out."""

        def fill(match: re.Match[str]) -> str:
            return values[match["name"]]

        if self.is_regex:
            text = REGEX_PARAMETER.sub(fill, self.route)
            text = text.replace("^", "").replace("$", "").replace("\\", "")
        else:
            text = ROUTE_PARAMETER.sub(fill, self.route)
        prefix = f"/{language}/" if self.localised and language else "/"
        return prefix + text


def _walk(
    patterns: list[URLPattern | URLResolver],
    prefix: str,
    namespace: str | None,
    localised: bool,
    is_regex: bool,
) -> Iterator[Pattern]:
    for entry in patterns:
        text = str(entry.pattern)
        regex = is_regex or isinstance(entry.pattern, RegexPattern)
        if isinstance(entry, URLResolver):
            inner_localised = localised or isinstance(entry.pattern, LocalePrefixPattern)
            own = "" if isinstance(entry.pattern, LocalePrefixPattern) else text
            inner_namespace = namespace
            if entry.namespace:
                inner_namespace = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(
                entry.url_patterns, prefix + own, inner_namespace, inner_localised, regex
            )
            continue
        route = prefix + text
        if entry.name:
            key = f"{namespace}:{entry.name}" if namespace else entry.name
        else:
            key = f"route:{route}"
        parameters_found = (
            [m["name"] for m in REGEX_PARAMETER.finditer(route)]
            if isinstance(entry.pattern, RegexPattern) or regex
            else []
        ) + [m["name"] for m in ROUTE_PARAMETER.finditer(route)]
        assert isinstance(entry.pattern, RoutePattern | RegexPattern), entry
        yield Pattern(key, route, localised, tuple(dict.fromkeys(parameters_found)), regex)


def project_patterns() -> list[Pattern]:
    return list(_walk(get_resolver().url_patterns, "", None, False, False))
