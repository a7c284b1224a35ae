"""Link previews for the composer: the title and description of the page a post links to.

The server fetches the page, so the fetch is guarded against being turned on the server's own network
(SSRF): only http(s); the host's every address must be public (loopback, private, link-local, carrier-grade
NAT, multicast and reserved ranges are refused, IPv4-mapped IPv6 included); the connection goes to the
address that was checked (the host name is sent as ``Host`` and as the TLS server name, so the certificate
is still verified for it), which closes the gap between checking a name and connecting to it (DNS
rebinding); redirects are followed by hand, at most three, each checked the same way. A fetch has a short
overall time limit and reads at most ``max_bytes`` of HTML; anything else (offline, slow, not HTML, an
error status) gives no preview, never an error: the preview is shown when there is one, never required.
Images of the page are not fetched (the page's policy allows images from the inbox only, and fetching them
would tell third parties who is composing).
"""
from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx

Resolver = Callable[[str, int], Awaitable[list[str]]]


class LinkRefused(Exception):
    """The link may not be fetched: ``code`` says why (``link_scheme``, ``link_private``, ``link_bad``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Preview:
    url: str
    host: str
    title: str
    description: str
    site: str


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({info[4][0] for info in infos})


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def normalise(url: str) -> str:
    url = url.strip()
    if not re.match(r"(?i)^[a-z][a-z0-9+.-]*://", url):
        url = "https://" + url
    return url


class _Meta(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, str] = {}
        self._in_title = False
        self.title = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (values.get("property") or values.get("name") or "").lower()
            if key in ("og:title", "og:description", "og:site_name", "description", "twitter:title",
                       "twitter:description") and key not in self.found:
                self.found[key] = values.get("content", "")
        elif tag == "title" and not self.title:
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def _clean(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def parse(html: str, url: str) -> Preview | None:
    meta = _Meta()
    meta.feed(html)
    found = meta.found
    title = found.get("og:title") or found.get("twitter:title") or meta.title
    description = found.get("og:description") or found.get("twitter:description") or found.get("description", "")
    if not title.strip() and not description.strip():
        return None
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return Preview(url=url, host=host, title=_clean(title, 200), description=_clean(description, 300),
                   site=_clean(found.get("og:site_name", ""), 100))


def _charset(content_type: str, head: bytes) -> str:
    match = re.search(r"charset=[\"']?([\w-]+)", content_type, re.IGNORECASE) or re.search(
        rb"<meta[^>]+charset=[\"']?([\w-]+)", head, re.IGNORECASE)
    name = match.group(1) if match else "utf-8"
    return name.decode("ascii", "replace") if isinstance(name, bytes) else name


class LinkPreviewer:
    """Fetches previews (see the module docstring); keeps each answer for ``ttl_s`` seconds."""

    def __init__(self, *, timeout_s: float = 3.0, max_bytes: int = 256 * 1024, resolver: Resolver = system_resolver,
                 transport: httpx.AsyncBaseTransport | None = None, ttl_s: float = 600.0, max_redirects: int = 3,
                 cache_size: int = 500) -> None:
        self.timeout_s, self.max_bytes, self.max_redirects = timeout_s, max_bytes, max_redirects
        self._resolver, self._transport, self._ttl, self._size = resolver, transport, ttl_s, cache_size
        self._cache: OrderedDict[str, tuple[float, Preview | None]] = OrderedDict()

    async def preview(self, url: str) -> Preview | None:
        """The page's preview, or None when it cannot be read now. Raises ``LinkRefused``."""
        url = normalise(url)
        cached = self._cache.get(url)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        await self._target(url)  # refuse a private link at once, before any timeout
        try:
            async with asyncio.timeout(self.timeout_s):
                found = await self._fetch(url)
        except (TimeoutError, httpx.HTTPError, OSError, UnicodeError, ValueError, LookupError):
            found = None
        self._cache[url] = (time.monotonic() + self._ttl, found)
        while len(self._cache) > self._size:
            self._cache.popitem(last=False)
        return found

    async def _target(self, url: str) -> tuple[str, str, str]:
        """(url to connect to, Host header, server name) for ``url``, its address checked."""
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https"):
            raise LinkRefused("link_scheme", "only http and https links have previews")
        host = parts.hostname
        if not host:
            raise LinkRefused("link_bad", "the link has no host")
        try:
            port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        except ValueError:
            raise LinkRefused("link_bad", "the link's port is not a number") from None
        try:
            addresses = [str(ipaddress.ip_address(host))]
        except ValueError:
            try:
                addresses = await self._resolver(host.encode("idna").decode("ascii"), port)
            except (OSError, UnicodeError):
                addresses = []
        if addresses and not all(is_public(a) for a in addresses):
            raise LinkRefused("link_private", "the link points to a private or local address")
        if not addresses:
            return url, host, host  # unresolvable now: the fetch fails and gives no preview
        address = addresses[0]
        shown = f"[{address}]" if ":" in address else address
        netloc = f"{shown}:{port}"
        target = parts._replace(netloc=netloc).geturl()
        host_header = host if parts.port is None else f"{host}:{port}"
        return target, host_header, host

    async def _fetch(self, url: str) -> Preview | None:
        async with httpx.AsyncClient(transport=self._transport, follow_redirects=False,
                                     timeout=self.timeout_s) as client:
            for _ in range(self.max_redirects + 1):
                target, host, server_name = await self._target(url)
                request = client.build_request("GET", target, headers={
                    "Host": host, "Accept": "text/html", "User-Agent": "ChorusLinkPreview/1.0"},
                    extensions={"sni_hostname": server_name})
                response = await client.send(request, stream=True)
                try:
                    if response.is_redirect and response.headers.get("location"):
                        url = urljoin(url, response.headers["location"])
                        continue
                    content_type = response.headers.get("content-type", "")
                    if response.status_code != 200 or "html" not in content_type.lower():
                        return None
                    body = bytearray()
                    async for chunk in response.aiter_bytes():
                        body += chunk
                        if len(body) >= self.max_bytes:
                            break
                finally:
                    await response.aclose()
                data = bytes(body[:self.max_bytes])
                return parse(data.decode(_charset(content_type, data[:2048]), "replace"), url)
        return None
