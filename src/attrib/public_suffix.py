"""Public suffixes (com, uk, co.uk, blogspot.com), decided by the Public Suffix List.

The list is the snapshot bundled in the `publicsuffixlist` package, read
from its own data file: attrib never fetches it at run time (the package's
separate `publicsuffixlist-download` command is the only part that goes to
the network, and attrib never calls it). Upgrading the package upgrades the
snapshot. Every question attrib asks the list goes through this module.
"""

from __future__ import annotations

from functools import cache

from publicsuffixlist import PublicSuffixList
from publicsuffixlist import __version__ as _package_version

# The package's version ends in the date of its snapshot (1.1.2.20261023).
SNAPSHOT = _package_version


@cache
def _list() -> PublicSuffixList:
    return PublicSuffixList()  # no source given: the bundled file


def is_public_suffix(name: str) -> bool:
    """Whether the list names `name` itself as a public suffix, by a rule or a wildcard (`*.ck`).

    A one-label name the list does not hold (webmail, example) is not one:
    the list's implicit `*` rule, every unknown TLD a suffix, is not applied.
    """
    name = name.lower()
    return _list().publicsuffix(name, accept_unknown=False) == name


def registrable_domain(host: str) -> str | None:
    """The public suffix and one label more (news.bbc.co.uk -> bbc.co.uk, x.blogspot.com ->
    x.blogspot.com); None for a public suffix itself or a host under no suffix the list holds."""
    return _list().privatesuffix(host.lower(), accept_unknown=False)
