"""Automatic UTM tagging of the links in a post's text, per network, account and campaign.

The inbox composer calls ``UtmPreset.apply`` when it builds each ``PostTarget.text``, so Google Analytics
and Yandex.Metrica attribute the traffic (``utm_source=vk&utm_medium=social&utm_campaign=...``). Pure text
in, text out; nothing here touches the network.

What counts as a link (``find_links``): ``http(s)://...``, ``www....`` and, unless switched off, bare domains
with a well-known top-level domain written in lower case (``shop.ru/sale``, ``пример.рф``), never the
domain of an e-mail address (``info@shop.ru``) nor ``ASP.NET``-style words. A link ends at white space, at
``<>"«»“”`` and before trailing punctuation (``.,!?:;…`` and a closing bracket or quote with no opening
one inside the link), so "Смотрите https://shop.ru/sale!" tags ``https://shop.ru/sale``.

How a link is tagged (``add_params``): the parameters go before the ``#fragment``, after the existing query,
which is kept byte for byte; a parameter the link already has (any value, name compared without regard
to case) is never added a second time, so tagging twice changes nothing; a link with no path gets ``/``
(``shop.ru/?utm_...``), which every linkifier keeps inside the link. Internationalised domains stay as
written (Cyrillic or punycode); values are percent-encoded as UTF-8 (``Весна`` → ``%D0%92%D0%B5...``), so
a campaign name with spaces cannot cut the link short.

Presets are editable: parameter names mapped to templates over ``{source}`` (the preset's name for the
network: vk, x, telegram, facebook by default), ``{network}``, ``{account}``, ``{campaign}`` and ``{post}``.
A parameter whose value renders empty (no campaign) is left out rather than sent empty.
"""
from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote

from chorus.events.values import Network

PLACEHOLDERS = ("source", "network", "account", "campaign", "post")
DEFAULT_PARAMS: tuple[tuple[str, str], ...] = (
    ("utm_source", "{source}"), ("utm_medium", "social"), ("utm_campaign", "{campaign}"))
DEFAULT_SOURCES: tuple[tuple[str, str], ...] = tuple((n.value, n.value) for n in Network)

#: Top-level domains a bare domain (no scheme, no www.) must end with to count as a link.
BARE_TLDS = frozenset((
    "ru", "рф", "su", "by", "kz", "ua", "uz", "am", "ge", "az", "kg", "tj", "md", "com", "net", "org", "info",
    "biz", "pro", "io", "me", "co", "app", "dev", "online", "site", "store", "shop", "club", "ai", "tv", "xyz",
    "top", "world", "news", "blog", "link", "ly", "gg", "to", "fm", "cc", "sh", "eu", "de", "uk", "us", "fr",
    "it", "es", "pl", "cz", "tech", "space", "москва", "рус", "дети", "moscow",
))

_STOP = "\\s<>\"«»“”"  # characters a link never contains
_SCHEMED = rf"(?:[Hh][Tt][Tt][Pp][Ss]?://|[Ww][Ww][Ww]\.)[^{_STOP}]+"
_LABEL = r"[a-z0-9а-яё](?:[a-z0-9а-яё-]{0,61}[a-z0-9а-яё])?"
_BARE = rf"(?<![\w@.\-/])(?:{_LABEL}\.)+(?P<tld>[a-zа-яё]{{2,12}})(?![\w-])(?::\d{{1,5}})?(?:[/?#][^{_STOP}]*)?"
_LINK = re.compile(rf"(?P<schemed>{_SCHEMED})|(?P<bare>{_BARE})")
_TRAILING = ".,!?:;…'’\"»)]}"
_PAIRS = {")": "(", "]": "[", "}": "{"}
_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


class UtmError(ValueError):
    """A preset or parameter that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class Link:
    start: int
    end: int
    url: str
    #: True when written without a scheme or www. (``shop.ru/sale``).
    bare: bool

    @property
    def host(self) -> str:
        rest = re.sub(r"^[A-Za-z]+://", "", self.url)
        return re.split(r"[/?#:]", rest, maxsplit=1)[0].lower().removeprefix("www.")


def _trim(url: str) -> str:
    """Drop trailing punctuation that belongs to the sentence, keeping brackets the link opened itself."""
    while url and url[-1] in _TRAILING:
        last = url[-1]
        if last in _PAIRS and url.count(_PAIRS[last]) >= url.count(last):
            break
        url = url[:-1]
    return url


def find_links(text: str, *, bare_domains: bool = True) -> list[Link]:
    """Every link in ``text``, in order (see the module docstring for what counts)."""
    found: list[Link] = []
    for match in _LINK.finditer(text):
        bare = match.group("bare") is not None
        if bare and (not bare_domains or match.group("tld") not in BARE_TLDS):
            continue
        url = _trim(match.group(0))
        if not url or (not bare and re.fullmatch(r"(?i)(https?://|www\.)", url)):
            continue
        found.append(Link(match.start(), match.start() + len(url), url, bare))
    return found


def _encode(value: str) -> str:
    return quote(value, safe="-._~")


def add_params(url: str, params: Mapping[str, str]) -> str:
    """``url`` with each of ``params`` it does not have yet; see the module docstring."""
    base, hash_mark, fragment = url.partition("#")
    path_part, _, query = base.partition("?")
    present = {unquote(p.split("=", 1)[0]).strip().lower() for p in re.split(r"[&;]", query) if p}
    extra = [f"{name}={_encode(value)}" for name, value in params.items()
             if value and name.lower() not in present]
    if not extra:
        return url
    if "/" not in re.sub(r"^[A-Za-z]+://", "", path_part):
        path_part += "/"
    joined = query + ("" if not query or query.endswith(("&", ";")) else "&") + "&".join(extra)
    return f"{path_part}?{joined}" + (hash_mark + fragment if hash_mark else "")


def _host_skipped(host: str, skip_hosts: Iterable[str]) -> bool:
    return any(host == h or host.endswith("." + h) for h in (s.lower().removeprefix("www.") for s in skip_hosts))


def tag_links(text: str, params: Mapping[str, str], *, skip_hosts: Iterable[str] = (),
              bare_domains: bool = True) -> str:
    """``text`` with ``params`` added to every link (except those on ``skip_hosts`` and their subdomains)."""
    for name in params:
        _check_name(name)
    skip = tuple(skip_hosts)
    out, last = [], 0
    for link in find_links(text, bare_domains=bare_domains):
        out.append(text[last:link.start])
        out.append(link.url if _host_skipped(link.host, skip) else add_params(link.url, params))
        last = link.end
    out.append(text[last:])
    return "".join(out)


def _check_name(name: str) -> None:
    if not _NAME.match(name):
        raise UtmError(f"{name!r} is not a usable parameter name: use latin letters, digits, '_', '-' or '.'")


def _check_template(name: str, template: str) -> None:
    try:
        fields = [f for _, f, spec, conv in string.Formatter().parse(template) if f is not None]
    except ValueError as exc:
        raise UtmError(f"the template of {name} ({template!r}) is malformed: {exc}") from None
    for item in fields:
        if item not in PLACEHOLDERS:
            raise UtmError(f"the template of {name} uses {{{item}}}; the placeholders are "
                           + ", ".join("{" + p + "}" for p in PLACEHOLDERS))


@dataclass(frozen=True)
class UtmPreset:
    """Editable UTM parameters for a workspace; see the module docstring.

    ``params``: (name, template) pairs in the order they are appended. ``sources``: (network, value of
    ``{source}``) pairs, e.g. ``("x", "twitter")``. ``skip_hosts``: domains left untouched (with their
    subdomains), e.g. the networks' own. ``bare_domains``: also tag links written without a scheme.
    """

    name: str = "default"
    params: tuple[tuple[str, str], ...] = DEFAULT_PARAMS
    sources: tuple[tuple[str, str], ...] = DEFAULT_SOURCES
    skip_hosts: tuple[str, ...] = ()
    bare_domains: bool = True
    _sources: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise UtmError("a preset needs a name")
        if not self.params:
            raise UtmError("a preset needs at least one parameter")
        seen: set[str] = set()
        for name, template in self.params:
            _check_name(name)
            if name.lower() in seen:
                raise UtmError(f"{name} appears twice in the preset")
            seen.add(name.lower())
            _check_template(name, template)
        sources = dict(self.sources)
        unknown = set(sources) - {n.value for n in Network}
        if unknown:
            raise UtmError(f"unknown networks in sources: {sorted(unknown)}")
        object.__setattr__(self, "_sources", {**dict(DEFAULT_SOURCES), **sources})

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> UtmPreset:
        """A preset as stored in JSON: ``{"name", "params": {name: template}, "sources"?, "skip_hosts"?,
        "bare_domains"?}``. Raises ``UtmError`` naming what is wrong."""
        if not isinstance(data, Mapping):
            raise UtmError("a preset must be a JSON object")
        params = data.get("params", dict(DEFAULT_PARAMS))
        sources = data.get("sources", {})
        skip = data.get("skip_hosts", [])
        if not isinstance(params, Mapping) or not all(isinstance(k, str) and isinstance(v, str)
                                                      for k, v in params.items()):
            raise UtmError("'params' must map parameter names to text templates")
        if not isinstance(sources, Mapping) or not all(isinstance(v, str) for v in sources.values()):
            raise UtmError("'sources' must map networks to text")
        if not isinstance(skip, list) or not all(isinstance(h, str) for h in skip):
            raise UtmError("'skip_hosts' must be a list of domains")
        bare = data.get("bare_domains", True)
        if not isinstance(bare, bool):
            raise UtmError("'bare_domains' must be true or false")
        return cls(name=str(data.get("name", "default")), params=tuple(params.items()),
                   sources=tuple(sources.items()), skip_hosts=tuple(skip), bare_domains=bare)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "params": dict(self.params), "sources": dict(self.sources),
                "skip_hosts": list(self.skip_hosts), "bare_domains": self.bare_domains}

    def render(self, *, network: Network | str, account: str = "", campaign: str | None = "",
               post: str = "") -> dict[str, str]:
        """The parameters for one target, templates filled; empty ones left out."""
        net = Network(network).value
        values = {"source": self._sources[net], "network": net, "account": account or "",
                  "campaign": campaign or "", "post": post or ""}
        rendered = {name: template.format(**values).strip() for name, template in self.params}
        return {name: value for name, value in rendered.items() if value}

    def apply(self, text: str, *, network: Network | str, account: str = "", campaign: str | None = "",
              post: str = "") -> str:
        """``text`` with this preset's parameters on every link, for one account of ``network``."""
        return tag_links(text, self.render(network=network, account=account, campaign=campaign, post=post),
                         skip_hosts=self.skip_hosts, bare_domains=self.bare_domains)


DEFAULT_PRESET = UtmPreset()
