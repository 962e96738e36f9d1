"""Endpoint templates (``http://127.0.0.1:8080/{region}``): one base URL per region, checked before any client.

A template points every OCI client at another host (the fake, a private endpoint). It is checked
once, up front, so a typo is one line naming it instead of a traceback from ``str.format`` deep in
a worker thread, and so a URL that would leak a secret (credentials in it: they would be printed
and stored in the snapshot's parameters) or leave HTTP (``file://``) is refused.
"""
from __future__ import annotations

import string
from urllib.parse import urlsplit

from reportkit.errors import InputError

_EXAMPLE = "e.g. http://127.0.0.1:8080/{region}"


def check_endpoint_template(template: str) -> str:
    """Return ``template`` when it is an http(s) URL whose only placeholder is ``{region}`` (at least
    once) and that holds no credentials; raise InputError saying what is wrong otherwise."""
    where = f"--endpoint-template {template!r}"
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:  # a lone '{' or '}'
        raise InputError(f"{where}: {exc}; write {{region}} where the region goes ({_EXAMPLE})") from None
    fields = [(name, spec, conversion) for _, name, spec, conversion in parts if name is not None]
    if not fields:
        raise InputError(f"{where} must contain {{region}} ({_EXAMPLE})")
    for name, spec, conversion in fields:
        if name != "region" or spec or conversion:
            shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            raise InputError(f"{where}: {shown} is not a placeholder reportkit fills; only {{region}} is ({_EXAMPLE})")
    url = template.format(region="uk-london-1")
    if any(c in url for c in "{} \t\r\n") or not url.isprintable():
        raise InputError(f"{where} holds a brace, a space or a control character outside {{region}} ({_EXAMPLE})")
    try:
        parsed = urlsplit(url)
        parsed.port  # noqa: B018 - raises ValueError for a port that is not a number from 0 to 65535
    except ValueError as exc:
        raise InputError(f"{where} is not a valid URL ({exc})") from None
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise InputError(f"{where} must be an http:// or https:// URL with a host ({_EXAMPLE})")
    if parsed.username is not None or parsed.password is not None:
        raise InputError("--endpoint-template must not hold credentials (user:password@): they would be printed "
                         "and stored with the snapshot; reportkit signs requests with the OCI config instead")
    return template
